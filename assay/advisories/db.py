"""The advisory database: one SQLite file, written atomically, read at match time.

Location: ``--db PATH``, else ``$ASSAY_DB``, else
``$XDG_CACHE_HOME/assay/db/assay.db`` (``~/.cache/assay/db/assay.db``).

Tables (schema :data:`SCHEMA_VERSION`):

``advisory(rowid, feed, id, source, modified, withdrawn, doc)``
    one row per advisory, unique by ``(feed, id)``: the feed is where the
    record comes from (``osv``, ``debian-tracker:12``, ``alpine-secdb:3.19/main``,
    ``vunnel:rhel:8``...), so the same CVE from two feeds is two records and
    re-importing a feed updates its records instead of duplicating them.
    ``doc`` is the whole advisory as compact JSON.
``affected(ecosystem, package, adv, idx)``
    the lookup index (a WITHOUT ROWID b-tree keyed by ecosystem and package):
    entry ``idx`` of advisory ``adv`` concerns ``package`` in ``ecosystem``.
    Withdrawn advisories are not indexed, so lookups never see them.
``alias(alias, adv)``, ``kev(cve, doc)``, ``epss(cve, score, percentile)``, ``eol(namespace, doc)``
``meta(key, value)``
    ``schema_version``, ``built``, ``newest_modified``, ``sources`` (per feed:
    location, import time, record counts per ecosystem), ``kev``/``epss``
    snapshot details, and the HTTP validators used by ``assay db update``.

A lookup is one index range scan plus one fetch per advisory not seen yet;
decoded advisories and per-key results are cached, so a scan of thousands of
packages costs milliseconds.

Writing goes through :class:`DatabaseWriter`: it copies the current file (or
starts empty) to a temporary file in the same directory, writes there with
journaling off, then fsyncs and renames it over the old one.  A crash, SIGKILL
or Ctrl-C at any point leaves the previous database untouched; a lock file
serialises writers, and leftover temporary files are removed by the next one.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ..errors import MatchError
from .feeds import Eol, Epss, Kev, Record, Skip, Warn, read_input
from .paths import default_db_path
from .model import Advisory, Affected, Range, Severity

__all__ = [
    "SCHEMA_VERSION",
    "DEFAULT_MAX_AGE_DAYS",
    "DatabaseError",
    "DatabaseMissing",
    "AdvisoryDB",
    "DatabaseWriter",
    "DBStatus",
    "SourceStatus",
    "ImportReport",
    "default_db_path",
    "check_age",
    "import_inputs",
    "encode_advisory",
    "decode_advisory",
]

SCHEMA_VERSION = 1
DEFAULT_MAX_AGE_DAYS = 5.0  # grype's default for db.max-allowed-built-age (120h)


class DatabaseError(MatchError):
    """The advisory database cannot be opened, read or written."""


class DatabaseMissing(DatabaseError):
    """There is no database at the path asked for."""


# -- the stored form of an advisory ------------------------------------------------------


def encode_advisory(adv: Advisory) -> str:
    """Compact JSON for ``advisory.doc`` (empty fields left out, affected entries as arrays)."""
    d: dict[str, Any] = {"id": adv.id}
    if adv.aliases:
        d["al"] = adv.aliases
    if adv.summary:
        d["su"] = adv.summary
    if adv.details:
        d["de"] = adv.details
    if adv.severities:
        d["sv"] = [[s.source, s.kind, s.vector, s.score, s.rating] for s in adv.severities]
    if adv.published:
        d["pu"] = adv.published
    if adv.modified:
        d["mo"] = adv.modified
    if adv.withdrawn:
        d["wd"] = adv.withdrawn
    if adv.references:
        d["rf"] = adv.references
    if adv.source:
        d["so"] = adv.source
    if adv.affected:
        d["af"] = [
            [
                f.ecosystem,
                f.package,
                [[r.type, r.events, r.constraint] if r.constraint else [r.type, r.events] for r in f.ranges],
                f.versions,
                f.fix_state,
                f.fixed_versions,
                f.version_scheme,
                dict(f.qualifiers) if f.qualifiers else 0,
            ]
            for f in adv.affected
        ]
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


def _ranges(raw: list[list[Any]]) -> tuple[Range, ...]:
    return tuple(
        [Range(type=r[0], events=tuple([(e[0], e[1]) for e in r[1]]), constraint=r[2] if len(r) > 2 else "") for r in raw]
    )


def _affected(f: list[Any]) -> Affected:
    return Affected(
        ecosystem=f[0],
        package=f[1],
        ranges=_ranges(f[2]) if f[2] else (),
        versions=tuple(f[3]),
        fix_state=f[4],
        fixed_versions=tuple(f[5]),
        version_scheme=f[6],
        qualifiers=f[7] or {},
    )


_loads = json.JSONDecoder().decode


def decode_advisory(doc: str) -> Advisory:
    """The inverse of :func:`encode_advisory`."""
    d = _loads(doc)
    get = d.get
    sv = get("sv")
    af = get("af")
    return Advisory(
        id=d["id"],
        aliases=tuple(get("al", ())),
        summary=get("su", ""),
        details=get("de", ""),
        severities=tuple([Severity(source=s[0], kind=s[1], vector=s[2], score=s[3], rating=s[4]) for s in sv]) if sv else (),
        published=get("pu", ""),
        modified=get("mo", ""),
        withdrawn=get("wd", ""),
        references=tuple(get("rf", ())),
        source=get("so", ""),
        affected=tuple([_affected(f) for f in af]) if af else (),
    )


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS advisory(
    rowid INTEGER PRIMARY KEY,
    feed TEXT NOT NULL,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    modified TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE(feed, id)
);
CREATE INDEX IF NOT EXISTS advisory_id ON advisory(id);
CREATE TABLE IF NOT EXISTS affected(
    ecosystem TEXT NOT NULL, package TEXT NOT NULL, adv INTEGER NOT NULL, idx INTEGER NOT NULL,
    PRIMARY KEY(ecosystem, package, adv, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS alias(alias TEXT NOT NULL, adv INTEGER NOT NULL, PRIMARY KEY(alias, adv)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kev(cve TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS epss(cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS eol(namespace TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source(feed TEXT PRIMARY KEY, location TEXT NOT NULL, imported TEXT NOT NULL);
"""


