//! Command-line arguments (clap derive).

use crate::model::usage::UsageSort;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "regscope",
    version,
    about = "Browse, size and clean up container registries",
    after_help = "Without a command, opens the interactive browser on TARGET: a registry (localhost:5000),\na repository (ghcr.io/org/app) or an image (localhost:5000/app:1.2).\n\nExit codes: 0 ok, 1 error, 2 bad usage or reference, 3 not found, 4 not authorised, 130 interrupted.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Registry, repository or image to browse (default: the config's `default`)
    pub target: Option<String>,
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(flatten)]
    pub tui: TuiArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Config file (default: $XDG_CONFIG_HOME/regscope/config.toml)
    #[arg(long, global = true, value_name = "FILE", env = "REGSCOPE_CONFIG")]
    pub config: Option<PathBuf>,
    /// User name for the command's registry (password from --password-stdin or
    /// REGSCOPE_PASSWORD); REGSCOPE_USERNAME/REGSCOPE_PASSWORD go only to
    /// REGSCOPE_REGISTRY (else the config's default registry)
    #[arg(long, short = 'u', global = true)]
    pub username: Option<String>,
    /// Read the password from standard input
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// Accept TLS certificates that do not verify (HTTPS still; see --plain-http)
    #[arg(long, global = true)]
    pub insecure: bool,
    /// Talk plain HTTP to the registry (credentials are then sent only to loopback)
    #[arg(long, global = true)]
    pub plain_http: bool,
    /// A PEM certificate to trust (a CA, or a self-signed server certificate); repeatable
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Vec<PathBuf>,
    /// Client certificate (PEM) for registries that ask for one (mutual TLS)
    #[arg(long, global = true, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// The key of --client-cert (PEM)
    #[arg(long, global = true, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// Print one JSON document on stdout instead of a table
    #[arg(long, global = true)]
    pub json: bool,
    /// Deadline of one request with its retries and body (`30s`, `2m`; default 30s)
    #[arg(long, global = true, value_name = "DURATION", value_parser = crate::config::parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// Answer from the cache only (tags and content seen before); no request is made
    #[arg(long, global = true)]
    pub offline: bool,
    /// Trust tags seen less than DURATION ago without asking the registry (`10m`)
    #[arg(long, global = true, value_name = "DURATION", value_parser = crate::config::parse_duration)]
    pub max_age: Option<std::time::Duration>,
    /// Parallel requests to one registry (default 8, or the config's)
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: Option<u16>,
    /// Requests to one registry per second at most (0: no limit; default 20, none on loopback)
    #[arg(long, global = true, value_name = "N")]
    pub max_requests_per_second: Option<u32>,
    /// Images no deletion may touch: a file of references or digests (kubectl's
    /// `docker-pullable://…` image IDs too), `-` for standard input; repeatable
    #[arg(long, global = true, value_name = "FILE")]
    pub protect: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// Do not capture the mouse (keeps the terminal's own text selection)
    #[arg(long)]
    pub no_mouse: bool,
    /// Turn deletion off (also `read_only = true` in the config)
    #[arg(long)]
    pub read_only: bool,
    /// Colour: auto honours NO_COLOR and TERM=dumb
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `files --sort`: each directory's entries by name, or largest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FileSort {
    Name,
    Size,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the repositories of a registry (its catalog)
    Repos {
        /// Registry host, e.g. localhost:5000
        registry: String,
    },
    /// List the tags of a repository, in natural order
    Tags {
        /// Repository, e.g. localhost:5000/team/app
        repository: String,
    },
    /// Show an image or index: platforms, layers, sizes and build steps
    Inspect(InspectArgs),
    /// The files inside an image, read from the registry without pulling: the
    /// merged tree of its layers (or one layer's own changes), sizes, wasted space
    Files(FilesArgs),
    /// Compare two images: layers shared and not, the size delta, the config
    /// (env, labels, cmd, entrypoint, user, workdir, ports); --files adds files
    Diff(DiffArgs),
    /// What refers to an image: signatures, attestations, SBOMs (a tree)
    Referrers(ReferrersArgs),
    /// The packages of an image's SBOMs (SPDX, CycloneDX; as referrers, cosign
    /// tags, attestations or BuildKit attestation manifests)
    Sbom(SupplyArgs),
    /// An image's build provenance (SLSA v0.2, v1): builder, source, commit, times
    Provenance(SupplyArgs),
    /// Check an image's cosign signatures against a public key (exit 0 only
    /// if one verifies)
    Verify(VerifyArgs),
    /// Which images of a repository or registry contain a package, by their SBOMs
    Search(SearchArgs),
    /// What is broken in a repository or registry: tags that do not resolve,
    /// missing index children and blobs, orphaned signatures (exit 1 if any)
    Check(CheckArgs),
    /// Bytes per tag: size, exclusive (freed by deleting it), shared, and the repository's unique total
    Du(DuArgs),
    /// Delete images: shows every tag that goes with each digest and the bytes freed, then asks
    Rm(RmArgs),
    /// Apply retention rules to a repository: the plan (what goes, what stays and
    /// why, the bytes freed), then the deletions after a confirmation
    Prune(PruneArgs),
    /// Carry out a plan written by `prune --plan-out`: every tag is re-checked; a
    /// plan past its expiry (24 h) is refused
    Apply(ApplyArgs),
    /// Copy an image or index (every platform, or --platform) between registries
    /// and OCI layouts: digests preserved, blobs verified as they stream,
    /// mounted within a registry, skipped where the destination has them
    Cp(CopyArgs),
    /// Put more tags on an image's digest (one manifest GET, one PUT per tag);
    /// a tag that names another digest is asked about and kept in the trash
    Tag(TagArgs),
    /// Mirror a repository's tags to another repository or a layout: only
    /// what changed moves; --delete also removes tags the source lost
    Sync(SyncArgs),
    /// What changed since the last stored look (or the last one older than
    /// --since): repositories and tags new, gone, or moved to another digest
    Changes(ChangesArgs),
    /// Deleted manifests kept for undo
    Trash {
        #[command(subcommand)]
        action: TrashAction,
    },
    /// Check credentials against a registry and store them where Docker does
    /// (prompts on a terminal; else --username and --password-stdin)
    Login {
        /// Registry host, e.g. localhost:5000
        registry: String,
    },
    /// Remove the credentials stored for a registry
    Logout {
        /// Registry host, e.g. localhost:5000
        registry: String,
    },
    /// The cache: stats, clear, prune (to its size bound)
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
    /// Print a shell completion script
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), e.g. `regscope man > regscope.1`
    Man,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Image reference, e.g. localhost:5000/app:1.2 or …/app@sha256:…
    pub image: String,
    /// Only this platform of an index, as os/arch[/variant]
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
}

