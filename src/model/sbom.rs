//! SBOM documents read: SPDX 2.2/2.3 JSON and CycloneDX 1.4–1.6 JSON, down to
//! what people ask of them — packages (name, version, purl, licenses) and who
//! made the document when. Bounded: the caller caps the bytes, serde_json caps
//! the nesting (128 levels), and the packages kept are capped here.

use super::unreadable::Unreadable;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Packages kept from one document at most.
pub const MAX_PACKAGES: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub licenses: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sbom {
    /// `spdx` or `cyclonedx`.
    pub format: &'static str,
    /// `SPDX-2.3`, `1.5`, …
    pub spec_version: String,
    /// The tools that made it (`Tool: syft-1.0`, `cyclonedx-py 4.1`).
    pub tools: Vec<String>,
    /// When it was made, as the document says.
    pub created: Option<String>,
    pub packages: Vec<Package>,
    /// More packages than `MAX_PACKAGES` were listed.
    pub truncated: bool,
}

/// Reads an SBOM document of either format.
pub fn parse(bytes: &[u8]) -> Result<Sbom, Unreadable> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not an SBOM (JSON): {e}"))?;
    from_value(value)
}

/// An SBOM already parsed as JSON (the predicate of an attestation).
pub fn from_value(value: Value) -> Result<Sbom, Unreadable> {
    if value.get("spdxVersion").is_some() {
        spdx(value)
    } else if value.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        cyclonedx(value)
    } else {
        Err("neither SPDX (spdxVersion) nor CycloneDX (bomFormat)".into())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxDoc {
    spdx_version: String,
    #[serde(default)]
    creation_info: Option<SpdxCreation>,
    #[serde(default)]
    packages: Vec<SpdxPackage>,
}

#[derive(Deserialize)]
struct SpdxCreation {
    #[serde(default)]
    creators: Vec<String>,
    #[serde(default)]
    created: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    name: String,
    #[serde(default)]
    version_info: Option<String>,
    #[serde(default)]
    license_concluded: Option<String>,
    #[serde(default)]
    license_declared: Option<String>,
    #[serde(default)]
    external_refs: Vec<SpdxRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxRef {
    #[serde(default)]
    reference_type: String,
    #[serde(default)]
    reference_locator: String,
}

fn spdx(value: Value) -> Result<Sbom, Unreadable> {
    let doc: SpdxDoc = serde_json::from_value(value).map_err(|e| format!("SPDX: {e}"))?;
    let truncated = doc.packages.len() > MAX_PACKAGES;
    let packages = doc
        .packages
        .into_iter()
        .take(MAX_PACKAGES)
        .map(|p| Package {
            purl: p
                .external_refs
                .iter()
                .find(|r| r.reference_type == "purl")
                .map(|r| r.reference_locator.clone()),
            // What was concluded, else what was declared: one license each.
            licenses: [p.license_concluded, p.license_declared]
                .into_iter()
                .flatten()
                .find(|l| !matches!(l.as_str(), "NOASSERTION" | "NONE" | ""))
                .into_iter()
                .collect(),
            name: p.name,
            version: p.version_info,
        })
        .collect();
    let (tools, created) = doc.creation_info.map_or((Vec::new(), None), |c| {
        let tools = c
            .creators
            .into_iter()
            .filter(|c| c.starts_with("Tool:"))
            .collect();
        (tools, c.created)
    });
    Ok(Sbom {
        format: "spdx",
        spec_version: doc.spdx_version,
        tools,
        created,
        packages,
        truncated,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CdxDoc {
    spec_version: String,
    #[serde(default)]
    metadata: Option<CdxMetadata>,
    #[serde(default)]
    components: Vec<CdxComponent>,
}

#[derive(Deserialize)]
struct CdxMetadata {
    #[serde(default)]
    timestamp: Option<String>,
    /// 1.4: an array of tools; 1.5+: `{components, services}`.
    #[serde(default)]
    tools: Option<Value>,
}

#[derive(Deserialize)]
struct CdxComponent {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    licenses: Vec<Value>,
    #[serde(default)]
    components: Vec<CdxComponent>,
}

fn cyclonedx(value: Value) -> Result<Sbom, Unreadable> {
    let doc: CdxDoc = serde_json::from_value(value).map_err(|e| format!("CycloneDX: {e}"))?;
    let mut packages = Vec::new();
    let mut truncated = false;
    // Depth first without recursion: nested components are packages too.
    let mut stack: Vec<CdxComponent> = doc.components.into_iter().rev().collect();
    while let Some(c) = stack.pop() {
        if packages.len() == MAX_PACKAGES {
            truncated = true;
            break;
        }
        stack.extend(c.components.into_iter().rev());
        packages.push(Package {
            licenses: c.licenses.iter().filter_map(cdx_license).collect(),
            name: c.name,
            version: c.version,
            purl: c.purl,
        });
    }
    let (created, tools) = doc.metadata.map_or((None, Vec::new()), |m| {
        (
            m.timestamp,
            m.tools.map(|t| cdx_tools(&t)).unwrap_or_default(),
        )
    });
    Ok(Sbom {
        format: "cyclonedx",
        spec_version: doc.spec_version,
        tools,
        created,
        packages,
        truncated,
    })
}

/// `{"license": {"id"|"name"}}` or `{"expression": …}`.
fn cdx_license(entry: &Value) -> Option<String> {
    let license = entry.get("license");
    let text = license
        .and_then(|l| l.get("id").or_else(|| l.get("name")))
        .or_else(|| entry.get("expression"))?;
    text.as_str().map(str::to_string)
}

fn cdx_tools(tools: &Value) -> Vec<String> {
    let list = match tools {
        Value::Array(list) => list.iter().collect::<Vec<_>>(),
        Value::Object(o) => o
            .get("components")
            .and_then(Value::as_array)
            .map(|l| l.iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|t| {
            let name = t.get("name")?.as_str()?;
            let version = t.get("version").and_then(Value::as_str);
            Some(version.map_or(name.to_string(), |v| format!("{name} {v}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_and_cyclonedx_give_their_packages() {
        let spdx = br#"{"spdxVersion": "SPDX-2.3", "creationInfo": {"creators": ["Tool: t-1", "Organization: x"], "created": "2026-01-01T00:00:00Z"},
            "packages": [{"name": "openssl", "versionInfo": "3.0.2", "licenseConcluded": "Apache-2.0", "licenseDeclared": "NOASSERTION",
                          "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:deb/debian/openssl@3.0.2"}]}]}"#;
        let doc = parse(spdx).unwrap();
        assert_eq!(doc.tools, ["Tool: t-1"]);
        assert_eq!(doc.packages[0].licenses, ["Apache-2.0"]);
        assert_eq!(
            doc.packages[0].purl.as_deref(),
            Some("pkg:deb/debian/openssl@3.0.2")
        );
        let cdx = br#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "metadata": {"tools": {"components": [{"name": "cyclonedx-py", "version": "4"}]}},
            "components": [{"name": "a", "version": "1", "licenses": [{"license": {"id": "MIT"}}],
                            "components": [{"name": "b", "licenses": [{"expression": "MIT OR Apache-2.0"}]}]}]}"#;
        let doc = parse(cdx).unwrap();
        let names: Vec<&str> = doc.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(doc.packages[1].licenses, ["MIT OR Apache-2.0"]);
        assert_eq!(doc.tools, ["cyclonedx-py 4"]);
    }

    #[test]
    fn deep_nesting_and_strangers_are_errors_not_crashes() {
        let deep = format!(
            "{{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{}{}]}}",
            "{\"name\":\"x\",\"components\":[".repeat(5000),
            "]}".repeat(5000)
        );
        assert!(parse(deep.as_bytes()).is_err());
        assert!(parse(b"{\"hello\": 1}").is_err());
        assert!(parse(b"\x1b[2J").is_err());
    }
}
