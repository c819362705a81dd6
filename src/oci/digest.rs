//! Content digests (`sha256:<hex>`, `sha512:<hex>`), parsed strictly and verified.

use sha2::{Digest as _, Sha256, Sha512};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

/// A validated content digest, kept as raw bytes (a tag list can hold many).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Digest {
    Sha256([u8; 32]),
    Sha512(Box<[u8; 64]>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("digest {0:?} has no algorithm prefix (expected sha256:<64 hex digits>)")]
    NoAlgorithm(String),
    #[error("digest algorithm {0:?} is not supported (use sha256 or sha512)")]
    UnsupportedAlgorithm(String),
    #[error("{algorithm} digest must have {expected} lowercase hex digits, got {got:?}")]
    BadHex {
        algorithm: &'static str,
        expected: usize,
        got: String,
    },
}

impl Digest {
    pub fn sha256_of(bytes: &[u8]) -> Digest {
        Digest::compute(Algorithm::Sha256, bytes)
    }

    fn compute(algorithm: Algorithm, bytes: &[u8]) -> Digest {
        match algorithm {
            Algorithm::Sha256 => Digest::Sha256(Sha256::digest(bytes).into()),
            Algorithm::Sha512 => Digest::Sha512(Box::new(Sha512::digest(bytes).into())),
        }
    }

    fn algorithm_kind(&self) -> Algorithm {
        match self {
            Digest::Sha256(_) => Algorithm::Sha256,
            Digest::Sha512(_) => Algorithm::Sha512,
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Digest::Sha256(b) => b,
            Digest::Sha512(b) => &b[..],
        }
    }

    /// The digest of `bytes` computed with this digest's algorithm.
    pub fn recompute(&self, bytes: &[u8]) -> Digest {
        Digest::compute(self.algorithm_kind(), bytes)
    }

    pub fn matches(&self, bytes: &[u8]) -> bool {
        self.recompute(bytes) == *self
    }

    pub fn algorithm(&self) -> &'static str {
        self.algorithm_kind().name()
    }

    pub fn hex(&self) -> String {
        hex::encode(self.bytes())
    }

    /// The first 12 hex digits, as `docker images` shows them.
    pub fn short(&self) -> String {
        hex::encode(&self.bytes()[..6])
    }
}

/// A digest computed as bytes stream past (a layer too large to hold).
pub struct DigestHasher {
    state: HasherState,
    /// Bytes seen; a size that overflows `u64` saturates.
    pub bytes: u64,
}

enum HasherState {
    Sha256(Sha256),
    Sha512(Box<Sha512>),
}

impl DigestHasher {
    pub fn update(&mut self, chunk: &[u8]) {
        match &mut self.state {
            HasherState::Sha256(h) => h.update(chunk),
            HasherState::Sha512(h) => h.update(chunk),
        }
        let len = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
        self.bytes = self.bytes.saturating_add(len);
    }

    pub fn finish(self) -> Digest {
        match self.state {
            HasherState::Sha256(h) => Digest::Sha256(h.finalize().into()),
            HasherState::Sha512(h) => Digest::Sha512(Box::new(h.finalize().into())),
        }
    }
}

impl Digest {
    /// A hasher with this digest's algorithm, to check bytes as they stream.
    pub fn hasher(&self) -> DigestHasher {
        let state = match self.algorithm_kind() {
            Algorithm::Sha256 => HasherState::Sha256(Sha256::new()),
            Algorithm::Sha512 => HasherState::Sha512(Box::new(Sha512::new())),
        };
        DigestHasher { state, bytes: 0 }
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (algo, hex) = s
            .split_once(':')
            .ok_or_else(|| DigestError::NoAlgorithm(s.to_string()))?;
        let algorithm = match algo {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            other => return Err(DigestError::UnsupportedAlgorithm(other.to_string())),
        };
        let valid = hex.len() == algorithm.hex_len()
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid {
            return Err(DigestError::BadHex {
                algorithm: algorithm.name(),
                expected: algorithm.hex_len(),
                got: hex.chars().take(140).collect(),
            });
        }
        let bad_hex = || DigestError::BadHex {
            algorithm: algorithm.name(),
            expected: algorithm.hex_len(),
            got: hex.chars().take(140).collect(),
        };
        let raw = hex::decode(hex).map_err(|_| bad_hex())?;
        Ok(match algorithm {
            Algorithm::Sha256 => Digest::Sha256(raw.try_into().map_err(|_| bad_hex())?),
            Algorithm::Sha512 => {
                let bytes: [u8; 64] = raw.try_into().map_err(|_| bad_hex())?;
                Digest::Sha512(Box::new(bytes))
            }
        })
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm(), self.hex())
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_round_trips() {
        let d = Digest::sha256_of(b"hello");
        let text = d.to_string();
        assert_eq!(
            text,
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(text.parse::<Digest>().unwrap(), d);
        assert!(d.matches(b"hello"));
        assert!(!d.matches(b"hello!"));
        assert_eq!(d.short(), "2cf24dba5fb0");
        let mut streamed = d.hasher();
        streamed.update(b"hel");
        streamed.update(b"lo");
        assert_eq!(streamed.bytes, 5);
        assert_eq!(streamed.finish(), d);
        let long: Digest = format!("sha512:{}", "a".repeat(128)).parse().unwrap();
        let mut h = long.hasher();
        h.update(b"hello");
        assert_eq!(h.finish(), long.recompute(b"hello"));
    }

    #[test]
    fn rejects_bad_digests() {
        assert!(matches!(
            "abc".parse::<Digest>(),
            Err(DigestError::NoAlgorithm(_))
        ));
        assert!(matches!(
            "md5:abcd".parse::<Digest>(),
            Err(DigestError::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            "sha256:abcd".parse::<Digest>(),
            Err(DigestError::BadHex { .. })
        ));
        let upper = format!("sha256:{}", "A".repeat(64));
        assert!(upper.parse::<Digest>().is_err());
        let sha512 = format!("sha512:{}", "a".repeat(128));
        assert!(sha512.parse::<Digest>().is_ok());
    }
}