#[derive(Debug, Args)]
pub struct FilesArgs {
    /// Image reference, e.g. localhost:5000/app:1.2 or …/app@sha256:…
    pub image: String,
    /// Which platform of an index, as os/arch[/variant] (default: linux on
    /// this machine's architecture, else the first)
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Only this layer's own changes (whiteouts included): its index from
    /// the bottom (0) or its digest
    #[arg(long, value_name = "N|DIGEST")]
    pub layer: Option<String>,
    /// Order of the entries in each directory (largest first, or by name)
    #[arg(long, value_enum, default_value_t = FileSort::Name)]
    pub sort: FileSort,
    /// Only entries this many levels deep (1 = the top-level ones)
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
    /// The paths that waste space (written by more than one layer), largest first
    #[arg(long)]
    pub wasted: bool,
    /// The largest layer streamed (e.g. 500MB, 4GiB; default 2GiB)
    #[arg(long, value_name = "SIZE", value_parser = crate::config::parse_size)]
    pub max_layer_size: Option<u64>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first image (the "before")
    pub a: String,
    /// The second image (the "after")
    pub b: String,
    /// Also the files added, removed and changed between the merged trees
    #[arg(long)]
    pub files: bool,
    /// Which platform of an index, for both images
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// The largest layer streamed (e.g. 500MB, 4GiB; default 2GiB)
    #[arg(long, value_name = "SIZE", value_parser = crate::config::parse_size)]
    pub max_layer_size: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ReferrersArgs {
    /// Image reference, e.g. localhost:5000/app:1.2 or …/app@sha256:…
    pub image: String,
    /// Only referrers of this artifact type
    #[arg(long, value_name = "TYPE")]
    pub artifact_type: Option<String>,
}

#[derive(Debug, Args)]
pub struct SupplyArgs {
    /// Image reference, e.g. localhost:5000/app:1.2 or …/app@sha256:…
    pub image: String,
    /// Only this platform of an index (and what is attached to the index itself)
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Image reference
    pub image: String,
    /// PEM public key (ECDSA P-256/P-384, RSA, Ed25519), as `cosign generate-key-pair` writes
    #[arg(long, value_name = "FILE")]
    pub key: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// A repository, or a whole registry
    pub target: String,
    /// NAME, NAME@VERSION or NAME@RANGE (`openssl@>=3.0,<3.0.14`)
    #[arg(long, value_name = "NAME[@VERSION]")]
    pub package: String,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A repository (localhost:5000/app) or a whole registry (localhost:5000)
    pub target: String,
    /// Also check that every layer blob is there (a HEAD each)
    #[arg(long)]
    pub blobs: bool,
    /// The registry's filesystem storage (its `rootdirectory`), read only:
    /// lists the untagged manifests nothing refers to (dangling)
    #[arg(long, value_name = "DIR")]
    pub storage: Option<std::path::PathBuf>,
    /// Delete the orphaned signature and referrer tags found, through the
    /// usual plan and confirmation (or --yes)
    #[arg(long)]
    pub prune_orphans: bool,
    /// With --prune-orphans: show the delete plan, delete nothing
    #[arg(long, requires = "prune_orphans")]
    pub dry_run: bool,
    /// With --prune-orphans: delete without asking
    #[arg(long, short = 'y', requires = "prune_orphans")]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct DuArgs {
    /// Repository (localhost:5000/team/app, oci:./layout), or a whole registry
    /// (localhost:5000): then one row per repository
    pub repository: String,
    /// Order of the rows (largest first; name is natural order)
    #[arg(long, default_value = "exclusive", value_parser = sort_parser())]
    pub sort: UsageSort,
    /// With a registry: only repositories matching this glob (`team/*`, `team/**`)
    #[arg(long, value_name = "GLOB")]
    pub repos: Option<String>,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Images by tag or digest, e.g. localhost:5000/app:1.0 or oci:./layout:old
    #[arg(required = true)]
    pub images: Vec<String>,
    /// Show what would be deleted, delete nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask (needed when standard input is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// OCI layouts: also delete blobs no remaining entry references
    #[arg(long)]
    pub prune: bool,
    /// Also delete platform or attestation manifests of indexes that stay
    /// (breaks those indexes)
    #[arg(long)]
    pub force: bool,
    /// Delete even where there is no trash directory to keep copies in (no undo)
    #[arg(long)]
    pub no_trash: bool,
    /// Leave each deleted image's signatures, attestations, SBOMs and referrers
    /// index in place (by default they go with it)
    #[arg(long)]
    pub keep_referrers: bool,
    /// Leave a deleted index's platform and attestation manifests in place
    /// (untagged: the registry's garbage collection then keeps their blobs)
    #[arg(long)]
    pub keep_children: bool,
    /// Weigh the bytes freed against every repository of the registry (its
    /// garbage collection is registry-wide); else a per-repository upper bound
    #[arg(long)]
    pub exact: bool,
}

/// Credentials for each side of a copy, as skopeo has them: each password
/// from standard input or its own environment variable, never an argument.
#[derive(Debug, Clone, Args)]
pub struct SideCredentials {
    /// User name for the source registry (password: --src-password-stdin or REGSCOPE_SRC_PASSWORD)
    #[arg(long, value_name = "USER")]
    pub src_username: Option<String>,
    /// Read the source registry's password from standard input
    #[arg(
        long,
        requires = "src_username",
        conflicts_with = "dest_password_stdin"
    )]
    pub src_password_stdin: bool,
    /// User name for the destination registry (password: --dest-password-stdin or REGSCOPE_DEST_PASSWORD)
    #[arg(long, value_name = "USER")]
    pub dest_username: Option<String>,
    /// Read the destination registry's password from standard input
    #[arg(long, requires = "dest_username")]
    pub dest_password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The image: localhost:5000/app:1.0, …/app@sha256:…, or oci:DIR:TAG
    pub source: String,
    /// Where it goes: host/repo[:tag] or oci:DIR[:TAG] (created when missing);
    /// without a tag, the source's tag (or by digest only)
    pub destination: String,
    /// Only this platform of an index (os/arch[/variant]): its manifest is copied
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// Also copy signatures, attestations and SBOMs (and theirs), with their tags
    #[arg(long)]
    pub referrers: bool,
    /// Say what would move (manifests, blobs there, mounted, copied, bytes), move nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub credentials: SideCredentials,
}

