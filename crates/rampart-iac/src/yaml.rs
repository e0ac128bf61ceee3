//! YAML streams (and JSON, which is YAML) into [`Node`]s, with the place every value was
//! written.
//!
//! - Plain scalars are typed by the YAML 1.2 core schema: `null`, `~` and nothing are null,
//!   `true`/`false` booleans, integers and floats (`0x1F`, `0o17`, `.inf`, `.nan`) numbers that
//!   keep their text; everything else, and every quoted or block scalar, is a string (`yes` and
//!   `on` stay strings, as YAML 1.2 says).
//! - Anchors and aliases are expanded, and merge keys (`<<: *defaults`, `<<: [*a, *b]`) merge
//!   mappings, the keys written in the mapping winning. Expansion is bounded: a document whose
//!   aliases would produce more than [`MAX_ALIAS_NODES`] nodes (a "billion laughs" bomb), or that
//!   nests deeper than [`MAX_DEPTH`], is an error rather than a hang.
//! - CloudFormation's short forms become the long forms a JSON template writes (`!Ref X` is
//!   `{"Ref": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` is
//!   `{"Fn::Sub": "s"}`), so checks see one shape. Other tags keep their value; `!!str` makes a
//!   scalar a string.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, StrInput, Tag};

use crate::model::{Node, Span, Value};

/// How deeply collections may nest, counting the levels aliases and CloudFormation short forms
/// add.
pub const MAX_DEPTH: usize = 256;

/// How many nodes alias expansion may add to one document, beyond the nodes written in it.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// Why a text is not YAML this loader accepts, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct LoadError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl LoadError {
    fn at(span: Span, message: impl Into<String>) -> LoadError {
        LoadError {
            line: span.line,
            column: span.column,
            message: message.into(),
        }
    }
}

/// Every document of a YAML stream (documents separated by `---`), in order. A document with
/// no content is a null node; a text with no documents at all (empty, or only comments) is an
/// empty list.
pub fn load(text: &str) -> Result<Vec<Node>, LoadError> {
    let mut reader = Reader {
        parser: Parser::new_from_str(text),
        last: Span::at(1, 1),
        anchors: HashMap::new(),
    };
    let mut documents = Vec::new();
    loop {
        let (event, span) = reader.next()?;
        match event {
            Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
            Event::StreamEnd => return Ok(documents),
            Event::DocumentStart(_) => {
                reader.anchors.clear();
                let (event, span) = reader.next()?;
                let raw = match event {
                    Event::DocumentEnd => {
                        documents.push(Node::new(Value::Null, span));
                        continue;
                    }
                    event => reader.node(event, span, 0)?,
                };
                let (event, span) = reader.next()?;
                if !matches!(event, Event::DocumentEnd) {
                    return Err(LoadError::at(
                        span,
                        "invalid YAML: expected the end of a document",
                    ));
                }
                reader.anchors.clear();
                let mut builder = Builder { expanded: 0 };
                documents.push(builder.node(&raw, 0, false)?);
            }
            _ => return Err(LoadError::at(span, "invalid YAML: expected a document")),
        }
    }
}

