//! Terraform's built-in functions, as far as they can be computed from the files alone.

use super::eval::{error, to_text, EvalError, EvalResult, Scope};
use super::value::{first_unknown, from_json, number, respan, same, type_name, wholly_known};
use crate::model::{Node, Span, Value};
use hcl::edit::expr::FuncCall;
use std::path::Path;

/// Functions that accept arguments with unknown parts (only an unknown argument as a whole
/// makes their result unknown); every other function needs fully known arguments.
const SHALLOW: &[&str] = &[
    "merge", "concat", "length", "keys", "values", "lookup", "element", "tolist", "toset",
    "coalesce", "flatten", "compact", "distinct", "reverse", "zipmap",
];

pub(crate) fn call(scope: &Scope, f: &FuncCall, span: Span) -> EvalResult {
    let name = f.name.name.as_str();
    if f.name.is_namespaced() {
        return Ok(Node::unknown(
            format!("provider function {name} is not evaluated"),
            span,
        ));
    }
    match name {
        "try" => {
            for arg in f.args.iter() {
                match scope.eval(arg) {
                    Ok(v) if wholly_known(&v) => return Ok(v),
                    Ok(v) => return Ok(respan(&v, span)),
                    Err(_) => continue,
                }
            }
            return Err(error("no argument of try() could be evaluated", span));
        }
        "can" => {
            let Some(arg) = f.args.iter().next() else {
                return Err(error("can() needs an argument", span));
            };
            return match scope.eval(arg) {
                Ok(v) => match first_unknown(&v) {
                    Some(u) => Ok(respan(u, span)),
                    None => Ok(Node::new(Value::Bool(true), span)),
                },
                Err(_) => Ok(Node::new(Value::Bool(false), span)),
            };
        }
        _ => {}
    }
    let mut args = f
        .args
        .iter()
        .map(|a| scope.eval(a))
        .collect::<Result<Vec<_>, _>>()?;
    if f.args.expand_final() {
        match args.pop() {
            Some(Node {
                value: Value::Array(items),
                ..
            }) => args.extend(items),
            Some(last) if last.is_unknown() => return Ok(respan(&last, span)),
            _ => return Err(error("`...` needs a list", span)),
        }
    }
    // A document with parts known only at apply (`Resource = aws_s3_bucket.b.arn`): its text is
    // unknown, but its structure is kept, so that checks read the parts that are known (see
    // `decode_json_attribute`).
    if name == "jsonencode" {
        if let [doc] = args.as_slice() {
            if !doc.is_unknown() && first_unknown(doc).is_some() {
                return Ok(respan_root(doc, span));
            }
        }
    }
    let unknown = if SHALLOW.contains(&name) {
        args.iter().find(|a| a.is_unknown())
    } else {
        args.iter().find_map(first_unknown)
    };
    if let Some(u) = unknown {
        return Ok(respan(u, span));
    }
    let value = builtin(scope, name, &args, span)?;
    Ok(Node::new(value, span))
}

/// The value placed at `span`, its parts keeping where they were written.
fn respan_root(node: &Node, span: Span) -> Node {
    Node::new(node.value.clone(), span)
}

fn arg<'n>(args: &'n [Node], i: usize, name: &str, span: Span) -> Result<&'n Node, EvalError> {
    args.get(i)
        .ok_or_else(|| error(format!("{name}() needs more arguments"), span))
}

fn text(args: &[Node], i: usize, name: &str, span: Span) -> Result<String, EvalError> {
    to_text(arg(args, i, name, span)?)
}

fn list<'n>(node: &'n Node, name: &str) -> Result<&'n [Node], EvalError> {
    node.as_array().ok_or_else(|| {
        error(
            format!("{name}() needs a list, not a {}", type_name(node)),
            node.span,
        )
    })
}

fn object<'n>(node: &'n Node, name: &str) -> Result<&'n [(String, Node)], EvalError> {
    node.as_object().ok_or_else(|| {
        error(
            format!("{name}() needs a map, not a {}", type_name(node)),
            node.span,
        )
    })
}

fn num(n: f64, span: Span) -> Result<Value, EvalError> {
    number(n).ok_or_else(|| error("not a finite number", span))
}

