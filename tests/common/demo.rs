//! The bundled demo's content: a few OCI layouts built from fixed bytes, so the
//! same files come out every time (`cargo run --example make_demo` writes them to
//! `assets/demo`; a test checks the committed copy matches).

use super::fixtures::{
    Blob, DOCKER_LAYER, Image, OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, Style, image, index,
};
use super::supply::{IN_TOTO, statement};
use serde_json::json;
use std::path::Path;

/// One tag (or untagged entry) of a layout and everything it references.
struct Entry {
    tag: Option<&'static str>,
    manifest: Blob,
    blobs: Vec<Blob>,
}

fn image_entry(tag: Option<&'static str>, img: &Image) -> Entry {
    let mut blobs = vec![img.config.clone()];
    blobs.extend(img.layers.iter().cloned());
    Entry {
        tag,
        manifest: img.manifest.clone(),
        blobs,
    }
}

fn index_entry(tag: &'static str, idx: Blob, children: &[&Image]) -> Entry {
    let mut blobs = Vec::new();
    for child in children {
        blobs.push(child.manifest.clone());
        blobs.push(child.config.clone());
        blobs.extend(child.layers.iter().cloned());
    }
    Entry {
        tag: Some(tag),
        manifest: idx,
        blobs,
    }
}

fn write_layout(dir: &Path, entries: &[Entry]) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let mut manifests = Vec::new();
    for entry in entries {
        for blob in std::iter::once(&entry.manifest).chain(&entry.blobs) {
            let hex = blob.digest.trim_start_matches("sha256:");
            std::fs::write(blobs.join(hex), &blob.bytes).unwrap();
        }
        let mut d = json!({"mediaType": entry.manifest.media_type, "digest": entry.manifest.digest, "size": entry.manifest.size()});
        if let Some(tag) = entry.tag {
            d["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
        }
        manifests.push(d);
    }
    let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests});
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec_pretty(&index).unwrap(),
    )
    .unwrap();
}

/// What a demo layer holds: (path, size) of its files; `->` makes a symlink,
/// a trailing `/` a directory, `.wh.` names a whiteout.
fn demo_files(seed: u64) -> Vec<(&'static str, usize)> {
    let app = |name: &'static str, base: usize| {
        vec![(name, base + usize::try_from(seed % 7).unwrap() * 90)]
    };
    match seed {
        101 | 104 => vec![
            ("bin/", 0),
            ("bin/busybox", 1_500),
            ("bin/sh->busybox", 0),
            ("bin/ls->busybox", 0),
            ("etc/", 0),
            ("etc/os-release", 180),
            ("etc/passwd", 300),
            ("etc/group", 200),
            ("lib/ld-musl-x86_64.so.1", 900),
            ("usr/bin/", 0),
            ("tmp/", 0),
        ],
        102 | 105 => vec![
            ("etc/ssl/certs/ca-certificates.crt", 450),
            ("usr/share/zoneinfo/UTC", 120),
            ("etc/passwd", 320),
            ("var/cache/apk/APKINDEX.tar.gz", 260),
        ],
        103 | 106 | 107 | 108 => {
            let mut files = app("usr/local/bin/frontend", 1_700);
            files.push(("var/cache/apk/.wh.APKINDEX.tar.gz", 0));
            files
        }
        111 => vec![
            ("bin/bash", 1_500),
            ("etc/debian_version", 10),
            ("etc/passwd", 400),
            ("usr/lib/x86_64-linux-gnu/libc.so.6", 1_800),
            ("var/lib/apt/lists/deb.debian.org_dists", 800),
            ("var/cache/", 0),
        ],
        112 => vec![
            ("usr/bin/python3", 1_200),
            ("usr/lib/python3.11/os.py", 500),
            ("etc/passwd", 410),
            ("var/lib/apt/lists/.wh.deb.debian.org_dists", 0),
        ],
        113 | 114 => {
            let mut files = app("srv/api/app/main.py", 300);
            files.extend([
                ("srv/api/requirements.txt", 80),
                ("srv/api/app/models.py", 200),
            ]);
            files
        }
        115 => vec![
            ("usr/bin/curl", 900),
            ("usr/bin/dig", 500),
            ("bin/busybox", 1_500),
        ],
        _ => vec![
            ("etc/passwd", 100),
            ("etc/group", 60),
            ("etc/nsswitch.conf", 50),
            ("home/nonroot/", 0),
            ("tmp/", 0),
            (
                "usr/share/doc/base-files/copyright",
                300 + usize::try_from(seed % 5).unwrap() * 40,
            ),
        ],
    }
}

