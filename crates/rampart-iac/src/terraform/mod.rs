//! Terraform configurations: a module directory (its `.tf` files, `terraform.tfvars`,
//! `*.auto.tfvars` and extra var files) loaded and evaluated into resources whose bodies are
//! [`Node`]s, with local child modules followed.
//!
//! What can be computed from the files is: literals, operators, templates, `for`
//! expressions, splats, variables, locals, `count`/`for_each` iterators, most built-in
//! functions, and attributes of other resources that their configuration sets. Everything
//! else (values known after apply, data sources, module outputs, unsupported functions) is
//! [`Value::Unknown`] with the reason.
//!
//! # Body shape
//!
//! A resource body is an object of its attributes, each evaluated and spanning the attribute
//! (key to value), and of its nested blocks. **Every nested block type maps to an array of
//! objects**, whether it is written once or repeated, as in Terraform's plan JSON:
//! `versioning { enabled = true }` reads as `versioning[0].enabled`. `dynamic` blocks are
//! expanded into the same array (an unknown `for_each` gives one unknown element). The
//! meta-arguments `count`, `for_each`, `depends_on` and `provider` are left out of the body.

mod eval;
mod funcs;
mod value;

use crate::model::{Node, Span, Value};
use eval::{pairs, Iter, ModCtx, Scope, SourceFile};
use hcl::edit::structure::{Block, Body, Structure};
use hcl::edit::Span as _;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use value::{from_json, to_u32, LineIndex};

/// How a module is loaded.
#[derive(Debug, Clone)]
pub struct Options {
    /// Extra `-var-file`s for the root module, applied in order after the automatic ones.
    pub var_files: Vec<PathBuf>,
    /// How deep local modules are followed.
    pub max_module_depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            var_files: Vec::new(),
            max_module_depth: 16,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// A `resource` block.
    Managed,
    /// A `data` block.
    Data,
}

/// The resources of a module and its local child modules.
#[derive(Debug, Clone, Default)]
pub struct Module {
    pub resources: Vec<Resource>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One resource instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub mode: Mode,
    /// The resource type, such as `aws_s3_bucket`.
    pub kind: String,
    pub name: String,
    /// Its full address: `module.x.aws_s3_bucket.b[0]`, `data.aws_iam_policy_document.p`.
    pub address: String,
    /// The `.tf` file it is written in.
    pub file: PathBuf,
    /// The block header (type and labels).
    pub span: Span,
    /// Attributes and nested blocks, evaluated (see the module documentation for the shape).
    pub body: Node,
    /// For a resource of a called module: the root module's `module` block it comes through
    /// (its file and header), where a finding about this instance belongs.
    pub call_site: Option<(PathBuf, Span)>,
}

/// Something that could not be loaded or evaluated; loading goes on around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based; 0 when the problem is not at a line (an unreadable directory).
    pub line: u32,
    pub message: String,
}

/// Loads the module in `dir`, reading every file through `read`.
pub fn load_module(
    dir: &Path,
    read: &dyn Fn(&Path) -> Option<String>,
    options: &Options,
) -> Module {
    let mut out = Module::default();
    let mut loader = Loader {
        read,
        options,
        root: dir.to_path_buf(),
        stack: Vec::new(),
        out: &mut out,
    };
    loader.load(dir, None, "", 0, None);
    let mut seen = HashSet::new();
    out.diagnostics
        .retain(|d| seen.insert((d.file.clone(), d.line, d.message.clone())));
    out
}

/// Modules already loaded, by directory, shared by the scanners that read Terraform: every
/// `.tf` file of a directory is a blob of its own, but its module is evaluated once. Files are
/// read through [`rampart_core::cache::read_input`], so cached results notice them change.
#[derive(Debug, Default)]
pub struct ModuleCache {
    options: Options,
    loaded: std::sync::Mutex<HashMap<PathBuf, std::sync::Arc<Module>>>,
}

