//! The one embedded store file (`<cache dir>/regscope.db`, SQLite in WAL mode,
//! shared safely by several regscope processes): content by digest, verified on
//! every read, and per repository the last tag → digest snapshot with its time.
//! Writes go to one writer thread that commits them in batches, off the hot
//! path; the content is bounded in bytes, least recently used out first. A
//! corrupt or foreign file is moved aside and rebuilt.

use crate::oci::digest::Digest;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The store's default size bound (config `cache.max_size`).
pub const DEFAULT_MAX_BYTES: u64 = 1024 * 1024 * 1024;
/// Written into the file; another value means a foreign or older file.
const SCHEMA_VERSION: i64 = 1;
/// Longest a flush waits for the writer before the process goes on exiting:
/// past the busy wait, so a commit queued behind another process still lands.
const FLUSH_WAIT: Duration = Duration::from_secs(15);
/// Read connections at most (the fetch width is 8 by default; reads are short).
const READERS: usize = 4;

/// A locked read connection.
struct Reader<'a>(std::sync::MutexGuard<'a, Option<Connection>>);

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        // Every `Reader` is made from a slot holding a connection (slot 0
        // always does).
        #[allow(clippy::expect_used)]
        self.0.as_ref().expect("a reader slot with a connection")
    }
}

fn readers_from(first: Connection) -> [Mutex<Option<Connection>>; READERS] {
    let mut first = Some(first);
    std::array::from_fn(|_| Mutex::new(first.take()))
}

/// How long a connection waits for another process's write lock.
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// A repository's tags as last seen, and when (Unix seconds): the oldest
/// time any of its rows was looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub tags: Vec<(String, Digest)>,
    /// Tags a complete listing named whose digest was never looked up (the
    /// browser resolves only the rows it shows).
    pub unresolved: Vec<String>,
    pub taken_at: i64,
}

/// Written for a listed tag whose digest is not known yet.
const UNRESOLVED: &str = "";

/// What `regscope cache stats` reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub path: String,
    pub file_bytes: u64,
    pub content_entries: u64,
    pub content_bytes: u64,
    pub max_bytes: u64,
    pub repositories: u64,
    pub oldest_snapshot: Option<i64>,
    pub newest_snapshot: Option<i64>,
}

enum Job {
    /// Content under its key (a digest, or a derived key such as a layer's file index).
    Put(String, bytes::Bytes),
    Touch(String),
    Snapshot {
        location: String,
        repository: String,
        snapshot: Snapshot,
    },
    /// One tag looked up now.
    Tag {
        location: String,
        repository: String,
        tag: String,
        digest: Digest,
    },
    /// A complete tag listing: vanished tags go, new ones come in unresolved.
    Listing {
        location: String,
        repository: String,
        tags: Vec<String>,
    },
    Catalog {
        location: String,
        repositories: Vec<String>,
    },
    Flush(mpsc::Sender<()>),
}

#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    /// Read connections: the first opened with the store, the others when
    /// every open one is busy (parallel fetches read in parallel).
    readers: Arc<[Mutex<Option<Connection>>; READERS]>,
    writer: Arc<Mutex<mpsc::Sender<Job>>>,
    max_bytes: u64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.path.display())
    }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The store file exists 0600 before SQLite opens it (its `-wal` and `-shm`
/// take the file's mode); an older, wider file and its companions are narrowed.
fn make_private(path: &Path) {
    let _ = crate::private::options()
        .create(true)
        .append(true)
        .open(path);
    for companion in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{companion}", path.display()));
        if crate::private::narrow(&file, 0o600).unwrap_or(false) {
            tracing::warn!(file = %file.display(), "the store was readable by others: narrowed to the user alone");
        }
    }
}

fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_WAIT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}

