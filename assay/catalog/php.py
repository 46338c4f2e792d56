"""PHP packages: Composer lock and installed files, and the PEAR/PECL registry.

``php-composer-lock-cataloger`` reads ``**/composer.lock``: the ``packages``
list only; ``packages-dev`` is left out, as syft does (the lock says what should
be installed, the dev part only on a developer's machine).

``php-composer-installed-cataloger`` reads ``**/installed.json`` (what Composer
installed into ``vendor/``): composer 1 writes a bare list, composer 2 an object
with ``packages`` and ``dev-package-names``; the packages that list names are
reported with ``dev=True``.

Both turn ``require`` into DEPENDS_ON edges to the packages of the same file
that have, ``provide`` or ``replace`` the required name (platform requirements
such as ``php`` and ``ext-json`` match nothing).  The purl is
``pkg:composer/<vendor>/<name>@<version>``.

``php-pear-serialized-cataloger`` reads PEAR's registry
(``**/php/.registry/**/*.reg``, PECL extensions included): each file is one
package as a PHP ``serialize()`` value, decoded here (never evaluated).  The
purl is ``pkg:pear/<channel>/<name>@<version>``, the channel defaulting to
``pecl.php.net`` when the (older) file has none, as syft writes it.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from packageurl import PackageURL

from ..model import Location, Package, Relationship, RelType
from .._internal.licenses import licenses_from
from ..source.tree import FileResolver
from . import Environment, GlobCataloger, Parsed, parse_error

__all__ = [
    "LOCK_NAME",
    "INSTALLED_NAME",
    "PEAR_NAME",
    "CATALOGERS",
    "composer_purl",
    "pear_purl",
    "parse_composer_lock",
    "parse_installed_json",
    "parse_pear_registry",
    "php_unserialize",
]

LOCK_NAME = "php-composer-lock-cataloger"
INSTALLED_NAME = "php-composer-installed-cataloger"
PEAR_NAME = "php-pear-serialized-cataloger"


def _read(resolver: FileResolver, loc: Location, cap: int = 128 << 20) -> bytes:
    """A file's bytes; one larger than ``cap`` is a CatalogError (a warning), not a failed scan."""
    size = resolver.size(loc)
    if size > cap:
        raise parse_error(loc, f"{size} bytes, over the {cap >> 20} MiB this cataloger reads")
    return resolver.read(loc, cap)


def composer_purl(name: str, version: str) -> str:
    """``vendor/name`` -> ``pkg:composer/vendor/name@version`` (extra segments joined with ``-``, as syft does)."""
    parts = name.split("/")
    namespace = parts[0] if len(parts) > 1 else None
    pkg = "-".join(parts[1:]) if len(parts) > 1 else name
    return PackageURL(type="composer", namespace=namespace, name=pkg, version=version or None).to_string()


def pear_purl(name: str, channel: str, version: str) -> str:
    return PackageURL(type="pear", namespace=channel or "pecl.php.net", name=name, version=version or None).to_string()


# -- Composer ---------------------------------------------------------------------------------


def _names(value: Any) -> list[str]:
    return [k for k in value if isinstance(k, str)] if isinstance(value, dict) else []


def _authors(value: Any) -> str:
    out = []
    for a in value if isinstance(value, list) else ():
        if isinstance(a, dict) and a.get("name"):
            out.append(f"{a['name']} <{a['email']}>" if a.get("email") else str(a["name"]))
    return ", ".join(out)