impl ModuleCache {
    pub fn new(options: Options) -> ModuleCache {
        ModuleCache {
            options,
            loaded: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The module in `dir`, loaded on first use.
    pub fn get(&self, dir: &Path) -> std::sync::Arc<Module> {
        if let Some(hit) = self.loaded.lock().ok().and_then(|m| m.get(dir).cloned()) {
            return hit;
        }
        let module = std::sync::Arc::new(load_module(
            dir,
            &|p: &Path| rampart_core::cache::read_input(p),
            &self.options,
        ));
        if let Ok(mut m) = self.loaded.lock() {
            m.insert(dir.to_path_buf(), module.clone());
        }
        module
    }
}

/// The JSON held in a string attribute (`policy = jsonencode({...})`, a heredoc), as a node
/// whose every part has the attribute's span. `None` when the node is not a string of JSON.
/// A `jsonencode` of a document with parts known only at apply is kept as its structure: it
/// comes back as it is, unknown parts and all.
pub fn decode_json_attribute(node: &Node) -> Option<Node> {
    if matches!(node.value, Value::Object(_) | Value::Array(_)) {
        return Some(node.clone());
    }
    let text = node.as_str()?;
    let json: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
    Some(from_json(&json, node.span))
}

/// Deeper bracket nesting than this is refused before parsing, so that hostile input cannot
/// exhaust the parser's stack.
const MAX_NESTING: usize = 64;

/// Meta-arguments left out of resource bodies.
const META: &[&str] = &["count", "for_each", "depends_on", "provider"];

struct Loader<'l> {
    read: &'l dyn Fn(&Path) -> Option<String>,
    options: &'l Options,
    root: PathBuf,
    /// Directories of the modules being loaded, to detect cycles.
    stack: Vec<PathBuf>,
    out: &'l mut Module,
}

/// The files of a module directory, in the order they apply.
struct Listing {
    tf: Vec<PathBuf>,
    tfvars: Vec<PathBuf>,
}

impl Loader<'_> {
    fn diag(&mut self, file: &Path, line: u32, message: impl Into<String>) {
        self.out.diagnostics.push(Diagnostic {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        });
    }

