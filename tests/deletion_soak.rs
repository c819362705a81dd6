//! A seeded soak of the executor's checks on a real registry: `prune --yes`
//! and `apply` run paused before each group while a writer, driven by a seeded
//! generator, retags the digest about to go (or one further down the plan),
//! pushes an index that lists it, or does nothing. Every writer action happens
//! before the checks of the group it races, so the invariants must hold
//! exactly: no tag the writer made is lost, every index it pushed still has
//! its children, and the registry's access log shows no DELETE of a digest the
//! writer had touched. The figures (rounds, actions, races each rule stopped)
//! are printed (`--nocapture`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{Blob, Fixtures, OCI_LAYER, Pusher, Style, image_at, layer};
use common::paused::Paused;
use common::registry::{RegistryConfig, TestRegistry};
use std::collections::{BTreeMap, HashMap, HashSet};

const ROUNDS: u64 = 8;
const IMAGES: u64 = 8;
const SIMPLESIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// splitmix64: a seeded, reproducible sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Default)]
struct Tally {
    rounds: u64,
    groups: usize,
    actions: BTreeMap<&'static str, usize>,
    stopped: BTreeMap<&'static str, usize>,
    deleted: usize,
}

/// Dated images `v0…`, every other one signed (a cosign simple-signing tag).
fn seed_round(registry: &TestRegistry, round: u64) -> HashMap<String, Blob> {
    let base = registry.url();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        let mut manifests = HashMap::new();
        for n in 0..IMAGES {
            let seed = round * 100 + n;
            let img = image_at(
                Style::Oci,
                "linux/amd64",
                vec![layer(seed, 300, OCI_LAYER)],
                &["x"],
                &format!("2024-01-{:02}T00:00:00Z", n + 1),
            );
            pusher
                .image("app", &img, &[&format!("v{n}")], &mut fx)
                .await;
            if n % 2 == 0 {
                let sig = image_at(
                    Style::Oci,
                    "linux/amd64",
                    vec![layer(seed + 50, 80, SIMPLESIGNING)],
                    &["sign"],
                    "2024-01-01T00:00:00Z",
                );
                let tag = format!("{}.sig", img.manifest.digest.replacen(':', "-", 1));
                pusher.image("app", &sig, &[&tag], &mut fx).await;
                manifests.insert(sig.manifest.digest.clone(), sig.manifest.clone());
            }
            manifests.insert(img.manifest.digest.clone(), img.manifest.clone());
        }
        manifests
    })
}

fn head(registry: &TestRegistry, reference: &str) -> Option<String> {
    common::blocking::manifest_digest(registry, "app", reference)
}

/// What the writer did to one digest before its group's checks.
enum Action {
    Retag { tag: String, digest: String },
    Index { tag: String, child: String },
}

fn act(registry: &TestRegistry, action: &Action, manifests: &HashMap<String, Blob>) {
    let base = registry.url();
    match action {
        Action::Retag { tag, digest } => {
            common::blocking::push_manifest(&base, "app", tag, &manifests[digest]);
        }
        Action::Index { tag, child } => {
            let blob = &manifests[child];
            let index = Blob::new(
                serde_json::to_vec(&serde_json::json!({
                    "schemaVersion": 2,
                    "mediaType": common::fixtures::OCI_INDEX,
                    "manifests": [{"mediaType": blob.media_type, "digest": blob.digest,
                        "size": blob.bytes.len(),
                        "platform": {"os": "linux", "architecture": "amd64"}}],
                }))
                .unwrap(),
                common::fixtures::OCI_INDEX,
            );
            common::blocking::push_manifest(&base, "app", tag, &index);
        }
    }
}

/// The rule that stopped a skipped group, from its reason.
fn rule_of(reason: &str) -> &'static str {
    if reason.contains("did not confirm") {
        "unconfirmed tag"
    } else if reason.contains("is listed by the index") {
        "listed by an index"
    } else if reason.contains("not a referrer") {
        "unverified referrer"
    } else if reason.contains("now points at") {
        "named tag moved"
    } else {
        "other"
    }
}

