"""The model <-> SPDX 2.x mapping shared by the JSON and tag-value formats.

:func:`to_document` turns an :class:`~assay.model.Sbom` into a plain dict in the
shape of SPDX 2.x JSON (the JSON encoder dumps it, the tag-value encoder renders
it); :func:`from_document` reads such a dict back (the tag-value decoder first
parses its text into the same shape).  Keeping one mapping means both
serialisations say exactly the same thing.

What the model has and SPDX 2.x has no field for (the cataloger that found a
package, image layers, OCI labels, the distro's codename...) travels in
annotations whose comment is ``assay:<key>=<value>``, so a document we wrote
decodes back to the same model.  Documents from other tools decode from the
standard fields alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from ..errors import FormatError
from ..model import (
    Distro,
    ImageInfo,
    Layer,
    License,
    Location,
    Package,
    Relationship,
    RelType,
    Sbom,
    SourceInfo,
)
from ..model import (
    tool_version as _tool_version,
)

__all__ = [
    "to_document",
    "from_document",
    "NOASSERTION",
    "NAMESPACE_BASE",
    "ANNOTATION",
    "spdx_created",
    "sanitize_id",
    "package_spdx_id",
    "format_actor",
    "parse_actor",
    "actor_to_raw",
    "license_expression",
    "split_expression",
    "split_tool",
    "split_source_rpm",
    "checksum_name",
    "type_from_purl",
    "type_from_spdx_id",
    "language_of",
    "source_info_text",
    "oci_purl",
    "is_url",
    "is_download_location",
    "source_kind",
    "source_version",
    "source_notes",
    "distro_notes",
    "package_notes",
    "source_from_notes",
    "distro_from_notes",
    "package_fields",
]

NOASSERTION = "NOASSERTION"
DOCUMENT_ID = "SPDXRef-DOCUMENT"
NAMESPACE_BASE = "https://assay.dev/spdxdocs"
EPOCH = "1970-01-01T00:00:00Z"
ANNOTATION = "assay:"  # prefix of the annotations we write and read back

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.\-]")
_LICENSE_REF = re.compile(r"(?<![A-Za-z0-9.\-:])LicenseRef-[A-Za-z0-9.\-]+")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_URL = re.compile(
    r"^(https?|ftp|sftp|ssh|git|svn)://([\w\-.!~*'()%;:&=+$,]+@)?[a-z0-9]+([\-.][a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(/\S*)?$",
    re.IGNORECASE,
)
_DOWNLOAD = re.compile(r"^((git|hg|svn|bzr)\+)?" + _URL.pattern[1:], re.IGNORECASE)
_ORG_WORDS = re.compile(
    r"\b(inc|ltd|llc|gmbh|corp|corporation|company|co\.|foundation|project|team|maintainers|developers|"
    r"community|group|contributors|authors|organi[sz]ation|association|society|consortium|packagers|debian|ubuntu|"
    r"alpine|fedora|red hat|suse|canonical|apache|google|microsoft|oracle|amazon|ibm)\b",
    re.IGNORECASE,
)

# checksum algorithms SPDX 2.x knows, by the lower-case names the model uses
_CHECKSUMS: dict[str, tuple[str, int]] = {
    "sha1": ("SHA1", 40),
    "sha224": ("SHA224", 56),
    "sha256": ("SHA256", 64),
    "sha384": ("SHA384", 96),
    "sha512": ("SHA512", 128),
    "md5": ("MD5", 32),
    "md2": ("MD2", 32),
    "md4": ("MD4", 32),
    "md6": ("MD6", 0),
    "sha3-256": ("SHA3-256", 64),
    "sha3-384": ("SHA3-384", 96),
    "sha3-512": ("SHA3-512", 128),
    "blake2b-256": ("BLAKE2b-256", 64),
    "blake2b-384": ("BLAKE2b-384", 96),
    "blake2b-512": ("BLAKE2b-512", 128),
    "blake3": ("BLAKE3", 256),  # spdx-tools wants at least 256 hex digits
    "adler32": ("ADLER32", 8),
}
_CHECKSUM_BACK = {v[0]: k for k, v in _CHECKSUMS.items()}

# where a package's data came from, worded like syft's "acquired package info from ..."
_SOURCE_INFO: dict[str, str] = {
    "deb": "DPKG DB",
    "apk": "APK DB",
    "rpm": "RPM DB",
    "alpm": "ALPM DB",
    "portage": "portage DB",
    "python": "installed python package manifest file",
    "npm": "installed node module manifest file",
    "go-module": "go module information",
    "java-archive": "installed java archive",
    "jenkins-plugin": "installed java archive",
    "gem": "installed gem metadata",
    "rust-crate": "rust cargo manifest",
    "php-composer": "PHP composer manifest",
    "dotnet": "dotnet project assets file",
    "binary": "binary classifier",
    "linux-kernel": "linux kernel archive",
    "linux-kernel-module": "linux kernel module files",
    "hackage": "haskell cabal/stack manifest",
    "hex": "elixir/erlang manifest",
    "dart-pub": "dart pubspec manifest",
    "pod": "cocoapods manifest",
    "conan": "conan manifest",
    "swift": "swift package manager manifest",
    "github-action": "github actions workflow",
    "nix": "nix store path",
}

# syft package types (longest first so "go-module" wins over "go")
_TYPES: tuple[str, ...] = tuple(
    sorted(
        (
            "alpm", "apk", "binary", "bitnami", "conan", "dart-pub", "deb", "dotnet", "erlang-otp", "gem",
            "github-action", "github-action-workflow", "go-module", "graalvm-native-image", "hackage", "hex",
            "homebrew", "java-archive", "jenkins-plugin", "kb", "linux-kernel", "linux-kernel-module", "lua-rocks",
            "nix", "npm", "opam", "php-composer", "php-pear", "php-pecl", "pod", "portage", "python", "R-package",
            "rpm", "rust-crate", "swift", "swiplpack", "terraform", "wordpress-plugin", "model",
        ),
        key=len,
        reverse=True,
    )
)

_PURL_TYPES: dict[str, str] = {
    "deb": "deb",
    "apk": "apk",
    "alpine": "apk",
    "rpm": "rpm",
    "alpm": "alpm",
    "ebuild": "portage",
    "pypi": "python",
    "npm": "npm",
    "golang": "go-module",
    "maven": "java-archive",
    "gem": "gem",
    "cargo": "rust-crate",
    "composer": "php-composer",
    "nuget": "dotnet",
    "cocoapods": "pod",
    "hex": "hex",
    "pub": "dart-pub",
    "conan": "conan",
    "hackage": "hackage",
    "swift": "swift",
    "github": "github-action",
    "cran": "R-package",
    "nix": "nix",
    "bitnami": "bitnami",
    "generic": "binary",
    "opam": "opam",
    "luarocks": "lua-rocks",
    "brew": "homebrew",
}

_LANGUAGES: dict[str, str] = {
    "python": "python",
    "npm": "javascript",
    "go-module": "go",
    "java-archive": "java",
    "jenkins-plugin": "java",
    "gem": "ruby",
    "rust-crate": "rust",
    "php-composer": "php",
    "php-pecl": "php",
    "php-pear": "php",
    "dotnet": "dotnet",
    "dart-pub": "dart",
    "hackage": "haskell",
    "hex": "elixir",
    "erlang-otp": "erlang",
    "pod": "swift",
    "swift": "swift",
    "conan": "c++",
    "R-package": "R",
    "lua-rocks": "lua",
    "opam": "ocaml",
}


# --------------------------------------------------------------------------- small helpers


def sanitize_id(text: str) -> str:
    """``text`` with every character an SPDX idstring does not allow replaced by ``-``."""
    return _ID_UNSAFE.sub("-", text)


def package_spdx_id(p: Package) -> str:
    return f"SPDXRef-Package-{sanitize_id(p.type)}-{sanitize_id(p.name)}-{sanitize_id(p.id)}"


def spdx_created(value: str) -> str:
    """``value`` (RFC 3339) as SPDX wants it: UTC, second precision, ``Z``; the epoch when empty."""
    if not value:
        return EPOCH
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return EPOCH
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_url(value: str) -> bool:
    return bool(value) and bool(_URL.match(value))


def is_download_location(value: str) -> bool:
    return bool(value) and bool(_DOWNLOAD.match(value))


def _split_contact(raw: str) -> tuple[str, str]:
    """``"Jane Doe <jane@example.org>"`` -> ("Jane Doe", "jane@example.org")."""
    raw = " ".join(raw.split())
    m = re.match(r"^(.*?)\s*<([^<>]*)>\s*$", raw) or re.match(r"^(.*?)\s*\(([^()]*@[^()]*)\)\s*$", raw)
    if m:
        name, email = m.group(1).strip(), m.group(2).strip()
    elif re.fullmatch(r"[^\s@]+@[^\s@]+", raw):
        name, email = raw, raw
    else:
        name, email = raw, ""
    name = name.replace("(", "").replace(")", "").strip().strip(",").strip()
    return name or email, email


@functools.lru_cache(maxsize=4096)
def format_actor(raw: str, kind: str = "") -> str:
    """A raw maintainer/supplier string as an SPDX 2 actor, ``NOASSERTION`` when empty.

    ``kind`` forces "Person" or "Organization"; otherwise mailing lists and names
    that read like an organisation become ``Organization:``, the rest ``Person:``.
    """
    if not raw or not raw.strip() or raw.strip() == NOASSERTION:
        return NOASSERTION
    if re.match(r"^(Person|Organization|Tool):", raw.strip()):
        return " ".join(raw.split())
    name, email = _split_contact(raw)
    if not kind:
        team_mail = bool(re.search(r"@(lists?\.|.*\blists\b)", email)) or email.split("@")[0].lower() in (
            "team",
            "maintainers",
            "packagers",
            "security",
            "info",
            "support",
        )
        kind = "Organization" if (team_mail or _ORG_WORDS.search(name)) else "Person"
    return f"{kind}: {name} ({email})" if email else f"{kind}: {name}"


def parse_actor(value: str) -> tuple[str, str, str]:
    """An SPDX 2 actor -> (kind, name, email); kind is "" for NOASSERTION or empty."""
    value = (value or "").strip()
    if not value or value in (NOASSERTION, "NONE"):
        return "", "", ""
    m = re.match(r"^(Person|Organization|Tool):\s*(.*)$", value)
    kind, rest = (m.group(1), m.group(2)) if m else ("", value)
    m2 = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", rest)
    if m2:
        return kind, m2.group(1).strip(), m2.group(2).strip()
    return kind, rest.strip(), ""


def actor_to_raw(value: str) -> str:
    """An SPDX 2 actor back to the model's raw form ``Name <email>``."""
    _, name, email = parse_actor(value)
    if email and name and name != email:
        return f"{name} <{email}>"
    return name or email