    fn list(&mut self, dir: &Path) -> Listing {
        let mut names = Vec::new();
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    if let Some(name) = entry.file_name().to_str() {
                        names.push(name.to_string());
                    }
                }
            }
            Err(e) => self.diag(dir, 0, format!("cannot list the module directory: {e}")),
        }
        names.sort();
        let tf = names
            .iter()
            .filter(|n| n.ends_with(".tf"))
            .map(|n| dir.join(n))
            .collect();
        let mut tfvars: Vec<PathBuf> = names
            .iter()
            .filter(|n| *n == "terraform.tfvars")
            .map(|n| dir.join(n))
            .collect();
        tfvars.extend(
            names
                .iter()
                .filter(|n| n.ends_with(".auto.tfvars"))
                .map(|n| dir.join(n)),
        );
        Listing { tf, tfvars }
    }

    fn parse(&mut self, path: &Path) -> Option<SourceFile> {
        let Some(text) = (self.read)(path) else {
            self.diag(path, 0, "cannot read the file");
            return None;
        };
        if let Some(line) = too_deep(&text) {
            self.diag(
                path,
                line,
                "nested too deeply to parse (brackets, templates or chained operators)",
            );
            return None;
        }
        match hcl::edit::parser::parse_body(&text) {
            Ok(body) => Some(SourceFile {
                path: path.to_path_buf(),
                lines: LineIndex::new(&text),
                body,
            }),
            Err(e) => {
                self.diag(
                    path,
                    to_u32(e.location().line()),
                    format!("syntax error: {}", e.message()),
                );
                None
            }
        }
    }

    /// Loads the module in `dir`; `inputs` are the arguments of the calling `module` block
    /// (`None` for the root module, which reads tfvars files instead).
    fn load(
        &mut self,
        dir: &Path,
        inputs: Option<HashMap<String, Node>>,
        prefix: &str,
        depth: usize,
        call_site: Option<(PathBuf, Span)>,
    ) {
        let listing = self.list(dir);
        let mut files: Vec<SourceFile> = listing.tf.iter().filter_map(|p| self.parse(p)).collect();
        let tf_count = files.len();
        if inputs.is_none() {
            let var_files: Vec<PathBuf> = listing
                .tfvars
                .iter()
                .chain(self.options.var_files.iter())
                .cloned()
                .collect();
            for p in var_files {
                if let Some(f) = self.parse(&p) {
                    files.push(f);
                }
            }
        }

        let mut ctx = ModCtx {
            files: &files,
            dir: dir.to_path_buf(),
            root_dir: self.root.clone(),
            read: self.read,
            vars: HashMap::new(),
            locals: HashMap::new(),
            local_state: RefCell::new(HashMap::new()),
            resources: HashMap::new(),
            resource_busy: RefCell::new(HashSet::new()),
            diags: RefCell::new(Vec::new()),
            depth: Cell::new(0),
        };
        let mut variables = Vec::new();
        let mut resources = Vec::new();
        let mut modules = Vec::new();
        for (i, file) in files.iter().enumerate().take(tf_count) {
            for block in file.body.iter().filter_map(Structure::as_block) {
                let label = |n: usize| block.labels.get(n).map(|l| l.as_str().to_string());
                match (block.ident.as_str(), label(0), label(1)) {
                    ("variable", Some(name), _) => variables.push((i, name, block)),
                    ("locals", _, _) => {
                        for attr in block.body.iter().filter_map(Structure::as_attribute) {
                            ctx.locals.insert(attr.key.as_str().to_string(), (i, attr));
                        }
                    }
                    ("resource", Some(kind), Some(name)) => {
                        ctx.resources
                            .insert((kind.clone(), name.clone()), (i, block));
                        resources.push((i, Mode::Managed, kind, name, block));
                    }
                    ("data", Some(kind), Some(name)) => {
                        resources.push((i, Mode::Data, kind, name, block))
                    }
                    ("module", Some(name), _) => modules.push((i, name, block)),
                    _ => {}
                }
            }
        }

        // Variables: defaults, then tfvars files in order (root) or the caller's arguments.
        let mut given: HashMap<String, Node> = HashMap::new();
        match inputs {
            Some(inputs) => given = inputs,
            None => {
                for (i, file) in files.iter().enumerate().skip(tf_count) {
                    let scope = Scope::new(&ctx, i, Iter::None);
                    for attr in file.body.iter().filter_map(Structure::as_attribute) {
                        let at = scope.span_of(attr.span());
                        given.insert(attr.key.as_str().to_string(), scope.value(&attr.value, at));
                    }
                }
            }
        }
        let mut vars = HashMap::new();
        for (i, name, block) in &variables {
            let scope = Scope::new(&ctx, *i, Iter::None);
            let line = header_span(&scope, block).line;
            let default = block
                .body
                .iter()
                .filter_map(Structure::as_attribute)
                .find(|a| a.key.as_str() == "default");
            let value = match (given.remove(name), default) {
                (Some(v), _) => v,
                (None, Some(d)) => scope.value(&d.value, scope.span_of(d.span())),
                (None, None) => {
                    ctx.diag(
                        *i,
                        line,
                        format!("variable \"{name}\" has no value and no default"),
                    );
                    Node::unknown(format!("var.{name} has no value"), Span::at(line, 1))
                }
            };
            vars.insert(name.clone(), value);
        }
        ctx.vars = vars;

        let mut names: Vec<&String> = ctx.locals.keys().collect();
        names.sort();
        for name in names {
            // Evaluated once here so that their errors and cycles are reported even when
            // nothing uses them.
            let _ = Scope::new(&ctx, 0, Iter::None).local(name, Span::default());
        }

        for (i, mode, kind, name, block) in &resources {
            let scope = Scope::new(&ctx, *i, Iter::None);
            let span = header_span(&scope, block);
            let base = match mode {
                Mode::Managed => format!("{prefix}{kind}.{name}"),
                Mode::Data => format!("{prefix}data.{kind}.{name}"),
            };
            for (suffix, iter) in expand(&scope, &block.body, span.line) {
                let scope = Scope::new(&ctx, *i, iter);
                let body = eval_body(&scope, &block.body, span, true);
                self.out.resources.push(Resource {
                    mode: *mode,
                    kind: kind.clone(),
                    name: name.clone(),
                    address: format!("{base}{suffix}"),
                    file: files[*i].path.clone(),
                    span,
                    body,
                    call_site: call_site.clone(),
                });
            }
        }

        let mut calls = Vec::new();
        for (i, name, block) in &modules {
            let scope = Scope::new(&ctx, *i, Iter::None);
            let header = header_span(&scope, block);
            let line = header.line;
            let source = block
                .body
                .iter()
                .filter_map(Structure::as_attribute)
                .find(|a| a.key.as_str() == "source")
                .and_then(|a| a.value.as_str().map(str::to_string));
            let Some(source) = source else {
                ctx.diag(*i, line, format!("module \"{name}\" has no literal source"));
                continue;
            };
            if !(source.starts_with("./") || source.starts_with("../")) {
                ctx.diag(
                    *i,
                    line,
                    format!("module \"{name}\": remote source \"{source}\" is not followed"),
                );
                continue;
            }
            for (suffix, iter) in expand(&scope, &block.body, line) {
                let scope = Scope::new(&ctx, *i, iter);
                let mut inputs = HashMap::new();
                for attr in block.body.iter().filter_map(Structure::as_attribute) {
                    let key = attr.key.as_str();
                    if matches!(
                        key,
                        "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
                    ) {
                        continue;
                    }
                    let at = scope.span_of(attr.span());
                    inputs.insert(key.to_string(), scope.value(&attr.value, at));
                }
                // Instances deep in the module tree belong to the root's call.
                let site = call_site
                    .clone()
                    .unwrap_or_else(|| (files[*i].path.clone(), header));
                calls.push((
                    files[*i].path.clone(),
                    line,
                    name.clone(),
                    normalize(&dir.join(&source)),
                    format!("{prefix}module.{name}{suffix}."),
                    inputs,
                    site,
                ));
            }
        }
        let diags = ctx.diags.take();
        self.out.diagnostics.extend(diags);
        drop(ctx);

        for (file, line, name, child, child_prefix, inputs, site) in calls {
            if depth + 1 > self.options.max_module_depth {
                self.diag(
                    &file,
                    line,
                    format!(
                        "module \"{name}\" is not followed: more than {} levels of modules",
                        self.options.max_module_depth
                    ),
                );
                continue;
            }
            let here = normalize(dir);
            if child == here || self.stack.contains(&child) {
                self.diag(
                    &file,
                    line,
                    format!("module \"{name}\" is not followed: it calls itself (module cycle)"),
                );
                continue;
            }
            self.stack.push(here);
            self.load(&child, Some(inputs), &child_prefix, depth + 1, Some(site));
            self.stack.pop();
        }
    }
}

