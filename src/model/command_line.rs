//! Your commands on the selected image (`[[commands]]`): a command line
//! split into words once, from the config (the user's own text), then each
//! placeholder filled in *within* its word. Registry data never meets a
//! shell: a tag full of `$(…)`, quotes or spaces stays one argument.

/// The placeholders a command line may hold.
pub const PLACEHOLDERS: [&str; 6] = ["ref", "digest", "registry", "repository", "tag", "platform"];

/// A command line split into words, its placeholders checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    words: Vec<String>,
}

/// What the selected row says; `None` where it says nothing (a tag whose
/// digest is not known yet, an image with no platform).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    pub reference: Option<String>,
    pub digest: Option<String>,
    pub registry: Option<String>,
    pub repository: Option<String>,
    pub tag: Option<String>,
    pub platform: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandLineError {
    #[error("the command line is empty")]
    Empty,
    #[error("the command line does not split into words: {0}")]
    Unsplittable(String),
    #[error(
        "unknown placeholder {{{0}}} (known: {{ref}}, {{digest}}, {{registry}}, {{repository}}, {{tag}}, {{platform}})"
    )]
    UnknownPlaceholder(String),
    #[error("the selection has no {{{0}}} yet")]
    Missing(&'static str),
}

impl CommandLine {
    /// `trivy image {ref}`: split as a shell would split the user's text,
    /// without running one.
    pub fn from_line(line: &str) -> Result<CommandLine, CommandLineError> {
        let words =
            shell_words::split(line).map_err(|e| CommandLineError::Unsplittable(e.to_string()))?;
        CommandLine::from_words(words)
    }

    pub fn from_words(words: Vec<String>) -> Result<CommandLine, CommandLineError> {
        if words.first().is_none_or(String::is_empty) {
            return Err(CommandLineError::Empty);
        }
        for word in &words {
            for name in placeholders_in(word) {
                if !PLACEHOLDERS.contains(&name) {
                    return Err(CommandLineError::UnknownPlaceholder(name.to_string()));
                }
            }
        }
        Ok(CommandLine { words })
    }

    /// The argument vector for `values`: each word with its placeholders
    /// replaced, still one argument each.
    pub fn argv(&self, values: &Values) -> Result<Vec<String>, CommandLineError> {
        self.words.iter().map(|w| fill(w, values)).collect()
    }

    pub fn program(&self) -> &str {
        self.words.first().map_or("", String::as_str)
    }
}

/// The `name`s of the `{name}`s in `word`.
fn placeholders_in(word: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = word;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        found.push(&after[..close]);
        rest = &after[close + 1..];
    }
    found
}

fn fill(word: &str, values: &Values) -> Result<String, CommandLineError> {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push_str(&rest[..open]);
        out.push_str(value(&after[..close], values)?);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn value<'a>(name: &str, v: &'a Values) -> Result<&'a str, CommandLineError> {
    let (found, name) = match name {
        "ref" => (&v.reference, "ref"),
        "digest" => (&v.digest, "digest"),
        "registry" => (&v.registry, "registry"),
        "repository" => (&v.repository, "repository"),
        "tag" => (&v.tag, "tag"),
        "platform" => (&v.platform, "platform"),
        other => return Err(CommandLineError::UnknownPlaceholder(other.to_string())),
    };
    found.as_deref().ok_or(CommandLineError::Missing(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            reference: Some("oci:/tmp/it's $(touch x) here:1.0".into()),
            digest: Some("sha256:abc".into()),
            registry: Some("oci:/tmp/it's $(touch x) here".into()),
            repository: Some("here".into()),
            tag: Some("1.0".into()),
            platform: None,
        }
    }

    #[test]
    fn a_line_splits_once_and_each_placeholder_stays_inside_its_word() {
        let line = CommandLine::from_line("scan --image={ref} 'two words' {tag}").unwrap();
        let argv = line.argv(&values()).unwrap();
        assert_eq!(
            argv,
            [
                "scan",
                "--image=oci:/tmp/it's $(touch x) here:1.0",
                "two words",
                "1.0"
            ]
        );
        let words = CommandLine::from_words(vec!["echo".into(), "{digest}".into()]).unwrap();
        assert_eq!(words.argv(&values()).unwrap(), ["echo", "sha256:abc"]);
    }

    #[test]
    fn unknown_or_missing_placeholders_and_empty_lines_are_refused() {
        let bad = CommandLine::from_line("x {nope}");
        assert_eq!(
            bad,
            Err(CommandLineError::UnknownPlaceholder("nope".into()))
        );
        assert_eq!(CommandLine::from_line(""), Err(CommandLineError::Empty));
        assert!(matches!(
            CommandLine::from_line("x 'open"),
            Err(CommandLineError::Unsplittable(_))
        ));
        let line = CommandLine::from_line("x {platform}").unwrap();
        assert_eq!(
            line.argv(&values()),
            Err(CommandLineError::Missing("platform"))
        );
        let braces = CommandLine::from_line("jq {.a} {tag}");
        assert!(
            braces.is_err(),
            "a brace pair is a placeholder; only known names pass"
        );
    }
}