/// A real tar+gzip layer of `demo_files(seed)`, the same bytes every time.
fn fs_layer(seed: u64, media_type: &str) -> Blob {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut tar = super::layers::Tar::default();
    for (path, size) in demo_files(seed) {
        tar = match (path.split_once("->"), path.strip_suffix('/')) {
            (Some((name, target)), _) => tar.symlink(name.as_bytes(), target.as_bytes()),
            (None, Some(dir)) => tar.dir(dir.as_bytes()),
            (None, None) => tar.random_file(path.as_bytes(), size, &mut rng),
        };
    }
    Blob::new(super::layers::gzip(&tar.finish()), media_type)
}

/// Writes the demo: four repositories under `dir`.
pub fn write_demo(dir: &Path) {
    let alpine = fs_layer(101, OCI_LAYER);
    let certs = fs_layer(102, OCI_LAYER);
    let frontend_steps = [
        "ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit",
        "RUN /bin/sh -c apk add --no-cache ca-certificates tzdata # buildkit",
        "COPY --from=build /out/frontend /usr/local/bin/frontend # buildkit",
    ];
    let v1_amd = image(
        Style::Oci,
        "linux/amd64",
        vec![alpine.clone(), certs.clone(), fs_layer(103, OCI_LAYER)],
        &frontend_steps,
    );
    let v1_arm = image(
        Style::Oci,
        "linux/arm64/v8",
        vec![
            fs_layer(104, OCI_LAYER),
            fs_layer(105, OCI_LAYER),
            fs_layer(106, OCI_LAYER),
        ],
        &frontend_steps,
    );
    let v2_amd = image(
        Style::Oci,
        "linux/amd64",
        vec![alpine.clone(), certs.clone(), fs_layer(107, OCI_LAYER)],
        &frontend_steps,
    );
    let v2_arm = image(
        Style::Oci,
        "linux/arm64/v8",
        vec![
            fs_layer(104, OCI_LAYER),
            fs_layer(105, OCI_LAYER),
            fs_layer(108, OCI_LAYER),
        ],
        &frontend_steps,
    );
    let att1 = demo_attestation(&v1_amd, "1.4.0", "3.3.1");
    let att2 = demo_attestation(&v2_amd, "1.5.0", "3.3.2");
    let idx1 = index(Style::Oci, &[v1_amd.clone(), v1_arm.clone()], Some(&att1));
    let idx2 = index(Style::Oci, &[v2_amd.clone(), v2_arm.clone()], Some(&att2));
    write_layout(
        &dir.join("shop/frontend"),
        &[
            index_entry("1.4.0", idx1, &[&v1_amd, &v1_arm, &att1]),
            index_entry("1.5.0", idx2.clone(), &[&v2_amd, &v2_arm, &att2]),
            index_entry("latest", idx2, &[&v2_amd, &v2_arm, &att2]),
        ],
    );

    let debian = fs_layer(111, DOCKER_LAYER);
    let api_steps = [
        "ADD file:6d4d3a1ee7ab5c0a5a4f2c4e8f7c9b1e in /",
        "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*",
        "COPY requirements.txt app/ /srv/api/",
    ];
    let api_old = image(
        Style::Docker,
        "linux/amd64",
        vec![
            debian.clone(),
            fs_layer(112, DOCKER_LAYER),
            fs_layer(113, DOCKER_LAYER),
        ],
        &api_steps,
    );
    let api_new = image(
        Style::Docker,
        "linux/amd64",
        vec![
            debian,
            fs_layer(112, DOCKER_LAYER),
            fs_layer(114, DOCKER_LAYER),
        ],
        &api_steps,
    );
    write_layout(
        &dir.join("shop/api"),
        &[
            image_entry(Some("2.3.1"), &api_old),
            image_entry(Some("2.4.0"), &api_new),
        ],
    );

    let debug = image(
        Style::Oci,
        "linux/amd64",
        vec![alpine, fs_layer(115, OCI_LAYER)],
        &[
            "ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit",
            "RUN /bin/sh -c apk add --no-cache curl bind-tools busybox-extras # buildkit",
        ],
    );
    write_layout(
        &dir.join("tools/debug"),
        &[image_entry(Some("v3"), &debug), image_entry(None, &debug)],
    );

    let base = image(
        Style::Oci,
        "linux/amd64",
        vec![fs_layer(116, OCI_LAYER)],
        &["ADD rootfs.tar.xz / # buildkit"],
    );
    let base_arm = image(
        Style::Oci,
        "linux/arm/v7",
        vec![fs_layer(117, OCI_LAYER)],
        &["ADD rootfs.tar.xz / # buildkit"],
    );
    write_layout(
        &dir.join("base/distroless"),
        &[
            image_entry(Some("nonroot-amd64"), &base),
            image_entry(Some("nonroot-armv7"), &base_arm),
        ],
    );
}

