//! JSON with the line of every value, for lockfile formats in JSON (package-lock.json,
//! composer.lock, Pipfile.lock, packages.lock.json, bun.lock): serde_json gives values but not
//! where they are. A small recursive-descent reader, bounded in depth so hostile nesting cannot
//! exhaust the stack; `lenient` also accepts the comments and trailing commas of JSONC (bun.lock).

use super::LockfileError;

/// Nesting deeper than this is refused: no real lockfile comes close.
const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's text, as written.
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

/// A value and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: u32,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_line: u32,
    pub value: Node,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.members()
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    pub fn members(&self) -> &[Member] {
        match &self.value {
            Value::Object(m) => m,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Array(a) => a,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number's text or the string's: lockfile versions are sometimes either.
    pub fn as_text(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s),
            _ => None,
        }
    }
}

pub fn parse(text: &str, lenient: bool) -> Result<Node, LockfileError> {
    let mut p = Reader {
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        lenient,
    };
    p.skip_space()?;
    let node = p.value(0)?;
    p.skip_space()?;
    if p.at < p.bytes.len() {
        return Err(p.error("unexpected text after the JSON value"));
    }
    Ok(node)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u32,
    lenient: bool,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> LockfileError {
        LockfileError::new(self.line, format!("invalid JSON: {message}"))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        if b == b'\n' {
            self.line += 1;
        }
        Some(b)
    }

    fn skip_space(&mut self) -> Result<(), LockfileError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => {
                    self.bump();
                }
                Some(b'/') if self.lenient => match self.bytes.get(self.at + 1) {
                    Some(b'/') => {
                        while !matches!(self.peek(), None | Some(b'\n')) {
                            self.bump();
                        }
                    }
                    Some(b'*') => {
                        self.at += 2;
                        loop {
                            match self.bump() {
                                None => return Err(self.error("unterminated comment")),
                                Some(b'*') if self.peek() == Some(b'/') => {
                                    self.bump();
                                    break;
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => return Ok(()),
                },
                _ => return Ok(()),
            }
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), LockfileError> {
        if self.peek() == Some(b) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", b as char)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, LockfileError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let line = self.line;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => return Err(self.error("unexpected character")),
            None => return Err(self.error("unexpected end of file")),
        };
        Ok(Node { line, value })
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, LockfileError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("unexpected word"))
        }
    }

    fn number(&mut self) -> Value {
        let start = self.at;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.at += 1;
        }
        Value::Number(String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned())
    }

    fn string(&mut self) -> Result<String, LockfileError> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            match self.bump() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => break,
                Some(b'\\') => match self.bump() {
                    Some(b'"') => out.push(b'"'),
                    Some(b'\\') => out.push(b'\\'),
                    Some(b'/') => out.push(b'/'),
                    Some(b'b') => out.push(8),
                    Some(b'f') => out.push(12),
                    Some(b'n') => out.push(b'\n'),
                    Some(b'r') => out.push(b'\r'),
                    Some(b't') => out.push(b'\t'),
                    Some(b'u') => {
                        let hex = self
                            .bytes
                            .get(self.at..self.at + 4)
                            .ok_or_else(|| self.error("bad \\u escape"))?;
                        let code = std::str::from_utf8(hex)
                            .ok()
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .ok_or_else(|| self.error("bad \\u escape"))?;
                        self.at += 4;
                        // Surrogate halves stand for nothing on their own; keep the text readable.
                        let c = char::from_u32(code).unwrap_or('\u{fffd}');
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    _ => return Err(self.error("bad escape")),
                },
                Some(b) => out.push(b),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn array(&mut self, depth: usize) -> Result<Value, LockfileError> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        loop {
            self.skip_space()?;
            if self.peek() == Some(b']') {
                self.bump();
                return Ok(Value::Array(items));
            }
            items.push(self.value(depth + 1)?);
            self.skip_space()?;
            match self.bump() {
                Some(b',') => {
                    self.skip_space()?;
                    if self.peek() == Some(b']') && !self.lenient {
                        return Err(self.error("trailing comma"));
                    }
                }
                Some(b']') => return Ok(Value::Array(items)),
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, LockfileError> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        loop {
            self.skip_space()?;
            if self.peek() == Some(b'}') {
                self.bump();
                return Ok(Value::Object(members));
            }
            let key_line = self.line;
            let key = self.string()?;
            self.skip_space()?;
            self.expect(b':')?;
            self.skip_space()?;
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_line,
                value,
            });
            self.skip_space()?;
            match self.bump() {
                Some(b',') => {
                    self.skip_space()?;
                    if self.peek() == Some(b'}') && !self.lenient {
                        return Err(self.error("trailing comma"));
                    }
                }
                Some(b'}') => return Ok(Value::Object(members)),
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_know_their_lines() {
        let doc = parse(
            "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": \"x\\u00e9\"\n  },\n  \"d\": [true, null]\n}",
            false,
        )
        .unwrap();
        assert_eq!(doc.get("a").map(|n| n.line), Some(2));
        let b = doc.get("b").unwrap();
        assert_eq!(doc.members()[1].key_line, 3);
        assert_eq!(b.get("c").and_then(Node::as_str), Some("xé"));
        assert_eq!(b.get("c").map(|n| n.line), Some(4));
        assert_eq!(doc.get("d").map(|n| n.items().len()), Some(2));
    }

    #[test]
    fn jsonc_only_when_lenient() {
        let text = "{ // comment\n \"a\": [1, 2,], /* x */ }";
        assert!(parse(text, false).is_err());
        assert!(parse(text, true).is_ok());
    }

    #[test]
    fn hostile_input_is_an_error_with_a_line() {
        let deep = "[".repeat(100_000);
        assert!(parse(&deep, false).unwrap_err().message.contains("deeply"));
        let e = parse("{\n\"a\": \n", false).unwrap_err();
        assert_eq!(e.line, 3);
        for bad in ["", "{", "[1 2]", "\"\\u12", "{\"a\" 1}", "tru", "{} x"] {
            assert!(parse(bad, false).is_err(), "{bad:?}");
        }
    }
}