fn round(round: u64, tally: &mut Tally) {
    let storage = tempfile::tempdir().unwrap();
    let mut config = RegistryConfig::anonymous(storage.path());
    config.access_log = true;
    let registry = TestRegistry::start(config);
    let manifests = seed_round(&registry, round);
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/app", registry.host);
    let rules = ["--keep-newest", "2", "--max-delete-percent", "100"];
    let plan_file = home.path().join("plan.json");
    let mut dry: Vec<&str> = vec!["prune", &repo, "--json"];
    dry.extend(rules);
    dry.push("--plan-out");
    dry.push(plan_file.to_str().unwrap());
    let planned = common::run_json(home.path(), &dry);
    let doomed: Vec<String> = planned["repositories"][0]["delete"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["digest"].as_str().unwrap().to_string())
        .collect();
    let mut command: Vec<&str> = if round.is_multiple_of(2) {
        let mut c = vec!["prune", repo.as_str(), "--yes", "--json"];
        c.extend(rules);
        c
    } else {
        vec!["apply", plan_file.to_str().unwrap(), "--yes", "--json"]
    };
    command.push("--no-trash");
    let mut rng = Rng(round);
    let paused = Paused::start(home.path(), &command);
    let mut touched: HashSet<String> = HashSet::new();
    let mut actions = Vec::new();
    for n in 0..doomed.len() {
        paused.wait_paused(n);
        let target = match rng.below(4) {
            // A digest further down the plan, touched now, checked later.
            0 => &doomed[n + usize::try_from(rng.below(4)).unwrap() % (doomed.len() - n)],
            _ => &doomed[n],
        };
        let action = match rng.below(3) {
            0 => Some(Action::Retag {
                tag: format!("w{round}-{n}"),
                digest: target.clone(),
            }),
            1 if !touched.contains(target) => Some(Action::Index {
                tag: format!("wi{round}-{n}"),
                child: target.clone(),
            }),
            _ => None,
        };
        if let Some(action) = action {
            act(&registry, &action, &manifests);
            *tally
                .actions
                .entry(match action {
                    Action::Retag { .. } => "retag",
                    Action::Index { .. } => "index",
                })
                .or_default() += 1;
            touched.insert(target.clone());
            actions.push(action);
        } else {
            *tally.actions.entry("nothing").or_default() += 1;
        }
        paused.go(n);
    }
    let (_, doc, err) = paused.finish();
    let results = doc["results"].as_array().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(results.len(), doomed.len(), "{doc}");
    for r in results {
        match r["outcome"].as_str().unwrap() {
            "deleted" => tally.deleted += 1,
            "skipped" => {
                *tally
                    .stopped
                    .entry(rule_of(r["reason"].as_str().unwrap()))
                    .or_default() += 1
            }
            other => panic!("{other}: {r}"),
        }
    }
    tally.groups += doomed.len();
    for action in &actions {
        match action {
            Action::Retag { tag, digest } => assert_eq!(
                head(&registry, tag).as_deref(),
                Some(digest.as_str()),
                "round {round}: the writer's tag {tag} survives"
            ),
            Action::Index { tag, child } => {
                assert!(head(&registry, tag).is_some(), "round {round}: {tag}");
                assert!(
                    head(&registry, child).is_some(),
                    "round {round}: the child of {tag} survives"
                );
            }
        }
    }
    let deleted_by_log: HashSet<String> = registry
        .access_log()
        .into_iter()
        .filter(|(method, _)| method == "DELETE")
        .filter_map(|(_, path)| path.rsplit('/').next().map(str::to_string))
        .collect();
    let wrongly: Vec<&String> = deleted_by_log.intersection(&touched).collect();
    assert!(
        wrongly.is_empty(),
        "round {round}: DELETEs of digests the writer had touched: {wrongly:?}"
    );
    tally.rounds += 1;
}

#[test]
fn seeded_writers_never_lose_a_tag_or_an_index_child_to_prune_or_apply() {
    let mut tally = Tally::default();
    for r in 0..ROUNDS {
        round(r, &mut tally);
    }
    eprintln!(
        "soak: {} rounds, {} groups, {} deleted; writer actions {:?}; races stopped by rule {:?}",
        tally.rounds, tally.groups, tally.deleted, tally.actions, tally.stopped
    );
    assert!(
        tally.stopped.values().sum::<usize>() > 0,
        "the writer raced"
    );
    assert!(tally.deleted > 0, "untouched groups were deleted");
}
