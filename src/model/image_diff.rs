//! Two images compared: their layers (shared, only in one), and their run
//! configs field by field.

use crate::oci::image_config::RunConfig;
use crate::oci::manifest::Descriptor;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LayerRef {
    pub digest: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct LayerDiff {
    pub shared: Vec<LayerRef>,
    pub only_a: Vec<LayerRef>,
    pub only_b: Vec<LayerRef>,
}

/// Layers by digest, each side's order kept.
pub fn layers(a: &[Descriptor], b: &[Descriptor]) -> LayerDiff {
    let in_a: BTreeSet<&str> = a.iter().map(|d| d.digest.as_str()).collect();
    let in_b: BTreeSet<&str> = b.iter().map(|d| d.digest.as_str()).collect();
    let layer = |d: &Descriptor| LayerRef {
        digest: d.digest.clone(),
        size: d.size,
    };
    let mut seen = BTreeSet::new();
    LayerDiff {
        shared: a
            .iter()
            .filter(|d| in_b.contains(d.digest.as_str()) && seen.insert(d.digest.as_str()))
            .map(layer)
            .collect(),
        only_a: a
            .iter()
            .filter(|d| !in_b.contains(d.digest.as_str()))
            .map(layer)
            .collect(),
        only_b: b
            .iter()
            .filter(|d| !in_a.contains(d.digest.as_str()))
            .map(layer)
            .collect(),
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ConfigChange {
    /// `env`, `labels`, `cmd`, `entrypoint`, `user`, `workdir` or `exposed_ports`.
    pub field: &'static str,
    /// The variable, label or port (maps and sets); `null` for whole values.
    pub key: Option<String>,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    pub a: Option<String>,
    pub b: Option<String>,
}

fn change(a: &Option<String>, b: &Option<String>) -> Option<&'static str> {
    match (a, b) {
        (None, None) => None,
        (None, Some(_)) => Some("added"),
        (Some(_), None) => Some("removed"),
        (Some(x), Some(y)) => (x != y).then_some("changed"),
    }
}

fn maps(
    field: &'static str,
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
    out: &mut Vec<ConfigChange>,
) {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let (x, y) = (a.get(key).cloned(), b.get(key).cloned());
        if let Some(change) = change(&x, &y) {
            out.push(ConfigChange {
                field,
                key: Some(key.clone()),
                change,
                a: x,
                b: y,
            });
        }
    }
}

fn env_map(env: Option<&Vec<String>>) -> BTreeMap<String, String> {
    env.into_iter()
        .flatten()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv.clone(), String::new()),
        })
        .collect()
}

fn whole(field: &'static str, a: Option<String>, b: Option<String>, out: &mut Vec<ConfigChange>) {
    if let Some(change) = change(&a, &b) {
        out.push(ConfigChange {
            field,
            key: None,
            change,
            a,
            b,
        });
    }
}

/// A list as JSON text (`["sh","-c","…"]`), so it reads unambiguously.
fn list(v: Option<&Vec<String>>) -> Option<String> {
    v.map(|v| serde_json::to_string(v).unwrap_or_default())
}

pub fn config(a: Option<&RunConfig>, b: Option<&RunConfig>) -> Vec<ConfigChange> {
    let empty = RunConfig::default();
    let (a, b) = (a.unwrap_or(&empty), b.unwrap_or(&empty));
    let mut out = Vec::new();
    maps(
        "env",
        &env_map(a.env.as_ref()),
        &env_map(b.env.as_ref()),
        &mut out,
    );
    let labels = |c: &RunConfig| c.labels.clone().unwrap_or_default();
    maps("labels", &labels(a), &labels(b), &mut out);
    whole("cmd", list(a.cmd.as_ref()), list(b.cmd.as_ref()), &mut out);
    whole(
        "entrypoint",
        list(a.entrypoint.as_ref()),
        list(b.entrypoint.as_ref()),
        &mut out,
    );
    let text = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    whole("user", text(&a.user), text(&b.user), &mut out);
    whole(
        "workdir",
        text(&a.working_dir),
        text(&b.working_dir),
        &mut out,
    );
    let ports = |c: &RunConfig| -> BTreeMap<String, String> {
        c.exposed_ports
            .iter()
            .flatten()
            .map(|(p, _)| (p.clone(), p.clone()))
            .collect()
    };
    maps("exposed_ports", &ports(a), &ports(b), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_fields_are_compared_by_key() {
        let a = RunConfig {
            env: Some(vec!["PATH=/bin".into(), "OLD=1".into(), "SAME=x".into()]),
            cmd: Some(vec!["sh".into()]),
            user: Some("app".into()),
            exposed_ports: Some([("80/tcp".to_string(), serde_json::json!({}))].into()),
            ..RunConfig::default()
        };
        let b = RunConfig {
            env: Some(vec![
                "PATH=/usr/bin:/bin".into(),
                "NEW=2".into(),
                "SAME=x".into(),
            ]),
            cmd: Some(vec!["sh".into()]),
            working_dir: Some("/srv".into()),
            exposed_ports: Some([("443/tcp".to_string(), serde_json::json!({}))].into()),
            ..RunConfig::default()
        };
        let changes = config(Some(&a), Some(&b));
        let got: Vec<(&str, Option<&str>, &str)> = changes
            .iter()
            .map(|c| (c.field, c.key.as_deref(), c.change))
            .collect();
        assert_eq!(
            got,
            [
                ("env", Some("NEW"), "added"),
                ("env", Some("OLD"), "removed"),
                ("env", Some("PATH"), "changed"),
                ("user", None, "removed"),
                ("workdir", None, "added"),
                ("exposed_ports", Some("443/tcp"), "added"),
                ("exposed_ports", Some("80/tcp"), "removed"),
            ]
        );
    }

    #[test]
    fn layers_split_into_shared_and_own() {
        let d = |digest: &str, size| Descriptor {
            digest: digest.into(),
            size,
            ..Descriptor::default()
        };
        let diff = layers(&[d("a", 1), d("b", 2)], &[d("a", 1), d("c", 3)]);
        assert_eq!(
            diff.shared,
            [LayerRef {
                digest: "a".into(),
                size: 1
            }]
        );
        assert_eq!(
            diff.only_a,
            [LayerRef {
                digest: "b".into(),
                size: 2
            }]
        );
        assert_eq!(
            diff.only_b,
            [LayerRef {
                digest: "c".into(),
                size: 3
            }]
        );
    }
}
