//! SLSA provenance (v0.2 and v1, BuildKit's and others') read down to what
//! people ask: who built it, how, from which source and commit, when, and the
//! parameters that are not secrets.

use super::unreadable::Unreadable;
use serde::Serialize;
use serde_json::Value;

/// Parameters kept at most (a hostile predicate may hold millions).
const MAX_PARAMETERS: usize = 256;
/// Words in a parameter name that mark it as a secret: left out.
const SECRET_WORDS: [&str; 6] = ["secret", "token", "password", "passwd", "credential", "key"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// `v0.2` or `v1`.
    pub slsa_version: String,
    pub builder_id: Option<String>,
    pub build_type: Option<String>,
    /// Source repositories with the commit (`git+https://…@sha1:…`).
    pub sources: Vec<Source>,
    pub started: Option<String>,
    pub finished: Option<String>,
    /// `name=value`, secrets left out.
    pub parameters: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub uri: String,
    pub commit: Option<String>,
}

/// Reads a provenance predicate of `predicate_type`.
pub fn parse(predicate_type: &str, predicate: &Value) -> Result<Provenance, Unreadable> {
    if !predicate.is_object() {
        return Err("the provenance predicate is not an object".into());
    }
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    if predicate_type.ends_with("/v1") {
        let definition = predicate.get("buildDefinition");
        let details = predicate.get("runDetails");
        let metadata = details.and_then(|d| d.get("metadata"));
        Ok(Provenance {
            slsa_version: "v1".into(),
            builder_id: text(details.and_then(|d| d.pointer("/builder/id"))),
            build_type: text(definition.and_then(|d| d.get("buildType"))),
            sources: sources(definition.and_then(|d| d.get("resolvedDependencies"))),
            started: text(metadata.and_then(|m| m.get("startedOn"))),
            finished: text(metadata.and_then(|m| m.get("finishedOn"))),
            parameters: parameters(definition.and_then(|d| d.get("externalParameters"))),
        })
    } else {
        let metadata = predicate.get("metadata");
        let mut found = sources(predicate.get("materials"));
        if let Some(config) = predicate.pointer("/invocation/configSource") {
            found.splice(0..0, sources(Some(&Value::Array(vec![config.clone()]))));
        }
        Ok(Provenance {
            slsa_version: "v0.2".into(),
            builder_id: text(predicate.pointer("/builder/id")),
            build_type: text(predicate.get("buildType")),
            sources: found,
            started: text(metadata.and_then(|m| m.get("buildStartedOn"))),
            finished: text(metadata.and_then(|m| m.get("buildFinishedOn"))),
            parameters: parameters(predicate.pointer("/invocation/parameters")),
        })
    }
}

/// Materials or resolved dependencies that are source repositories (a git
/// URI, or a digest naming a commit); images pulled are left out.
fn sources(list: Option<&Value>) -> Vec<Source> {
    let Some(list) = list.and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .take(MAX_PARAMETERS)
        .filter_map(|m| {
            let uri = m.get("uri")?.as_str()?.to_string();
            let digest = m.get("digest");
            let commit = ["gitCommit", "sha1"]
                .iter()
                .find_map(|k| digest.and_then(|d| d.get(*k)).and_then(Value::as_str))
                .map(str::to_string);
            let is_source = commit.is_some() || uri.starts_with("git+") || uri.contains(".git");
            is_source.then_some(Source { uri, commit })
        })
        .collect()
}

/// Longest parameter value kept (the rest is cut, with `…`).
const MAX_VALUE: usize = 256;

fn is_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lower.contains(w))
}

/// An object that names a secret in a field (`{"name": "API_TOKEN", "value": …}`).
fn names_a_secret(map: &serde_json::Map<String, Value>) -> bool {
    ["name", "key", "id"]
        .iter()
        .any(|k| map.get(*k).and_then(Value::as_str).is_some_and(is_secret))
}

