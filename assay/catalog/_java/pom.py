"""Maven metadata: ``pom.properties`` and ``pom.xml``.

``pom.properties`` is read as syft reads it: blank lines and ``#`` comments are
skipped, the *first* ``=`` or ``:`` separates key and value, both are trimmed,
and a line with neither is an error.  Known keys (``groupId``, ``artifactId``,
``version``, ``name``, ``scope``) match case-insensitively; the rest are kept as
extras.

``pom.xml`` is parsed with expat directly into a small tree, refusing any DTD
(so no entity can be declared, let alone expanded or fetched).  Encodings expat
does not know (e.g. ``windows-1252``) are decoded by Python first; an
undeclared non-UTF-8 file is read as Latin-1 rather than rejected.
:class:`PomResolver` substitutes ``${...}`` expressions from the project
(``project.version``, ``project.parent.groupId``, ...) and ``<properties>`` of
the pom and of the parents the caller could find, like Maven; an expression
that cannot be resolved makes the whole value empty (as syft does), never a
literal ``${...}`` in a package version.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from xml.parsers import expat

__all__ = [
    "MavenId",
    "PomDependency",
    "PomError",
    "PomLicense",
    "PomParent",
    "PomProject",
    "PomProperties",
    "PomResolver",
    "parse_pom_properties",
    "parse_pom_xml",
]

MAX_RESOLVE_DEPTH = 16


class PomError(ValueError):
    """A pom.properties/pom.xml that cannot be read (the caller names the file)."""


# -- pom.properties ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PomProperties:
    path: str = ""
    group_id: str = ""
    artifact_id: str = ""
    version: str = ""
    name: str = ""
    scope: str = ""
    extra: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {"path": self.path, "groupId": self.group_id, "artifactId": self.artifact_id, "version": self.version}
        if self.name:
            d["name"] = self.name
        if self.scope:
            d["scope"] = self.scope
        if self.extra:
            d["extraFields"] = dict(self.extra)
        return d


_PROP_KEYS = {"groupid": "group_id", "artifactid": "artifact_id", "version": "version", "name": "name", "scope": "scope"}


def parse_pom_properties(text: str, path: str = "") -> PomProperties:
    """Parse a pom.properties file; :class:`PomError` names the first bad line."""
    known: dict[str, str] = {}
    extra: dict[str, str] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip(" ").startswith("#"):
            continue
        m = _SEP.search(line)
        if m is None:
            raise PomError(f"line {lineno}: expected 'key=value', got {line.strip()[:60]!r}")
        key = line[: m.start()].strip()
        value = line[m.end() :].strip()
        attr = _PROP_KEYS.get(key.lower())
        if attr:
            known[attr] = value
        elif key.lower() != "path":
            extra[key] = value
    return PomProperties(path=path, extra=tuple(extra.items()), **known)


_SEP = re.compile(r"[=:]")


# -- a tiny, safe XML tree -----------------------------------------------------------------


class _El:
    __slots__ = ("children", "parts", "tag")

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.parts: list[str] = []
        self.children: list[_El] = []

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()

    def find(self, tag: str) -> _El | None:
        for c in self.children:
            if c.tag == tag:
                return c
        return None

    def findall(self, tag: str) -> Iterator[_El]:
        return (c for c in self.children if c.tag == tag)

    def value(self, tag: str) -> str:
        c = self.find(tag)
        return c.text if c is not None else ""


class _Refused(Exception):
    pass


def _local(name: str) -> str:
    name = name.rsplit("}", 1)[-1]
    return name.rsplit(":", 1)[-1]


def _expat_tree(data: bytes | str) -> _El:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[_El] = []
    root: list[_El] = []

    def refuse(*_: object) -> None:
        raise _Refused("DTDs and entity declarations are not allowed in a pom")

    def start(name: str, _attrs: object) -> None:
        el = _El(_local(name))
        if stack:
            stack[-1].children.append(el)
        elif root:
            raise _Refused("more than one root element")
        else:
            root.append(el)
        stack.append(el)

    def end(_name: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if stack:
            stack[-1].parts.append(text)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.Parse(data, True)
    if not root:
        raise PomError("no root element")
    return root[0]


_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


def _parse_xml(data: bytes) -> _El:
    """Parse bytes with expat; decode encodings expat lacks (or undeclared Latin-1) in Python."""
    try:
        return _expat_tree(data)
    except _Refused as exc:
        raise PomError(str(exc)) from None
    except expat.ExpatError as exc:
        first = exc
    m = _XML_DECL.match(data)
    if m is not None:
        label = m.group(1).decode("ascii")
        try:
            text = data.decode(codecs.lookup(label).name, errors="replace")
        except LookupError:
            raise PomError(f"unknown encoding {label!r}") from None
        text = text[: m.start(1)] + "UTF-8" + text[m.end(1) :]
    else:
        try:
            data.decode("utf-8")
            raise PomError(f"not well-formed XML: {expat.ErrorString(first.code)} (line {first.lineno})")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    try:
        return _expat_tree(text.encode("utf-8"))
    except _Refused as exc:
        raise PomError(str(exc)) from None
    except expat.ExpatError as exc:
        raise PomError(f"not well-formed XML: {expat.ErrorString(exc.code)} (line {exc.lineno})") from None


# -- pom.xml model --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PomParent:
    group_id: str = ""
    artifact_id: str = ""
    version: str = ""
    relative_path: str | None = None  # None: not given (Maven's default is ../pom.xml)


@dataclass(frozen=True, slots=True)
class PomDependency:
    group_id: str = ""
    artifact_id: str = ""
    version: str = ""
    scope: str = ""
    optional: str = ""
    type: str = ""
    classifier: str = ""


@dataclass(frozen=True, slots=True)
class PomLicense:
    name: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class PomProject:
    """A pom.xml as written (no ``${...}`` substituted; see :class:`PomResolver`)."""

    group_id: str = ""
    artifact_id: str = ""
    version: str = ""
    packaging: str = ""
    name: str = ""
    description: str = ""
    url: str = ""
    parent: PomParent | None = None
    properties: tuple[tuple[str, str], ...] = ()
    dependencies: tuple[PomDependency, ...] = ()  # incl. those of every profile
    managed: tuple[PomDependency, ...] = ()  # dependencyManagement, incl. profiles'
    licenses: tuple[PomLicense, ...] = ()
    path: str = ""
    props: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.props and self.properties:
            object.__setattr__(self, "props", dict(self.properties))


def _deps(el: _El | None) -> list[PomDependency]:
    if el is None:
        return []
    out = []
    for d in el.findall("dependency"):
        out.append(
            PomDependency(
                group_id=d.value("groupId"),
                artifact_id=d.value("artifactId"),
                version=d.value("version"),
                scope=d.value("scope"),
                optional=d.value("optional"),
                type=d.value("type"),
                classifier=d.value("classifier"),
            )
        )
    return out


def parse_pom_xml(data: bytes, path: str = "") -> PomProject:
    """Parse a pom.xml; :class:`PomError` when it is not a Maven project file."""
    root = _parse_xml(data)
    if root.tag != "project":
        raise PomError(f"root element is <{root.tag}>, not <project>")
    parent = None
    pel = root.find("parent")
    if pel is not None:
        rel = pel.find("relativePath")
        parent = PomParent(
            group_id=pel.value("groupId"),
            artifact_id=pel.value("artifactId"),
            version=pel.value("version"),
            relative_path=rel.text if rel is not None else None,
        )
    props: list[tuple[str, str]] = []
    pr = root.find("properties")
    if pr is not None:
        props = [(c.tag, c.text) for c in pr.children]
    deps = _deps(root.find("dependencies"))
    dm = root.find("dependencyManagement")
    managed = _deps(dm.find("dependencies") if dm is not None else None)
    profiles = root.find("profiles")
    for prof in profiles.findall("profile") if profiles is not None else ():
        deps.extend(_deps(prof.find("dependencies")))
        pdm = prof.find("dependencyManagement")
        managed.extend(_deps(pdm.find("dependencies") if pdm is not None else None))
    lics = root.find("licenses")
    licenses = tuple(PomLicense(name=l.value("name"), url=l.value("url")) for l in lics.findall("license")) if lics is not None else ()
    return PomProject(
        group_id=root.value("groupId"),
        artifact_id=root.value("artifactId"),
        version=root.value("version"),
        packaging=root.value("packaging"),
        name=root.value("name"),
        description=" ".join(root.value("description").split()),
        url=root.value("url"),
        parent=parent,
        properties=tuple(props),
        dependencies=tuple(deps),
        managed=tuple(managed),
        licenses=tuple(l for l in licenses if l.name or l.url),
        path=path,
    )


# -- ${...} resolution ----------------------------------------------------------------------

_EXPR = re.compile(r"\$\{([^}]+)\}")
_PROJECT_FIELDS = {
    "groupid": "group_id",
    "artifactid": "artifact_id",
    "version": "version",
    "name": "name",
    "description": "description",
    "url": "url",
    "packaging": "packaging",
}
_PARENT_FIELDS = {"groupid": "group_id", "artifactid": "artifact_id", "version": "version"}


class _Unresolved(Exception):
    pass


@dataclass(frozen=True, slots=True)
class MavenId:
    group_id: str = ""
    artifact_id: str = ""
    version: str = ""

    @property
    def valid(self) -> bool:
        return bool(self.group_id and self.artifact_id and self.version)


class PomResolver:
    """Resolves values of ``chain[0]`` using it and its parents ``chain[1:]`` (nearest first)."""

    def __init__(self, chain: Sequence[PomProject]) -> None:
        if not chain:
            raise ValueError("empty pom chain")
        self.chain = tuple(chain)

    @property
    def pom(self) -> PomProject:
        return self.chain[0]

    def resolve(self, value: str, level: int = 0) -> str:
        """``value`` with every ``${...}`` substituted, or "" when any cannot be."""
        if "${" not in value:
            return value
        try:
            return self._expand(value, level, ())
        except _Unresolved:
            return ""

    def _expand(self, value: str, level: int, resolving: tuple[str, ...]) -> str:
        if "${" not in value:
            return value
        return _EXPR.sub(lambda m: self._property(m.group(1).strip(), level, resolving), value)

    def _property(self, name: str, level: int, resolving: tuple[str, ...]) -> str:
        if name in resolving or len(resolving) >= MAX_RESOLVE_DEPTH:
            raise _Unresolved(name)
        resolving = resolving + (name,)
        head, _, rest = name.partition(".")
        if head in ("project", "pom") and rest:
            got = self._project_field(level, rest, resolving)
            if got is not None:
                return got
        for lvl in range(level, len(self.chain)):
            value = self.chain[lvl].props.get(name)
            if value is not None:
                # a property's own expressions are resolved in the context of the pom asked about
                return self._expand(value, level, resolving)
        raise _Unresolved(name)

    def _project_field(self, level: int, rest: str, resolving: tuple[str, ...]) -> str | None:
        pom = self.chain[level]
        parts = rest.split(".")
        low = [p.lower() for p in parts]
        if len(parts) == 1 and low[0] in _PROJECT_FIELDS:
            attr = _PROJECT_FIELDS[low[0]]
            value = getattr(pom, attr)
            if not value and attr in ("group_id", "version") and pom.parent is not None:
                value = getattr(pom.parent, attr)  # inherited from the <parent> element
            return self._expand(value, level, resolving) if value else None
        if len(parts) == 2 and low[0] == "parent" and low[1] in _PARENT_FIELDS and pom.parent is not None:
            value = getattr(pom.parent, _PARENT_FIELDS[low[1]])
            return self._expand(value, level, resolving) if value else None
        return None

    def id(self, level: int = 0) -> MavenId:
        """groupId/artifactId/version of ``chain[level]``.

        A groupId or version the pom does not declare is inherited from its
        <parent>; one it declares but that cannot be resolved stays "" (the
        parent's version is not this project's).
        """
        pom = self.chain[level]
        parent = pom.parent
        group = self.resolve(pom.group_id or (parent.group_id if parent else ""), level)
        artifact = self.resolve(pom.artifact_id, level)
        version = self.resolve(pom.version or (parent.version if parent else ""), level)
        return MavenId(group, artifact, version)

    def parent_id(self) -> MavenId | None:
        parent = self.pom.parent
        if parent is None:
            return None
        return MavenId(self.resolve(parent.group_id), self.resolve(parent.artifact_id), self.resolve(parent.version))

    def dependency(self, dep: PomDependency) -> tuple[MavenId, str, bool]:
        """(id, scope, optional) of a declared dependency, versions and scopes from dependencyManagement."""
        group = self.resolve(dep.group_id)
        artifact = self.resolve(dep.artifact_id)
        version = self.resolve(dep.version)
        scope = self.resolve(dep.scope)
        if not version or not scope:
            managed = self._managed(group, artifact)
            if managed is not None:
                mdep, level = managed
                version = version or self.resolve(mdep.version, level)
                scope = scope or self.resolve(mdep.scope, level)
        optional = self.resolve(dep.optional).lower() == "true"
        return MavenId(group, artifact, version), scope, optional

    def _managed(self, group: str, artifact: str) -> tuple[PomDependency, int] | None:
        for level, pom in enumerate(self.chain):
            for mdep in pom.managed:
                if self.resolve(mdep.artifact_id, level) == artifact and self.resolve(mdep.group_id, level) == group:
                    if mdep.scope == "import":
                        continue
                    return mdep, level
        return None

    def licenses(self) -> tuple[PomLicense, ...]:
        """The nearest pom's <licenses> (a child inherits its parent's when it declares none)."""
        for level, pom in enumerate(self.chain):
            if pom.licenses:
                return tuple(PomLicense(self.resolve(l.name, level), self.resolve(l.url, level)) for l in pom.licenses)
        return ()