def _utcnow() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


# -- status -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceStatus:
    feed: str
    location: str = ""
    imported: str = ""
    records: int = 0
    ecosystems: Mapping[str, int] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class DBStatus:
    """What ``assay db status`` prints and scan reports embed."""

    path: str
    schema_version: int
    built: str
    newest_modified: str = ""
    advisories: int = 0
    withdrawn: int = 0
    affected_rows: int = 0
    ecosystems: Mapping[str, int] = field(default_factory=dict, hash=False)  # advisories per ecosystem
    sources: tuple[SourceStatus, ...] = ()
    kev: Mapping[str, Any] = field(default_factory=dict, hash=False)
    epss: Mapping[str, Any] = field(default_factory=dict, hash=False)
    size: int = 0

    def age_days(self, now: datetime | None = None) -> float | None:
        built = _parse_time(self.built)
        if built is None:
            return None
        return ((now or datetime.now(timezone.utc)) - built).total_seconds() / 86400

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "schemaVersion": self.schema_version,
            "built": self.built,
            "newestModified": self.newest_modified,
            "advisories": self.advisories,
            "withdrawn": self.withdrawn,
            "affectedRows": self.affected_rows,
            "ecosystems": dict(self.ecosystems),
            "sources": [
                {"feed": s.feed, "location": s.location, "imported": s.imported, "records": s.records, "ecosystems": dict(s.ecosystems)}
                for s in self.sources
            ],
            "kev": dict(self.kev),
            "epss": dict(self.epss),
            "size": self.size,
        }


def check_age(status: DBStatus, max_age_days: float | None = DEFAULT_MAX_AGE_DAYS, now: datetime | None = None) -> str | None:
    """A one-line warning when the database was built more than ``max_age_days``
    ago (None or <= 0 disables the check), else None."""
    if max_age_days is None or max_age_days <= 0:
        return None
    age = status.age_days(now)
    if age is None:
        return f"advisory database {status.path} has no build time; rebuild it with `assay db import` or `assay db update`"
    if age <= max_age_days:
        return None
    return (
        f"advisory database {status.path} is {age:.1f} days old (built {status.built}, limit {max_age_days:g} days): "
        "run `assay db update` (or import/pull newer data), or raise --max-db-age"
    )


