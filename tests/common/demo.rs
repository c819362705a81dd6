//! The bundled demo's content: a few OCI layouts built from fixed bytes, so the
//! same files come out every time (`cargo run --example make_demo` writes them to
//! `assets/demo`; a test checks the committed copy matches).

use super::fixtures::{
    Blob, DOCKER_LAYER, Image, OCI_LAYER, Style, attestation, image, index, layer,
};
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

/// Writes the demo: four repositories under `dir`.
pub fn write_demo(dir: &Path) {
    let alpine = layer(101, 3_400, OCI_LAYER);
    let certs = layer(102, 600, OCI_LAYER);
    let frontend_steps = [
        "ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit",
        "RUN /bin/sh -c apk add --no-cache ca-certificates tzdata # buildkit",
        "COPY --from=build /out/frontend /usr/local/bin/frontend # buildkit",
    ];
    let v1_amd = image(
        Style::Oci,
        "linux/amd64",
        vec![alpine.clone(), certs.clone(), layer(103, 2_100, OCI_LAYER)],
        &frontend_steps,
    );
    let v1_arm = image(
        Style::Oci,
        "linux/arm64/v8",
        vec![
            layer(104, 3_300, OCI_LAYER),
            layer(105, 610, OCI_LAYER),
            layer(106, 2_000, OCI_LAYER),
        ],
        &frontend_steps,
    );
    let v2_amd = image(
        Style::Oci,
        "linux/amd64",
        vec![alpine.clone(), certs.clone(), layer(107, 2_400, OCI_LAYER)],
        &frontend_steps,
    );
    let v2_arm = image(
        Style::Oci,
        "linux/arm64/v8",
        vec![
            layer(104, 3_300, OCI_LAYER),
            layer(105, 610, OCI_LAYER),
            layer(108, 2_300, OCI_LAYER),
        ],
        &frontend_steps,
    );
    let att1 = attestation(109);
    let att2 = attestation(110);
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

    let debian = layer(111, 4_800, DOCKER_LAYER);
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
            layer(112, 1_900, DOCKER_LAYER),
            layer(113, 700, DOCKER_LAYER),
        ],
        &api_steps,
    );
    let api_new = image(
        Style::Docker,
        "linux/amd64",
        vec![
            debian,
            layer(112, 1_900, DOCKER_LAYER),
            layer(114, 760, DOCKER_LAYER),
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
        vec![alpine, layer(115, 1_500, OCI_LAYER)],
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
        vec![layer(116, 2_900, OCI_LAYER)],
        &["ADD rootfs.tar.xz / # buildkit"],
    );
    let base_arm = image(
        Style::Oci,
        "linux/arm/v7",
        vec![layer(117, 2_700, OCI_LAYER)],
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
