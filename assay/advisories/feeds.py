"""Reading advisory inputs: what a file is, and the helpers every importer shares.

An input is a path (file, directory, ``.zip``, compressed file) whose format is
detected from its *content*, never from its name: OSV records (JSON or YAML,
alone, in a list or in an osv.dev ``all.zip``), vunnel ``{identifier, item}``
results (grype's fixture databases), an Alpine secdb file, the Debian security
tracker JSON, the CISA KEV catalogue and the EPSS CSV.  :func:`read_input`
yields :class:`Item` values; a record that cannot be read is reported through
``warn`` (naming the file and the record id) and skipped, so one bad record
never stops an import.

The importer modules (:mod:`.osv`, :mod:`.alpine`, :mod:`.debian`,
:mod:`.vunnel`, :mod:`.enrich`) turn one parsed document into items; this
module owns detection, decompression, walking directories and zips, and the
severity helpers they share (:func:`rating`, :func:`make_severity`).
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Union

from ..errors import FormatError
from .model import Advisory, Severity, rating_for_score

__all__ = [
    "RecordError",
    "Record",
    "Eol",
    "Kev",
    "Epss",
    "Skip",
    "Item",
    "Warn",
    "rating",
    "make_severity",
    "load_yaml",
    "detect",
    "read_input",
    "parse_document",
]

Warn = Callable[[str], None]


class RecordError(FormatError):
    """One advisory record that cannot be read (the rest of its file still imports)."""


@dataclass(frozen=True, slots=True)
class Record:
    """An advisory and the feed it belongs to; ``(feed, advisory.id)`` is its key in the database."""

    feed: str
    advisory: Advisory


@dataclass(frozen=True, slots=True)
class Eol:
    """End-of-life dates of one distro release (vunnel ``eol`` records)."""

    namespace: str
    data: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True)
class Kev:
    """The CISA Known Exploited Vulnerabilities catalogue."""

    entries: tuple[Mapping[str, Any], ...]
    version: str = ""
    released: str = ""


@dataclass(frozen=True, slots=True)
class Epss:
    """EPSS scores: ``rows`` of (cve, epss, percentile)."""

    rows: tuple[tuple[str, float, float], ...]
    model_version: str = ""
    score_date: str = ""


@dataclass(frozen=True, slots=True)
class Skip:
    """A document that is known not to hold advisories (vunnel workspace state, grype db-lock)."""

    reason: str


Item = Union[Record, Eol, Kev, Epss, Skip]

# -- severities -------------------------------------------------------------------------

_RATING_WORDS = {
    "negligible": "negligible",
    "unimportant": "negligible",
    "none": "negligible",
    "informational": "negligible",
    "low": "low",
    "minor": "low",
    "medium": "medium",
    "moderate": "medium",
    "high": "high",
    "important": "high",
    "critical": "critical",
    "urgent": "critical",
}


def rating(value: object) -> str:
    """A feed's severity word as one of RATINGS (``Moderate`` -> medium,
    ``Important`` -> high, ``unimportant`` -> negligible, ``low*`` -> low);
    '' for anything unknown (``not yet assigned``, ``Unknown``)."""
    if not isinstance(value, str):
        return ""
    word = value.strip().rstrip("*").strip().lower()
    return _RATING_WORDS.get(word, "")


@lru_cache(maxsize=8192)
def _score(kind: str, vector: str) -> float | None:
    """The base score of a CVSS vector (None when it does not parse)."""
    try:
        import cvss
    except ImportError:  # pragma: no cover - cvss is a dependency; scoring then waits for the matcher
        return None
    try:
        if kind == "CVSS_V2":
            return float(cvss.CVSS2(vector.removeprefix("(").removesuffix(")")).scores()[0])
        if kind == "CVSS_V3":
            return float(cvss.CVSS3(vector).scores()[0])
        if kind == "CVSS_V4":
            return float(cvss.CVSS4(vector).base_score)
    except Exception:  # noqa: BLE001 - cvss raises several types for malformed vectors
        return None
    return None


def cvss_kind(vector: str, version: object = None) -> str:
    """``CVSS_V2`` / ``CVSS_V3`` / ``CVSS_V4`` from a vector (or an explicit version)."""
    v = str(version or "")
    if vector.startswith("CVSS:4") or v.startswith("4"):
        return "CVSS_V4"
    if vector.startswith("CVSS:3") or v.startswith("3"):
        return "CVSS_V3"
    return "CVSS_V2"


def make_severity(source: str, kind: str, vector: str = "", score: object = None, rating_word: object = "") -> Severity:
    """A Severity with the score computed from the vector when the feed gave none,
    and the rating from the feed's word or else from the score."""
    value: float | None = None
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        value = float(score)
    elif isinstance(score, str):
        try:
            value = float(score)
        except ValueError:
            value = None
    if value is None and vector and kind.startswith("CVSS"):
        value = _score(kind, vector)
    rate = rating(rating_word)
    if not rate and value is not None and kind.startswith("CVSS"):
        rate = rating_for_score(value, kind)
    return Severity(source=source, kind=kind, vector=vector, score=value, rating=rate)