def license_expression(licenses: Iterable[License]) -> tuple[str, dict[str, str]]:
    """(SPDX expression for all of ``licenses`` joined with AND, {LicenseRef id: declared text}).

    Licenses without an SPDX mapping become ``LicenseRef-<sanitised value>`` so the
    declared text is kept in ``hasExtractedLicensingInfos``.
    """
    parts: list[str] = []
    extracted: dict[str, str] = {}
    for lic in licenses:
        if lic.spdx:
            expr = lic.spdx
            for ref in _LICENSE_REF.findall(expr):
                extracted.setdefault(ref, lic.value if lic.value and lic.value != expr else ref)
        else:
            value = lic.value.strip()
            if not value:
                continue
            if re.fullmatch(r"LicenseRef-[A-Za-z0-9.\-]+", value):
                expr = value
            else:
                expr = "LicenseRef-" + sanitize_id(value).strip("-")[:200]
                if expr == "LicenseRef-":
                    continue
            extracted.setdefault(expr, value)
        if expr not in parts:
            parts.append(expr)
    if not parts:
        return NOASSERTION, {}
    if len(parts) == 1:
        return parts[0], extracted
    return " AND ".join(f"({p})" if " " in p else p for p in parts), extracted


def split_expression(expr: str) -> list[str]:
    """Top-level AND operands of ``expr`` (the inverse of how :func:`license_expression` joins)."""
    expr = expr.strip()
    out: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(expr):
        c = expr[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0 and expr.startswith(" AND ", i):
            out.append(expr[start:i])
            start = i + 5
            i += 5
            continue
        i += 1
    out.append(expr[start:])
    cleaned = []
    for part in out:
        part = part.strip()
        while part.startswith("(") and part.endswith(")") and _balanced(part[1:-1]):
            part = part[1:-1].strip()
        if part:
            cleaned.append(part)
    return cleaned


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += c == "("
        depth -= c == ")"
        if depth < 0:
            return False
    return depth == 0


def type_from_spdx_id(spdx_id: str) -> str:
    prefix = "SPDXRef-Package-"
    if not spdx_id.startswith(prefix):
        return ""
    rest = spdx_id[len(prefix) :]
    for t in _TYPES:
        if rest.startswith(t + "-"):
            return t
    return ""


def type_from_purl(purl: str) -> str:
    m = re.match(r"^pkg:([A-Za-z0-9.+\-]+)/", purl or "")
    return _PURL_TYPES.get(m.group(1).lower(), "") if m else ""


def language_of(ptype: str) -> str:
    return _LANGUAGES.get(ptype, "")


def source_info_text(p: Package) -> str:
    what = _SOURCE_INFO.get(p.type) or p.found_by or p.type or "unknown source"
    paths = ", ".join(loc.path for loc in p.locations)
    return f"acquired package info from {what}: {paths}" if paths else f"acquired package info from {what}"


def _purl_qualifiers(purl: str) -> dict[str, str]:
    if "?" not in purl:
        return {}
    from urllib.parse import unquote

    q = purl.split("?", 1)[1].split("#", 1)[0]
    out: dict[str, str] = {}
    for part in q.split("&"):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.lower()] = unquote(v)
    return out