#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// A registry (every repository) or a repository
    pub target: String,
    /// Compare with the last look older than this (`1d`, `12h`)
    #[arg(long, value_name = "DURATION", value_parser = crate::config::parse_duration)]
    pub since: Option<std::time::Duration>,
    /// Keep looking every INTERVAL (listings and HEADs only) and print each change as it is seen
    #[arg(long, value_name = "INTERVAL", value_parser = crate::config::parse_duration)]
    pub watch: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct TagArgs {
    /// The image: localhost:5000/app:1.0 or …/app@sha256:…
    pub image: String,
    /// The new tags (in the same repository)
    #[arg(required = true)]
    pub tags: Vec<String>,
    /// Do not ask before moving a tag that names another digest
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Say what would change, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The repository mirrored: localhost:5000/team/app
    pub source: String,
    /// Where its tags go: host/repo, or oci:DIR (created when missing)
    pub destination: String,
    /// Only tags matching this regular expression
    #[arg(long, value_name = "REGEX")]
    pub tags: Option<String>,
    /// Only the N highest tags in version order (of those --tags selects)
    #[arg(long, value_name = "N")]
    pub keep_newest: Option<usize>,
    /// Also copy signatures, attestations and SBOMs
    #[arg(long)]
    pub referrers: bool,
    /// Also delete destination tags the selection no longer has (asks; --yes)
    #[arg(long)]
    pub delete: bool,
    /// Do not ask before deleting (with --delete)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Say what would move, move nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub credentials: SideCredentials,
}