# -- YAML -------------------------------------------------------------------------------


def _yaml_loader() -> type:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _StrLoader(base):  # type: ignore[misc, valid-type]
        """Every plain scalar is a string (``1.10`` stays "1.10", timestamps stay text), except null."""

    _StrLoader.yaml_implicit_resolvers = {  # type: ignore[attr-defined]
        k: [(tag, rx) for tag, rx in v if tag == "tag:yaml.org,2002:null"]
        for k, v in base.yaml_implicit_resolvers.items()  # type: ignore[attr-defined]
    }
    return _StrLoader


_LOADER: type | None = None


def load_yaml(data: bytes | str) -> Any:
    """Parse YAML keeping versions and dates as strings (OSV YAML writes ``1.10`` and bare timestamps)."""
    import yaml

    global _LOADER
    if _LOADER is None:
        _LOADER = _yaml_loader()
    return yaml.load(data, Loader=_LOADER)  # noqa: S506 - a SafeLoader subclass


# -- detection --------------------------------------------------------------------------


def detect(doc: Any) -> str:
    """What a parsed JSON/YAML document is: ``osv``, ``osv-list``, ``vunnel``,
    ``vunnel-list``, ``alpine-secdb``, ``debian-tracker``, ``kev``,
    ``skip`` (not advisories) or '' (unknown)."""
    if isinstance(doc, list):
        if not doc:
            return "skip"
        first = doc[0]
        if isinstance(first, dict) and "identifier" in first and "item" in first:
            return "vunnel-list"
        if isinstance(first, dict) and "id" in first and ("affected" in first or "modified" in first):
            return "osv-list"
        return ""
    if not isinstance(doc, dict):
        return ""
    if "identifier" in doc and "item" in doc:
        return "vunnel"
    if isinstance(doc.get("id"), str) and ("affected" in doc or "modified" in doc or "aliases" in doc):
        return "osv"
    if isinstance(doc.get("vulns"), list):
        return "osv-list"
    if isinstance(doc.get("packages"), list) and ("distroversion" in doc or "reponame" in doc or "apkurl" in doc):
        return "alpine-secdb"
    if isinstance(doc.get("vulnerabilities"), list) and ("catalogVersion" in doc or "dateReleased" in doc):
        return "kev"
    if "provider" in doc and isinstance(doc.get("schema"), dict):
        return "skip"  # vunnel provider workspace state (metadata.json)
    if "extractions" in doc or ("content_hash" in doc and "providers" in doc):
        return "skip"  # grype fixture db.yaml / db-lock.json
    if doc and _looks_like_tracker(doc):
        return "debian-tracker"
    return ""


def _looks_like_tracker(doc: Mapping[str, Any]) -> bool:
    """``{package: {CVE: {releases: ...}}}`` — checked on a few entries."""
    seen = 0
    for pkg, cves in doc.items():
        if not isinstance(pkg, str) or not isinstance(cves, dict):
            return False
        for _cve, info in cves.items():
            if not isinstance(info, dict) or "releases" not in info:
                return False
            seen += 1
            break
        if seen >= 3:
            break
    return seen > 0


def parse_document(doc: Any, where: str, warn: Warn) -> Iterator[Item]:
    """Items from one parsed document (``where`` names it in warnings)."""
    kind = detect(doc)
    if kind == "osv":
        from .osv import parse_osv

        yield from _guard(partial(_one, parse_osv, doc, where), where, _doc_id(doc), warn)
    elif kind == "osv-list":
        from .osv import parse_osv

        records = doc.get("vulns") if isinstance(doc, dict) else doc
        for rec in records or ():
            yield from _guard(partial(_one, parse_osv, rec, where), where, _doc_id(rec), warn)
    elif kind in ("vunnel", "vunnel-list"):
        from .vunnel import parse_vunnel

        for rec in doc if isinstance(doc, list) else [doc]:
            yield from _guard(partial(_many, parse_vunnel, rec, where, warn), where, _doc_id(rec), warn)
    elif kind == "alpine-secdb":
        from .alpine import parse_secdb

        yield from parse_secdb(doc, where=where, warn=warn)
    elif kind == "debian-tracker":
        from .debian import parse_tracker

        yield from parse_tracker(doc, where=where, warn=warn)
    elif kind == "kev":
        from .enrich import parse_kev

        yield parse_kev(doc, where=where)
    elif kind == "skip":
        yield Skip(f"{where}: not an advisory document")
    else:
        warn(f"{where}: not a recognised advisory format (OSV, vunnel, Alpine secdb, Debian tracker, KEV, EPSS); skipped")


def _one(parse: Callable[..., Item], rec: Any, where: str) -> list[Item]:
    return [parse(rec, where=where)]