/// The span of a block's header: its type and labels.
fn header_span(scope: &Scope, block: &Block) -> Span {
    let start = block.ident.span();
    let end = block
        .labels
        .last()
        .and_then(|l| l.span())
        .or_else(|| block.ident.span());
    match (start, end) {
        (Some(s), Some(e)) => scope.span_of(Some(s.start..e.end)),
        _ => scope.span_of(block.span()),
    }
}

/// The instances of a block with `count` or `for_each`: address suffix and iterator.
fn expand(scope: &Scope, body: &Body, line: u32) -> Vec<(String, Iter)> {
    let attr = |key: &str| {
        body.iter()
            .filter_map(Structure::as_attribute)
            .find(|a| a.key.as_str() == key)
    };
    let unexpanded = |why: String| {
        scope.m.diag(scope.file, line, why);
        vec![(String::new(), Iter::Unexpanded)]
    };
    if let Some(count) = attr("count") {
        let v = scope.value(&count.value, scope.span_of(count.span()));
        if v.is_unknown() {
            return unexpanded("count is not known from the configuration: not expanded".into());
        }
        return match v.as_f64() {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 10_000.0 => (0..n as usize)
                .map(|i| {
                    (
                        format!("[{i}]"),
                        Iter::Count(Node::new(Value::Number(i.to_string()), v.span)),
                    )
                })
                .collect(),
            _ => unexpanded("count must be a whole number from 0 to 10000: not expanded".into()),
        };
    }
    if let Some(for_each) = attr("for_each") {
        let v = scope.value(&for_each.value, scope.span_of(for_each.span()));
        let keys_unknown = match &v.value {
            Value::Unknown(_) => true,
            Value::Array(items) => items.iter().any(Node::is_unknown),
            _ => false,
        };
        if keys_unknown {
            return unexpanded("for_each is not known from the configuration: not expanded".into());
        }
        let Ok(items) = pairs(&v, v.span) else {
            return unexpanded("for_each must be a map or a set of strings: not expanded".into());
        };
        let mut out = Vec::new();
        for (k, item) in items {
            let key = match &v.value {
                Value::Array(_) => match item.as_str() {
                    Some(s) => Node::string(s, item.span),
                    None => {
                        return unexpanded(
                            "for_each must be a map or a set of strings: not expanded".into(),
                        )
                    }
                },
                _ => k,
            };
            let text = key.as_str().unwrap_or_default().to_string();
            let quoted = serde_json::Value::String(text).to_string();
            out.push((format!("[{quoted}]"), Iter::Each(key, item)));
        }
        return out;
    }
    vec![(String::new(), Iter::None)]
}

