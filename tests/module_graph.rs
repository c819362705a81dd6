//! The module graph: each layer imports only the layers below it, sibling
//! modules import each other in one direction only (no cycles at any level), and
//! only `tui` knows the terminal. Run with `--nocapture` to print the graph.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules, lowest first. A module may import only modules of a
/// strictly lower rank.
const RANKS: &[(&str, u8)] = &[
    ("oci", 0),
    ("private", 0),
    ("config", 1),
    ("model", 1),
    ("logging", 2),
    ("registry", 2),
    ("layout", 2),
    ("source", 3),
    ("store", 4),
    ("ops", 5),
    ("tui", 6),
    ("cli", 7),
];

const TERMINAL_CRATES: &[&str] = &["ratatui", "crossterm", "tui_input"];

type Module = Vec<String>;

struct SourceFile {
    module: Module,
    text: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/tui/update/nav.rs` → `[tui, update, nav]`; `mod.rs` names its directory.
fn module_of(src: &Path, file: &Path) -> Module {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Module = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// Production code only: test modules, `tests.rs` files and `tests/` folders
/// are left out.
fn production_text(file: &Path) -> Option<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let inside = file.strip_prefix(&src).unwrap_or(file);
    let in_tests = inside.components().any(|c| c.as_os_str() == "tests");
    if file.file_name().is_some_and(|n| n == "tests.rs") || in_tests {
        return None;
    }
    let text = std::fs::read_to_string(file).unwrap();
    let text = match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    let code: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    Some(code.join("\n"))
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand_use(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap().trim().to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap()];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand_use(&format!("{prefix}{}", p.trim())))
        .collect()
}

/// Every path the code names: `use` trees and inline `crate::…`/`super::…` paths.
fn paths_in(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let after = &rest[i + 4..];
        let Some(end) = after.find(';') else { break };
        if before.is_none_or(|c| c.is_whitespace()) {
            paths.extend(expand_use(&after[..end]));
        }
        rest = &after[end..];
    }
    let bytes = text.as_bytes();
    for root in ["crate::", "super::", "self::"] {
        for (i, _) in text.match_indices(root) {
            if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
                continue;
            }
            let path: String = text[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(path.trim_end_matches(':').to_string());
        }
    }
    paths
}

/// The module a path lands in: `crate`/`self`/`super` resolved, then the longest
/// prefix that is a module of the crate. `None` for other crates.
fn resolve(from: &Module, path: &str, modules: &BTreeSet<Module>) -> Option<Module> {
    let mut segments = path.split("::");
    let mut current: Module = match segments.next() {
        Some("crate") | Some("regscope") => Vec::new(),
        Some("self") => from.clone(),
        Some("super") => from[..from.len().saturating_sub(1)].to_vec(),
        _ => return None,
    };
    for segment in segments {
        match segment {
            "super" => {
                current.pop();
            }
            "self" => {}
            _ => {
                let mut next = current.clone();
                next.push(segment.to_string());
                if !modules.contains(&next) {
                    break;
                }
                current = next;
            }
        }
    }
    Some(current)
}

fn load() -> (Vec<SourceFile>, BTreeMap<Module, BTreeSet<Module>>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Module> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut sources = Vec::new();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        let Some(text) = production_text(file) else {
            continue;
        };
        for path in paths_in(&text) {
            if let Some(target) = resolve(&module, &path, &modules)
                && target != module
            {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
        sources.push(SourceFile { module, text });
    }
    (sources, edges)
}

fn rank(top: &str) -> Option<u8> {
    RANKS.iter().find(|(name, _)| *name == top).map(|(_, r)| *r)
}

/// Edges between siblings: `a::x::… → a::y::…` counts as `a::x → a::y`.
fn sibling_edges(edges: &BTreeMap<Module, BTreeSet<Module>>) -> BTreeSet<(Module, Module)> {
    let mut out = BTreeSet::new();
    for (from, targets) in edges {
        for to in targets {
            let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < to.len() {
                out.insert((from[..=common].to_vec(), to[..=common].to_vec()));
            }
        }
    }
    out
}

fn find_cycle(edges: &BTreeSet<(Module, Module)>) -> Option<Vec<Module>> {
    fn visit(
        node: &Module,
        edges: &BTreeSet<(Module, Module)>,
        path: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
    ) -> Option<Vec<Module>> {
        if let Some(start) = path.iter().position(|m| m == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.clone());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.clone());
        for (_, to) in edges.iter().filter(|(from, _)| from == node) {
            if let Some(cycle) = visit(to, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    let nodes: BTreeSet<&Module> = edges.iter().map(|(from, _)| from).collect();
    nodes
        .into_iter()
        .find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

#[test]
fn layers_import_only_layers_below_them() {
    let (_, edges) = load();
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in &edges {
        for to in targets {
            if let (Some(a), Some(b)) = (from.first(), to.first())
                && a != b
            {
                top.entry(a.clone()).or_default().insert(b.clone());
            }
        }
    }
    let mut wrong = Vec::new();
    for (from, targets) in &top {
        println!(
            "{from:<9} imports {}",
            targets.iter().cloned().collect::<Vec<_>>().join(", ")
        );
        let Some(from_rank) = rank(from) else {
            continue;
        };
        for to in targets {
            match rank(to) {
                Some(to_rank) if to_rank < from_rank => {}
                _ => wrong.push(format!("{from} → {to}")),
            }
        }
    }
    for module in edges.keys() {
        if let Some(top) = module.first() {
            assert!(rank(top).is_some(), "{top} has no rank in RANKS: place it");
        }
    }
    assert!(wrong.is_empty(), "imports against the layers: {wrong:?}");
}

#[test]
fn no_cycles_between_sibling_modules() {
    let (_, edges) = load();
    let siblings = sibling_edges(&edges);
    if let Some(cycle) = find_cycle(&siblings) {
        let names: Vec<String> = cycle.iter().map(name).collect();
        panic!("import cycle: {}", names.join(" → "));
    }
}

#[test]
fn only_the_tui_knows_the_terminal() {
    let (sources, _) = load();
    let outside: Vec<String> = sources
        .iter()
        .filter(|f| f.module.first().is_some_and(|m| m != "tui"))
        .filter(|f| {
            TERMINAL_CRATES
                .iter()
                .any(|c| f.text.contains(&format!("{c}::")) || f.text.contains(&format!("use {c}")))
        })
        .map(|f| name(&f.module))
        .collect();
    assert!(
        outside.is_empty(),
        "terminal crates used outside tui/: {outside:?}"
    );
}

#[test]
fn the_checker_sees_cycles_and_nested_uses() {
    assert_eq!(
        expand_use("crate::a::{b, c::{d, e as f}}"),
        ["crate::a::b", "crate::a::c::d", "crate::a::c::e"]
    );
    let m = |s: &str| s.split("::").map(str::to_string).collect::<Module>();
    let cyclic: BTreeSet<(Module, Module)> = [
        (m("a::x"), m("a::y")),
        (m("a::y"), m("a::z")),
        (m("a::z"), m("a::x")),
    ]
    .into();
    assert!(find_cycle(&cyclic).is_some());
    let acyclic: BTreeSet<(Module, Module)> =
        [(m("a::x"), m("a::y")), (m("a::x"), m("a::z"))].into();
    assert!(find_cycle(&acyclic).is_none());
}

/// What the browser's handlers and views may not reach: how work runs.
const SCHEDULING: [&str; 2] = ["tui::pool", "tui::jobs"];

#[test]
fn update_and_render_do_not_reach_the_pool_or_the_jobs() {
    let (_, edges) = load();
    let mut wrong = Vec::new();
    for (from, targets) in &edges {
        let from_name = name(from);
        if !(from_name.starts_with("tui::update") || from_name.starts_with("tui::ui")) {
            continue;
        }
        for to in targets {
            let to_name = name(to);
            if SCHEDULING.iter().any(|s| to_name.starts_with(s)) {
                wrong.push(format!("{from_name} → {to_name}"));
            }
        }
    }
    let sees = |from: &str, to: &str| {
        edges
            .iter()
            .any(|(f, t)| name(f) == from && t.iter().any(|m| name(m) == to))
    };
    assert!(
        sees("tui::update", "tui::effect") && sees("tui::app", "tui::pool"),
        "the scan sees the edges it checks"
    );
    assert!(
        wrong.is_empty(),
        "update/render reach scheduling: {wrong:?}"
    );
}

/// `pub fn …(…) -> Result<_, String>` in a layer that should return typed errors.
fn string_errors(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut signature: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("pub fn") || trimmed.starts_with("pub async fn") {
            signature = Some(String::new());
        }
        if let Some(sig) = signature.as_mut() {
            sig.push_str(trimmed);
            if trimmed.contains('{') || trimmed.ends_with(';') {
                let head = sig.split('{').next().unwrap_or_default().to_string();
                if head.replace(' ', "").contains(",String>") {
                    found.push(head);
                }
                signature = None;
            }
        }
    }
    found
}

#[test]
fn oci_model_and_ops_return_typed_errors() {
    let (sources, _) = load();
    let found: Vec<String> = sources
        .iter()
        .filter(|f| {
            f.module
                .first()
                .is_some_and(|m| ["oci", "model", "ops"].contains(&m.as_str()))
        })
        .flat_map(|f| {
            string_errors(&f.text)
                .into_iter()
                .map(|sig| format!("{}: {sig}", name(&f.module)))
        })
        .collect();
    assert!(
        found.is_empty(),
        "String errors in public functions: {found:?}"
    );
    assert_eq!(
        string_errors("pub fn f(x: u8)\n    -> Result<u8, String> {\n"),
        ["pub fn f(x: u8)-> Result<u8, String> "],
        "the scan sees a signature over two lines"
    );
}