def _many(parse: Callable[..., Iterator[Item]], rec: Any, where: str, warn: Warn) -> list[Item]:
    return list(parse(rec, where=where, warn=warn))


def _doc_id(doc: Any) -> str:
    """The id to name a record by in warnings (the advisory id when it can be found)."""
    if not isinstance(doc, dict):
        return ""
    item = doc.get("item")
    if isinstance(item, dict):
        for probe in (item, item.get("Vulnerability"), item.get("Advisory"), item.get("cve")):
            if isinstance(probe, dict):
                for key in ("id", "Name", "ghsaId"):
                    if isinstance(probe.get(key), str) and probe[key]:
                        return probe[key]
    for key in ("id", "identifier"):
        if isinstance(doc.get(key), str):
            return doc[key]
    return ""


def _guard(produce: Callable[[], list[Item]], where: str, ident: str, warn: Warn) -> list[Item]:
    try:
        return produce()
    except RecordError as exc:
        warn(f"skipped record {ident or '(no id)'} in {where}: {exc}")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        warn(f"skipped malformed record {ident or '(no id)'} in {where}: {type(exc).__name__}: {exc}")
    return []


# -- reading files ------------------------------------------------------------------------

_SUFFIXES = (".json", ".yaml", ".yml", ".zip", ".gz", ".bz2", ".xz", ".zst", ".csv")


def _decompress(data: bytes, where: str) -> bytes:
    """Undo gzip/bzip2/xz/zstd compression, recognised by magic number."""
    try:
        if data[:2] == b"\x1f\x8b":
            return gzip.decompress(data)
        if data[:3] == b"BZh":
            return bz2.decompress(data)
        if data[:6] == b"\xfd7zXZ\x00":
            return lzma.decompress(data)
        if data[:4] == b"\x28\xb5\x2f\xfd":
            import zstandard

            return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise FormatError(f"{where}: cannot decompress: {exc}") from None
    except Exception as exc:  # zstandard.ZstdError
        raise FormatError(f"{where}: cannot decompress: {exc}") from None
    return data


def parse_bytes(data: bytes, where: str, warn: Warn) -> Iterator[Item]:
    """Items from the content of one file (compressed or not; JSON, YAML, zip or EPSS CSV)."""
    data = _decompress(data, where)
    if data[:4] == b"PK\x03\x04":
        yield from _read_zip(io.BytesIO(data), where, warn)
        return
    head = data[:512].lstrip()
    if head.startswith(b"#model_version") or head.lower().startswith(b"cve,epss"):
        from .enrich import parse_epss

        yield parse_epss(data, where=where)
        return
    if head[:1] in (b"{", b"["):
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            warn(f"skipped {where}: invalid JSON: {exc}")
            return
    else:
        try:
            doc = load_yaml(data)
        except Exception as exc:  # noqa: BLE001 - yaml raises YAMLError subclasses, and ValueError on bad bytes
            warn(f"skipped {where}: neither JSON nor YAML: {' '.join(str(exc).split())[:200]}")
            return
    yield from parse_document(doc, where, warn)


def _read_zip(fh: Any, where: str, warn: Warn) -> Iterator[Item]:
    try:
        zf = zipfile.ZipFile(fh)
    except zipfile.BadZipFile as exc:
        raise FormatError(f"{where}: not a valid zip file: {exc}") from None
    with zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir() or os.path.basename(name).startswith(".") or not name.lower().endswith(_SUFFIXES):
                continue
            try:
                data = zf.read(info)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                warn(f"skipped {where}!{name}: {exc}")
                continue
            yield from parse_bytes(data, f"{where}!{name}", warn)


def _walk(root: Path) -> Iterator[Path]:
    """Candidate files under ``root`` in a stable order, hidden entries skipped."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.lower().endswith(_SUFFIXES):
                yield Path(dirpath, name)


def read_input(path: str | os.PathLike[str], warn: Warn) -> Iterator[Item]:
    """Items from a file, a directory tree or a zip (osv.dev's ``<Ecosystem>/all.zip``)."""
    p = Path(path)
    if p.is_dir():
        for f in _walk(p):
            yield from _read_file(f, warn)
        return
    if not p.exists():
        raise FormatError(f"{path}: no such file or directory")
    yield from _read_file(p, warn)


def _read_file(p: Path, warn: Warn) -> Iterator[Item]:
    where = str(p)
    try:
        with open(p, "rb") as fh:
            magic = fh.read(4)
            if magic == b"PK\x03\x04":  # stream big zips instead of reading them whole
                fh.seek(0)
                yield from _read_zip(fh, where, warn)
                return
            fh.seek(0)
            data = fh.read()
    except OSError as exc:
        raise FormatError(f"cannot read {where}: {exc.strerror or exc}") from None
    yield from parse_bytes(data, where, warn)


CVE_RE = re.compile(r"^CVE-\d{4}-\d{4,}$")
