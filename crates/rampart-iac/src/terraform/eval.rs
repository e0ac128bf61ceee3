//! Evaluation of HCL expressions against one module: variables, locals, `count`/`for_each`
//! iterators, references to other resources, operators, `for` expressions and templates.
//!
//! A value that cannot be known from the files is [`Value::Unknown`]; an operation with an
//! unknown input gives an unknown result, never a guess. An expression that is wrong (a type
//! error, an undeclared reference) is an [`EvalError`], which the caller reports and turns
//! into an unknown value.

use super::funcs;
use super::value::{first_unknown, number, respan, same, type_name, LineIndex};
use super::Diagnostic;
use crate::model::{Node, Span, Value};
use hcl::edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, Traversal, TraversalOperator, UnaryOperator,
};
use hcl::edit::structure::{Attribute, Block, Body};
use hcl::edit::template::{Directive, Element, Template};
use hcl::edit::Span as _;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// How deeply evaluations may nest (expressions inside expressions, locals referring to
/// locals): beyond it, hostile input gets an error instead of exhausting the stack.
const MAX_DEPTH: usize = 200;

/// One parsed `.tf` file.
pub(crate) struct SourceFile {
    pub path: PathBuf,
    pub lines: LineIndex,
    pub body: Body,
}

/// What one module's expressions can refer to.
pub(crate) struct ModCtx<'a> {
    pub files: &'a [SourceFile],
    pub dir: PathBuf,
    pub root_dir: PathBuf,
    pub read: &'a dyn Fn(&Path) -> Option<String>,
    pub vars: HashMap<String, Node>,
    pub locals: HashMap<String, (usize, &'a Attribute)>,
    /// `None` while a local is being evaluated, to detect cycles.
    pub local_state: RefCell<HashMap<String, Option<Node>>>,
    pub resources: HashMap<(String, String), (usize, &'a Block)>,
    pub resource_busy: RefCell<HashSet<String>>,
    pub diags: RefCell<Vec<Diagnostic>>,
    pub depth: Cell<usize>,
}

impl ModCtx<'_> {
    pub(crate) fn diag(&self, file: usize, line: u32, message: impl Into<String>) {
        let file = self
            .files
            .get(file)
            .map(|f| f.path.clone())
            .unwrap_or_default();
        self.diags.borrow_mut().push(Diagnostic {
            file,
            line,
            message: message.into(),
        });
    }
}

/// The instance a resource body is evaluated for.
#[derive(Clone, Debug)]
pub(crate) enum Iter {
    None,
    Count(Node),
    Each(Node, Node),
    /// `count`/`for_each` could not be expanded: `count.index` and `each.*` are unknown.
    Unexpanded,
}

#[derive(Debug)]
pub(crate) struct EvalError {
    pub message: String,
    pub span: Span,
}

pub(crate) type EvalResult = Result<Node, EvalError>;

pub(crate) fn error(message: impl Into<String>, span: Span) -> EvalError {
    EvalError {
        message: message.into(),
        span,
    }
}

/// Where an expression is evaluated: a module, a file of it, an instance, and the names bound
/// by enclosing `for` expressions and `dynamic` blocks.
#[derive(Clone)]
pub(crate) struct Scope<'s, 'a> {
    pub m: &'s ModCtx<'a>,
    pub file: usize,
    pub iter: Iter,
    pub bound: Vec<(String, Node)>,
}

impl<'s, 'a> Scope<'s, 'a> {
    pub(crate) fn new(m: &'s ModCtx<'a>, file: usize, iter: Iter) -> Self {
        Scope {
            m,
            file,
            iter,
            bound: Vec::new(),
        }
    }

    pub(crate) fn span_of(&self, range: Option<std::ops::Range<usize>>) -> Span {
        match self.m.files.get(self.file) {
            Some(f) => f.lines.span(range),
            None => Span::default(),
        }
    }

    pub(crate) fn bind(&self, names: Vec<(String, Node)>) -> Self {
        let mut scope = self.clone();
        scope.bound.extend(names);
        scope
    }

