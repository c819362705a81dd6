//! Human tables and JSON documents on stdout; warnings on stderr.

use crate::oci::text::sanitize;
use std::io::Write;

/// Prints one JSON document followed by a newline, written as it is
/// serialised (a listing of 200,000 files is never held as text).
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = TerminalSafe(std::io::BufWriter::with_capacity(
        64 * 1024,
        std::io::stdout().lock(),
    ));
    serde_json::to_writer_pretty(&mut out, value)?;
    out.0.write_all(b"\n")?;
    out.0.flush()?;
    Ok(())
}

/// Escapes what a terminal would act on inside JSON text. serde_json hands
/// each write a whole UTF-8 fragment, so characters are never split.
struct TerminalSafe<W: Write>(W);

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text)
                if text.chars().any(|c| {
                    crate::oci::text::is_unsafe_for_terminal(c) && !matches!(c, '\n' | '\t' | '\r')
                }) =>
            {
                let escaped = crate::oci::text::escape_json_for_terminal(text);
                self.0.write_all(escaped.as_bytes())?;
            }
            _ => self.0.write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Prints lines of registry-provided text, stripped of control characters.
pub fn print_lines<'a>(lines: impl IntoIterator<Item = &'a String>) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in lines {
        writeln!(out, "{}", sanitize(line))?;
    }
    out.flush()?;
    Ok(())
}

pub fn warn(message: &str) {
    eprintln!("regscope: warning: {}", sanitize(message));
}

/// Left-aligned columns separated by two spaces; cells must already be sanitised.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let render = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut line = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            line.push_str(cell);
            if i < last {
                let pad = widths[i] - cell.chars().count() + 2;
                line.push_str(&" ".repeat(pad));
            }
        }
        line.trim_end().to_string()
    };
    let mut text = render(headers.to_vec());
    for row in rows {
        text.push('\n');
        text.push_str(&render(row.iter().map(String::as_str).collect()));
    }
    text
}

pub fn human_size(bytes: u64) -> String {
    humansize::format_size(bytes, humansize::DECIMAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns() {
        let t = table(
            &["A", "LONGER"],
            &[
                vec!["xyz".into(), "1".into()],
                vec!["é".into(), "22".into()],
            ],
        );
        assert_eq!(t, "A    LONGER\nxyz  1\né    22");
    }
}