/// A BuildKit attestation manifest about `subject`, as `docker buildx build
/// --sbom --provenance` writes one: an SPDX SBOM and a SLSA v0.2 provenance.
fn demo_attestation(subject: &Image, version: &'static str, openssl: &'static str) -> Image {
    let packages: Vec<serde_json::Value> = [
        ("alpine-baselayout", "3.6.5-r0", "GPL-2.0-only"),
        ("busybox", "1.36.1-r29", "GPL-2.0-only"),
        ("ca-certificates", "20240705-r0", "MPL-2.0 AND MIT"),
        ("libcrypto3", openssl, "Apache-2.0"),
        ("libssl3", openssl, "Apache-2.0"),
        ("musl", "1.2.5-r0", "MIT"),
        ("tzdata", "2024b-r0", "Public-Domain"),
        ("zlib", "1.3.1-r1", "Zlib"),
        ("frontend", version, "Apache-2.0"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, v, license))| {
        json!({"SPDXID": format!("SPDXRef-Package-{i}"), "name": name, "versionInfo": v,
               "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
               "licenseConcluded": license, "licenseDeclared": license, "copyrightText": "NOASSERTION",
               "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                 "referenceLocator": format!("pkg:apk/alpine/{name}@{v}?arch=x86_64")}]})
    })
    .collect();
    let spdx = json!({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
        "name": "sbom", "documentNamespace": format!("https://demo.regscope/shop/frontend/{version}"),
        "creationInfo": {"creators": ["Tool: buildkit-v0.16.0", "Tool: syft-v1.14.0"], "created": "2024-10-01T09:00:00Z"},
        "packages": packages,
    });
    let provenance = json!({
        "builder": {"id": "https://github.com/shop/frontend/actions/runs/1132"},
        "buildType": "https://mobyproject.org/buildkit@v1",
        "invocation": {"configSource": {"uri": "https://github.com/shop/frontend.git#refs/tags/v".to_string() + version,
                                        "digest": {"sha1": "4b1d9c0e7a52f3d86e1f0a9b2c4d6e8f0a1b3c5d"}},
                       "parameters": {"frontend": "dockerfile.v0", "args": {"build-arg:VERSION": version}}},
        "metadata": {"buildStartedOn": "2024-10-01T08:57:12Z", "buildFinishedOn": "2024-10-01T08:59:40Z"},
    });
    let digest = &subject.manifest.digest;
    let sbom = Blob::new(
        statement(digest, "https://spdx.dev/Document", spdx),
        IN_TOTO,
    );
    let slsa = Blob::new(
        statement(digest, "https://slsa.dev/provenance/v0.2", provenance),
        IN_TOTO,
    );
    let config = Blob::new(
        br#"{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec(),
        OCI_CONFIG,
    );
    let layer = |blob: &Blob, predicate: &str| {
        let mut d = blob.descriptor();
        d["annotations"] = json!({"in-toto.io/predicate-type": predicate});
        d
    };
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config.descriptor(),
        "layers": [layer(&sbom, "https://spdx.dev/Document"), layer(&slsa, "https://slsa.dev/provenance/v0.2")],
    });
    Image {
        manifest: Blob::new(serde_json::to_vec(&manifest).expect("json"), OCI_MANIFEST),
        config,
        layers: vec![sbom, slsa],
        platform: "unknown/unknown".into(),
        steps: Vec::new(),
        created: String::new(),
    }
}