def oci_purl(source: SourceInfo) -> str:
    """``pkg:oci/<name>@<digest>?arch=..&repository_url=..&tag=..`` for an image source, "" without a digest."""
    img = source.image
    digest = (img.manifest_digest if img else "") or source.digest
    if not digest:
        return ""
    repo = source.name or source.input
    tag = ""
    if img and img.tags:
        tag = img.tags[0].rsplit(":", 1)[1] if ":" in img.tags[0].rsplit("/", 1)[-1] else ""
    if "@" in repo:
        repo = repo.split("@", 1)[0]
    last = repo.rsplit("/", 1)[-1]
    if ":" in last:
        tag = tag or last.split(":", 1)[1]
        repo = repo[: len(repo) - len(last)] + last.split(":", 1)[0]
    name = repo.rsplit("/", 1)[-1].lower() or "image"
    quals: list[tuple[str, str]] = []
    if img and img.architecture:
        quals.append(("arch", img.architecture))
    if "/" in repo:
        quals.append(("repository_url", repo.lower()))
    if tag:
        quals.append(("tag", tag))
    q = "&".join(f"{k}={quote(v, safe='/:.-_')}" for k, v in quals)
    return f"pkg:oci/{quote(name, safe='.-_')}@{quote(digest, safe='')}" + (f"?{q}" if q else "")


# --------------------------------------------------------------------------- encoding


def _annotation(comment: str, created: str, annotator: str) -> dict[str, str]:
    return {"annotationDate": created, "annotationType": "OTHER", "annotator": annotator, "comment": comment}


