//! Retention rules → a plan: which images (digests) go and which tags stay,
//! each with its reason. Pure: the caller supplies tags, digests, created
//! dates and index children.

use super::tag_order::natural_cmp;
use crate::oci::digest::Digest;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What the user asked for. At least one of `keep_newest`, `only` and
/// `older_than` must be given (a rule-less plan would delete everything).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Keep the N newest images (digests), newest by created date.
    pub keep_newest: Option<usize>,
    /// Tags matching any of these are kept.
    pub keep: Vec<regex::Regex>,
    /// Only tags matching this are candidates at all.
    pub only: Option<regex::Regex>,
    /// Only images created more than this many seconds ago are candidates.
    pub older_than: Option<i64>,
    /// Images with no created date may be candidates (else they are kept).
    pub include_undated: bool,
}

/// Why typed rules are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("invalid regular expression {text:?}: {reason}")]
    InvalidRegex { text: String, reason: String },
    #[error("name a rule: --keep-newest N, --older-than AGE or --only REGEX")]
    NoRule,
}

impl Rules {
    pub fn is_empty(&self) -> bool {
        self.keep_newest.is_none() && self.only.is_none() && self.older_than.is_none()
    }

    /// Rules from what a user typed (flags, a config policy, the browser's
    /// planner): regular expressions compiled, at least one selecting rule.
    pub fn from_text(
        keep_newest: Option<usize>,
        keep: &[String],
        only: Option<&str>,
        older_than: Option<i64>,
        include_undated: bool,
    ) -> Result<Rules, RulesError> {
        let regex = |text: &str| {
            regex::Regex::new(text).map_err(|e| RulesError::InvalidRegex {
                text: text.to_string(),
                reason: e.to_string(),
            })
        };
        let rules = Rules {
            keep_newest,
            keep: keep.iter().map(|k| regex(k)).collect::<Result<_, _>>()?,
            only: only.map(regex).transpose()?,
            older_than,
            include_undated,
        };
        if rules.is_empty() {
            return Err(RulesError::NoRule);
        }
        Ok(rules)
    }
}

