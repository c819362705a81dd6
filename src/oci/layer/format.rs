//! Which blobs hold a file system, and how their bytes are compressed.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// From the first bytes of the blob (media types lie more often than magic).
    pub fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            _ => Compression::None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Compression::None => "tar",
            Compression::Gzip => "tar+gzip",
            Compression::Zstd => "tar+zstd",
        }
    }
}

/// What a layer descriptor's media type says about listing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerFormat {
    /// A tar (compressed or not): list it.
    FileSystem,
    /// A foreign / non-distributable layer (Windows base layers): its bytes
    /// live at its `urls`, usually not in the registry.
    Foreign,
    /// Not a file system at all: an SBOM, a signature, a Helm chart, a WASM
    /// module… The media type says which.
    NotAFileSystem,
}

const FILE_SYSTEM: [&str; 6] = [
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.diff.tar",
    "application/vnd.docker.image.rootfs.diff.tar.zstd",
];

pub fn classify(media_type: &str) -> LayerFormat {
    let media_type = media_type.trim();
    if media_type.contains("nondistributable") || media_type.contains("rootfs.foreign") {
        return LayerFormat::Foreign;
    }
    if FILE_SYSTEM.contains(&media_type) || media_type.is_empty() {
        return LayerFormat::FileSystem;
    }
    LayerFormat::NotAFileSystem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_foreign_layers_and_artifacts_are_told_apart() {
        for fs in FILE_SYSTEM {
            assert_eq!(classify(fs), LayerFormat::FileSystem, "{fs}");
        }
        assert_eq!(
            classify("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"),
            LayerFormat::Foreign
        );
        assert_eq!(
            classify("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"),
            LayerFormat::Foreign
        );
        assert_eq!(
            classify("application/vnd.cncf.helm.chart.content.v1.tar+gzip"),
            LayerFormat::NotAFileSystem
        );
        assert_eq!(
            classify("application/vnd.dev.cosign.simplesigning.v1+json"),
            LayerFormat::NotAFileSystem
        );
    }

    #[test]
    fn compression_is_read_from_the_magic() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd]),
            Compression::Zstd
        );
        assert_eq!(Compression::sniff(b"etc/"), Compression::None);
        assert_eq!(Compression::sniff(&[0x1f]), Compression::None);
    }
}