    /// The value of an expression; an error is reported and becomes an unknown value.
    pub(crate) fn value(&self, expr: &Expression, span: Span) -> Node {
        match self.eval(expr) {
            Ok(v) => v,
            Err(e) => {
                self.m.diag(self.file, e.span.line, e.message.clone());
                Node::unknown(format!("error: {}", e.message), span)
            }
        }
    }

    pub(crate) fn eval(&self, expr: &Expression) -> EvalResult {
        let depth = self.m.depth.get();
        let span = self.span_of(expr.span());
        if depth >= MAX_DEPTH {
            return Err(error("expression nested too deeply", span));
        }
        self.m.depth.set(depth + 1);
        let result = self.eval_inner(expr, span);
        self.m.depth.set(depth);
        result
    }

    fn eval_inner(&self, expr: &Expression, span: Span) -> EvalResult {
        let node = |value| Ok(Node::new(value, span));
        match expr {
            Expression::Null(_) => node(Value::Null),
            Expression::Bool(b) => node(Value::Bool(*b.value())),
            Expression::Number(n) => node(Value::Number(n.value().to_string())),
            Expression::String(s) => node(Value::String(s.value().clone())),
            Expression::Array(items) => {
                let items = items
                    .iter()
                    .map(|e| self.eval(e))
                    .collect::<Result<Vec<_>, _>>()?;
                node(Value::Array(items))
            }
            Expression::Object(object) => {
                let mut entries: Vec<(String, Node)> = Vec::new();
                for (key, value) in object.iter() {
                    let key = match key {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(e) => {
                            let k = self.eval(e)?;
                            if k.is_unknown() {
                                return Ok(respan(&k, span));
                            }
                            to_text(&k)?
                        }
                    };
                    let value = self.eval(value.expr())?;
                    entries.retain(|(k, _)| *k != key);
                    entries.push((key, value));
                }
                node(Value::Object(entries))
            }
            Expression::StringTemplate(t) => self.template(t, span),
            Expression::HeredocTemplate(h) => self.template(&h.template, span),
            Expression::Parenthesis(p) => self.eval(p.inner()),
            Expression::Variable(v) => {
                let (value, _) = self.reference(v.as_str(), &[], span)?;
                Ok(value)
            }
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr)?;
                if cond.is_unknown() {
                    return Ok(respan(&cond, span));
                }
                match cond.as_bool() {
                    Some(true) => self.eval(&c.true_expr),
                    Some(false) => self.eval(&c.false_expr),
                    None => Err(error(
                        format!("a condition must be a bool, not a {}", type_name(&cond)),
                        cond.span,
                    )),
                }
            }
            Expression::FuncCall(f) => funcs::call(self, f, span),
            Expression::Traversal(t) => self.traversal(t, span),
            Expression::UnaryOp(op) => {
                let v = self.eval(&op.expr)?;
                if v.is_unknown() {
                    return Ok(respan(&v, span));
                }
                match op.operator.value() {
                    UnaryOperator::Not => match v.as_bool() {
                        Some(b) => node(Value::Bool(!b)),
                        None => Err(error("`!` needs a bool", span)),
                    },
                    UnaryOperator::Neg => match v.as_f64().and_then(|f| number(-f)) {
                        Some(n) => node(n),
                        None => Err(error("`-` needs a number", span)),
                    },
                }
            }
            Expression::BinaryOp(op) => {
                self.binary(&op.lhs_expr, *op.operator.value(), &op.rhs_expr, span)
            }
            Expression::ForExpr(f) => self.for_expr(f, span),
        }
    }

    fn binary(
        &self,
        lhs: &Expression,
        op: BinaryOperator,
        rhs: &Expression,
        span: Span,
    ) -> EvalResult {
        use BinaryOperator as B;
        let l = self.eval(lhs)?;
        if matches!(op, B::And | B::Or) {
            match (op, l.as_bool(), &l.value) {
                (B::And, Some(false), Value::Bool(_)) => {
                    return Ok(Node::new(Value::Bool(false), span))
                }
                (B::Or, Some(true), Value::Bool(_)) => {
                    return Ok(Node::new(Value::Bool(true), span))
                }
                _ => {}
            }
        }
        let r = self.eval(rhs)?;
        if let Some(u) = first_unknown(&l).or_else(|| first_unknown(&r)) {
            return Ok(respan(u, span));
        }
        let bool_node = |b| Ok(Node::new(Value::Bool(b), span));
        match op {
            B::Eq => return bool_node(same(&l, &r)),
            B::NotEq => return bool_node(!same(&l, &r)),
            B::And | B::Or => {
                return match (l.as_bool(), r.as_bool()) {
                    (Some(a), Some(b)) => bool_node(if op == B::And { a && b } else { a || b }),
                    _ => Err(error(format!("`{op}` needs bools"), span)),
                }
            }
            _ => {}
        }
        let (Some(a), Some(b)) = (l.as_f64(), r.as_f64()) else {
            return Err(error(
                format!(
                    "`{op}` needs numbers, not {} and {}",
                    type_name(&l),
                    type_name(&r)
                ),
                span,
            ));
        };
        let result = match op {
            B::Less => return bool_node(a < b),
            B::LessEq => return bool_node(a <= b),
            B::Greater => return bool_node(a > b),
            B::GreaterEq => return bool_node(a >= b),
            B::Plus => a + b,
            B::Minus => a - b,
            B::Mul => a * b,
            B::Div => a / b,
            B::Mod => a % b,
            _ => return Err(error(format!("unsupported operator `{op}`"), span)),
        };
        match number(result) {
            Some(v) => Ok(Node::new(v, span)),
            None => Err(error(format!("`{op}` gives no finite number"), span)),
        }
    }

    fn for_expr(&self, f: &ForExpr, span: Span) -> EvalResult {
        let collection = self.eval(&f.intro.collection_expr)?;
        if collection.is_unknown() {
            return Ok(respan(&collection, span));
        }
        let pairs = pairs(&collection, span)?;
        let mut list = Vec::new();
        let mut map: Vec<(String, Node)> = Vec::new();
        for (k, v) in pairs {
            let mut names = vec![(f.intro.value_var.as_str().to_string(), v)];
            if let Some(key_var) = &f.intro.key_var {
                names.push((key_var.as_str().to_string(), k));
            }
            let scope = self.bind(names);
            if let Some(cond) = &f.cond {
                let c = scope.eval(&cond.expr)?;
                if c.is_unknown() {
                    return Ok(respan(&c, span));
                }
                match c.as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return Err(error("a `for` condition must be a bool", c.span)),
                }
            }
            let value = scope.eval(&f.value_expr)?;
            match &f.key_expr {
                None => list.push(value),
                Some(key_expr) => {
                    let key = scope.eval(key_expr)?;
                    if key.is_unknown() {
                        return Ok(respan(&key, span));
                    }
                    let key = to_text(&key)?;
                    if f.grouping {
                        match map.iter_mut().find(|(k, _)| *k == key) {
                            Some((
                                _,
                                Node {
                                    value: Value::Array(items),
                                    ..
                                },
                            )) => items.push(value),
                            _ => map.push((key, Node::new(Value::Array(vec![value]), span))),
                        }
                    } else {
                        map.retain(|(k, _)| *k != key);
                        map.push((key, value));
                    }
                }
            }
        }
        Ok(Node::new(
            if f.key_expr.is_some() {
                Value::Object(map)
            } else {
                Value::Array(list)
            },
            span,
        ))
    }

    fn template(&self, t: &Template, span: Span) -> EvalResult {
        let mut elements = t.iter();
        if let (Some(Element::Interpolation(only)), None) = (elements.next(), elements.next()) {
            // `"${x}"` is the value of x, unconverted.
            return self.eval(&only.expr);
        }
        let mut out = String::new();
        let mut trim_next = false;
        match self.render(t, &mut out, &mut trim_next)? {
            Some(unknown) => Ok(respan(&unknown, span)),
            None => Ok(Node::string(out, span)),
        }
    }

    /// Renders a template into `out`; `Some(unknown)` when a part of it is unknown.
    fn render(
        &self,
        t: &Template,
        out: &mut String,
        trim_next: &mut bool,
    ) -> Result<Option<Node>, EvalError> {
        for element in t.iter() {
            match element {
                Element::Literal(text) => {
                    let text: &str = text.value();
                    if std::mem::take(trim_next) {
                        out.push_str(text.trim_start());
                    } else {
                        out.push_str(text);
                    }
                }
                Element::Interpolation(i) => {
                    if i.strip.strip_start() {
                        out.truncate(out.trim_end().len());
                    }
                    let v = self.eval(&i.expr)?;
                    if v.is_unknown() {
                        return Ok(Some(v));
                    }
                    out.push_str(&to_text(&v)?);
                    *trim_next = i.strip.strip_end();
                }
                Element::Directive(Directive::If(d)) => {
                    if d.if_expr.strip.strip_start() {
                        out.truncate(out.trim_end().len());
                    }
                    let c = self.eval(&d.if_expr.cond_expr)?;
                    if c.is_unknown() {
                        return Ok(Some(c));
                    }
                    let chosen = match c.as_bool() {
                        Some(true) => Some(&d.if_expr.template),
                        Some(false) => d.else_expr.as_ref().map(|e| &e.template),
                        None => return Err(error("an `if` condition must be a bool", c.span)),
                    };
                    if let Some(chosen) = chosen {
                        if let Some(u) = self.render(chosen, out, trim_next)? {
                            return Ok(Some(u));
                        }
                    }
                    *trim_next = d.endif_expr.strip.strip_end();
                }
                Element::Directive(Directive::For(d)) => {
                    if d.for_expr.strip.strip_start() {
                        out.truncate(out.trim_end().len());
                    }
                    let c = self.eval(&d.for_expr.collection_expr)?;
                    if c.is_unknown() {
                        return Ok(Some(c));
                    }
                    for (k, v) in pairs(&c, c.span)? {
                        let mut names = vec![(d.for_expr.value_var.as_str().to_string(), v)];
                        if let Some(key_var) = &d.for_expr.key_var {
                            names.push((key_var.as_str().to_string(), k));
                        }
                        if let Some(u) =
                            self.bind(names)
                                .render(&d.for_expr.template, out, trim_next)?
                        {
                            return Ok(Some(u));
                        }
                    }
                    *trim_next = d.endfor_expr.strip.strip_end();
                }
            }
        }
        Ok(None)
    }

    fn traversal(&self, t: &Traversal, span: Span) -> EvalResult {
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        let (base, consumed) = match &t.expr {
            Expression::Variable(v) => self.reference(v.as_str(), &ops, span)?,
            other => (self.eval(other)?, 0),
        };
        self.apply(base, ops.get(consumed..).unwrap_or(&[]), span)
    }

    /// Applies attribute, index and splat operators to a value.
    fn apply(&self, mut value: Node, ops: &[&TraversalOperator], span: Span) -> EvalResult {
        for (i, op) in ops.iter().enumerate() {
            if value.is_unknown() {
                return Ok(value);
            }
            match op {
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match value.value {
                        Value::Array(items) => items,
                        Value::Null => Vec::new(),
                        _ => vec![value],
                    };
                    let rest = ops.get(i + 1..).unwrap_or(&[]);
                    let items = items
                        .into_iter()
                        .map(|item| self.apply(item, rest, span))
                        .collect::<Result<Vec<_>, _>>()?;
                    return Ok(Node::new(Value::Array(items), span));
                }
                TraversalOperator::GetAttr(name) => {
                    value = match value.get(name.as_str()) {
                        Some(v) => v.clone(),
                        None => {
                            return Err(error(
                                format!(
                                    "a {} has no attribute `{}`",
                                    type_name(&value),
                                    name.as_str()
                                ),
                                span,
                            ))
                        }
                    }
                }
                TraversalOperator::Index(e) => {
                    let key = self.eval(e)?;
                    if key.is_unknown() {
                        return Ok(respan(&key, span));
                    }
                    value = index(&value, &key, span)?;
                }
                TraversalOperator::LegacyIndex(n) => {
                    let key = Node::new(Value::Number(n.value().to_string()), span);
                    value = index(&value, &key, span)?;
                }
            }
        }
        Ok(value)
    }

    /// Resolves a name and the operators that belong to the reference (`var.x` takes one);
    /// returns the value, respanned to the place of use, and how many operators it took.
    fn reference(
        &self,
        name: &str,
        ops: &[&TraversalOperator],
        span: Span,
    ) -> Result<(Node, usize), EvalError> {
        if let Some((_, v)) = self.bound.iter().rev().find(|(n, _)| n == name) {
            return Ok((respan(v, span), 0));
        }
        let attr = match ops.first() {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        let all = ops.len();
        let unknown = |why: String| Ok((Node::unknown(why, span), all));
        match name {
            "var" => {
                let a = attr.ok_or_else(|| error("`var` needs a variable name", span))?;
                match self.m.vars.get(a) {
                    Some(v) => Ok((respan(v, span), 1)),
                    None => Err(error(format!("undeclared variable var.{a}"), span)),
                }
            }
            "local" => {
                let a = attr.ok_or_else(|| error("`local` needs a name", span))?;
                Ok((respan(&self.local(a, span)?, span), 1))
            }
            "each" => match (&self.iter, attr) {
                (Iter::Each(k, _), Some("key")) => Ok((respan(k, span), 1)),
                (Iter::Each(_, v), Some("value")) => Ok((respan(v, span), 1)),
                (Iter::Unexpanded, _) => unknown("each: for_each was not expanded".into()),
                _ => Err(error(
                    "`each.key`/`each.value` are only available with for_each",
                    span,
                )),
            },
            "count" => match (&self.iter, attr) {
                (Iter::Count(i), Some("index")) => Ok((respan(i, span), 1)),
                (Iter::Unexpanded, _) => unknown("count.index: count was not expanded".into()),
                _ => Err(error("`count.index` is only available with count", span)),
            },
            "path" => {
                let dir = match attr {
                    Some("module") => &self.m.dir,
                    Some("root") | Some("cwd") => &self.m.root_dir,
                    _ => return Err(error("unknown `path` attribute", span)),
                };
                Ok((Node::string(dir.to_string_lossy(), span), 1))
            }
            "data" => unknown(format!(
                "data.{}: read at plan time",
                attr.unwrap_or_default()
            )),
            "module" => unknown(format!(
                "module.{}: module outputs are not evaluated",
                attr.unwrap_or_default()
            )),
            "self" | "terraform" => unknown(format!("{name}: known at plan time")),
            kind => self.resource_ref(kind, ops, span),
        }
    }

    pub(crate) fn local(&self, name: &str, span: Span) -> EvalResult {
        let Some(&(file, attr)) = self.m.locals.get(name) else {
            return Err(error(format!("undeclared local value local.{name}"), span));
        };
        let state = self.m.local_state.borrow().get(name).cloned();
        match state {
            Some(Some(v)) => return Ok(v),
            Some(None) => {
                let line = self.span_of_file(file, attr.span()).line;
                self.m
                    .diag(file, line, format!("local.{name}: reference cycle"));
                return Ok(Node::unknown(
                    format!("local.{name}: reference cycle"),
                    span,
                ));
            }
            None => {}
        }
        self.m
            .local_state
            .borrow_mut()
            .insert(name.to_string(), None);
        let scope = Scope::new(self.m, file, Iter::None);
        let at = self.span_of_file(file, attr.span());
        let v = scope.value(&attr.value, at);
        self.m
            .local_state
            .borrow_mut()
            .insert(name.to_string(), Some(v.clone()));
        Ok(v)
    }

    fn span_of_file(&self, file: usize, range: Option<std::ops::Range<usize>>) -> Span {
        match self.m.files.get(file) {
            Some(f) => f.lines.span(range),
            None => Span::default(),
        }
    }

    /// `aws_kms_key.k.arn`: the attribute's value when the resource sets it in its
    /// configuration, otherwise unknown until apply.
    fn resource_ref(
        &self,
        kind: &str,
        ops: &[&TraversalOperator],
        span: Span,
    ) -> Result<(Node, usize), EvalError> {
        let all = ops.len();
        let Some(TraversalOperator::GetAttr(rname)) = ops.first() else {
            return Err(error(format!("unknown name `{kind}`"), span));
        };
        let rname = rname.as_str();
        let Some(&(file, block)) = self.m.resources.get(&(kind.to_string(), rname.to_string()))
        else {
            return Err(error(
                format!("reference to undeclared resource {kind}.{rname}"),
                span,
            ));
        };
        let after_apply = |what: String| Node::unknown(format!("{what}: known after apply"), span);
        let expanded = block
            .body
            .iter()
            .filter_map(|s| s.as_attribute())
            .any(|a| matches!(a.key.as_str(), "count" | "for_each"));
        let at = if expanded {
            match ops.get(1) {
                Some(TraversalOperator::Index(_)) | Some(TraversalOperator::LegacyIndex(_)) => 2,
                _ => return Ok((after_apply(format!("{kind}.{rname}")), all)),
            }
        } else {
            1
        };
        let Some(TraversalOperator::GetAttr(attr)) = ops.get(at) else {
            return Ok((after_apply(format!("{kind}.{rname}")), all));
        };
        let attr = attr.as_str();
        let written = block
            .body
            .iter()
            .filter_map(|s| s.as_attribute())
            .filter(|a| a.key.as_str() == attr)
            .last();
        let Some(written) = written else {
            return Ok((after_apply(format!("{kind}.{rname}.{attr}")), at + 1));
        };
        let key = format!("{kind}.{rname}.{attr}");
        if !self.m.resource_busy.borrow_mut().insert(key.clone()) {
            return Ok((
                Node::unknown(format!("{key}: reference cycle"), span),
                at + 1,
            ));
        }
        let scope = Scope::new(self.m, file, Iter::Unexpanded);
        let result = scope.eval(&written.value);
        self.m.resource_busy.borrow_mut().remove(&key);
        match result {
            Ok(v) => Ok((respan(&v, span), at + 1)),
            Err(_) => Ok((after_apply(key), at + 1)),
        }
    }
}