impl RmArgs {
    /// `rm IMAGES` with the defaults, as other commands delete through it.
    pub fn plain(images: Vec<String>, dry_run: bool, yes: bool) -> RmArgs {
        RmArgs {
            images,
            dry_run,
            yes,
            prune: false,
            force: false,
            no_trash: false,
            keep_referrers: false,
            keep_children: false,
            exact: false,
        }
    }
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// A repository (localhost:5000/team/app), or a registry with --repos or --policy
    pub repository: String,
    /// Keep the N newest images (digests; tags on one digest count once)
    #[arg(long, value_name = "N")]
    pub keep_newest: Option<usize>,
    /// Keep tags matching this regular expression (repeatable), e.g. '^v\d+\.\d+\.\d+$'
    #[arg(long, value_name = "REGEX")]
    pub keep: Vec<String>,
    /// Only tags matching this are candidates at all, e.g. '^pr-'
    #[arg(long, value_name = "REGEX")]
    pub only: Option<String>,
    /// Only images created longer ago than this are candidates (90d, 12h, 2w)
    #[arg(long, value_name = "AGE", value_parser = crate::config::parse_age)]
    pub older_than: Option<i64>,
    /// Images without a created date may be deleted too (else they are kept)
    #[arg(long)]
    pub include_undated: bool,
    /// Show the plan, delete nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask (needed when standard input is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Refuse a plan that deletes more than N images
    #[arg(long, value_name = "N")]
    pub max_delete: Option<usize>,
    /// Refuse a plan that deletes more than this share of the images (default 80)
    #[arg(long, value_name = "PERCENT", default_value_t = 80, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub max_delete_percent: u8,
    /// Delete without keeping copies in the trash (no undo)
    #[arg(long)]
    pub no_trash: bool,
    /// Write the plan (regscope-plan/1 JSON) to FILE and delete nothing; `regscope apply FILE` carries it out
    #[arg(long, value_name = "FILE")]
    pub plan_out: Option<std::path::PathBuf>,
    /// With a registry: the repositories the rules apply to (`team/*`, `team/**`)
    #[arg(long, value_name = "GLOB")]
    pub repos: Option<String>,
    /// With a registry: apply every `[[policy]]` of the config (the cron-job form)
    #[arg(long)]
    pub policy: bool,
    /// Weigh the bytes freed against every repository of the registry (its
    /// garbage collection is registry-wide); else a per-repository upper bound
    #[arg(long)]
    pub exact: bool,
    /// Leave a deleted index's platform and attestation manifests in place
    /// (untagged: the registry's garbage collection then keeps their blobs)
    #[arg(long)]
    pub keep_children: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The plan file
    pub plan: std::path::PathBuf,
    /// Do not ask (needed when standard input is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Delete without keeping copies in the trash (no undo)
    #[arg(long)]
    pub no_trash: bool,
}

#[derive(Debug, Subcommand)]
pub enum CacheAction {
    /// Size, entries, repositories with tag snapshots and their age
    Stats,
    /// Remove everything cached
    Clear,
    /// Drop the least recently used content until the cache fits its bound
    Prune,
}

#[derive(Debug, Subcommand)]
pub enum TrashAction {
    /// List deleted manifests that can be restored
    List,
    /// Put a deleted manifest and its tags back (while the blobs still exist)
    Restore { id: String },
}

fn sort_parser() -> impl clap::builder::TypedValueParser<Value = UsageSort> {
    use clap::builder::TypedValueParser;
    let names = UsageSort::ALL.map(|(name, _)| name);
    clap::builder::PossibleValuesParser::new(names).try_map(|name| name.parse::<UsageSort>())
}