/// Creates the tables in a new file, or checks an existing file is ours.
fn prepare(conn: &Connection) -> Result<(), String> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if tables > 0 && version != SCHEMA_VERSION {
        return Err(format!(
            "schema version {version}, expected {SCHEMA_VERSION}"
        ));
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS content (
             digest TEXT PRIMARY KEY, bytes BLOB NOT NULL,
             size INTEGER NOT NULL, used INTEGER NOT NULL);
         CREATE INDEX IF NOT EXISTS content_used ON content(used);
         CREATE TABLE IF NOT EXISTS snapshot (
             location TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
             digest TEXT NOT NULL, taken_at INTEGER NOT NULL,
             PRIMARY KEY (location, repository, tag));
         CREATE TABLE IF NOT EXISTS catalog (
             location TEXT NOT NULL, repository TEXT NOT NULL, taken_at INTEGER NOT NULL,
             PRIMARY KEY (location, repository));
         CREATE TABLE IF NOT EXISTS history (
             location TEXT NOT NULL, repository TEXT NOT NULL, taken_at INTEGER NOT NULL,
             entries TEXT NOT NULL,
             PRIMARY KEY (location, repository, taken_at));",
    )
    .map_err(|e| e.to_string())?;
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(|e| e.to_string())
}

/// Opens `path` and checks or creates its tables in one IMMEDIATE transaction:
/// a second process starting on a new file waits for the first to finish
/// creating it, rather than seeing tables without a version (and moving the
/// file aside as foreign).
fn open_prepared(path: &Path) -> Result<Connection, String> {
    make_private(path);
    let mut conn = connect(path).map_err(|e| e.to_string())?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| e.to_string())?;
    prepare(&tx)?;
    tx.commit().map_err(|e| e.to_string())?;
    Ok(conn)
}