/// Key/value pairs of a collection, for `for` expressions and `for_each`.
pub(crate) fn pairs(collection: &Node, span: Span) -> Result<Vec<(Node, Node)>, EvalError> {
    match &collection.value {
        Value::Array(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| (Node::new(Value::Number(i.to_string()), v.span), v.clone()))
            .collect()),
        Value::Object(entries) => Ok(entries
            .iter()
            .map(|(k, v)| (Node::string(k.clone(), v.span), v.clone()))
            .collect()),
        _ => Err(error(
            format!("cannot iterate over a {}", type_name(collection)),
            span,
        )),
    }
}

/// A primitive value as the text a template puts in a string.
pub(crate) fn to_text(v: &Node) -> Result<String, EvalError> {
    match &v.value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(error(
            format!("a {} cannot be used as a string", type_name(v)),
            v.span,
        )),
    }
}

fn index(value: &Node, key: &Node, span: Span) -> EvalResult {
    match &value.value {
        Value::Array(items) => {
            let i = key
                .as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .ok_or_else(|| error("a list index must be a whole number", span))?;
            items
                .get(i as usize)
                .cloned()
                .ok_or_else(|| error(format!("index {i} is out of range"), span))
        }
        Value::Object(_) => {
            let k = to_text(key)?;
            value
                .get(&k)
                .cloned()
                .ok_or_else(|| error(format!("no element with key \"{k}\""), span))
        }
        _ => Err(error(format!("cannot index a {}", type_name(value)), span)),
    }
}