def _licenses(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _composer_package(entry: dict[str, Any], loc: Location, found_by: str, dev: bool = False) -> Package:
    name = str(entry["name"]).strip()
    version = str(entry.get("version", "")).strip()
    metadata: dict[str, Any] = {"name": name, "version": version}
    for key in ("type", "source", "dist", "require", "require-dev", "provide", "replace", "suggest", "time", "installation-source", "install-path"):
        if key in entry:
            metadata[key.replace("-", "_")] = entry[key]
    return Package(
        name=name,
        version=version,
        type="php-composer",
        found_by=found_by,
        purl=composer_purl(name, version),
        licenses=licenses_from(_licenses(entry.get("license")), loc.path),
        author=_authors(entry.get("authors")),
        description=str(entry.get("description", "") or "").strip(),
        homepage=str(entry.get("homepage", "") or "").strip(),
        language="php",
        dev=dev,
        layer=loc.layer,
        locations=(loc,),
        metadata=metadata,
    )


def _composer_relationships(pairs: Iterable[tuple[Package, dict[str, Any]]]) -> list[Relationship]:
    """``require`` -> the packages having, providing or replacing that name."""
    pairs = list(pairs)
    providers: dict[str, list[str]] = {}
    for p, entry in pairs:
        for n in [p.name, *_names(entry.get("provide")), *_names(entry.get("replace"))]:
            providers.setdefault(n.lower(), []).append(p.id)
    rels = {
        Relationship(source=p.id, target=t, type=RelType.DEPENDS_ON)
        for p, entry in pairs
        for req in _names(entry.get("require"))
        for t in providers.get(req.lower(), ())
        if t != p.id
    }
    return sorted(rels)


def _json(resolver: FileResolver, loc: Location) -> Any:
    try:
        return json.loads(_read(resolver, loc).decode("utf-8", errors="replace"))
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise parse_error(loc, f"not JSON: {getattr(exc, 'msg', exc)}", line) from None


def _entries(value: Any, loc: Location, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise parse_error(loc, f"{where} is not a list")
    return [e for e in value if isinstance(e, dict) and isinstance(e.get("name"), str) and e["name"].strip()]


def parse_composer_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """The ``packages`` of a composer.lock (``packages-dev`` is left out)."""
    doc = _json(resolver, loc)
    if not isinstance(doc, dict):
        raise parse_error(loc, "not a composer.lock object")
    pairs = [(_composer_package(e, loc, LOCK_NAME), e) for e in _entries(doc.get("packages"), loc, "packages")]
    return Parsed.of([p for p, _ in pairs], _composer_relationships(pairs))


def parse_installed_json(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Composer's ``vendor/composer/installed.json`` (v1 list or v2 object); dev packages marked."""
    doc = _json(resolver, loc)
    dev_names: set[str] = set()
    if isinstance(doc, dict):
        entries = _entries(doc.get("packages"), loc, "packages")
        dev_names = {n for n in doc.get("dev-package-names", ()) if isinstance(n, str)}
    elif isinstance(doc, list):
        entries = _entries(doc, loc, "the file")
    else:
        raise parse_error(loc, "not a Composer installed.json")
    pairs = [(_composer_package(e, loc, INSTALLED_NAME, dev=e["name"] in dev_names), e) for e in entries]
    return Parsed.of([p for p, _ in pairs], _composer_relationships(pairs))


# -- PHP serialize() and the PEAR registry --------------------------------------------------------


class _Unserializer:
    """Decoder for PHP's ``serialize()`` format (scalars, arrays, objects as dicts)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.i = 0

    def _until(self, stop: bytes) -> bytes:
        j = self.data.find(stop, self.i)
        if j < 0:
            raise ValueError(f"expected {stop.decode()!r} after offset {self.i}")
        out = self.data[self.i : j]
        self.i = j + len(stop)
        return out

    def _expect(self, token: bytes) -> None:
        if not self.data.startswith(token, self.i):
            raise ValueError(f"expected {token.decode()!r} at offset {self.i}")
        self.i += len(token)

    def _string(self) -> str:
        n = int(self._until(b":"))
        self._expect(b'"')
        raw = self.data[self.i : self.i + n]
        if len(raw) != n:
            raise ValueError(f"string of {n} bytes runs past the end at offset {self.i}")
        self.i += n
        self._expect(b'"')
        return raw.decode("utf-8", errors="replace")

    def _members(self) -> dict[Any, Any]:
        count = int(self._until(b":"))
        self._expect(b"{")
        out: dict[Any, Any] = {}
        for _ in range(count):
            key = self.value()
            out[key] = self.value()
        self._expect(b"}")
        return out

    def value(self) -> Any:
        if self.i + 1 >= len(self.data):
            raise ValueError(f"unexpected end at offset {self.i}")
        kind = self.data[self.i : self.i + 1]
        if kind == b"N":
            self._expect(b"N;")
            return None
        self.i += 1
        self._expect(b":")
        if kind == b"b":
            return self._until(b";") == b"1"
        if kind == b"i":
            return int(self._until(b";"))
        if kind == b"d":
            return float(self._until(b";"))
        if kind == b"s":
            s = self._string()
            self._expect(b";")
            return s
        if kind == b"a":
            return self._members()
        if kind == b"O":
            cls = self._string()
            self._expect(b":")
            members = self._members()
            members.setdefault("__class__", cls)
            return members
        if kind in (b"r", b"R"):
            self._until(b";")
            return None
        raise ValueError(f"unsupported type {kind.decode(errors='replace')!r} at offset {self.i - 2}")


def php_unserialize(data: bytes) -> Any:
    """A PHP ``serialize()`` value as Python (arrays and objects become dicts); ValueError when malformed."""
    u = _Unserializer(data.strip())
    value = u.value()
    return value


def _dig(value: Any, *keys: str) -> str:
    for k in keys:
        if not isinstance(value, dict):
            return ""
        value = value.get(k)
    return value if isinstance(value, str) else ""


def parse_pear_registry(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """One PEAR/PECL package from its registry ``.reg`` file."""
    try:
        doc = php_unserialize(_read(resolver, loc, 16 << 20))
    except (ValueError, RecursionError) as exc:
        raise parse_error(loc, f"not a PHP serialized value: {exc}") from None
    if not isinstance(doc, dict) or not _dig(doc, "name"):
        raise parse_error(loc, "no package name in the PEAR registry entry")
    name = _dig(doc, "name")
    channel = _dig(doc, "channel")
    version = _dig(doc, "version", "release")
    license_value = _dig(doc, "license", "_content") or _dig(doc, "license")
    metadata = {"name": name, "channel": channel, "version": version, "license": [license_value] if license_value else []}
    summary = _dig(doc, "summary")
    return Parsed.of(
        [
            Package(
                name=name,
                version=version,
                type="php-pear",
                found_by=PEAR_NAME,
                purl=pear_purl(name, channel, version),
                licenses=licenses_from([license_value] if license_value else [], loc.path),
                description=summary.strip(),
                language="php",
                layer=loc.layer,
                locations=(loc,),
                metadata=metadata,
            )
        ]
    )


CATALOGERS = (
    GlobCataloger(LOCK_NAME, [("**/composer.lock", parse_composer_lock)]),
    GlobCataloger(INSTALLED_NAME, [("**/installed.json", parse_installed_json)]),
    GlobCataloger(PEAR_NAME, [("**/php/.registry/**/*.reg", parse_pear_registry)]),
)