impl Store {
    /// Opens (or creates) the store at `path`; a damaged or foreign file is
    /// moved aside and a new one made, with the warning returned.
    pub fn open(path: &Path, max_bytes: u64) -> (Option<Store>, Option<String>) {
        if let Some(dir) = path.parent()
            && crate::private::create_dir(dir).is_err()
        {
            return (None, Some(format!("cannot create {}", dir.display())));
        }
        let (conn, warning) = match open_prepared(path) {
            Ok(conn) => (conn, None),
            Err(why) => {
                let aside = path.with_extension(format!("db.broken-{}", now()));
                let _ = std::fs::rename(path, &aside);
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
                let warning = format!(
                    "the cache {} was unreadable ({why}); moved it to {} and started a new one",
                    path.display(),
                    aside.display()
                );
                match open_prepared(path) {
                    Ok(conn) => (conn, Some(warning)),
                    Err(e) => return (None, Some(format!("{warning}, which failed too: {e}"))),
                }
            }
        };
        let writer = match spawn_writer(path, max_bytes) {
            Some(w) => w,
            None => return (None, warning),
        };
        let store = Store {
            path: path.to_path_buf(),
            readers: Arc::new(readers_from(conn)),
            writer: Arc::new(Mutex::new(writer)),
            max_bytes,
        };
        (Some(store), warning)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A free read connection (opening another when all are busy), else the
    /// first one once it is free.
    fn reader(&self) -> Reader<'_> {
        for slot in self.readers.iter() {
            let Ok(mut guard) = slot.try_lock() else {
                continue;
            };
            if guard.is_none() {
                *guard = connect(&self.path).ok();
            }
            if guard.is_some() {
                return Reader(guard);
            }
        }
        Reader(
            self.readers[0]
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    fn send(&self, job: Job) {
        let _ = self
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(job);
    }

    /// The bytes stored for `digest`, if present, within `limit` and intact
    /// (a damaged entry is dropped).
    pub fn read(&self, digest: &Digest, limit: u64) -> Option<Vec<u8>> {
        self.read_intact(&digest.to_string(), limit, |bytes| digest.matches(bytes))
    }

    /// The bytes stored under `key`, if within `limit` and `intact` (else a
    /// damaged entry, dropped); its use is recorded for the LRU.
    fn read_intact(
        &self,
        key: &str,
        limit: u64,
        intact: impl Fn(&[u8]) -> bool,
    ) -> Option<Vec<u8>> {
        let bytes: Vec<u8> = {
            let conn = self.reader();
            let mut stmt = conn
                .prepare_cached("SELECT bytes FROM content WHERE digest = ?1")
                .ok()?;
            stmt.query_row([key], |r| r.get(0))
                .optional()
                .ok()
                .flatten()?
        };
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
            return None;
        }
        if !intact(&bytes) {
            tracing::warn!(key, "damaged cache entry dropped");
            let _ = self
                .reader()
                .execute("DELETE FROM content WHERE digest = ?1", [key]);
            return None;
        }
        self.send(Job::Touch(key.to_string()));
        Some(bytes)
    }

    /// Queues `bytes` (already verified against `digest`) for the writer.
    pub fn write(&self, digest: &Digest, bytes: bytes::Bytes) {
        self.send(Job::Put(digest.to_string(), bytes));
    }

    /// Derived content under `key` (not content-addressed): stored with the
    /// sha256 of its bytes in front, so damage is found on read.
    pub fn write_derived(&self, key: &str, bytes: &[u8]) {
        let mut framed = <sha2::Sha256 as sha2::Digest>::digest(bytes).to_vec();
        framed.extend_from_slice(bytes);
        self.send(Job::Put(key.to_string(), bytes::Bytes::from(framed)));
    }

    /// What `write_derived` stored under `key`, intact and within `limit`.
    pub fn read_derived(&self, key: &str, limit: u64) -> Option<Vec<u8>> {
        let framed = self.read_intact(key, limit.saturating_add(32), |framed| {
            framed.split_at_checked(32).is_some_and(|(sum, bytes)| {
                <sha2::Sha256 as sha2::Digest>::digest(bytes).as_slice() == sum
            })
        })?;
        Some(framed.get(32..)?.to_vec())
    }

    pub fn snapshot(&self, location: &str, repository: &str) -> Option<Snapshot> {
        let conn = self.reader();
        let mut stmt = conn
            .prepare(
                "SELECT tag, digest, taken_at FROM snapshot
                 WHERE location = ?1 AND repository = ?2",
            )
            .ok()?;
        let rows = stmt
            .query_map(params![location, repository], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .ok()?;
        let mut tags = Vec::new();
        let mut unresolved = Vec::new();
        let mut taken_at = i64::MAX;
        for (tag, digest, taken) in rows.flatten() {
            if digest == UNRESOLVED {
                unresolved.push(tag);
            } else if let Ok(d) = digest.parse::<Digest>() {
                tags.push((tag, d));
            } else {
                continue;
            }
            taken_at = taken_at.min(taken);
        }
        (!tags.is_empty() || !unresolved.is_empty()).then_some(Snapshot {
            tags,
            unresolved,
            taken_at,
        })
    }

    /// Keeps that `tag` points at `digest` now (the rest of the snapshot stays).
    pub fn save_tag(&self, location: &str, repository: &str, tag: &str, digest: &Digest) {
        self.send(Job::Tag {
            location: location.to_string(),
            repository: repository.to_string(),
            tag: tag.to_string(),
            digest: digest.clone(),
        });
    }

    /// Keeps a complete listing of `repository`'s tags: vanished tags leave
    /// the snapshot, new ones join it unresolved.
    pub fn save_listing(&self, location: &str, repository: &str, tags: Vec<String>) {
        self.send(Job::Listing {
            location: location.to_string(),
            repository: repository.to_string(),
            tags,
        });
    }

    /// Repositories the store knows (from catalogs and tag snapshots), as
    /// `(location, repository)`, at most `limit`.
    pub fn places(&self, limit: usize) -> Vec<(String, String)> {
        let conn = self.reader();
        let Ok(mut stmt) = conn.prepare(
            "SELECT location, repository FROM catalog
             UNION SELECT location, repository FROM snapshot
             ORDER BY 1, 2 LIMIT ?1",
        ) else {
            return Vec::new();
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        stmt.query_map(params![limit], |r| Ok((r.get(0)?, r.get(1)?)))
            .map(|rows| rows.flatten().collect())
            .unwrap_or_default()
    }

    /// The newest look at `repository` (empty: the catalog) taken at or
    /// before `at` (Unix seconds; any when `None`): when, and its entries
    /// (`[tag, digest]` pairs, or repository names).
    pub fn history<T: serde::de::DeserializeOwned>(
        &self,
        location: &str,
        repository: &str,
        at: Option<i64>,
    ) -> Option<(i64, T)> {
        let conn = self.reader();
        let (taken_at, json): (i64, String) = conn
            .query_row(
                "SELECT taken_at, entries FROM history
                 WHERE location = ?1 AND repository = ?2 AND taken_at <= ?3
                 ORDER BY taken_at DESC LIMIT 1",
                params![location, repository, at.unwrap_or(i64::MAX)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok()?;
        serde_json::from_str(&json)
            .ok()
            .map(|entries| (taken_at, entries))
    }

    /// The rows of `repository`'s snapshot last written before `before`
    /// (Unix seconds): each tag with the digest it had then (`None`: listed,
    /// never looked up). What a browser session compares with.
    pub fn rows_before(
        &self,
        location: &str,
        repository: &str,
        before: i64,
    ) -> Vec<(String, Option<Digest>)> {
        let conn = self.reader();
        let Ok(mut stmt) = conn.prepare(
            "SELECT tag, digest FROM snapshot
             WHERE location = ?1 AND repository = ?2 AND taken_at < ?3",
        ) else {
            return Vec::new();
        };
        let rows = stmt.query_map(params![location, repository, before], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        });
        let Ok(rows) = rows else {
            return Vec::new();
        };
        rows.flatten()
            .map(|(tag, digest)| (tag, digest.parse::<Digest>().ok()))
            .collect()
    }

    /// Every repository of `location` a snapshot was kept of (visited,
    /// listed, sized), by name.
    pub fn repositories_seen(&self, location: &str) -> Vec<String> {
        let conn = self.reader();
        let Ok(mut stmt) = conn.prepare(
            "SELECT DISTINCT repository FROM snapshot WHERE location = ?1
             UNION SELECT DISTINCT repository FROM history
                   WHERE location = ?1 AND repository != ''
             ORDER BY 1 LIMIT 10000",
        ) else {
            return Vec::new();
        };
        stmt.query_map(params![location], |r| r.get::<_, String>(0))
            .map(|rows| rows.flatten().collect())
            .unwrap_or_default()
    }

    /// The repositories of the last complete catalog, and when it was taken.
    pub fn catalog(&self, location: &str) -> Option<(Vec<String>, i64)> {
        let conn = self.reader();
        let mut stmt = conn
            .prepare("SELECT repository, taken_at FROM catalog WHERE location = ?1")
            .ok()?;
        let rows = stmt
            .query_map(params![location], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .ok()?;
        let mut names = Vec::new();
        let mut taken_at = i64::MAX;
        for (name, taken) in rows.flatten() {
            names.push(name);
            taken_at = taken_at.min(taken);
        }
        (!names.is_empty()).then_some((names, taken_at))
    }

    pub fn save_catalog(&self, location: &str, repositories: Vec<String>) {
        self.send(Job::Catalog {
            location: location.to_string(),
            repositories,
        });
    }

    pub fn save_snapshot(&self, location: &str, repository: &str, tags: Vec<(String, Digest)>) {
        self.send(Job::Snapshot {
            location: location.to_string(),
            repository: repository.to_string(),
            snapshot: Snapshot {
                tags,
                unresolved: Vec::new(),
                taken_at: now(),
            },
        });
    }

    /// Waits (a bounded time) until queued writes are committed.
    pub fn flush(&self) {
        let (tx, rx) = mpsc::channel();
        self.send(Job::Flush(tx));
        let _ = rx.recv_timeout(FLUSH_WAIT);
    }

    pub fn stats(&self) -> Stats {
        let conn = self.reader();
        let count = |sql: &str| -> u64 {
            conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0))
                .ok()
                .flatten()
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0)
        };
        let time = |sql: &str| {
            conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0))
                .ok()
                .flatten()
        };
        Stats {
            path: self.path.display().to_string(),
            file_bytes: std::fs::metadata(&self.path).map_or(0, |m| m.len()),
            content_entries: count("SELECT count(*) FROM content"),
            content_bytes: count("SELECT sum(size) FROM content"),
            max_bytes: self.max_bytes,
            repositories: count(
                "SELECT count(*) FROM (SELECT DISTINCT location, repository FROM snapshot)",
            ),
            oldest_snapshot: time("SELECT min(taken_at) FROM snapshot"),
            newest_snapshot: time("SELECT max(taken_at) FROM snapshot"),
        }
    }

