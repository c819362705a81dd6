//! Catalog and tag listings: the largest page the registry accepts, then `Link`
//! headers (relative or absolute), bounded and loop-safe.

use super::client::{RegistryClient, pull_scope};
use super::link::next_link;
use super::transport::read_capped;
use crate::oci::error::{Error, Result};
use crate::oci::listing::Listing;
use reqwest::Method;
use serde::Deserialize;
use std::collections::HashSet;

/// Page sizes tried in order: Distribution accepts up to 1000 and answers 400 above.
const PAGE_SIZES: [Option<u32>; 3] = [Some(1000), Some(100), None];
const MAX_PAGES: usize = 10_000;
const MAX_ENTRIES: usize = 5_000_000;
const PAGE_LIMIT: u64 = 32 * 1024 * 1024;
/// Bytes of all pages together before a listing stops (and says it may be incomplete).
const LISTING_BYTES: usize = 256 * 1024 * 1024;
/// Time a listing may take in all before it stops the same way.
const LISTING_TIME: std::time::Duration = std::time::Duration::from_secs(600);

#[derive(Deserialize)]
struct CatalogPage {
    #[serde(default)]
    repositories: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct TagsPage {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

impl RegistryClient {
    /// Every repository in the catalog.
    pub async fn catalog(&self) -> Result<Listing> {
        let parse = |body: &[u8]| {
            serde_json::from_slice::<CatalogPage>(body).map(|p| p.repositories.unwrap_or_default())
        };
        self.list(
            "v2/_catalog",
            "registry:catalog:*",
            "the catalog",
            parse,
            &|_| {},
        )
        .await
    }

    /// Every tag of `repository`, in the registry's order (`null` means none).
    pub async fn tags(&self, repository: &str) -> Result<Listing> {
        self.tags_streaming(repository, &|_| {}).await
    }

    /// `tags`, with `so_far` called after each page with every tag listed yet.
    pub async fn tags_streaming(
        &self,
        repository: &str,
        so_far: &(dyn Fn(&[String]) + Sync),
    ) -> Result<Listing> {
        super::client::check_repository(repository)?;
        let path = format!("v2/{repository}/tags/list");
        let what = format!("tags of {repository}");
        let parse = |body: &[u8]| {
            serde_json::from_slice::<TagsPage>(body).map(|p| p.tags.unwrap_or_default())
        };
        self.list(&path, &pull_scope(repository), &what, parse, so_far)
            .await
    }

    async fn list(
        &self,
        path: &str,
        scope: &str,
        what: &str,
        parse: impl Fn(&[u8]) -> serde_json::Result<Vec<String>>,
        so_far: &(dyn Fn(&[String]) + Sync),
    ) -> Result<Listing> {
        let mut sizes = PAGE_SIZES.iter();
        let mut url = self.page_url(path, sizes.next().copied().flatten());
        let mut listing = Listing::default();
        let mut seen = HashSet::new();
        let mut bounds = Bounds::new();
        while seen.len() < MAX_PAGES {
            let looped = || format!("the registry's Link header loops back to {url}");
            let stop = bounds
                .out_of_time()
                .or_else(|| (!seen.insert(url.clone())).then(looped));
            if let Some(why) = stop {
                listing.incomplete = Some(why);
                return Ok(listing);
            }
            let resp = self.send(Method::GET, &url, scope, None).await?;
            if seen.len() == 1
                && resp.status().as_u16() == 400
                && let Some(n) = sizes.next()
            {
                // Page size refused (PAGINATION_NUMBER_INVALID): ask for a smaller one.
                url = self.page_url(path, *n);
                seen.clear();
                continue;
            }
            let (body, next) = self.page(resp, what).await?;
            if let Some(why) = bounds.read(body.len()) {
                listing.incomplete = Some(why);
                return Ok(listing);
            }
            let page =
                parse(&body).map_err(|e| self.invalid(&format!("{what}: not a listing ({e})")))?;
            listing.items.extend(page);
            if listing.items.len() > MAX_ENTRIES {
                listing.incomplete = Some(format!("stopped after {MAX_ENTRIES} entries"));
                return Ok(listing);
            }
            let Some(next) = next else {
                return Ok(listing);
            };
            so_far(&listing.items);
            url = self.follow(&url, &next)?;
        }
        listing.incomplete = Some(format!("stopped after {MAX_PAGES} pages"));
        Ok(listing)
    }

    /// A page's body (capped) and its `Link` to the next one.
    async fn page(
        &self,
        resp: reqwest::Response,
        what: &str,
    ) -> Result<(bytes::Bytes, Option<String>)> {
        if !resp.status().is_success() {
            return Err(self.error_from(resp, what).await);
        }
        let links = resp.headers().get_all(reqwest::header::LINK);
        let next = next_link(links.iter().filter_map(|v| v.to_str().ok()));
        let body = read_capped(resp, PAGE_LIMIT, &format!("a page of {what}")).await?;
        Ok((body, next))
    }

    fn page_url(&self, path: &str, n: Option<u32>) -> url::Url {
        match n {
            Some(n) => self.url(&format!("{path}?n={n}")),
            None => self.url(path),
        }
    }

    /// Resolves a `Link` target; it must stay on the registry's origin.
    fn follow(&self, current: &url::Url, next: &str) -> Result<url::Url> {
        let target = current
            .join(next)
            .map_err(|_| self.invalid(&format!("pagination Link {next:?} is not a URL")))?;
        if !super::auth::same_origin(&target, self.base_url()) {
            return Err(Error::InvalidResponse {
                registry: self.name().to_string(),
                detail: format!(
                    "pagination Link points to another host ({target}); not following it"
                ),
            });
        }
        Ok(target)
    }
}

/// How long a listing has taken and how many bytes its pages were.
struct Bounds {
    started: std::time::Instant,
    bytes: usize,
}

impl Bounds {
    fn new() -> Bounds {
        Bounds {
            started: std::time::Instant::now(),
            bytes: 0,
        }
    }

    fn out_of_time(&self) -> Option<String> {
        let minutes = LISTING_TIME.as_secs() / 60;
        (self.started.elapsed() > LISTING_TIME).then(|| format!("stopped after {minutes} minutes"))
    }

    /// Counts a page of `bytes`; why the listing stops when past the bound.
    fn read(&mut self, bytes: usize) -> Option<String> {
        self.bytes = self.bytes.saturating_add(bytes);
        let mib = LISTING_BYTES / (1024 * 1024);
        (self.bytes > LISTING_BYTES).then(|| format!("stopped after {mib} MiB of pages"))
    }
}