/// Flattens parameters to `a.b=value` (`a[0]` in arrays), leaving out
/// secret-looking names and objects that name a secret.
fn parameters(value: Option<&Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, &Value)> = match value {
        Some(v) => vec![(String::new(), v)],
        None => return out,
    };
    while let Some((name, v)) = stack.pop() {
        if out.len() >= MAX_PARAMETERS || name.len() > 512 {
            break;
        }
        if is_secret(&name) {
            continue;
        }
        let child = |k: &str| {
            if name.is_empty() {
                k.to_string()
            } else {
                format!("{name}.{k}")
            }
        };
        match v {
            Value::Object(map) if names_a_secret(map) => {}
            Value::Object(map) => {
                for (k, value) in map.iter().rev() {
                    stack.push((child(k), value));
                }
            }
            Value::Array(items) => {
                for (i, value) in items.iter().enumerate().take(MAX_PARAMETERS).rev() {
                    stack.push((format!("{name}[{i}]"), value));
                }
            }
            Value::String(s) => out.push((name, cut(s))),
            Value::Null => {}
            other => out.push((name, cut(&other.to_string()))),
        }
    }
    out
}

fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_VALUE {
        return text.to_string();
    }
    let mut kept: String = text.chars().take(MAX_VALUE).collect();
    kept.push('…');
    kept
}

/// `value` with what looks secret replaced by `"<redacted>"`, to show a
/// whole statement.
pub fn redacted(value: &Value) -> Value {
    match value {
        Value::Object(map) if names_a_secret(map) => Value::String("<redacted>".into()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret(k) {
                        Value::String("<redacted>".into())
                    } else {
                        redacted(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redacted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v02_and_v1_give_builder_source_times_and_no_secrets() {
        let v02 = json!({"builder": {"id": "https://github.com/actions"}, "buildType": "https://mobyproject.org/buildkit@v1",
            "invocation": {"configSource": {"uri": "https://github.com/o/r.git", "digest": {"sha1": "abc"}},
                           "parameters": {"frontend": "dockerfile.v0", "args": {"build-arg:VERSION": "1", "build-arg:NPM_TOKEN": "s3cr3t"}}},
            "materials": [{"uri": "pkg:docker/alpine@3", "digest": {"sha256": "ff"}}],
            "metadata": {"buildStartedOn": "2026-01-01T00:00:00Z", "buildFinishedOn": "2026-01-01T00:01:00Z"}});
        let p = parse(crate::model::intoto::SLSA_V02, &v02).unwrap();
        assert_eq!(
            p.sources,
            [Source {
                uri: "https://github.com/o/r.git".into(),
                commit: Some("abc".into())
            }]
        );
        assert!(
            p.parameters
                .contains(&("args.build-arg:VERSION".into(), "1".into()))
        );
        assert!(
            !p.parameters.iter().any(|(_, v)| v == "s3cr3t"),
            "{:?}",
            p.parameters
        );
        let v1 = json!({"buildDefinition": {"buildType": "bt", "externalParameters": {"workflow": {"ref": "main"}},
                "resolvedDependencies": [{"uri": "git+https://github.com/o/r@refs/heads/main", "digest": {"gitCommit": "def"}}]},
            "runDetails": {"builder": {"id": "b"}, "metadata": {"startedOn": "s", "finishedOn": "f"}}});
        let p = parse(crate::model::intoto::SLSA_V1, &v1).unwrap();
        assert_eq!(p.builder_id.as_deref(), Some("b"));
        assert_eq!(p.sources[0].commit.as_deref(), Some("def"));
        assert_eq!(
            p.parameters,
            [("workflow.ref".to_string(), "main".to_string())]
        );
        assert!(parse(crate::model::intoto::SLSA_V1, &json!("x")).is_err());
        let listed = json!({"invocation": {"parameters": {"args": [{"name": "API_TOKEN", "value": "s3"}, {"name": "V", "value": "1"}]}}});
        let p = parse(crate::model::intoto::SLSA_V02, &listed).unwrap();
        assert_eq!(
            p.parameters,
            [
                ("args[1].name".to_string(), "V".to_string()),
                ("args[1].value".to_string(), "1".to_string())
            ]
        );
        let shown = redacted(&listed).to_string();
        assert!(
            !shown.contains("s3") && shown.contains("<redacted>"),
            "{shown}"
        );
    }
}