    pub fn clear(&self) -> Result<(), String> {
        self.flush();
        self.reader()
            .execute_batch(
                "DELETE FROM content; DELETE FROM snapshot; DELETE FROM catalog;
                 DELETE FROM history; VACUUM;",
            )
            .map_err(|e| e.to_string())
    }

    /// Drops the least recently used content until it fits `max_bytes`.
    pub fn prune(&self, max_bytes: u64) -> Result<u64, String> {
        self.flush();
        prune_to(&self.reader(), max_bytes).map_err(|e| e.to_string())
    }
}

/// Deletes least recently used content until the total is within `max_bytes`;
/// returns the bytes removed.
fn prune_to(conn: &Connection, max_bytes: u64) -> rusqlite::Result<u64> {
    let total: i64 = conn.query_row("SELECT coalesce(sum(size), 0) FROM content", [], |r| {
        r.get(0)
    })?;
    let mut over = u64::try_from(total).unwrap_or(0).saturating_sub(max_bytes);
    let mut removed = 0u64;
    while over > 0 {
        let oldest: Option<(String, i64)> = conn
            .query_row(
                "SELECT digest, size FROM content ORDER BY used LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((digest, size)) = oldest else { break };
        conn.execute("DELETE FROM content WHERE digest = ?1", [&digest])?;
        let size = u64::try_from(size).unwrap_or(0);
        over = over.saturating_sub(size);
        removed = removed.saturating_add(size);
    }
    Ok(removed)
}

fn spawn_writer(path: &Path, max_bytes: u64) -> Option<mpsc::Sender<Job>> {
    let conn = connect(path).ok()?;
    let (tx, rx) = mpsc::channel::<Job>();
    let spawned = std::thread::Builder::new()
        .name("store-writer".into())
        .spawn(move || {
            let mut conn = conn;
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                gather(&rx, &mut batch);
                let mut flushes = Vec::new();
                if let Err(e) = commit(&mut conn, batch, &mut flushes, max_bytes) {
                    tracing::warn!(error = %e, "cache writes lost");
                }
                for done in flushes {
                    let _ = done.send(());
                }
            }
        });
    spawned.ok().map(|_| tx)
}