def _missing(path: Path) -> DatabaseMissing:
    return DatabaseMissing(
        f"no advisory database at {path}: create one with `assay db import PATH|URL`, `assay db update` or `assay db pull REF` (or pass --db PATH)"
    )


# -- reading ------------------------------------------------------------------------------


class AdvisoryDB:
    """Read-only access to a database; an :class:`~assay.advisories.AdvisoryProvider`.

    Thread-safe (one connection behind a lock).  Advisories returned by
    :meth:`affected` are complete (every affected entry), decoded once and cached.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, meta: Mapping[str, str]) -> None:
        self._conn = conn
        self.path = path
        self._meta = dict(meta)
        self._lock = threading.Lock()
        self._advs: dict[int, Advisory] = {}
        self._keys: dict[tuple[str, str], list[tuple[Advisory, Affected]]] = {}

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> AdvisoryDB:
        """Open ``path`` (default :func:`default_db_path`) read-only; a missing,
        foreign or incompatible file is a one-line :class:`DatabaseError`."""
        p = Path(path) if path is not None else default_db_path()
        if not p.is_file():
            raise _missing(p)
        try:
            conn = sqlite3.connect(p.absolute().as_uri() + "?mode=ro&immutable=1", uri=True, check_same_thread=False)
            conn.execute("PRAGMA mmap_size=268435456")
            conn.execute("PRAGMA cache_size=-32768")
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"{p} is not an assay advisory database ({exc})") from None
        version = meta.get("schema_version", "")
        if version != str(SCHEMA_VERSION):
            conn.close()
            raise DatabaseError(
                f"{p} has database schema {version or 'unknown'}, this assay reads schema {SCHEMA_VERSION}: "
                "rebuild it with `assay db import --rebuild ...` or fetch a current one with `assay db update`/`assay db pull`"
            )
        return cls(conn, p, meta)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> AdvisoryDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- lookups ----------------------------------------------------------------------

    def _load(self, rowids: Iterable[int]) -> None:
        """Decode and cache the advisories in ``rowids`` not cached yet (caller holds the lock)."""
        missing = [r for r in dict.fromkeys(rowids) if r not in self._advs]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for rowid, doc in self._conn.execute(f"SELECT rowid, doc FROM advisory WHERE rowid IN ({marks})", chunk):
                self._advs[rowid] = decode_advisory(doc)

    def affected(self, ecosystem: str, package: str) -> list[tuple[Advisory, Affected]]:
        """Every (advisory, affected entry) for ``package`` in ``ecosystem`` (normalised names); withdrawn excluded."""
        key = (ecosystem, package)
        with self._lock:
            hit = self._keys.get(key)
            if hit is None:
                rows = self._conn.execute(
                    "SELECT adv, idx FROM affected WHERE ecosystem=? AND package=?", key
                ).fetchall()
                self._load(r[0] for r in rows)
                hit = [(self._advs[a], self._advs[a].affected[i]) for a, i in rows]
                self._keys[key] = hit
        return list(hit)

    def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        """Warm the cache for many (ecosystem, package) keys with a few batched queries."""
        with self._lock:
            todo = [k for k in dict.fromkeys(keys) if k not in self._keys]
            for start in range(0, len(todo), 400):
                chunk = todo[start : start + 400]
                values = ",".join("(?,?)" for _ in chunk)
                params = [x for k in chunk for x in k]
                rows = self._conn.execute(
                    f"WITH k(e, p) AS (VALUES {values}) "
                    "SELECT a.ecosystem, a.package, a.adv, a.idx FROM k JOIN affected a ON a.ecosystem = k.e AND a.package = k.p",
                    params,
                ).fetchall()
                self._load(r[2] for r in rows)
                found: dict[tuple[str, str], list[tuple[Advisory, Affected]]] = {k: [] for k in chunk}
                for e, p, a, i in rows:
                    adv = self._advs[a]
                    found[(e, p)].append((adv, adv.affected[i]))
                self._keys.update(found)

    _FEED_ORDER = "CASE WHEN feed IN ('vunnel:nvd', 'nvd') THEN 0 WHEN feed = 'osv' THEN 1 ELSE 2 END, feed"

    def get_all(self, advisory_id: str, *, include_withdrawn: bool = False) -> list[Advisory]:
        """Every record with this id (NVD first, then OSV, then the rest), then those having it as an alias."""
        cond = "" if include_withdrawn else " AND withdrawn = 0"
        with self._lock:
            rows = self._conn.execute(
                f"SELECT rowid FROM advisory WHERE id = ?{cond} ORDER BY {self._FEED_ORDER}", (advisory_id,)
            ).fetchall()
            rows += self._conn.execute(
                f"SELECT adv.rowid FROM alias JOIN advisory adv ON adv.rowid = alias.adv "
                f"WHERE alias.alias = ?{cond.replace('withdrawn', 'adv.withdrawn')} ORDER BY {self._FEED_ORDER.replace('feed', 'adv.feed')}",
                (advisory_id,),
            ).fetchall()
            ids = [r[0] for r in rows]
            self._load(ids)
            return [self._advs[r] for r in dict.fromkeys(ids)]

    def get(self, advisory_id: str) -> Advisory | None:
        """An advisory by id (the NVD record for a CVE when there is one), else by alias."""
        found = self.get_all(advisory_id)
        return found[0] if found else None

    def kev(self, cve: str) -> Mapping[str, Any] | None:
        """The CISA KEV entry for ``cve``, or None."""
        with self._lock:
            row = self._conn.execute("SELECT doc FROM kev WHERE cve = ?", (cve,)).fetchone()
        return json.loads(row[0]) if row else None

    def epss(self, cve: str) -> tuple[float, float] | None:
        """(EPSS probability, percentile) for ``cve``, or None."""
        with self._lock:
            row = self._conn.execute("SELECT score, percentile FROM epss WHERE cve = ?", (cve,)).fetchone()
        return (row[0], row[1]) if row else None

    def eol(self, namespace: str) -> Mapping[str, Any] | None:
        """End-of-life data for a distro release (``rhel:7``), when a feed gave it."""
        with self._lock:
            row = self._conn.execute("SELECT doc FROM eol WHERE namespace = ?", (namespace,)).fetchone()
        return json.loads(row[0]) if row else None

    def ecosystems(self) -> dict[str, int]:
        """Advisories per ecosystem (only ecosystems with at least one indexed entry)."""
        try:
            return dict(json.loads(self._meta.get("ecosystems", "{}")))
        except ValueError:
            return {}

    def meta(self, key: str, default: str = "") -> str:
        return self._meta.get(key, default)

    def status(self) -> DBStatus:
        return _status(self.path, self._meta)


def _status(path: Path, meta: Mapping[str, str]) -> DBStatus:
    def js(key: str, default: Any) -> Any:
        try:
            return json.loads(meta[key]) if key in meta else default
        except ValueError:
            return default

    counts = js("counts", {})
    sources = tuple(
        SourceStatus(
            feed=s.get("feed", ""),
            location=s.get("location", ""),
            imported=s.get("imported", ""),
            records=int(s.get("records", 0)),
            ecosystems=s.get("ecosystems", {}),
        )
        for s in js("sources", [])
    )
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return DBStatus(
        path=str(path),
        schema_version=int(meta.get("schema_version", "0") or 0),
        built=meta.get("built", ""),
        newest_modified=meta.get("newest_modified", ""),
        advisories=int(counts.get("advisories", 0)),
        withdrawn=int(counts.get("withdrawn", 0)),
        affected_rows=int(counts.get("affected", 0)),
        ecosystems=js("ecosystems", {}),
        sources=sources,
        kev=js("kev", {}),
        epss=js("epss", {}),
        size=size,
    )


# -- writing ------------------------------------------------------------------------------


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class DatabaseWriter:
    """One atomic write of the database at ``path``.

    Use as a context manager; nothing is visible at ``path`` until
    :meth:`commit`, and leaving the block without committing (an exception,
    Ctrl-C) discards the temporary file.  ``rebuild`` starts from an empty
    database instead of a copy of the current one.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, rebuild: bool = False, warn: Warn | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.rebuild = rebuild
        self.warn = warn or (lambda _msg: None)
        self.tmp: Path | None = None
        self.conn: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self.added: dict[str, int] = {}
        self.locations: dict[str, str] = {}
        self._meta: dict[str, str] = {}
        self._fresh = False  # the database was empty when opened: only keys added since can exist
        self._keys: set[tuple[str, str]] = set()

    # lifecycle
    def __enter__(self) -> DatabaseWriter:
        self.open()
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self.conn is not None or self.tmp is not None:
            self.abort()

    def open(self) -> None:
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create {directory}: {exc.strerror or exc}") from None
        self._acquire_lock()
        for stale in directory.glob(f".{self.path.name}.*.tmp"):
            try:
                stale.unlink()
            except OSError:
                pass
        self.tmp = directory / f".{self.path.name}.{os.getpid()}.{int(time.time() * 1000)}.tmp"
        if self.path.exists() and not self.rebuild:
            if self._compatible(self.path):
                try:
                    shutil.copyfile(self.path, self.tmp)
                except OSError as exc:
                    raise DatabaseError(f"cannot copy {self.path}: {exc.strerror or exc}") from None
            else:
                self.warn(f"{self.path} is not a schema {SCHEMA_VERSION} assay database; building a new one from these inputs only")
        try:
            self.conn = sqlite3.connect(self.tmp, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=OFF")
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            self.conn.execute("PRAGMA cache_size=-131072")
            self.conn.executescript(_SCHEMA)
            self.conn.execute("BEGIN")
            self._meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
            self._fresh = self.conn.execute("SELECT 1 FROM advisory LIMIT 1").fetchone() is None
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"cannot write {self.tmp}: {exc}") from None

    @staticmethod
    def _compatible(path: Path) -> bool:
        try:
            conn = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
            try:
                row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            return False
        return bool(row) and row[0] == str(SCHEMA_VERSION)

    def _acquire_lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no cross-process lock
            return
        lock = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DatabaseError(f"cannot create {lock}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise DatabaseError(f"another assay process is writing {self.path}; try again when it has finished") from None
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing drops the flock
            self._lock_fd = None

    # content
    def add(self, record: Record, location: str = "") -> None:
        """Insert or replace the advisory ``(record.feed, advisory.id)``."""
        assert self.conn is not None, "writer is not open"
        adv = record.advisory
        conn = self.conn
        key = (record.feed, adv.id)
        row = None
        if not self._fresh or key in self._keys:
            row = conn.execute("SELECT rowid, doc FROM advisory WHERE feed = ? AND id = ?", key).fetchone()
        if self._fresh:
            self._keys.add(key)
        doc = encode_advisory(adv)
        withdrawn = 1 if adv.withdrawn else 0
        if row is not None:
            rowid, old = row
            self._unindex(rowid, json.loads(old))
            conn.execute(
                "UPDATE advisory SET source = ?, modified = ?, withdrawn = ?, doc = ? WHERE rowid = ?",
                (adv.source, adv.modified, withdrawn, doc, rowid),
            )
        else:
            rowid = conn.execute(
                "INSERT INTO advisory(feed, id, source, modified, withdrawn, doc) VALUES (?,?,?,?,?,?)",
                (record.feed, adv.id, adv.source, adv.modified, withdrawn, doc),
            ).lastrowid
        if not withdrawn:
            conn.executemany(
                "INSERT OR IGNORE INTO affected(ecosystem, package, adv, idx) VALUES (?,?,?,?)",
                [(f.ecosystem, f.package, rowid, i) for i, f in enumerate(adv.affected)],
            )
        if adv.aliases:
            conn.executemany("INSERT OR IGNORE INTO alias(alias, adv) VALUES (?,?)", [(a, rowid) for a in adv.aliases])
        self.added[record.feed] = self.added.get(record.feed, 0) + 1
        if location:
            self.locations[record.feed] = location

    def _unindex(self, rowid: int, old: Mapping[str, Any]) -> None:
        assert self.conn is not None
        self.conn.executemany(
            "DELETE FROM affected WHERE ecosystem = ? AND package = ? AND adv = ? AND idx = ?",
            [(f[0], f[1], rowid, i) for i, f in enumerate(old.get("af", ()))],
        )
        self.conn.executemany("DELETE FROM alias WHERE alias = ? AND adv = ?", [(a, rowid) for a in old.get("al", ())])

    def add_eol(self, eol: Eol) -> None:
        assert self.conn is not None
        self.conn.execute(
            "INSERT OR REPLACE INTO eol(namespace, doc) VALUES (?,?)", (eol.namespace, json.dumps(eol.data, separators=(",", ":")))
        )

    def set_kev(self, kev: Kev, location: str = "") -> int:
        """Replace the KEV catalogue; returns the number of entries."""
        assert self.conn is not None
        self.conn.execute("DELETE FROM kev")
        self.conn.executemany(
            "INSERT OR REPLACE INTO kev(cve, doc) VALUES (?,?)",
            [(e["cveID"], json.dumps(e, separators=(",", ":"), ensure_ascii=False)) for e in kev.entries],
        )
        self.set_meta("kev", {"count": len(kev.entries), "catalogVersion": kev.version, "dateReleased": kev.released,
                              "location": location, "imported": _utcnow()})  # fmt: skip
        return len(kev.entries)

    def set_epss(self, epss: Epss, location: str = "") -> int:
        """Replace the EPSS scores; returns the number of rows."""
        assert self.conn is not None
        self.conn.execute("DELETE FROM epss")
        self.conn.executemany("INSERT OR REPLACE INTO epss(cve, score, percentile) VALUES (?,?,?)", epss.rows)
        self.set_meta("epss", {"count": len(epss.rows), "modelVersion": epss.model_version, "scoreDate": epss.score_date,
                               "location": location, "imported": _utcnow()})  # fmt: skip
        return len(epss.rows)

    def set_meta(self, key: str, value: Any) -> None:
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)
        self._meta[key] = text

    def get_meta(self, key: str, default: Any = None) -> Any:
        if key not in self._meta:
            return default
        try:
            return json.loads(self._meta[key])
        except ValueError:
            return self._meta[key]

    # finishing
    def _summarise(self) -> None:
        assert self.conn is not None
        conn = self.conn
        now = _utcnow()
        for feed, location in self.locations.items():
            conn.execute("INSERT OR REPLACE INTO source(feed, location, imported) VALUES (?,?,?)", (feed, location, now))
        per_feed: dict[str, dict[str, int]] = {}
        for feed, eco, n in conn.execute(
            "SELECT adv.feed, a.ecosystem, COUNT(DISTINCT a.adv) FROM affected a JOIN advisory adv ON adv.rowid = a.adv "
            "GROUP BY adv.feed, a.ecosystem"
        ):
            per_feed.setdefault(feed, {})[eco] = n
        records = dict(conn.execute("SELECT feed, COUNT(*) FROM advisory GROUP BY feed").fetchall())
        located = {f: (loc, at) for f, loc, at in conn.execute("SELECT feed, location, imported FROM source")}
        sources = [
            {"feed": feed, "location": located.get(feed, ("", ""))[0], "imported": located.get(feed, ("", ""))[1],
             "records": n, "ecosystems": per_feed.get(feed, {})}
            for feed, n in sorted(records.items())
        ]  # fmt: skip
        ecosystems = dict(
            conn.execute("SELECT ecosystem, COUNT(DISTINCT adv) FROM affected GROUP BY ecosystem ORDER BY ecosystem").fetchall()
        )
        total, withdrawn = conn.execute("SELECT COUNT(*), COALESCE(SUM(withdrawn), 0) FROM advisory").fetchone()
        affected = conn.execute("SELECT COUNT(*) FROM affected").fetchone()[0]
        newest = conn.execute(
            "SELECT MAX(substr(modified, 1, 19)) FROM advisory WHERE modified >= '1970'"
        ).fetchone()[0]
        self.set_meta("schema_version", str(SCHEMA_VERSION))
        self.set_meta("built", now)
        self.set_meta("newest_modified", newest or "")
        self.set_meta("sources", sources)
        self.set_meta("ecosystems", ecosystems)
        self.set_meta("counts", {"advisories": total, "withdrawn": withdrawn, "affected": affected})
        conn.execute("DELETE FROM meta")
        conn.executemany("INSERT INTO meta(key, value) VALUES (?,?)", sorted(self._meta.items()))

    def commit(self) -> Path:
        """Finish: summarise into ``meta``, sync, and rename over ``path``."""
        assert self.conn is not None and self.tmp is not None, "writer is not open"
        try:
            self._summarise()
            self.conn.execute("COMMIT")
            self.conn.execute("PRAGMA optimize")
            self.conn.close()
            self.conn = None
            fd = os.open(self.tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(self.tmp, self.path)
            self.tmp = None
            _fsync_dir(self.path.parent)
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"cannot write {self.path}: {exc}") from None
        except OSError as exc:
            raise DatabaseError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        finally:
            if self.tmp is not None or self.conn is not None:
                self.abort()
            self._release_lock()
        return self.path

    def abort(self) -> None:
        """Discard everything written; the database at ``path`` is unchanged."""
        if self.conn is not None:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass
            self.conn = None
        if self.tmp is not None:
            try:
                self.tmp.unlink()
            except OSError:
                pass
            self.tmp = None
        self._release_lock()