fn sorted_entries(entries: &[(String, Node)]) -> Vec<(String, Node)> {
    let mut out: Vec<(String, Node)> = Vec::new();
    for (k, v) in entries {
        out.retain(|(k2, _)| k2 != k);
        out.push((k.clone(), v.clone()));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn builtin(scope: &Scope, name: &str, args: &[Node], span: Span) -> Result<Value, EvalError> {
    let s = |i| text(args, i, name, span);
    let a = |i| arg(args, i, name, span);
    Ok(match name {
        "merge" => {
            let mut out: Vec<(String, Node)> = Vec::new();
            for m in args {
                if m.is_null() {
                    continue;
                }
                for (k, v) in object(m, name)? {
                    out.retain(|(k2, _)| k2 != k);
                    out.push((k.clone(), v.clone()));
                }
            }
            Value::Object(out)
        }
        "concat" => {
            let mut out = Vec::new();
            for l in args {
                out.extend(list(l, name)?.iter().cloned());
            }
            Value::Array(out)
        }
        "flatten" => {
            fn flat(items: &[Node], out: &mut Vec<Node>, depth: usize) -> bool {
                if depth > 64 {
                    return false;
                }
                for item in items {
                    match &item.value {
                        Value::Array(inner) => {
                            if !flat(inner, out, depth + 1) {
                                return false;
                            }
                        }
                        _ => out.push(item.clone()),
                    }
                }
                true
            }
            let mut out = Vec::new();
            if !flat(list(a(0)?, name)?, &mut out, 0) {
                return Err(error("flatten(): lists nested too deeply", span));
            }
            if out.iter().any(Node::is_unknown) {
                return Ok(Value::Unknown(crate::model::Unknown {
                    unknown: "flatten() of unknown elements".into(),
                }));
            }
            Value::Array(out)
        }
        "compact" => Value::Array(
            list(a(0)?, name)?
                .iter()
                .filter(|n| !n.is_null() && n.as_str() != Some(""))
                .cloned()
                .collect(),
        ),
        "distinct" => {
            let mut out: Vec<Node> = Vec::new();
            for item in list(a(0)?, name)? {
                if !out.iter().any(|o| same(o, item)) {
                    out.push(item.clone());
                }
            }
            Value::Array(out)
        }
        "reverse" => Value::Array(list(a(0)?, name)?.iter().rev().cloned().collect()),
        "lookup" => {
            let m = object(a(0)?, name)?;
            let k = s(1)?;
            match m.iter().rev().find(|(key, _)| *key == k) {
                Some((_, v)) => v.value.clone(),
                None => match args.get(2) {
                    Some(d) => d.value.clone(),
                    None => return Err(error(format!("lookup(): no key \"{k}\""), span)),
                },
            }
        }
        "element" => {
            let items = list(a(0)?, name)?;
            let i = a(1)?
                .as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .ok_or_else(|| error("element() needs a whole index", span))?;
            if items.is_empty() {
                return Err(error("element() of an empty list", span));
            }
            items[(i as usize) % items.len()].value.clone()
        }
        "length" => {
            let v = a(0)?;
            let n = match &v.value {
                Value::Array(items) => items.len(),
                Value::Object(entries) => sorted_entries(entries).len(),
                Value::String(t) => t.chars().count(),
                _ => return Err(error("length() needs a collection or a string", span)),
            };
            num(n as f64, span)?
        }
        "keys" => Value::Array(
            sorted_entries(object(a(0)?, name)?)
                .into_iter()
                .map(|(k, _)| Node::string(k, span))
                .collect(),
        ),
        "values" => Value::Array(
            sorted_entries(object(a(0)?, name)?)
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
        ),
        "zipmap" => {
            let ks = list(a(0)?, name)?;
            let vs = list(a(1)?, name)?;
            if ks.iter().any(Node::is_unknown) {
                return Ok(Value::Unknown(crate::model::Unknown {
                    unknown: "zipmap() with unknown keys".into(),
                }));
            }
            let mut out: Vec<(String, Node)> = Vec::new();
            for (k, v) in ks.iter().zip(vs) {
                let k = to_text(k)?;
                out.retain(|(k2, _)| *k2 != k);
                out.push((k, v.clone()));
            }
            Value::Object(out)
        }
        "contains" => {
            let items = list(a(0)?, name)?;
            let wanted = a(1)?;
            Value::Bool(items.iter().any(|i| same(i, wanted)))
        }
        "coalesce" => {
            for v in args {
                if v.is_unknown() {
                    return Ok(v.value.clone());
                }
                if !v.is_null() && v.as_str() != Some("") {
                    return Ok(v.value.clone());
                }
            }
            return Err(error("coalesce(): no non-null argument", span));
        }
        "tolist" => Value::Array(list(a(0)?, name)?.to_vec()),
        "toset" => {
            let mut out: Vec<Node> = Vec::new();
            for item in list(a(0)?, name)? {
                if !out.iter().any(|o| same(o, item)) {
                    out.push(item.clone());
                }
            }
            if out.iter().all(|n| n.as_str().is_some()) {
                out.sort_by(|x, y| x.as_str().cmp(&y.as_str()));
            }
            Value::Array(out)
        }
        "tomap" => Value::Object(object(a(0)?, name)?.to_vec()),
        "tostring" => match &a(0)?.value {
            Value::Null => Value::Null,
            _ => Value::String(s(0)?),
        },
        "tonumber" => match &a(0)?.value {
            Value::Null => Value::Null,
            _ => num(
                a(0)?
                    .as_f64()
                    .ok_or_else(|| error("tonumber(): not a number", span))?,
                span,
            )?,
        },
        "tobool" => match &a(0)?.value {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(*b),
            Value::String(t) if t == "true" || t == "false" => Value::Bool(t == "true"),
            _ => return Err(error("tobool(): not a bool", span)),
        },
        "upper" => Value::String(s(0)?.to_uppercase()),
        "lower" => Value::String(s(0)?.to_lowercase()),
        "trimspace" => Value::String(s(0)?.trim().to_string()),
        "startswith" => Value::Bool(s(0)?.starts_with(&s(1)?)),
        "endswith" => Value::Bool(s(0)?.ends_with(&s(1)?)),
        "replace" => {
            let (t, from, to) = (s(0)?, s(1)?, s(2)?);
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                return Ok(Value::Unknown(crate::model::Unknown {
                    unknown: "replace() with a regular expression is not evaluated".into(),
                }));
            }
            if from.is_empty() {
                Value::String(t)
            } else {
                Value::String(t.replace(&from, &to))
            }
        }
        "join" => {
            let sep = s(0)?;
            let mut parts = Vec::new();
            for l in args.get(1..).unwrap_or(&[]) {
                for item in list(l, name)? {
                    parts.push(to_text(item)?);
                }
            }
            Value::String(parts.join(&sep))
        }
        "split" => {
            let (sep, t) = (s(0)?, s(1)?);
            let parts: Vec<Node> = if sep.is_empty() {
                t.chars()
                    .map(|c| Node::string(c.to_string(), span))
                    .collect()
            } else {
                t.split(sep.as_str())
                    .map(|p| Node::string(p, span))
                    .collect()
            };
            Value::Array(parts)
        }
        "format" => Value::String(format(&s(0)?, args.get(1..).unwrap_or(&[]), span)?),
        "jsonencode" => Value::String(a(0)?.to_json().to_string()),
        "jsondecode" => {
            let t = s(0)?;
            let json: serde_json::Value =
                serde_json::from_str(&t).map_err(|e| error(format!("jsondecode(): {e}"), span))?;
            from_json(&json, span).value
        }
        "min" | "max" => {
            let mut best: Option<f64> = None;
            for v in args {
                let f = v
                    .as_f64()
                    .ok_or_else(|| error(format!("{name}() needs numbers"), span))?;
                best = Some(match best {
                    Some(b) if name == "min" => b.min(f),
                    Some(b) => b.max(f),
                    None => f,
                });
            }
            num(
                best.ok_or_else(|| error(format!("{name}() needs arguments"), span))?,
                span,
            )?
        }
        "abs" => num(
            a(0)?
                .as_f64()
                .ok_or_else(|| error("abs() needs a number", span))?
                .abs(),
            span,
        )?,
        "file" => {
            let rel = s(0)?;
            let path = if Path::new(&rel).is_absolute() {
                Path::new(&rel).to_path_buf()
            } else {
                scope.m.dir.join(&rel)
            };
            match (scope.m.read)(&path) {
                Some(t) => Value::String(t),
                None => return Err(error(format!("file(): cannot read {rel}"), span)),
            }
        }
        other => Value::Unknown(crate::model::Unknown {
            unknown: format!("{other}() is not evaluated"),
        }),
    })
}

/// `format`'s verbs: `%s %d %f %v %q %t %%`, with flags and widths ignored.
fn format(spec: &str, args: &[Node], span: Span) -> Result<String, EvalError> {
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut precision: Option<usize> = None;
        let mut in_precision = false;
        let verb = loop {
            match chars.next() {
                Some('.') => {
                    in_precision = true;
                    precision = Some(0);
                }
                Some(d) if d.is_ascii_digit() => {
                    if in_precision {
                        let p = precision.unwrap_or(0);
                        precision = Some((p * 10 + d as usize - '0' as usize).min(64));
                    }
                }
                Some('-' | '+' | '#' | ' ') => {}
                Some(v) => break v,
                None => return Err(error("format(): unfinished verb", span)),
            }
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let v = args
            .get(next)
            .ok_or_else(|| error("format(): not enough arguments", span))?;
        next += 1;
        match verb {
            's' | 't' => out.push_str(&to_text(v)?),
            'd' => {
                let f = v
                    .as_f64()
                    .ok_or_else(|| error("format(): %d needs a number", span))?;
                out.push_str(&format!("{}", f.trunc() as i64));
            }
            'f' => {
                let f = v
                    .as_f64()
                    .ok_or_else(|| error("format(): %f needs a number", span))?;
                out.push_str(&format!("{:.*}", precision.unwrap_or(6), f));
            }
            'q' => out.push_str(&serde_json::Value::String(to_text(v)?).to_string()),
            'v' => match &v.value {
                Value::Array(_) | Value::Object(_) | Value::Null => {
                    out.push_str(&v.to_json().to_string())
                }
                _ => out.push_str(&to_text(v)?),
            },
            other => return Err(error(format!("format(): unsupported verb %{other}"), span)),
        }
    }
    Ok(out)
}
