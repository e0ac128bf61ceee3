/// Byte offsets of line starts in a blob, built once per blob that has findings, so every
/// finding in it is located without rescanning the content.
pub struct LineIndex<'a> {
    bytes: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        LineIndex { bytes, starts }
    }

    /// 1-based line and column of a byte offset; the column counts Unicode scalar values
    /// (invalid UTF-8 counts one per byte).
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.bytes.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line];
        let column = count_chars(&self.bytes[start..offset]) + 1;
        (to_u32(line + 1), to_u32(column))
    }

    /// The bytes of a 1-based line, without its line ending; empty past the end.
    pub fn line(&self, line: u32) -> &'a [u8] {
        let i = line as usize;
        if i == 0 || i > self.starts.len() {
            return &[];
        }
        let start = self.starts[i - 1];
        let end = self.starts.get(i).map_or(self.bytes.len(), |&e| e - 1);
        let text = &self.bytes[start..end.max(start)];
        text.strip_suffix(b"\r").unwrap_or(text)
    }

    /// The byte range of a 1-based line (without its line ending).
    pub fn line_range(&self, line: u32) -> std::ops::Range<usize> {
        let i = line as usize;
        if i == 0 || i > self.starts.len() {
            return self.bytes.len()..self.bytes.len();
        }
        let start = self.starts[i - 1];
        start..start + self.line(line).len()
    }
}

fn count_chars(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().count(),
        Err(_) => String::from_utf8_lossy(bytes).chars().count(),
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nçd=x\r\nlast";
        let idx = LineIndex::new(text.as_bytes());
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(3), (2, 1));
        // "çd=" is 4 bytes but 3 characters.
        assert_eq!(idx.position(3 + 4), (2, 4));
        assert_eq!(idx.line(2), "çd=x".as_bytes());
        assert_eq!(idx.line(3), b"last");
        assert_eq!(idx.line(4), b"");
        assert_eq!(idx.position(usize::MAX), (3, 5));
    }
}