/// A block body as a node: attributes evaluated, nested blocks as arrays of objects.
fn eval_body(scope: &Scope, body: &Body, span: Span, top: bool) -> Node {
    let mut entries: Vec<(String, Node)> = Vec::new();
    let push_block = |entries: &mut Vec<(String, Node)>, key: &str, node: Node| match entries
        .iter_mut()
        .find(|(k, _)| k == key)
    {
        Some((
            _,
            Node {
                value: Value::Array(items),
                ..
            },
        )) => items.push(node),
        _ => entries.push((
            key.to_string(),
            Node::new(Value::Array(vec![node.clone()]), node.span),
        )),
    };
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                let key = attr.key.as_str();
                if top && META.contains(&key) {
                    continue;
                }
                let at = scope.span_of(attr.span());
                let mut v = scope.value(&attr.value, at);
                v.span = at;
                entries.retain(|(k, _)| k != key);
                entries.push((key.to_string(), v));
            }
            Structure::Block(block) if block.ident.as_str() == "dynamic" => {
                let Some(label) = block.labels.first().map(|l| l.as_str().to_string()) else {
                    continue;
                };
                let at = header_span(scope, block);
                for node in dynamic(scope, block, &label, at) {
                    push_block(&mut entries, &label, node);
                }
            }
            Structure::Block(block) => {
                let at = header_span(scope, block);
                let node = eval_body(scope, &block.body, at, false);
                push_block(&mut entries, block.ident.as_str(), node);
            }
        }
    }
    Node::new(Value::Object(entries), span)
}

/// The blocks a `dynamic "x" { for_each = ...; content { ... } }` block stands for.
fn dynamic(scope: &Scope, block: &Block, label: &str, at: Span) -> Vec<Node> {
    let attr = |key: &str| {
        block
            .body
            .iter()
            .filter_map(Structure::as_attribute)
            .find(|a| a.key.as_str() == key)
    };
    let Some(content) = block
        .body
        .iter()
        .filter_map(Structure::as_block)
        .find(|b| b.ident.as_str() == "content")
    else {
        return Vec::new();
    };
    let iterator = attr("iterator")
        .and_then(|a| a.value.as_variable().map(|v| v.as_str().to_string()))
        .unwrap_or_else(|| label.to_string());
    let Some(for_each) = attr("for_each") else {
        return Vec::new();
    };
    let collection = scope.value(&for_each.value, scope.span_of(for_each.span()));
    if collection.is_unknown() {
        return vec![Node::unknown(
            format!("dynamic \"{label}\": for_each is not known from the configuration"),
            at,
        )];
    }
    let items = match pairs(&collection, at) {
        Ok(items) => items,
        Err(e) => {
            scope.m.diag(scope.file, at.line, e.message);
            return Vec::new();
        }
    };
    items
        .into_iter()
        .map(|(k, v)| {
            let it = Node::new(
                Value::Object(vec![("key".into(), k), ("value".into(), v)]),
                at,
            );
            let inner = scope.bind(vec![(iterator.clone(), it)]);
            let span = header_span(&inner, content);
            eval_body(&inner, &content.body, span, false)
        })
        .collect()
}

