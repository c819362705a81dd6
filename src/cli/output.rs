//! Human tables and JSON documents on stdout; warnings on stderr.

use crate::oci::text::sanitize;
use std::io::Write;

/// Prints one JSON document followed by a newline.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", crate::oci::text::escape_json_for_terminal(&text))?;
    Ok(())
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
