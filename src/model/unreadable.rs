//! A document (an SBOM, an in-toto statement, a provenance, a signature's
//! payload or key) that does not read as what it claims to be: why, in one line.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);

impl From<String> for Unreadable {
    fn from(why: String) -> Unreadable {
        Unreadable(why)
    }
}

impl From<&str> for Unreadable {
    fn from(why: &str) -> Unreadable {
        Unreadable(why.to_string())
    }
}