def _checksums(digests: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    out = []
    seen = set()
    for algo, value in digests:
        known = _CHECKSUMS.get(algo.lower())
        value = value.strip()
        if value.startswith(algo + ":"):
            value = value[len(algo) + 1 :]
        if not known or not _HEX.match(value) or (known[1] and len(value) != known[1]):
            continue
        if known[0] in seen:
            continue
        seen.add(known[0])
        out.append({"algorithm": known[0], "checksumValue": value.lower()})
    return out


def _external_refs(purl: str, cpes: Iterable[str]) -> list[dict[str, str]]:
    refs = []
    for cpe in cpes:
        if cpe.startswith("cpe:2.3:"):
            refs.append({"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": cpe})
        elif cpe.startswith("cpe:/"):
            refs.append({"referenceCategory": "SECURITY", "referenceType": "cpe22Type", "referenceLocator": cpe})
    if purl:
        refs.append({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl})
    return refs


def _one_line(text: str) -> str:
    return " ".join(text.split())


def source_kind(src: SourceInfo) -> str:
    return src.kind if src.kind in ("image", "directory", "file") else "unknown"


def source_version(src: SourceInfo) -> str:
    """What SPDX calls the version of the source: the image manifest digest when there is one."""
    img = src.image
    return (img.manifest_digest if img else "") or src.digest or src.version


def source_notes(src: SourceInfo, name: str, version: str) -> list[str]:
    """``key=value`` notes that let :func:`source_from_notes` rebuild ``src`` exactly."""
    img = src.image
    notes = [f"source:kind={source_kind(src)}"]
    if src.input:
        notes.append(f"source:input={src.input}")
    if src.name != name:
        notes.append(f"source:name={src.name}")
    if src.version != version:
        notes.append(f"source:version={src.version}")
    if src.path:
        notes.append(f"source:path={src.path}")
    if src.digest:
        notes.append(f"source:digest={src.digest}")
    if img:
        for key, value in (
            ("manifest-digest", img.manifest_digest),
            ("manifest-media-type", img.manifest_media_type),
            ("config-digest", img.config_digest),
            ("index-digest", img.index_digest),
            ("architecture", img.architecture),
            ("os", img.os),
            ("variant", img.variant),
            ("created", img.created),
            ("size", str(img.size) if img.size else ""),
        ):
            if value:
                notes.append(f"image:{key}={value}")
        notes.extend(f"image:tag={t}" for t in img.tags)
        notes.extend(f"image:repo-digest={d}" for d in img.repo_digests)
        for layer in img.layers:
            notes.append(f"image:layer={layer.digest} {layer.diff_id or '-'} {layer.size} {layer.media_type or '-'}")
        notes.extend(f"image:label:{k}={v}" for k, v in img.labels)
    return notes


def _root_package(sbom: Sbom, v23: bool, created: str, annotator: str) -> dict[str, Any]:
    src = sbom.source
    img = src.image
    kind = source_kind(src)
    name = _one_line(src.display_name)
    label_kind = {"image": "Image", "directory": "Directory", "file": "File", "unknown": "Unknown"}[kind]
    pkg: dict[str, Any] = {"name": name, "SPDXID": f"SPDXRef-DocumentRoot-{label_kind}-{sanitize_id(name)}"}
    version = source_version(src)
    if version:
        pkg["versionInfo"] = version
    vendor = img.label("org.opencontainers.image.vendor") if img else ""
    pkg["supplier"] = format_actor(vendor, "Organization") if vendor else NOASSERTION
    source_url = img.label("org.opencontainers.image.source") if img else ""
    pkg["downloadLocation"] = source_url if is_download_location(source_url) else NOASSERTION
    pkg["filesAnalyzed"] = False
    digest = (img.manifest_digest if img else "") or src.digest
    if digest.startswith("sha256:"):
        checks = _checksums([("sha256", digest[7:])])
        if checks:
            pkg["checksums"] = checks
    url = img.label("org.opencontainers.image.url") if img else ""
    if is_url(url):
        pkg["homepage"] = url
    revision = img.label("org.opencontainers.image.revision") if img else ""
    if source_url or revision:
        info = "image built from " + (source_url or "an unnamed source")
        pkg["sourceInfo"] = info + (f" at revision {revision}" if revision else "")
    pkg["licenseConcluded"] = NOASSERTION
    declared = NOASSERTION
    if img and img.label("org.opencontainers.image.licenses"):
        from .._internal.licenses import to_spdx

        declared = to_spdx(img.label("org.opencontainers.image.licenses")) or NOASSERTION
    pkg["licenseDeclared"] = declared
    pkg["copyrightText"] = NOASSERTION
    desc = img.label("org.opencontainers.image.description") if img else ""
    if desc:
        pkg["description"] = desc
    if kind == "image":
        purl = oci_purl(src)
        if purl:
            pkg["externalRefs"] = [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}]
    if v23:
        pkg["primaryPackagePurpose"] = {"image": "CONTAINER", "directory": "FILE", "file": "FILE"}.get(kind, "OTHER")
        built = (img.label("org.opencontainers.image.created") or img.created) if img else ""
        if built:
            pkg["builtDate"] = spdx_created(built)
    notes = source_notes(src, name, version)
    pkg["annotations"] = [_annotation(ANNOTATION + n, created, annotator) for n in notes]
    return pkg


def distro_notes(distro: Distro) -> list[str]:
    notes = []
    for key in ("id", "version_id", "version_codename", "name", "pretty_name", "version", "cpe_name", "home_url", "build_id", "variant_id"):
        value = getattr(distro, key)
        if value:
            notes.append(f"distro:{key}={value}")
    if distro.id_like:
        notes.append("distro:id_like=" + " ".join(distro.id_like))
    return notes


def _os_package(distro: Distro, v23: bool, created: str, annotator: str) -> dict[str, Any]:
    name = distro.id or distro.name or "linux"
    pkg: dict[str, Any] = {
        "name": name,
        "SPDXID": f"SPDXRef-OperatingSystem-{sanitize_id(name)}-{sanitize_id(distro.version_id or 'unknown')}",
    }
    if distro.version_id or distro.version:
        pkg["versionInfo"] = distro.version_id or distro.version
    pkg["supplier"] = format_actor(distro.name, "Organization") if distro.name else NOASSERTION
    pkg["downloadLocation"] = NOASSERTION
    pkg["filesAnalyzed"] = False
    if is_url(distro.home_url):
        pkg["homepage"] = distro.home_url
    pkg["licenseConcluded"] = NOASSERTION
    pkg["licenseDeclared"] = NOASSERTION
    pkg["copyrightText"] = NOASSERTION
    if distro.pretty_name:
        pkg["description"] = distro.pretty_name
    refs = []
    if distro.cpe_name:
        refs = _external_refs("", [distro.cpe_name])
    purl = f"pkg:generic/{quote(name, safe='.-_')}" + (f"@{quote(distro.version_id, safe='.-_')}" if distro.version_id else "")
    refs.append({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl})
    pkg["externalRefs"] = refs
    if v23:
        pkg["primaryPackagePurpose"] = "OPERATING-SYSTEM"
    notes = distro_notes(distro)
    pkg["annotations"] = [_annotation(ANNOTATION + n, created, annotator) for n in notes]
    return pkg


def package_notes(p: Package) -> list[str]:
    notes = []
    if p.found_by:
        notes.append(f"found-by={p.found_by}")
    if p.layer:
        notes.append(f"layer={p.layer}")
    for loc in p.locations:
        access = f"\t{loc.access_path}" if loc.access_path and loc.access_path != loc.path else ""
        notes.append(f"location={loc.layer or '-'} {loc.path}{access}")
    for key, value in (
        ("arch", p.arch),
        ("epoch", "" if p.epoch is None else str(p.epoch)),
        ("source-name", p.source_name),
        ("source-version", p.source_version),
        ("language", p.language),
        ("dev", "true" if p.dev else ""),
    ):
        if value:
            notes.append(f"{key}={value}")
    return notes