/// How long the writer waits for more work after the first job of a batch.
const BATCH_WINDOW: Duration = Duration::from_millis(25);

/// Adds to `batch` what arrives within the batch window (a flush ends it at
/// once), so a busy run commits a few large transactions, not many small ones.
fn gather(rx: &mpsc::Receiver<Job>, batch: &mut Vec<Job>) {
    let until = std::time::Instant::now() + BATCH_WINDOW;
    while !matches!(batch.last(), Some(Job::Flush(_))) {
        let left = until.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    batch.extend(rx.try_iter());
}

/// One transaction for everything queued; then the size bound.
fn commit(
    conn: &mut Connection,
    batch: Vec<Job>,
    flushes: &mut Vec<mpsc::Sender<()>>,
    max_bytes: u64,
) -> rusqlite::Result<()> {
    // IMMEDIATE: the write lock is taken up front, where the busy timeout
    // waits for another process; a deferred transaction that reads first can
    // fail at once (SQLITE_BUSY_SNAPSHOT) when the other commits meanwhile.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let stamp = now();
    let mut wrote = false;
    for job in batch {
        wrote |= apply(&tx, job, stamp, flushes)?;
    }
    tx.commit()?;
    if wrote {
        prune_to(conn, max_bytes)?;
    }
    Ok(())
}

/// One queued job inside the transaction; whether it added content.
fn apply(
    tx: &rusqlite::Transaction<'_>,
    job: Job,
    stamp: i64,
    flushes: &mut Vec<mpsc::Sender<()>>,
) -> rusqlite::Result<bool> {
    match job {
        Job::Put(digest, bytes) => {
            let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
            tx.prepare_cached(
                "INSERT OR REPLACE INTO content (digest, bytes, size, used) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![digest, bytes.as_ref(), size, stamp])?;
            return Ok(true);
        }
        Job::Touch(digest) => {
            // Recency to the hour is enough for LRU, and spares a write per read.
            tx.prepare_cached(
                "UPDATE content SET used = ?2 WHERE digest = ?1 AND used < ?2 - 3600",
            )?
            .execute(params![digest, stamp])?;
        }
        Job::Snapshot {
            location,
            repository,
            snapshot,
        } => replace_snapshot(tx, &location, &repository, &snapshot)?,
        Job::Tag {
            location,
            repository,
            tag,
            digest,
        } => {
            tx.prepare_cached("INSERT OR REPLACE INTO snapshot VALUES (?1, ?2, ?3, ?4, ?5)")?
                .execute(params![
                    location,
                    repository,
                    tag,
                    digest.to_string(),
                    stamp
                ])?;
        }
        Job::Listing {
            location,
            repository,
            tags,
        } => replace_listing(tx, &location, &repository, &tags, stamp)?,
        Job::Catalog {
            location,
            repositories,
        } => replace_catalog(tx, &location, &repositories, stamp)?,
        Job::Flush(done) => flushes.push(done),
    }
    Ok(false)
}

/// The snapshot rows of `repository` become the resolved tags of `snapshot`.
fn replace_snapshot(
    tx: &rusqlite::Transaction<'_>,
    location: &str,
    repository: &str,
    snapshot: &Snapshot,
) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM snapshot WHERE location = ?1 AND repository = ?2",
        params![location, repository],
    )?;
    let mut insert =
        tx.prepare_cached("INSERT OR REPLACE INTO snapshot VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for (tag, digest) in &snapshot.tags {
        insert.execute(params![
            location,
            repository,
            tag,
            digest.to_string(),
            snapshot.taken_at
        ])?;
    }
    let entries: Vec<(&str, String)> = snapshot
        .tags
        .iter()
        .map(|(t, d)| (t.as_str(), d.to_string()))
        .collect();
    add_history(tx, location, repository, snapshot.taken_at, &entries)
}

