//! The `Link: <url>; rel="next"` header (RFC 8288) used for pagination.

/// The target of the first `rel="next"` link among the header values.
pub fn next_link<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    values.into_iter().find_map(next_in_value)
}

fn next_in_value(value: &str) -> Option<String> {
    let mut rest = value;
    loop {
        let start = rest.find('<')?;
        let end = start + rest[start..].find('>')?;
        let target = &rest[start + 1..end];
        let after = &rest[end + 1..];
        let params_end = param_section_end(after);
        if has_rel_next(&after[..params_end]) {
            return Some(target.trim().to_string());
        }
        rest = &after[params_end..];
    }
}

/// Params run until a comma outside quotes (the start of the next link-value).
fn param_section_end(text: &str) -> usize {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => return i,
            _ => {}
        }
    }
    text.len()
}

fn has_rel_next(params: &str) -> bool {
    params.split(';').any(|param| {
        let Some((name, value)) = param.split_once('=') else {
            return false;
        };
        name.trim().eq_ignore_ascii_case("rel")
            && value
                .trim()
                .trim_matches('"')
                .split_whitespace()
                .any(|rel| rel.eq_ignore_ascii_case("next"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_next_links() {
        assert_eq!(
            next_link([r#"</v2/_catalog?last=beta%2Ftwo&n=2>; rel="next""#]).as_deref(),
            Some("/v2/_catalog?last=beta%2Ftwo&n=2")
        );
        assert_eq!(
            next_link([r#"<https://a/x?p=1,2>; rel="prev", <https://a/y>; rel=next"#]).as_deref(),
            Some("https://a/y")
        );
        assert_eq!(
            next_link([r#"<a>; title="x,y"; rel="prev next""#]).as_deref(),
            Some("a")
        );
        assert_eq!(next_link([r#"<a>; rel="prev""#]), None);
        assert_eq!(next_link(["garbage"]), None);
        assert_eq!(next_link(["<unterminated"]), None);
    }
}