def _package(p: Package, v23: bool, created: str, annotator: str, extracted: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": _one_line(p.name), "SPDXID": package_spdx_id(p)}
    if p.version:
        out["versionInfo"] = _one_line(p.version)
    out["supplier"] = format_actor(p.supplier)
    if p.author:
        out["originator"] = format_actor(p.author)
    out["downloadLocation"] = NOASSERTION
    out["filesAnalyzed"] = False
    checks = _checksums(p.digests)
    if checks:
        out["checksums"] = checks
    if is_url(p.homepage):
        out["homepage"] = p.homepage
    out["sourceInfo"] = source_info_text(p)
    out["licenseConcluded"] = NOASSERTION
    expr, refs = license_expression(p.licenses)
    for k, v in refs.items():
        extracted.setdefault(k, v)
    out["licenseDeclared"] = expr
    out["copyrightText"] = NOASSERTION
    if p.description:
        out["description"] = p.description
    refs_out = _external_refs(p.purl, p.cpes)
    if refs_out:
        out["externalRefs"] = refs_out
    if v23:
        out["primaryPackagePurpose"] = "APPLICATION" if p.type == "binary" else "LIBRARY"
    notes = package_notes(p)
    if notes:
        out["annotations"] = [_annotation(ANNOTATION + n, created, annotator) for n in notes]
    return out


_DEP_TYPES = {
    RelType.DEPENDS_ON: ("DEPENDS_ON", False),
    RelType.DEV_DEPENDS_ON: ("DEV_DEPENDENCY_OF", True),
    RelType.OPTIONAL_DEPENDS_ON: ("OPTIONAL_DEPENDENCY_OF", True),
    RelType.CONTAINS: ("CONTAINS", False),
}


def to_document(sbom: Sbom, version: str) -> dict[str, Any]:
    """The SPDX ``version`` (2.2 or 2.3) document for ``sbom`` as a JSON-shaped dict."""
    if version not in ("2.2", "2.3"):
        raise FormatError(f"SPDX version {version} cannot be written (choose 2.3 or 2.2)")
    v23 = version == "2.3"
    created = spdx_created(sbom.created)
    tool = f"{sbom.tool_name or 'assay'}-{sbom.tool_version or _tool_version()}"
    annotator = f"Tool: {tool}"
    name = _one_line(sbom.source.display_name)
    kind = source_kind(sbom.source)
    namespace_name = re.sub(r"[^A-Za-z0-9._\-]+", "-", name).strip("-") or "unknown"
    doc: dict[str, Any] = {
        "spdxVersion": f"SPDX-{version}",
        "dataLicense": "CC0-1.0",
        "SPDXID": DOCUMENT_ID,
        "name": name,
        "documentNamespace": f"{NAMESPACE_BASE}/{kind}/{namespace_name}-{sbom.serial_uuid}",
        "creationInfo": {"creators": ["Organization: assay", annotator], "created": created},
    }
    extracted: dict[str, str] = {}
    root = _root_package(sbom, v23, created, annotator)
    packages = [root]
    os_pkg = _os_package(sbom.distro, v23, created, annotator) if sbom.distro and (sbom.distro.id or sbom.distro.name) else None
    if os_pkg:
        packages.append(os_pkg)
    ids: dict[str, str] = {}
    for p in sbom.packages:
        entry = _package(p, v23, created, annotator, extracted)
        ids[p.id] = entry["SPDXID"]
        packages.append(entry)
    doc["packages"] = packages
    if extracted:
        doc["hasExtractedLicensingInfos"] = [
            {"licenseId": k, "extractedText": v, "name": _one_line(v) or k} for k, v in sorted(extracted.items())
        ]
    rels: list[dict[str, str]] = [{"spdxElementId": DOCUMENT_ID, "relatedSpdxElement": root["SPDXID"], "relationshipType": "DESCRIBES"}]
    if os_pkg:
        rels.append({"spdxElementId": root["SPDXID"], "relatedSpdxElement": os_pkg["SPDXID"], "relationshipType": "CONTAINS"})
    for p in sbom.packages:
        rels.append({"spdxElementId": root["SPDXID"], "relatedSpdxElement": ids[p.id], "relationshipType": "CONTAINS"})
    seen: set[tuple[str, str, str]] = set()
    for r in sbom.relationships:
        if r.type not in _DEP_TYPES or r.source not in ids or r.target not in ids:
            continue
        rtype, reverse = _DEP_TYPES[r.type]
        a, b = (ids[r.target], ids[r.source]) if reverse else (ids[r.source], ids[r.target])
        if (a, rtype, b) in seen:
            continue
        seen.add((a, rtype, b))
        rels.append({"spdxElementId": a, "relatedSpdxElement": b, "relationshipType": rtype})
    doc["relationships"] = rels
    return doc


# --------------------------------------------------------------------------- decoding


def _fail(fmt: str, where: str, msg: str) -> FormatError:
    return FormatError(f"{fmt}: {where}: {msg}" if where else f"{fmt}: {msg}")


def _str(obj: Mapping[str, Any], key: str, fmt: str, where: str, required: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise _fail(fmt, where, f"missing {key}")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _fail(fmt, where, f"{key} must be a string, not {type(value).__name__}")
    return str(value)


def _list(obj: Mapping[str, Any], key: str, fmt: str, where: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(fmt, where, f"{key} must be a list, not {type(value).__name__}")
    return value


def _notes(pkg: Mapping[str, Any], fmt: str, where: str) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(_list(pkg, "annotations", fmt, where)):
        if not isinstance(a, dict):
            raise _fail(fmt, f"{where}.annotations[{i}]", "must be an object")
        comment = _str(a, "comment", fmt, f"{where}.annotations[{i}]")
        if comment.startswith(ANNOTATION) and "=" in comment:
            key, _, value = comment[len(ANNOTATION) :].partition("=")
            out.append((key, value))
    return out


def _purl_and_cpes(pkg: Mapping[str, Any], fmt: str, where: str) -> tuple[str, list[str]]:
    purl = ""
    cpes: list[str] = []
    for i, ref in enumerate(_list(pkg, "externalRefs", fmt, where)):
        if not isinstance(ref, dict):
            raise _fail(fmt, f"{where}.externalRefs[{i}]", "must be an object")
        rtype = _str(ref, "referenceType", fmt, f"{where}.externalRefs[{i}]")
        loc = _str(ref, "referenceLocator", fmt, f"{where}.externalRefs[{i}]").strip()
        if rtype == "purl" and loc and not purl:
            purl = loc
        elif rtype in ("cpe23Type", "cpe22Type") and loc and loc not in cpes:
            cpes.append(loc)
    return purl, cpes


def _licenses_of(pkg: Mapping[str, Any], extracted: Mapping[str, str], fmt: str, where: str) -> tuple[License, ...]:
    from .._internal.licenses import to_spdx

    expr = _str(pkg, "licenseDeclared", fmt, where).strip()
    if expr in ("", NOASSERTION, "NONE"):
        expr = _str(pkg, "licenseConcluded", fmt, where).strip()
    if expr in ("", NOASSERTION, "NONE"):
        return ()
    out: list[License] = []
    for part in split_expression(expr):
        if re.fullmatch(r"LicenseRef-[A-Za-z0-9.\-]+", part):
            text = extracted.get(part, "")
            value = text if text and len(text) <= 200 else part
            spdx = to_spdx(value) if value != part else ""
            out.append(License(value=value, spdx=spdx))
        elif _LICENSE_REF.search(part):
            out.append(License(value=part, spdx=""))
        else:
            out.append(License(value=part, spdx=to_spdx(part) or part))
    return tuple(out)


def source_from_notes(kind: str, name: str, version: str, notes: list[tuple[str, str]], sha256: str = "") -> SourceInfo:
    """The source an SPDX root element describes; ``kind`` is the guess from the element
    itself, overridden by our own notes when the document carries them."""
    note = dict(notes)
    kind = note.get("source:kind", kind)
    image = None
    if kind == "image":
        tags, repo_digests, labels, layers = [], [], [], []
        for key, value in notes:
            if key == "image:tag":
                tags.append(value)
            elif key == "image:repo-digest":
                repo_digests.append(value)
            elif key.startswith("image:label:"):
                labels.append((key[len("image:label:") :], value))
            elif key == "image:layer":
                bits = value.split(" ", 3) + ["", "", "", ""]
                size = int(bits[2]) if bits[2].isdigit() else 0
                layers.append(
                    Layer(digest=bits[0], diff_id="" if bits[1] == "-" else bits[1], size=size, media_type="" if bits[3] == "-" else bits[3])
                )
        manifest = note.get("image:manifest-digest", "")
        if not manifest and version.startswith("sha256:"):
            manifest = version
        image = ImageInfo(
            manifest_digest=manifest,
            manifest_media_type=note.get("image:manifest-media-type", ""),
            config_digest=note.get("image:config-digest", ""),
            index_digest=note.get("image:index-digest", ""),
            tags=tuple(tags),
            repo_digests=tuple(repo_digests),
            layers=tuple(layers),
            labels=tuple(labels),
            architecture=note.get("image:architecture", ""),
            os=note.get("image:os", ""),
            variant=note.get("image:variant", ""),
            created=note.get("image:created", ""),
            size=int(note["image:size"]) if note.get("image:size", "").isdigit() else 0,
        )
    digest = note.get("source:digest", "")
    if not digest and kind == "image" and image is not None:
        digest = image.manifest_digest
    if not digest and kind == "file" and sha256:
        digest = "sha256:" + sha256
    if "source:version" in note:
        src_version = note["source:version"]
    elif kind == "image" and image is not None and version == image.manifest_digest:
        src_version = ""
    else:
        src_version = version
    return SourceInfo(
        kind=kind,
        input=note.get("source:input", ""),
        name=note.get("source:name", name),
        version=src_version,
        path=note.get("source:path", ""),
        digest=digest,
        image=image,
    )


def _source_from_root(pkg: Mapping[str, Any], notes: list[tuple[str, str]], fmt: str, where: str) -> SourceInfo:
    sid = _str(pkg, "SPDXID", fmt, where)
    purpose = _str(pkg, "primaryPackagePurpose", fmt, where)
    if purpose == "CONTAINER" or sid.startswith("SPDXRef-DocumentRoot-Image-"):
        kind = "image"
    elif sid.startswith("SPDXRef-DocumentRoot-Directory-"):
        kind = "directory"
    elif sid.startswith("SPDXRef-DocumentRoot-File-") or purpose == "FILE":
        kind = "file"
    else:
        kind = "unknown"
    sha256 = ""
    for c in _list(pkg, "checksums", fmt, where):
        if isinstance(c, dict) and c.get("algorithm") == "SHA256":
            sha256 = str(c.get("checksumValue", ""))
    return source_from_notes(kind, _str(pkg, "name", fmt, where), _str(pkg, "versionInfo", fmt, where), notes, sha256)


def distro_from_notes(
    name: str, version: str, supplier: str, description: str, homepage: str, notes: list[tuple[str, str]]
) -> Distro:
    note = dict(notes)
    return Distro(
        id=note.get("distro:id", name.lower()),
        version_id=note.get("distro:version_id", version),
        version_codename=note.get("distro:version_codename", ""),
        id_like=tuple(note.get("distro:id_like", "").split()),
        name=note.get("distro:name", supplier),
        pretty_name=note.get("distro:pretty_name", description),
        version=note.get("distro:version", ""),
        cpe_name=note.get("distro:cpe_name", ""),
        home_url=note.get("distro:home_url", homepage),
        build_id=note.get("distro:build_id", ""),
        variant_id=note.get("distro:variant_id", ""),
    )


def _distro_from(pkg: Mapping[str, Any], notes: list[tuple[str, str]], fmt: str, where: str) -> Distro:
    return distro_from_notes(
        _str(pkg, "name", fmt, where),
        _str(pkg, "versionInfo", fmt, where),
        parse_actor(_str(pkg, "supplier", fmt, where))[1],
        _str(pkg, "description", fmt, where),
        _str(pkg, "homepage", fmt, where),
        notes,
    )


_PKG_ID = re.compile(r"-([0-9a-f]{16})$")


def package_fields(notes: list[tuple[str, str]], purl: str, ptype: str, source_info: str = "", ours: bool = False) -> dict[str, Any]:
    """Package fields SPDX has no place for: from our notes, else from purl qualifiers and ``sourceInfo``.

    ``ours`` says the document was written by assay: then a missing note means an
    empty field rather than something to guess (the language from the type)."""
    note: dict[str, str] = {}
    locations: list[Location] = []
    for key, value in notes:
        if key == "location":
            layer, _, rest = value.partition(" ")
            path, _, access = rest.partition("\t")
            if path:
                locations.append(Location(path=path, layer="" if layer == "-" else layer, access_path=access))
        else:
            note[key] = value
    if not locations and source_info:
        m = re.match(r"^acquired package info from [^:]*: (.+)$", source_info)
        if m:
            locations = [Location(path=p.strip()) for p in m.group(1).split(", ") if p.strip().startswith("/")]
    quals = _purl_qualifiers(purl)
    epoch_txt = note.get("epoch", quals.get("epoch", ""))
    upstream = quals.get("upstream", "")
    src_name, src_version = note.get("source-name", ""), note.get("source-version", "")
    if not src_name and upstream:
        if upstream.endswith(".rpm"):
            src_name, src_version = split_source_rpm(upstream)
        elif "@" in upstream:
            src_name, src_version = upstream.split("@", 1)
        else:
            src_name = upstream
    return {
        "found_by": note.get("found-by", ""),
        "arch": note.get("arch", quals.get("arch", "")),
        "epoch": int(epoch_txt) if epoch_txt.isdigit() else None,
        "source_name": src_name,
        "source_version": src_version,
        "language": note.get("language", "" if ours else language_of(ptype)),
        "dev": note.get("dev") == "true",
        "layer": note.get("layer", locations[0].layer if locations else ""),
        "locations": tuple(locations),
    }


def split_source_rpm(value: str) -> tuple[str, str]:
    """``vim-9.0-1.cm2.src.rpm`` -> ("vim", "9.0-1.cm2"); anything else -> (value, "")."""
    m = re.match(r"^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$", value)
    return (m.group(1), f"{m.group(2)}-{m.group(3)}") if m else (value, "")


def _model_package(
    pkg: Mapping[str, Any], notes: list[tuple[str, str]], extracted: Mapping[str, str], fmt: str, where: str, ours: bool
) -> Package:
    sid = _str(pkg, "SPDXID", fmt, where, required=True)
    name = _str(pkg, "name", fmt, where, required=True)
    if not name.strip():
        raise _fail(fmt, where, "package without a name")
    fa = pkg.get("filesAnalyzed")
    if fa is not None and not isinstance(fa, bool):
        raise _fail(fmt, where, f"filesAnalyzed must be true or false, not {fa!r}")
    version = _str(pkg, "versionInfo", fmt, where)
    purl, cpes = _purl_and_cpes(pkg, fmt, where)
    ptype = type_from_spdx_id(sid) or type_from_purl(purl) or "unknown"
    digests = []
    for i, c in enumerate(_list(pkg, "checksums", fmt, where)):
        if not isinstance(c, dict):
            raise _fail(fmt, f"{where}.checksums[{i}]", "must be an object")
        algo = _str(c, "algorithm", fmt, f"{where}.checksums[{i}]")
        value = _str(c, "checksumValue", fmt, f"{where}.checksums[{i}]")
        if algo and value:
            digests.append((checksum_name(algo), value))
    m = _PKG_ID.search(sid)
    homepage = _str(pkg, "homepage", fmt, where)
    return Package(
        name=name,
        version=version,
        type=ptype,
        purl=purl,
        cpes=tuple(cpes),
        licenses=_licenses_of(pkg, extracted, fmt, where),
        supplier=actor_to_raw(_str(pkg, "supplier", fmt, where)),
        author=actor_to_raw(_str(pkg, "originator", fmt, where)),
        description=_str(pkg, "description", fmt, where) or _str(pkg, "summary", fmt, where),
        homepage="" if homepage in (NOASSERTION, "NONE") else homepage,
        digests=tuple(digests),
        id=m.group(1) if m else "",
        **package_fields(notes, purl, ptype, _str(pkg, "sourceInfo", fmt, where), ours),
    )


def checksum_name(algo: str) -> str:
    """An SPDX checksum algorithm (``SHA256``, ``sha3_256``, ``blake2b256``) as the model names it (``sha256``)."""
    if algo in _CHECKSUM_BACK:
        return _CHECKSUM_BACK[algo]
    low = algo.lower().replace("_", "-")
    return {"blake2b256": "blake2b-256", "blake2b384": "blake2b-384", "blake2b512": "blake2b-512"}.get(low, low)


def split_tool(text: str) -> tuple[str, str]:
    """``"syft-0.91.0"`` -> ("syft", "0.91.0"); a name without a version suffix stays whole."""
    text = text.strip()
    m = re.match(r"^(.+?)[-@ ](v?\d[\w.+\-]*|\[not provided\])$", text)
    return (m.group(1), m.group(2)) if m else (text, "")


def _creation(doc: Mapping[str, Any], fmt: str) -> tuple[str, str, str]:
    info = doc.get("creationInfo")
    if info is None:
        return "", "", ""
    if not isinstance(info, dict):
        raise _fail(fmt, "creationInfo", "must be an object")
    tool_name = tool_version = ""
    for i, c in enumerate(_list(info, "creators", fmt, "creationInfo")):
        if not isinstance(c, str):
            raise _fail(fmt, f"creationInfo.creators[{i}]", f"must be a string like 'Tool: name-version', not {type(c).__name__}")
        if c.startswith("Tool:") and not tool_name:
            tool_name, tool_version = split_tool(c[5:])
    return _str(info, "created", fmt, "creationInfo"), tool_name, tool_version


_REL_BACK: dict[str, tuple[RelType, bool]] = {
    "DEPENDS_ON": (RelType.DEPENDS_ON, False),
    "DEPENDENCY_OF": (RelType.DEPENDS_ON, True),
    "RUNTIME_DEPENDENCY_OF": (RelType.DEPENDS_ON, True),
    "DEV_DEPENDENCY_OF": (RelType.DEV_DEPENDS_ON, True),
    "BUILD_DEPENDENCY_OF": (RelType.DEV_DEPENDS_ON, True),
    "TEST_DEPENDENCY_OF": (RelType.DEV_DEPENDS_ON, True),
    "OPTIONAL_DEPENDENCY_OF": (RelType.OPTIONAL_DEPENDS_ON, True),
    "CONTAINS": (RelType.CONTAINS, False),
    "CONTAINED_BY": (RelType.CONTAINS, True),
}


def from_document(doc: Any, fmt: str) -> Sbom:
    """Read an SPDX 2.x document (JSON-shaped dict) into the model; ``fmt`` names the format in errors."""
    if not isinstance(doc, dict):
        raise _fail(fmt, "", "the document must be an object")
    spdx_version = _str(doc, "spdxVersion", fmt, "", required=True)
    if not spdx_version.startswith("SPDX-2."):
        raise _fail(fmt, "spdxVersion", f"unsupported version {spdx_version!r}")
    doc_id = _str(doc, "SPDXID", fmt, "") or DOCUMENT_ID
    created, tool_name, tool_version = _creation(doc, fmt)

    extracted: dict[str, str] = {}
    for i, e in enumerate(_list(doc, "hasExtractedLicensingInfos", fmt, "")):
        if not isinstance(e, dict):
            raise _fail(fmt, f"hasExtractedLicensingInfos[{i}]", "must be an object")
        lid = _str(e, "licenseId", fmt, f"hasExtractedLicensingInfos[{i}]")
        text = _str(e, "extractedText", fmt, f"hasExtractedLicensingInfos[{i}]")
        if len(text) > 200 or not text.strip():  # a full license text: its name reads better
            text = _str(e, "name", fmt, f"hasExtractedLicensingInfos[{i}]") or text
        if lid:
            extracted[lid] = text

    raw_pkgs = _list(doc, "packages", fmt, "")
    by_sid: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, p in enumerate(raw_pkgs):
        if not isinstance(p, dict):
            raise _fail(fmt, f"packages[{i}]", "must be an object")
        sid = _str(p, "SPDXID", fmt, f"packages[{i}]", required=True)
        _str(p, "name", fmt, f"packages[{i}] ({sid})", required=True)
        by_sid.setdefault(sid, (i, p))

    rels: list[tuple[str, str, str]] = []
    for i, r in enumerate(_list(doc, "relationships", fmt, "")):
        if not isinstance(r, dict):
            raise _fail(fmt, f"relationships[{i}]", "must be an object")
        a = _str(r, "spdxElementId", fmt, f"relationships[{i}]", required=True)
        t = _str(r, "relationshipType", fmt, f"relationships[{i}]", required=True)
        b = _str(r, "relatedSpdxElement", fmt, f"relationships[{i}]", required=True)
        rels.append((a, t.upper(), b))

    described = [str(x) for x in _list(doc, "documentDescribes", fmt, "")]
    described += [b for a, t, b in rels if a == doc_id and t == "DESCRIBES"]
    described += [a for a, t, b in rels if b == doc_id and t == "DESCRIBED_BY"]

    root_sid = ""
    for sid in described:
        if sid in by_sid:
            i, p = by_sid[sid]
            purpose = _str(p, "primaryPackagePurpose", fmt, f"packages[{i}]")
            if purpose == "CONTAINER" or sid.startswith("SPDXRef-DocumentRoot-"):
                root_sid = sid
                break
    if not root_sid:
        for sid in by_sid:
            if sid.startswith("SPDXRef-DocumentRoot-"):
                root_sid = sid
                break

    source = SourceInfo(kind="unknown", name=_str(doc, "name", fmt, ""))
    distro: Distro | None = None
    packages: list[Package] = []
    model_ids: dict[str, str] = {}
    all_notes = {sid: _notes(p, fmt, f"packages[{i}] ({sid})") for sid, (i, p) in by_sid.items()}
    ours = any(all_notes.values())
    for sid, (i, p) in by_sid.items():
        where = f"packages[{i}] ({sid})"
        notes = all_notes[sid]
        if sid == root_sid:
            source = _source_from_root(p, notes, fmt, where)
            continue
        purpose = _str(p, "primaryPackagePurpose", fmt, where)
        if distro is None and (purpose == "OPERATING-SYSTEM" or sid.startswith("SPDXRef-OperatingSystem-")):
            distro = _distro_from(p, notes, fmt, where)
            continue
        try:
            pkg = _model_package(p, notes, extracted, fmt, where, ours)
        except ValueError as exc:
            raise _fail(fmt, where, str(exc)) from exc
        model_ids[sid] = pkg.id
        packages.append(pkg)

    relationships: set[Relationship] = set()
    for a, t, b in rels:
        if t not in _REL_BACK or a not in model_ids or b not in model_ids:
            continue
        rtype, reverse = _REL_BACK[t]
        src, dst = (model_ids[b], model_ids[a]) if reverse else (model_ids[a], model_ids[b])
        if src != dst:
            relationships.add(Relationship(source=src, target=dst, type=rtype))

    return Sbom(
        packages=tuple(packages),
        relationships=tuple(relationships),
        source=source,
        distro=distro,
        created=created,
        tool_name=tool_name or "unknown",
        tool_version=tool_version,
    )