/// Looks kept per repository (and per catalog) for `changes --since`.
const HISTORY_KEPT: i64 = 32;

/// Appends one look at a repository (or, with `repository` empty, at a
/// catalog) to the history, keeping the newest `HISTORY_KEPT`.
fn add_history(
    tx: &rusqlite::Transaction<'_>,
    location: &str,
    repository: &str,
    taken_at: i64,
    entries: &impl serde::Serialize,
) -> rusqlite::Result<()> {
    let json = serde_json::to_string(entries).unwrap_or_else(|_| "[]".into());
    // A look like the newest stands for the same state: the newest one's time
    // stays its start, and the 32 kept reach further back.
    let newest: Option<String> = tx
        .prepare_cached(
            "SELECT entries FROM history WHERE location = ?1 AND repository = ?2
             ORDER BY taken_at DESC LIMIT 1",
        )?
        .query_row(params![location, repository], |r| r.get(0))
        .ok();
    if newest.as_deref() == Some(json.as_str()) {
        return Ok(());
    }
    tx.prepare_cached("INSERT OR REPLACE INTO history VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![location, repository, taken_at, json])?;
    tx.prepare_cached(
        "DELETE FROM history WHERE location = ?1 AND repository = ?2 AND taken_at NOT IN
         (SELECT taken_at FROM history WHERE location = ?1 AND repository = ?2
          ORDER BY taken_at DESC LIMIT ?3)",
    )?
    .execute(params![location, repository, HISTORY_KEPT])?;
    Ok(())
}

fn replace_catalog(
    tx: &rusqlite::Transaction<'_>,
    location: &str,
    repositories: &[String],
    stamp: i64,
) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM catalog WHERE location = ?1", [location])?;
    let mut insert = tx.prepare_cached("INSERT OR REPLACE INTO catalog VALUES (?1, ?2, ?3)")?;
    for name in repositories {
        insert.execute(params![location, name, stamp])?;
    }
    add_history(tx, location, "", stamp, &repositories)
}

