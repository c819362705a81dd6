//! A list of repositories or tags, and why it stopped early when it did.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub items: Vec<String>,
    /// Set when the list may be incomplete (a bound was reached, a link looped).
    pub incomplete: Option<String>,
}