# -- importing ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportReport:
    path: str
    records: Mapping[str, int] = field(default_factory=dict, hash=False)  # per feed, this run
    warnings: int = 0
    kev: int = 0
    epss: int = 0
    eol: int = 0
    seconds: float = 0.0
    size: int = 0

    @property
    def total(self) -> int:
        return sum(self.records.values())


Progress = Callable[[int, str], None]


def _items(inputs: Sequence[str], warn: Warn, fetch: Callable[[str], str] | None) -> Iterator[tuple[str, Any]]:
    """(location, item) for every input; URLs are downloaded to a temporary file first."""
    for location in inputs:
        if "://" not in location:
            for item in read_input(location, warn):
                yield location, item
            continue
        if fetch is None:
            from .distribute import download_to_temp

            path = download_to_temp(location)
        else:
            path = fetch(location)
        try:
            for item in read_input(path, warn):
                yield location, item
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass


def import_inputs(
    db_path: str | os.PathLike[str] | None,
    inputs: Sequence[str],
    *,
    kev: str | None = None,
    epss: str | None = None,
    rebuild: bool = False,
    warn: Warn | None = None,
    progress: Progress | None = None,
    fetch: Callable[[str], str] | None = None,
    meta: Mapping[str, Any] | None = None,
    locations: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import advisory files, directories, zips or URLs (and KEV/EPSS files) in one atomic write.

    ``fetch(url) -> path`` replaces the built-in downloader for URL inputs (it
    must return a temporary file, which is deleted after reading);
    ``locations`` maps input paths to the names recorded as the feeds' source
    (``assay db update`` passes the URLs its temporary files came from);
    ``meta`` entries are stored in the database's meta table.
    """
    from .enrich import read_epss, read_kev

    started = time.perf_counter()
    warnings = 0

    def _warn(msg: str) -> None:
        nonlocal warnings
        warnings += 1
        if warn is not None:
            warn(msg)

    kev_count = epss_count = eol_count = 0
    with DatabaseWriter(db_path, rebuild=rebuild, warn=_warn) as writer:
        done = 0
        for location, item in _items(inputs, _warn, fetch):
            location = (locations or {}).get(location, location)
            if isinstance(item, Record):
                writer.add(item, location)
                done += 1
                if progress is not None and done % 500 == 0:
                    progress(done, location)
            elif isinstance(item, Kev):
                kev_count = writer.set_kev(item, location)
            elif isinstance(item, Epss):
                epss_count = writer.set_epss(item, location)
            elif isinstance(item, Eol):
                writer.add_eol(item)
                eol_count += 1
            elif isinstance(item, Skip):
                pass
        if kev:
            kev_count = writer.set_kev(read_kev(kev), kev)
        if epss:
            epss_count = writer.set_epss(read_epss(epss), epss)
        for key, value in (meta or {}).items():
            writer.set_meta(key, value)
        if progress is not None:
            progress(done, "finishing")
        path = writer.commit()
        added = dict(writer.added)
    return ImportReport(
        path=str(path),
        records=added,
        warnings=warnings,
        kev=kev_count,
        epss=epss_count,
        eol=eol_count,
        seconds=time.perf_counter() - started,
        size=path.stat().st_size,
    )