/// A node as written, before aliases are expanded and tags applied.
#[derive(Debug)]
struct Raw {
    span: Span,
    tag: Option<Tag>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    Scalar(String, ScalarStyle),
    Seq(Vec<Raw>),
    Map(Vec<(Raw, Raw)>),
    /// A node with an anchor (written here, `alias` false) or an alias to one (`alias` true):
    /// the node is shared, so a document's raw tree is no larger than its text.
    Shared {
        target: Rc<Raw>,
        alias: bool,
    },
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn span_of(span: &saphyr_parser::Span) -> Span {
    Span {
        line: to_u32(span.start.line()).max(1),
        column: to_u32(span.start.col()).saturating_add(1),
        end_line: to_u32(span.end.line()).max(1),
        end_column: to_u32(span.end.col()).saturating_add(1),
    }
}

fn scan_error(e: &ScanError) -> LoadError {
    LoadError {
        line: to_u32(e.marker().line()).max(1),
        column: to_u32(e.marker().col()).saturating_add(1),
        // The scanner counts flow nesting (`[[[…`) in a byte and stops at its limit.
        message: if e.info() == "recursion limit exceeded" {
            format!("YAML nests deeper than {MAX_DEPTH} levels")
        } else {
            format!("invalid YAML: {}", e.info())
        },
    }
}

struct Reader<'a> {
    parser: Parser<'a, StrInput<'a>>,
    /// Where the last event was, for an error at the end of the input.
    last: Span,
    /// The anchored nodes of the current document that are complete, by anchor id.
    anchors: HashMap<usize, Rc<Raw>>,
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), LoadError> {
        match self.parser.next_event() {
            Some(Ok((event, span))) => {
                self.last = span_of(&span);
                Ok((event, self.last))
            }
            Some(Err(e)) => Err(scan_error(&e)),
            None => Err(LoadError::at(
                self.last,
                "invalid YAML: unexpected end of input",
            )),
        }
    }

    fn node(&mut self, event: Event<'a>, span: Span, depth: usize) -> Result<Raw, LoadError> {
        if depth > MAX_DEPTH {
            return Err(LoadError::at(
                span,
                format!("YAML nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        let (anchor, tag, body) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                (anchor, tag, Body::Scalar(text.into_owned(), style))
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(LoadError::at(
                        span,
                        "invalid YAML: an alias refers to the node that contains it",
                    ));
                };
                let body = Body::Shared {
                    target: Rc::clone(target),
                    alias: true,
                };
                return Ok(Raw {
                    span,
                    tag: None,
                    body,
                });
            }
            Event::SequenceStart(anchor, tag) => {
                let mut items = Vec::new();
                loop {
                    let (event, item_span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(event, item_span, depth + 1)?);
                }
                (anchor, tag, Body::Seq(items))
            }
            Event::MappingStart(anchor, tag) => {
                let mut entries = Vec::new();
                loop {
                    let (event, key_span) = self.next()?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    let key = self.node(event, key_span, depth + 1)?;
                    let (event, value_span) = self.next()?;
                    let value = self.node(event, value_span, depth + 1)?;
                    entries.push((key, value));
                }
                (anchor, tag, Body::Map(entries))
            }
            _ => return Err(LoadError::at(span, "invalid YAML: unexpected event")),
        };
        let raw = Raw {
            span,
            tag: tag.map(Cow::into_owned),
            body,
        };
        if anchor == 0 {
            return Ok(raw);
        }
        let target = Rc::new(raw);
        self.anchors.insert(anchor, Rc::clone(&target));
        Ok(Raw {
            span,
            tag: None,
            body: Body::Shared {
                target,
                alias: false,
            },
        })
    }
}

/// CloudFormation's short-form tags and the key of the long form each stands for.
fn intrinsic(tag: &Tag) -> Option<&'static str> {
    if tag.handle != "!" {
        return None;
    }
    Some(match tag.suffix.as_str() {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "Sub" => "Fn::Sub",
        "GetAtt" => "Fn::GetAtt",
        "Join" => "Fn::Join",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "If" => "Fn::If",
        "Equals" => "Fn::Equals",
        "Not" => "Fn::Not",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        "FindInMap" => "Fn::FindInMap",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "ImportValue" => "Fn::ImportValue",
        "GetAZs" => "Fn::GetAZs",
        "Transform" => "Fn::Transform",
        "Length" => "Fn::Length",
        "ToJsonString" => "Fn::ToJsonString",
        "ForEach" => "Fn::ForEach",
        _ => return None,
    })
}

/// Turns raw trees into nodes, counting what alias expansion adds.
struct Builder {
    expanded: usize,
}