/// A path with `.` and `..` resolved lexically (the module tree need not exist on disk
/// beyond what `read` serves).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// How many operators one expression may chain before the file is refused (the parser
/// recurses once per operator).
const MAX_OPERATORS: usize = 800;

enum Frame {
    /// An expression, with its open brackets; `interpolation` when a `}` at depth 0 ends it.
    Expr {
        depth: usize,
        interpolation: bool,
    },
    Quoted,
    Heredoc(String),
}

/// Scans the text for nesting too deep for the parser's stack: brackets, templates inside
/// templates, and long chains of operators. Returns the line of the first excess. String
/// contents and comments are skipped; the count is deliberately rough (it only has to be an
/// upper bound of what the parser will recurse on).
fn too_deep(text: &str) -> Option<u32> {
    let chars: Vec<char> = text.chars().collect();
    let mut stack = vec![Frame::Expr {
        depth: 0,
        interpolation: false,
    }];
    let mut line = 1u32;
    let mut operators = 0usize;
    let mut i = 0usize;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let nesting = |stack: &[Frame]| {
        stack
            .iter()
            .map(|f| match f {
                Frame::Expr { depth, .. } => depth + 1,
                _ => 1,
            })
            .sum::<usize>()
    };
    while i < chars.len() {
        let c = at(i);
        if c == '\n' {
            line += 1;
        }
        match stack.last_mut() {
            None => return None,
            Some(Frame::Quoted) | Some(Frame::Heredoc(_)) => {
                let quoted = matches!(stack.last(), Some(Frame::Quoted));
                if quoted && c == '\\' {
                    i += 1;
                } else if quoted && c == '"' {
                    stack.pop();
                } else if (c == '$' || c == '%') && at(i + 1) == '{' {
                    stack.push(Frame::Expr {
                        depth: 0,
                        interpolation: true,
                    });
                    i += 1;
                } else if c == '\n' && !quoted {
                    let rest: String = chars[i + 1..].iter().take_while(|c| **c != '\n').collect();
                    if let Some(Frame::Heredoc(end)) = stack.last() {
                        if rest.trim() == end.as_str() {
                            stack.pop();
                        }
                    }
                }
            }
            Some(Frame::Expr {
                depth,
                interpolation,
            }) => match c {
                '"' => stack.push(Frame::Quoted),
                '(' | '[' | '{' => *depth += 1,
                ')' | ']' => *depth = depth.saturating_sub(1),
                '}' if *depth == 0 && *interpolation => {
                    stack.pop();
                }
                '}' => *depth = depth.saturating_sub(1),
                ',' => operators = 0,
                '\n' if *depth == 0 => operators = 0,
                '#' => {
                    while i + 1 < chars.len() && at(i + 1) != '\n' {
                        i += 1;
                    }
                }
                '/' if at(i + 1) == '/' => {
                    while i + 1 < chars.len() && at(i + 1) != '\n' {
                        i += 1;
                    }
                }
                '/' if at(i + 1) == '*' => {
                    i += 2;
                    while i < chars.len() && !(at(i) == '*' && at(i + 1) == '/') {
                        if at(i) == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                    i += 1;
                }
                '<' if at(i + 1) == '<' => {
                    let mut j = i + 2;
                    if at(j) == '-' {
                        j += 1;
                    }
                    let ident: String = chars[j.min(chars.len())..]
                        .iter()
                        .take_while(|c| c.is_alphanumeric() || **c == '_' || **c == '-')
                        .collect();
                    if ident.is_empty() {
                        operators += 2;
                    } else {
                        i = j + ident.chars().count() - 1;
                        stack.push(Frame::Heredoc(ident));
                    }
                }
                '+' | '-' | '*' | '/' | '%' | '<' | '>' | '?' | '!' | '&' | '|' => operators += 1,
                '=' if at(i + 1) == '=' => operators += 1,
                _ => {}
            },
        }
        if operators > MAX_OPERATORS || nesting(&stack) > MAX_NESTING {
            return Some(line);
        }
        i += 1;
    }
    None
}