/// One tagged image of the repository.
#[derive(Debug, Clone)]
pub struct Image {
    pub digest: Digest,
    pub tags: Vec<String>,
    /// Unix seconds, from the config.
    pub created: Option<i64>,
    /// An index's platform and attestation manifests.
    pub children: Vec<Digest>,
    /// Running somewhere (a protect list names it, a child, or a tag of it).
    pub protected: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doomed {
    pub digest: Digest,
    pub tags: Vec<String>,
    pub created: Option<i64>,
    /// Tag → the rule that made it a candidate.
    pub reasons: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub tag: String,
    pub digest: Digest,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionPlan {
    pub delete: Vec<Doomed>,
    pub keep: Vec<Kept>,
}

/// Why a protected image stays.
pub const PROTECTED: &str = "kept: protected (running)";

/// `sha256-<hex>.sig|.att|.sbom` (cosign) or `sha256-<hex>` (a referrers
/// tag-schema index) → the digest it is about.
fn signature_subject(tag: &str) -> Option<Digest> {
    super::attached::referrer_subject(tag)
}

fn describe_age(seconds: i64) -> String {
    match seconds {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s => format!("{s}s"),
    }
}

/// Why `tag` of `image` is a candidate, or why it is kept.
fn judge(tag: &str, image: &Image, rules: &Rules, now: i64) -> Result<String, String> {
    if let Some(re) = rules.keep.iter().find(|re| re.is_match(tag)) {
        return Err(format!("matches --keep {}", re.as_str()));
    }
    if let Some(only) = &rules.only
        && !only.is_match(tag)
    {
        return Err(format!("does not match --only {}", only.as_str()));
    }
    let mut reasons = Vec::new();
    if let Some(only) = &rules.only {
        reasons.push(format!("matches --only {}", only.as_str()));
    }
    if let Some(age) = rules.older_than {
        match image.created {
            Some(created) if created < now.saturating_sub(age) => {
                reasons.push(format!("older than {}", describe_age(age)));
            }
            Some(_) => return Err(format!("newer than {}", describe_age(age))),
            None if rules.include_undated => reasons.push("undated (--include-undated)".into()),
            None => return Err("no created date (--include-undated deletes these)".into()),
        }
    }
    if reasons.is_empty() {
        reasons.push("not among the newest kept".into());
    }
    Ok(reasons.join(", "))
}

/// The images to delete and the tags to keep under `rules` at time `now`.
pub fn plan(images: &[Image], rules: &Rules, now: i64) -> RetentionPlan {
    let (subjects, signed): (Vec<&Image>, Vec<&Image>) = images
        .iter()
        .partition(|i| !i.tags.iter().all(|t| signature_subject(t).is_some()));
    let newest = newest_in_scope(&subjects, rules);
    let mut plan = RetentionPlan::default();
    let mut kept_digests: HashSet<&Digest> = HashSet::new();
    for image in &subjects {
        let verdicts: Vec<(String, Result<String, String>)> = image
            .tags
            .iter()
            .map(|t| {
                let verdict = match newest.get(&image.digest) {
                    _ if image.protected => Err(PROTECTED.to_string()),
                    Some(rank) => Err(format!(
                        "among the {} newest (#{rank})",
                        rules.keep_newest.unwrap_or(0)
                    )),
                    None => judge(t, image, rules, now),
                };
                (t.clone(), verdict)
            })
            .collect();
        let keeper = verdicts
            .iter()
            .find(|(_, v)| v.is_err())
            .map(|(t, _)| t.clone());
        match keeper {
            None => plan.delete.push(Doomed {
                digest: image.digest.clone(),
                tags: image.tags.clone(),
                created: image.created,
                reasons: verdicts
                    .into_iter()
                    .filter_map(|(t, v)| Some((t, v.ok()?)))
                    .collect(),
            }),
            Some(keeper) => {
                kept_digests.insert(&image.digest);
                for (tag, verdict) in verdicts {
                    let reason = match verdict {
                        Err(why) => why,
                        Ok(_) => format!("kept: shares a digest with {keeper}"),
                    };
                    plan.keep.push(Kept {
                        tag,
                        digest: image.digest.clone(),
                        reason,
                    });
                }
            }
        }
    }
    spare_children_of_kept(&mut plan, images, &kept_digests);
    place_signatures(&mut plan, &signed);
    plan
}

/// The `keep_newest` images among those in scope (a tag matching `--only`),
/// newest first, ties by tag order; with their rank.
fn newest_in_scope(images: &[&Image], rules: &Rules) -> HashMap<Digest, usize> {
    let Some(n) = rules.keep_newest else {
        return HashMap::new();
    };
    let mut scoped: Vec<&&Image> = images
        .iter()
        .filter(|i| {
            rules
                .only
                .as_ref()
                .is_none_or(|only| i.tags.iter().any(|t| only.is_match(t)))
        })
        .collect();
    // Newest first; equal dates: the higher tag (1.5.0 before 1.4.0).
    scoped.sort_by(|a, b| {
        b.created
            .cmp(&a.created)
            .then_with(|| natural_cmp(first_tag(b), first_tag(a)))
    });
    scoped
        .into_iter()
        .take(n)
        .enumerate()
        .map(|(i, image)| (image.digest.clone(), i + 1))
        .collect()
}

fn first_tag(image: &Image) -> &str {
    image
        .tags
        .iter()
        .min_by(|a, b| natural_cmp(a, b))
        .map_or("", String::as_str)
}

/// A tagged digest that is a child of a kept index stays.
fn spare_children_of_kept(plan: &mut RetentionPlan, images: &[Image], kept: &HashSet<&Digest>) {
    let protected: HashSet<&Digest> = images
        .iter()
        .filter(|i| kept.contains(&i.digest))
        .flat_map(|i| &i.children)
        .collect();
    let (spared, doomed): (Vec<Doomed>, Vec<Doomed>) = plan
        .delete
        .drain(..)
        .partition(|d| protected.contains(&d.digest));
    plan.delete = doomed;
    for d in spared {
        for tag in d.tags {
            plan.keep.push(Kept {
                tag,
                digest: d.digest.clone(),
                reason: "part of a kept index".into(),
            });
        }
    }
}

/// Signature/attestation tags go with a deleted subject and stay with a kept one.
fn place_signatures(plan: &mut RetentionPlan, signed: &[&Image]) {
    let doomed: HashSet<Digest> = plan.delete.iter().map(|d| d.digest.clone()).collect();
    for image in signed {
        let subject_goes = image
            .tags
            .iter()
            .filter_map(|t| signature_subject(t))
            .all(|s| doomed.contains(&s));
        if subject_goes {
            let reasons = image
                .tags
                .iter()
                .map(|t| (t.clone(), "refers to a deleted image (signature, attestation, SBOM or referrers index)".to_string()))
                .collect();
            plan.delete.push(Doomed {
                digest: image.digest.clone(),
                tags: image.tags.clone(),
                created: image.created,
                reasons,
            });
        } else {
            for tag in &image.tags {
                plan.keep.push(Kept {
                    tag: tag.clone(),
                    digest: image.digest.clone(),
                    reason: "refers to a kept image".into(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const NOW: i64 = 1_000 * DAY;

    fn d(n: u8) -> Digest {
        Digest::sha256_of(&[n])
    }

    fn img(n: u8, tags: &[&str], age_days: Option<i64>) -> Image {
        Image {
            digest: d(n),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            created: age_days.map(|a| NOW - a * DAY),
            children: Vec::new(),
            protected: false,
        }
    }

    fn doomed_tags(plan: &RetentionPlan) -> Vec<String> {
        let mut tags: Vec<String> = plan.delete.iter().flat_map(|d| d.tags.clone()).collect();
        tags.sort();
        tags
    }

    fn re(text: &str) -> regex::Regex {
        regex::Regex::new(text).unwrap()
    }

    #[test]
    fn rules_are_empty_only_without_keep_newest_only_and_older_than() {
        let none = Rules::default();
        assert!(
            none.is_empty(),
            "--keep and --include-undated alone select nothing"
        );
        let with_keep = Rules {
            keep: vec![re("^v")],
            include_undated: true,
            ..Rules::default()
        };
        assert!(with_keep.is_empty());
        for rules in [
            Rules {
                keep_newest: Some(1),
                ..Rules::default()
            },
            Rules {
                only: Some(re("^pr-")),
                ..Rules::default()
            },
            Rules {
                older_than: Some(DAY),
                ..Rules::default()
            },
        ] {
            assert!(!rules.is_empty(), "{rules:?}");
        }
    }

    #[test]
    fn ages_read_in_the_largest_whole_unit() {
        assert_eq!(describe_age(90 * DAY), "90d");
        assert_eq!(describe_age(12 * 3_600), "12h");
        assert_eq!(describe_age(DAY + 3_600), "25h");
        assert_eq!(describe_age(90), "90s");
        assert_eq!(describe_age(7_201), "7201s");
    }

    #[test]
    fn older_than_is_strict_and_ties_go_to_the_higher_tag() {
        // Created exactly 30 days ago is not older than 30 days.
        let images = [img(1, &["a"], Some(30)), img(2, &["b"], Some(31))];
        let rules = Rules {
            older_than: Some(30 * DAY),
            ..Rules::default()
        };
        assert_eq!(doomed_tags(&plan(&images, &rules, NOW)), ["b"]);
        // Equal dates: the higher tag is the newer image, whatever the input order.
        let tied = [img(1, &["1.4.0"], Some(5)), img(2, &["1.5.0"], Some(5))];
        let rules = Rules {
            keep_newest: Some(1),
            ..Rules::default()
        };
        assert_eq!(doomed_tags(&plan(&tied, &rules, NOW)), ["1.4.0"]);
        let reversed = [tied[1].clone(), tied[0].clone()];
        assert_eq!(doomed_tags(&plan(&reversed, &rules, NOW)), ["1.4.0"]);
    }

    #[test]
    fn a_referrers_index_tag_follows_its_subject_like_a_signature() {
        let schema = |subject: u8, own: u8| {
            let tag = format!("sha256-{}", d(subject).hex());
            Image {
                digest: d(own),
                tags: vec![tag],
                created: Some(NOW),
                children: Vec::new(),
                protected: false,
            }
        };
        let images = [
            img(1, &["old"], Some(50)),
            img(2, &["new"], Some(1)),
            schema(1, 91),
            schema(2, 92),
        ];
        let rules = Rules {
            keep_newest: Some(1),
            ..Rules::default()
        };
        let plan = plan(&images, &rules, NOW);
        let gone: Vec<&Digest> = plan.delete.iter().map(|x| &x.digest).collect();
        assert_eq!(
            gone,
            [&d(1), &d(91)],
            "the old image and its referrers index"
        );
        assert!(
            plan.keep.iter().any(|k| k.digest == d(92)),
            "the kept image's stays"
        );
    }

    #[test]
    fn keep_newest_counts_images_not_tags() {
        let images = [
            img(1, &["a", "latest"], Some(1)),
            img(2, &["b"], Some(2)),
            img(3, &["c"], Some(3)),
        ];
        let rules = Rules {
            keep_newest: Some(2),
            ..Rules::default()
        };
        let plan = plan(&images, &rules, NOW);
        assert_eq!(doomed_tags(&plan), ["c"]);
        assert!(
            plan.keep
                .iter()
                .any(|k| k.tag == "latest" && k.reason.contains("#1"))
        );
    }

    #[test]
    fn keep_patterns_save_siblings_and_only_limits_candidates() {
        let images = [
            img(1, &["pr-1", "v1.0.0"], Some(100)),
            img(2, &["pr-2"], Some(100)),
            img(3, &["main-1"], Some(100)),
        ];
        let rules = Rules {
            keep: vec![re(r"^v\d+\.\d+\.\d+$")],
            only: Some(re("^pr-")),
            older_than: Some(30 * DAY),
            ..Rules::default()
        };
        let plan = plan(&images, &rules, NOW);
        assert_eq!(doomed_tags(&plan), ["pr-2"]);
        let pr1 = plan.keep.iter().find(|k| k.tag == "pr-1").unwrap();
        assert_eq!(pr1.reason, "kept: shares a digest with v1.0.0");
        let main = plan.keep.iter().find(|k| k.tag == "main-1").unwrap();
        assert!(main.reason.contains("does not match --only"));
        assert_eq!(
            plan.delete[0].reasons["pr-2"],
            "matches --only ^pr-, older than 30d"
        );
    }

    #[test]
    fn age_undated_children_and_signatures() {
        let sig = |n: u8| {
            format!(
                "sha256-{}.sig",
                d(n).to_string().trim_start_matches("sha256:")
            )
        };
        let mut index = img(1, &["old-index"], Some(400));
        index.children = vec![d(5)];
        let images = [
            index,
            img(2, &["old"], Some(400)),
            img(3, &["new"], Some(1)),
            img(4, &["undated"], None),
            img(5, &["child-tag"], Some(400)),
            img(6, &[sig(2).as_str()], Some(400)),
            img(7, &[sig(3).as_str()], Some(400)),
        ];
        let rules = Rules {
            older_than: Some(90 * DAY),
            keep: vec![re("^old-index$")],
            ..Rules::default()
        };
        let plan = plan(&images, &rules, NOW);
        assert_eq!(doomed_tags(&plan), ["old".to_string(), sig(2)]);
        let reason = |tag: &str| {
            plan.keep
                .iter()
                .find(|k| k.tag == tag)
                .unwrap()
                .reason
                .clone()
        };
        assert_eq!(reason("child-tag"), "part of a kept index");
        assert!(reason("undated").contains("--include-undated"));
        assert!(reason("new").contains("newer than 90d"));
        assert_eq!(reason(&sig(3)), "refers to a kept image");
        let with_undated = Rules {
            include_undated: true,
            ..rules
        };
        assert!(
            doomed_tags(&super::plan(&images, &with_undated, NOW)).contains(&"undated".to_string())
        );
    }
}