impl Builder {
    /// `expanding`: the node is a copy made by an alias, which counts against the budget.
    fn node(&mut self, raw: &Raw, depth: usize, expanding: bool) -> Result<Node, LoadError> {
        if depth > MAX_DEPTH {
            return Err(LoadError::at(
                raw.span,
                format!("YAML nests deeper than {MAX_DEPTH} levels (after expanding aliases)"),
            ));
        }
        if expanding {
            self.expanded += 1;
            if self.expanded > MAX_ALIAS_NODES {
                return Err(LoadError::at(
                    raw.span,
                    format!("aliases expand to more than {MAX_ALIAS_NODES} nodes"),
                ));
            }
        }
        let span = raw.span;
        let value = match &raw.body {
            Body::Shared { target, alias } => {
                let mut node = self.node(target, depth, expanding || *alias)?;
                if *alias {
                    // The copy is used here: point at the alias, its contents at what they copy.
                    node.span = span;
                }
                return Ok(node);
            }
            Body::Scalar(text, style) => scalar(text, *style, raw.tag.as_ref()),
            Body::Seq(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.node(item, depth + 1, expanding))
                    .collect::<Result<_, _>>()?,
            ),
            Body::Map(entries) => self.mapping(entries, depth, expanding)?,
        };
        let node = Node::new(value, span);
        match raw.tag.as_ref().and_then(intrinsic) {
            Some(name) => self.intrinsic(name, node, depth, expanding),
            None => Ok(node),
        }
    }

    /// `{"Fn::Name": value}` for a short form `!Name value`.
    fn intrinsic(
        &mut self,
        name: &'static str,
        node: Node,
        depth: usize,
        expanding: bool,
    ) -> Result<Node, LoadError> {
        if depth + 1 > MAX_DEPTH {
            return Err(LoadError::at(
                node.span,
                format!("YAML nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        if expanding {
            self.expanded += 1;
            if self.expanded > MAX_ALIAS_NODES {
                return Err(LoadError::at(
                    node.span,
                    format!("aliases expand to more than {MAX_ALIAS_NODES} nodes"),
                ));
            }
        }
        let span = node.span;
        let node = match (&node.value, name) {
            // `!GetAtt Resource.Attribute`: the attribute may itself contain dots
            // (`Stack.Outputs.Name`), the resource name may not.
            (Value::String(text), "Fn::GetAtt") => {
                let parts = match text.split_once('.') {
                    Some((resource, attribute)) => {
                        vec![Node::string(resource, span), Node::string(attribute, span)]
                    }
                    None => vec![Node::string(text.as_str(), span)],
                };
                Node::new(Value::Array(parts), span)
            }
            _ => node,
        };
        Ok(Node::new(
            Value::Object(vec![(name.to_string(), node)]),
            span,
        ))
    }

    fn mapping(
        &mut self,
        entries: &[(Raw, Raw)],
        depth: usize,
        expanding: bool,
    ) -> Result<Value, LoadError> {
        let mut keys = Vec::with_capacity(entries.len());
        for (key, _) in entries {
            keys.push(if is_merge_key(key) {
                None
            } else {
                Some(self.key(key, depth + 1, expanding)?)
            });
        }
        let has_merge = keys.iter().any(Option::is_none);
        // Keys written in the mapping win over merged ones; among merged mappings, the first
        // to give a key wins.
        let mut taken: HashSet<String> = if has_merge {
            keys.iter().flatten().cloned().collect()
        } else {
            HashSet::new()
        };
        let mut out = Vec::with_capacity(entries.len());
        for (key, (_, value)) in keys.into_iter().zip(entries) {
            match key {
                Some(key) => out.push((key, self.node(value, depth + 1, expanding)?)),
                None => {
                    let merged = self.node(value, depth + 1, expanding)?;
                    let sources = match merged.value {
                        Value::Object(_) => vec![merged],
                        Value::Array(items) => items,
                        _ => {
                            return Err(LoadError::at(
                                merged.span,
                                "merge key `<<` takes a mapping or a list of mappings",
                            ))
                        }
                    };
                    for source in sources {
                        let Value::Object(source_entries) = source.value else {
                            return Err(LoadError::at(
                                source.span,
                                "merge key `<<` takes a mapping or a list of mappings",
                            ));
                        };
                        for (k, v) in source_entries {
                            if taken.insert(k.clone()) {
                                out.push((k, v));
                            }
                        }
                    }
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// A key's text: a scalar's as written, a collection's as JSON.
    fn key(&mut self, raw: &Raw, depth: usize, expanding: bool) -> Result<String, LoadError> {
        match &raw.body {
            Body::Scalar(text, _) if raw.tag.as_ref().and_then(intrinsic).is_none() => {
                Ok(text.clone())
            }
            Body::Shared { target, alias } if matches!(target.body, Body::Scalar(..)) => {
                if *alias {
                    self.node(raw, depth, true)?;
                }
                self.key(target, depth, expanding)
            }
            _ => {
                let node = self.node(raw, depth, expanding)?;
                Ok(serde_json::to_string(&node).unwrap_or_default())
            }
        }
    }
}

fn is_merge_key(raw: &Raw) -> bool {
    raw.tag.is_none() && matches!(&raw.body, Body::Scalar(text, ScalarStyle::Plain) if text == "<<")
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    let string = || Value::String(text.to_string());
    if let Some(tag) = tag {
        if tag.is_yaml_core_schema() {
            return match tag.suffix.as_str() {
                "str" => string(),
                "null" => Value::Null,
                "bool" => match plain(text) {
                    b @ Value::Bool(_) => b,
                    _ => string(),
                },
                "int" | "float" => Value::Number(text.to_string()),
                _ if style == ScalarStyle::Plain => plain(text),
                _ => string(),
            };
        }
        // The non-specific tag `!` and CloudFormation's short forms take strings.
        if (tag.handle.is_empty() && tag.suffix == "!") || intrinsic(tag).is_some() {
            return string();
        }
    }
    if style == ScalarStyle::Plain {
        plain(text)
    } else {
        string()
    }
}

/// A plain scalar under the YAML 1.2 core schema.
fn plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if is_number(text) {
        Value::Number(text.to_string())
    } else {
        Value::String(text.to_string())
    }
}

fn is_number(text: &str) -> bool {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(hex) = text.strip_prefix("0x") {
        return digits(hex, 16);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return digits(oct, 8);
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    // [0-9]+ | [0-9]* . [0-9]* with a digit somewhere, then an optional exponent.
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = all_digits(whole)
        && fraction.map_or(true, all_digits)
        && (!whole.is_empty() || fraction.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.map_or(true, |e| {
        digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let mut docs = load(text).unwrap();
        assert_eq!(docs.len(), 1, "{docs:?}");
        docs.remove(0)
    }

    fn json(text: &str) -> serde_json::Value {
        one(text).to_json()
    }

    #[test]
    fn numbers_by_the_core_schema() {
        for n in [
            "0", "-12", "+3", "0755", "0x1F", "0o17", "1.5", "-.5", "1.", "1e3", "2.5E-3", ".inf",
            "-.Inf", ".nan",
        ] {
            assert!(is_number(n), "{n}");
        }
        for s in [
            "", ".", "-", "1.2.3", "0x", "0xG", "0o8", "1e", "e3", "1_000", "12:30", "1,5",
            "+.nan", "inf", "0b101",
        ] {
            assert!(!is_number(s), "{s}");
        }
    }

    #[test]
    fn scalar_typing() {
        let doc = one(concat!(
            "a: yes\nb: \"true\"\nc: true\nd: 0755\ne: ~\nf:\ng: 'null'\nh: !!str 12\n",
            "i: ! 12\nj: |\n  12\nk: 1.5e3\nl: False\nm: !!int \"7\"\nn: !custom 8\n",
            "1: int key\nnull: null key\n",
        ));
        let v = |k: &str| doc.field(k).value.clone();
        assert_eq!(v("a"), Value::String("yes".into()));
        assert_eq!(v("b"), Value::String("true".into()));
        assert_eq!(v("c"), Value::Bool(true));
        assert_eq!(v("d"), Value::Number("0755".into()));
        assert_eq!(v("e"), Value::Null);
        assert_eq!(v("f"), Value::Null);
        assert_eq!(v("g"), Value::String("null".into()));
        assert_eq!(v("h"), Value::String("12".into()));
        assert_eq!(v("i"), Value::String("12".into()));
        assert_eq!(v("j"), Value::String("12\n".into()));
        assert_eq!(v("k"), Value::Number("1.5e3".into()));
        assert_eq!(v("l"), Value::Bool(false));
        assert_eq!(v("m"), Value::Number("7".into()));
        assert_eq!(v("n"), Value::Number("8".into()));
        assert_eq!(v("1"), Value::String("int key".into()));
        assert_eq!(v("null"), Value::String("null key".into()));
    }

    #[test]
    fn complex_keys_are_their_json_text() {
        let doc = one("? [a, 1]\n: x\n? {k: v}\n: y\n");
        assert_eq!(doc.field("[\"a\",1]").as_str(), Some("x"));
        assert_eq!(doc.field("{\"k\":\"v\"}").as_str(), Some("y"));
    }

    #[test]
    fn recursive_alias_is_an_error() {
        let e = load("a: &x [1, *x]\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("contains it"), "{e}");
    }

    #[test]
    fn alias_spans_point_at_the_alias_and_contents_at_the_anchor() {
        let doc = one("base: &b\n  x: 1\nother: *b\n");
        let other = doc.field("other");
        assert_eq!(other.span.line, 3);
        assert_eq!(other.field("x").span.line, 2);
        assert_eq!(
            json("a: &s hi\nb: *s\n"),
            serde_json::json!({"a": "hi", "b": "hi"})
        );
    }

    #[test]
    fn merge_key_edge_cases() {
        assert_eq!(
            json("a: &a {x: 1, y: 2}\nb:\n  <<: {y: 3, z: 4}\n  '<<': literal\n"),
            serde_json::json!({"a": {"x": 1, "y": 2}, "b": {"y": 3, "z": 4, "<<": "literal"}})
        );
        let e = load("a: &a [1]\nb:\n  <<: *a\n").unwrap_err();
        assert!(e.message.contains("merge key"), "{e}");
        let e = load("b:\n  <<: 3\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn error_display() {
        let e = LoadError {
            line: 3,
            column: 7,
            message: "bad".into(),
        };
        assert_eq!(e.to_string(), "line 3, column 7: bad");
    }
}
