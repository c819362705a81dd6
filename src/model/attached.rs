//! What tag names alone say about an image: cosign's `sha256-<hex>.sig|.att|.sbom`
//! tags and the referrers tag schema's `sha256-<hex>` index name their
//! subject, so the browser can badge an image without a request.

use crate::oci::digest::Digest;
use std::collections::HashMap;

/// The kinds of things attached to an image, as its badges show them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attached {
    pub signed: bool,
    pub attested: bool,
    pub sbom: bool,
    /// A referrers tag-schema index exists (anything else attached).
    pub referrers: bool,
}

impl Attached {
    /// `S`igned, `A`ttested, s`B`om, `R`eferrers: letters that read without colour.
    pub fn badges(&self) -> String {
        [
            (self.signed, 'S'),
            (self.attested, 'A'),
            (self.sbom, 'B'),
            (self.referrers, 'R'),
        ]
        .iter()
        .map(|(on, c)| if *on { *c } else { '·' })
        .collect()
    }
}

impl Attached {
    /// Adds what a referrer of `artifact_type` is (the referrers API names
    /// them by type): signatures (cosign, Notation, Sigstore bundles),
    /// attestations (in-toto, DSSE), SBOMs (SPDX, CycloneDX), anything else.
    pub fn add_artifact_type(&mut self, artifact_type: &str) {
        let t = artifact_type.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&["spdx", "cyclonedx", "sbom", "syft"]) {
            self.sbom = true;
        } else if has(&["in-toto", "dsse", "attestation", "provenance", "vex"]) {
            self.attested = true;
        } else if has(&["signature", "cosign", "sigstore", "notary", ".sig"]) {
            self.signed = true;
        } else {
            self.referrers = true;
        }
    }

    /// Both: what tag names say and what the referrers API says.
    pub fn union(self, other: Attached) -> Attached {
        Attached {
            signed: self.signed || other.signed,
            attested: self.attested || other.attested,
            sbom: self.sbom || other.sbom,
            referrers: self.referrers || other.referrers,
        }
    }
}

/// What an artifact manifest says it is by its media types: `signature`,
/// `attestation` or `sbom` (from its artifact type, config type or layer
/// types), or `None` for anything else (a runnable image, an index).
pub fn artifact_kind(doc: &crate::oci::manifest::ManifestDoc) -> Option<&'static str> {
    let types = doc
        .artifact_type
        .iter()
        .chain(doc.config.iter().map(|c| &c.media_type))
        .chain(doc.layers.iter().map(|l| &l.media_type));
    let mut kind = None;
    for t in types {
        let t = t.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&["spdx", "cyclonedx", "sbom", "syft"]) {
            kind = Some("sbom");
        } else if has(&["in-toto", "dsse", "attestation", "provenance", "vex"]) {
            kind = Some("attestation");
        } else if has(&["signature", "cosign", "sigstore", "notary", "simplesigning"]) {
            kind = Some("signature");
        } else if has(&["image.layer", "rootfs.diff", "image.rootfs"]) {
            // A file-system layer: a runnable image, whatever else it claims.
            return None;
        }
    }
    kind
}

/// The subject a cosign tag (`sha256-<hex>.sig|.att|.sbom`) is about, and which.
pub fn cosign_subject(tag: &str) -> Option<(Digest, &'static str)> {
    let rest = tag.strip_prefix("sha256-")?;
    let (hex, kind) = [("sig", ".sig"), ("att", ".att"), ("sbom", ".sbom")]
        .iter()
        .find_map(|(kind, suffix)| rest.strip_suffix(suffix).map(|hex| (hex, *kind)))?;
    Some((format!("sha256:{hex}").parse().ok()?, kind))
}

/// The subject a referrers tag-schema tag (`sha256-<hex>`, an index of
/// referrers) names.
pub fn schema_subject(tag: &str) -> Option<Digest> {
    format!("sha256:{}", tag.strip_prefix("sha256-")?)
        .parse()
        .ok()
}

/// The subject of any tag that is about another image: a cosign tag or a
/// referrers tag-schema index.
pub fn referrer_subject(tag: &str) -> Option<Digest> {
    cosign_subject(tag)
        .map(|(d, _)| d)
        .or_else(|| schema_subject(tag))
}

/// Everything the tag names of a repository attach to each subject digest.
pub fn attached_by_subject<'a>(tags: impl Iterator<Item = &'a str>) -> HashMap<Digest, Attached> {
    let mut found: HashMap<Digest, Attached> = HashMap::new();
    for tag in tags {
        if let Some((subject, kind)) = cosign_subject(tag) {
            let a = found.entry(subject).or_default();
            match kind {
                "sig" => a.signed = true,
                "att" => a.attested = true,
                _ => a.sbom = true,
            }
        } else if let Some(subject) = schema_subject(tag) {
            found.entry(subject).or_default().referrers = true;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_attach_to_their_subjects() {
        let d = Digest::sha256_of(b"image");
        let hex = d.hex();
        let tags = [
            format!("sha256-{hex}.sig"),
            format!("sha256-{hex}.sbom"),
            format!("sha256-{hex}"),
            "latest".to_string(),
            "sha256-nothex.sig".to_string(),
        ];
        let found = attached_by_subject(tags.iter().map(String::as_str));
        assert_eq!(found.len(), 1);
        let a = found[&d];
        assert!(a.signed && a.sbom && a.referrers && !a.attested);
        assert_eq!(a.badges(), "S·BR");
        assert_eq!(Attached::default().badges(), "····");
        let att = attached_by_subject(std::iter::once(format!("sha256-{hex}.att").as_str()));
        assert_eq!(att[&d].badges(), "·A··");
        assert_eq!(
            cosign_subject(&format!("sha256-{hex}.att")),
            Some((d, "att"))
        );
        assert_eq!(cosign_subject("latest"), None);
    }

    #[test]
    fn artifact_types_name_their_badge() {
        let mut a = Attached::default();
        a.add_artifact_type("application/vnd.dev.cosign.artifact.sig.v1+json");
        assert_eq!(a.badges(), "S···");
        a.add_artifact_type("application/vnd.in-toto+json");
        a.add_artifact_type("application/SPDX+json");
        assert_eq!(a.badges(), "SAB·");
        a.add_artifact_type("application/vnd.example.thing");
        assert_eq!(a.badges(), "SABR");
        let mut n = Attached::default();
        n.add_artifact_type("application/vnd.cncf.notary.signature");
        assert_eq!(
            n.union(Attached {
                sbom: true,
                ..Attached::default()
            })
            .badges(),
            "S·B·"
        );
    }
}