/// The snapshot rows of `repository` become exactly `tags`: known digests
/// stay, new tags come in unresolved.
fn replace_listing(
    tx: &rusqlite::Transaction<'_>,
    location: &str,
    repository: &str,
    tags: &[String],
    stamp: i64,
) -> rusqlite::Result<()> {
    let listed: std::collections::HashSet<&str> = tags.iter().map(String::as_str).collect();
    let stored: Vec<String> = tx
        .prepare_cached("SELECT tag FROM snapshot WHERE location = ?1 AND repository = ?2")?
        .query_map(params![location, repository], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut delete = tx.prepare_cached(
        "DELETE FROM snapshot WHERE location = ?1 AND repository = ?2 AND tag = ?3",
    )?;
    for tag in stored.iter().filter(|t| !listed.contains(t.as_str())) {
        delete.execute(params![location, repository, tag])?;
    }
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO snapshot VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for tag in tags {
        insert.execute(params![location, repository, tag, UNRESOLVED, stamp])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_snapshots_damage_and_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regscope.db");
        let (store, warning) = Store::open(&path, 10);
        let store = store.unwrap();
        assert!(warning.is_none());
        let a = Digest::sha256_of(b"aaaaaa");
        store.write(&a, bytes::Bytes::from_static(b"aaaaaa"));
        store.flush();
        assert_eq!(store.read(&a, 100), Some(b"aaaaaa".to_vec()));
        assert_eq!(store.read(&a, 3), None, "over the limit");
        let b = Digest::sha256_of(b"bbbbbb");
        store.write(&b, bytes::Bytes::from_static(b"bbbbbb"));
        store.flush();
        assert_eq!(store.read(&a, 100), None, "the least recently used went");
        assert!(store.read(&b, 100).is_some());
        store.save_snapshot("reg", "app", vec![("1.0".into(), b.clone())]);
        store.flush();
        let snap = store.snapshot("reg", "app").unwrap();
        assert_eq!(snap.tags, [("1.0".to_string(), b.clone())]);
        assert!(store.snapshot("reg", "other").is_none());
        // The browser's way: a complete listing, then the rows it looked up.
        store.save_listing("reg", "app", vec!["1.0".into(), "2.0".into()]);
        store.save_tag("reg", "app", "2.0", &a);
        store.save_listing("reg", "gone", vec!["x".into()]);
        store.flush();
        let snap = store.snapshot("reg", "app").unwrap();
        assert_eq!(
            snap.tags,
            [
                ("1.0".to_string(), b.clone()),
                ("2.0".to_string(), a.clone())
            ]
        );
        assert!(snap.unresolved.is_empty());
        store.save_listing("reg", "app", vec!["2.0".into(), "3.0".into()]);
        store.flush();
        let snap = store.snapshot("reg", "app").unwrap();
        assert_eq!(snap.tags, [("2.0".to_string(), a.clone())], "1.0 vanished");
        assert_eq!(snap.unresolved, ["3.0"]);
        assert_eq!(store.snapshot("reg", "gone").unwrap().unresolved, ["x"]);
        store.save_catalog("reg", vec!["app".into(), "gone".into()]);
        store.save_catalog("reg", vec!["app".into(), "new".into()]);
        store.flush();
        let (names, _) = store.catalog("reg").unwrap();
        assert_eq!(names, ["app", "new"]);
        assert!(store.catalog("elsewhere").is_none());
        // A wrong body under a digest is dropped on read.
        store.write(&a, bytes::Bytes::from_static(b"tampered"));
        store.flush();
        assert_eq!(store.read(&a, 100), None);
    }

    #[test]
    fn a_foreign_file_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regscope.db");
        std::fs::write(
            &path,
            b"this is not a database, just text that is long enough",
        )
        .unwrap();
        let (store, warning) = Store::open(&path, DEFAULT_MAX_BYTES);
        assert!(store.is_some());
        assert!(warning.unwrap().contains("moved it to"));
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains("broken"));
        assert!(aside);
    }
}
