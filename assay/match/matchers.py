"""Per-package matching: OS packages against their distro's feeds, language
packages against their ecosystem, CPEs against NVD.  Produces :class:`Hit`
values (one advisory record applied to one package, with its verdict); the
grouping into findings and ignored matches is :mod:`assay.match`'s job.

Lookups go through :class:`Context`, which batches the database reads
(``prefetch``) and caches ``provider.affected`` per (ecosystem, package), each
distro search's hits per (namespace, name, version) and version keys per
(scheme, version): binaries built from one source, or a name that appears many
times, cost one query and one comparison per record.  The usual record shape
("introduced 0, fixed X") is decided inline from cached keys; everything else
goes through :func:`assay.match.ranges.is_affected`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping

from ..advisories import AdvisoryProvider
from ..advisories.model import Advisory, Affected
from ..errors import MatchError
from ..model import Distro, Package
from .cpe import parse_cpe, search_cpes
from .distro import OS_TYPES, Namespace, namespaces
from .finding import MatchDetail
from .language import package_key, purl_parts
from .versions import get_scheme, scheme_for_ecosystem

__all__ = ["Hit", "Context", "MatchOptions", "match_os", "match_language", "match_cpe", "search_keys", "matcher_name", "TIER_DISTRO", "TIER_LANGUAGE", "TIER_CPE"]

TIER_DISTRO, TIER_LANGUAGE, TIER_CPE = 0, 1, 2
_UNSET = object()
_FIXED_EVENTS = ("introduced", "0")  # the first event of the usual "introduced 0, fixed X" range

_MATCHERS = {
    "deb": "dpkg-matcher",
    "apk": "apk-matcher",
    "rpm": "rpm-matcher",
    "python": "python-matcher",
    "npm": "javascript-matcher",
    "go-module": "go-module-matcher",
    "java-archive": "java-matcher",
    "jenkins-plugin": "java-matcher",
    "rust-crate": "rust-matcher",
    "gem": "ruby-gem-matcher",
    "php-composer": "php-matcher",
    "dotnet": "dotnet-matcher",
    "hex": "hex-matcher",
    "erlang-otp": "hex-matcher",
    "dart-pub": "dart-matcher",
    "bitnami": "bitnami-matcher",
}

_ARCH_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64", "armhf": "armv7", "i386": "x86", "i686": "x86", "386": "x86"}
_ARCH_ANY = {"", "noarch", "all", "any", "*"}
BINARY_ARCH = "binary"  # a record for a binary package whose architecture the feed does not give


def matcher_name(pkg: Package) -> str:
    return _MATCHERS.get(pkg.type, "stock-matcher")


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchOptions:
    """What to match beyond the defaults.

    CPE (NVD) matching follows grype's defaults: on for apk packages (next to the
    secdb, which wins), Go's ``stdlib`` and packages no ecosystem covers
    ("stock": binaries, unknown types); off for deb/rpm (their distro feeds are
    authoritative) and for language ecosystems (CPEs guessed from names give false
    positives there; GHSA/OSV cover them).  ``cpe_ecosystems`` turns it on for
    language ecosystems by name (e.g. ``{"maven"}``).
    """

    cpe_for_apk: bool = True
    cpe_for_stdlib: bool = True
    cpe_for_stock: bool = True
    cpe_ecosystems: frozenset[str] = frozenset()


class Hit:
    """One advisory record applied to one package (tens of thousands per scan: a plain slotted class).

    ``status`` is "affected", "fixed" or "not-affected"; ``tier`` one of TIER_DISTRO,
    TIER_LANGUAGE, TIER_CPE; ``version`` the version compared in ``scheme``; ``role``
    the namespace role of a distro hit; ``ids`` the advisory's id and aliases.
    """

    __slots__ = ("advisory", "affected", "status", "tier", "detail", "scheme", "version", "role", "ids")

    def __init__(
        self, advisory: Advisory, affected: Affected, status: str, tier: int, detail: MatchDetail, scheme: str, version: str, role: str = "base"
    ) -> None:
        self.advisory = advisory
        self.affected = affected
        self.status = status
        self.tier = tier
        self.detail = detail
        self.scheme = scheme
        self.version = version
        self.role = role
        self.ids: tuple[str, ...] = advisory.all_ids

    def __repr__(self) -> str:
        return f"Hit({self.advisory.id} {self.status} {self.detail.ecosystem}/{self.detail.package} {self.version})"


@dataclass
class Context:
    """Cached access to the provider for one scan."""

    provider: AdvisoryProvider
    options: MatchOptions = field(default_factory=MatchOptions)
    _affected: dict[tuple[str, str], list[tuple[Advisory, Affected]]] = field(default_factory=dict)
    _verdicts: dict[tuple[int, str, str], tuple[bool, str] | None] = field(default_factory=dict)
    _keys: dict[tuple[str, str], Any] = field(default_factory=dict)
    _known: set[str] | None = None
    _known_loaded: bool = False
    _searches: dict[tuple[Any, ...], list[Hit]] = field(default_factory=dict)
    unparsed: Counter = field(default_factory=Counter)  # (scheme, version) -> times it could not be compared
    unparsed_example: dict[str, str] = field(default_factory=dict)

    def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        """Load many (ecosystem, package) keys in a few batched queries when the provider can
        (``prefetch``, as the SQLite database does); lookups then come from its cache."""
        fn: Callable[[Iterable[tuple[str, str]]], None] | None = getattr(self.provider, "prefetch", None)
        if fn is not None:
            fn([k for k in dict.fromkeys(keys) if k not in self._affected])

    def affected(self, ecosystem: str, package: str) -> list[tuple[Advisory, Affected]]:
        key = (ecosystem, package)
        rows = self._affected.get(key)
        if rows is None:
            rows = self._affected[key] = list(self.provider.affected(ecosystem, package))
        return rows

    def known_ecosystems(self) -> set[str] | None:
        """The ecosystems the provider holds, when it can say (``ecosystems()``, or the
        per-ecosystem counts of ``status()``); None otherwise."""
        if not self._known_loaded:
            self._known_loaded = True
            fn = getattr(self.provider, "ecosystems", None)
            if fn is not None:
                self._known = set(fn())
            else:
                status = getattr(self.provider, "status", None)
                counts = getattr(status(), "ecosystems", None) if callable(status) else None
                if isinstance(counts, Mapping) and counts:
                    self._known = set(counts)
        return self._known

    def verdict(self, scheme: str, version: str, aff: Affected) -> tuple[bool, str] | None:
        """``(affected, constraint text)``, or None when ``version`` cannot be compared in ``scheme``."""
        key = (id(aff), scheme, version)
        result = self._verdicts.get(key, _UNSET)
        if result is not _UNSET:
            return result  # type: ignore[return-value]
        result = self._simple_verdict(scheme, version, aff)
        if result is None:
            from .ranges import is_affected

            try:
                result = is_affected(scheme, version, aff)
            except MatchError as exc:
                self.unparsed[(scheme, version)] += 1
                self.unparsed_example.setdefault(scheme, f"{version}: {exc}")
        self._verdicts[key] = result
        return result  # type: ignore[return-value]

    def _simple_verdict(self, scheme: str, version: str, aff: Affected) -> tuple[bool, str] | None:
        """The verdict for the shape most records have (one range: introduced 0, maybe fixed X),
        from cached sort keys; None for anything else (then :func:`~assay.match.ranges.is_affected` decides)."""
        if aff.versions or len(aff.ranges) != 1 or scheme == "rpm":
            # rpm's sort key is rpm's strict order; grype's comparison (one-sided epochs
            # ignored, zero padding) is not a total order, so rpm always takes is_affected
            return None
        rng = aff.ranges[0]
        if rng.type != "ECOSYSTEM" and not (rng.type == "SEMVER" and scheme in ("semver", "go")):
            return None
        events = rng.events
        if not events or events[0] != ("introduced", "0") or len(events) > 2:
            return None
        installed = self.sort_key(scheme, version)
        if installed is None:
            return None
        if len(events) == 1:
            return True, f">= 0 ({scheme})"
        kind, bound = events[1]
        if kind != "fixed":
            return None
        fixed = self.sort_key(scheme, bound)
        if fixed is None:
            return None
        try:
            return (True, f"< {bound} ({scheme})") if installed < fixed else (False, "")
        except TypeError:
            return None

    def sort_key(self, scheme: str, version: str) -> Any:
        """The scheme's sort key for ``version`` (cached), or None when it does not parse."""
        k = (scheme, version)
        if k not in self._keys:
            try:
                self._keys[k] = get_scheme(scheme).key(version)
            except (MatchError, ValueError, TypeError):
                self._keys[k] = None
        return self._keys[k]


# -- helpers --------------------------------------------------------------------------------


def _norm_arch(arch: str) -> str:
    a = arch.strip().lower()
    return _ARCH_ALIASES.get(a, a)


def _package_arch(pkg: Package) -> str:
    if pkg.arch:
        return _norm_arch(pkg.arch)
    if pkg.purl:
        for k, v in purl_parts(pkg.purl)[3]:
            if k == "arch":
                return _norm_arch(v)
    return ""


def _record_arch(aff: Affected) -> str:
    q = aff.qualifiers or {}
    arch = q.get("arch") or ""
    if not arch and isinstance(q.get("purl"), str):
        for k, v in purl_parts(q["purl"])[3]:
            if k == "arch":
                arch = v
    return _norm_arch(str(arch))


def modularity_label(pkg: Package) -> str:
    md = pkg.metadata if isinstance(pkg.metadata, Mapping) else {}
    for k in ("modularityLabel", "modularity_label", "ModularityLabel"):
        v = md.get(k)
        if isinstance(v, str) and v:
            return v
    return ""


def _module_ok(label: str, aff: Affected) -> bool:
    """An advisory for module ``httpd:2.4`` applies to a package labelled ``httpd:2.4:<ver>:<ctx>``
    and to packages with no label; a package from another stream is not affected by it."""
    q = aff.qualifiers or {}
    module = q.get("rpm_modularity") or q.get("module") or ""
    if not module or not label:
        return True
    return label == module or label.startswith(module + ":")


def _arch_ok(pkg_arch: str, aff: Affected, *, source_search: bool) -> bool:
    """Whether a record's architecture admits the package.

    Records without one apply to everything.  A source search (an rpm's source
    package) only takes ``src`` records: a record for a binary (a concrete arch, or
    ``binary`` when a feed says "some binary" without naming the arch, as Red Hat's
    binary-granular VEX does) names that binary, not its siblings.
    """
    rec = _record_arch(aff)
    if rec in _ARCH_ANY:
        return True
    if source_search:
        return rec == "src"
    if rec == "src":
        return False
    return rec == BINARY_ARCH or not pkg_arch or pkg_arch in _ARCH_ANY or rec == pkg_arch


def _rpm_direct_version(pkg: Package) -> str:
    """An installed rpm's version always has an epoch (0 when none), so comparisons are exact."""
    v = pkg.version
    if ":" in v or not v:
        return v
    epoch = pkg.epoch
    if epoch is None:
        md = pkg.metadata if isinstance(pkg.metadata, Mapping) else {}
        e = md.get("epoch")
        epoch = e if isinstance(e, int) else None
    return f"{epoch or 0}:{v}"


def _is_unknown(version: str) -> bool:
    return version.strip().lower() in ("", "unknown", "none")


def _listed(scheme: str, version: str, versions: tuple[str, ...]) -> bool:
    if version in versions:
        return True
    from .versions import get_scheme

    mod = get_scheme(scheme)
    for v in versions:
        try:
            if mod.compare(version, v) == 0:
                return True
        except MatchError:
            continue
    return False


def _evaluate(ctx: Context, scheme: str, version: str, aff: Affected) -> tuple[str, str] | None:
    """``(status, constraint text)`` of one record for one version; None when it cannot be compared.

    An entry with neither ranges nor versions covers every version (the database's
    convention for "not fixed" distro entries and wildcard NVD matches).
    """
    if aff.fix_state == "not-affected":
        if aff.versions and not _listed(scheme, version, aff.versions):
            return None  # a per-version statement (e.g. Chainguard) says nothing about other versions
        return "not-affected", "not affected"
    if not aff.ranges and not aff.versions:
        return "affected", "all versions"
    got = ctx.verdict(scheme, version, aff)
    if got is None:
        return None
    affected, text = got
    if affected:
        return "affected", text
    if aff.fixed_versions:
        return "fixed", text or f"< {', '.join(aff.fixed_versions)} ({scheme})"
    return "not-affected", text


# -- OS packages ----------------------------------------------------------------------------


def _os_searches(pkg: Package) -> list[tuple[str, str, str]]:
    """(name, version, match type) searches for an OS package: itself, then its source/origin."""
    version = _rpm_direct_version(pkg) if pkg.type == "rpm" else pkg.version
    out = [(pkg.name, version, "exact-direct-match")]
    src = pkg.source_name
    if src and src != pkg.name:
        if pkg.type == "rpm" and pkg.name.endswith(("-debuginfo", "-debugsource")):
            return out  # debug material carries no code that runs; distros publish nothing for it
        out.append((src, pkg.source_version or pkg.version, "exact-indirect-match"))
    return out


def _os_namespaces(ctx: Context, pkg: Package, distro: Distro) -> list[Namespace]:
    nss = namespaces(distro, esm="+esm" in pkg.version)
    known = ctx.known_ecosystems()
    if known is None:
        return nss
    out: list[Namespace] = []
    for i, ns in enumerate(nss):
        if ns.role == "fallback":
            if i and nss[i - 1].ecosystem not in known:
                out.append(Namespace(ns.ecosystem, "base"))
            continue
        out.append(ns)
    return out


def _search(ctx: Context, ns: Namespace, name: str, version: str, mtype: str, matcher: str, label: str, pkg_arch: str, source_search: bool) -> list[Hit]:
    """The verdict of every record for ``name`` in one namespace (cached: binaries of one source
    at one version repeat the same source search)."""
    key = (ns.ecosystem, ns.role, name, version, mtype, matcher, label, pkg_arch, source_search)
    cached = ctx._searches.get(key)
    if cached is not None:
        return cached
    hits: list[Hit] = []
    default_scheme = scheme_for_ecosystem(ns.ecosystem)
    installed = ctx.sort_key(default_scheme, version)
    fixed_marks = _FIXED_EVENTS
    for adv, aff in ctx.affected(ns.ecosystem, name):
        if aff.qualifiers and not (_module_ok(label, aff) and _arch_ok(pkg_arch, aff, source_search=source_search)):
            continue
        scheme = aff.version_scheme or default_scheme
        rngs = aff.ranges
        # the usual record (one range "introduced 0, fixed X") decided inline from cached keys
        if (
            installed is not None
            and scheme == default_scheme
            and scheme != "rpm"  # rpm's sort key is strict; grype's rpm comparison is not a total order
            and len(rngs) == 1
            and not aff.versions
            and aff.fix_state != "not-affected"
            and rngs[0].type == "ECOSYSTEM"
            and len(rngs[0].events) == 2
            and rngs[0].events[0] == fixed_marks
            and rngs[0].events[1][0] == "fixed"
            and (bound_key := ctx.sort_key(scheme, rngs[0].events[1][1])) is not None
        ):
            bound = rngs[0].events[1][1]
            try:
                vulnerable = installed < bound_key
            except TypeError:
                vulnerable = None
            if vulnerable is not None:
                status = "affected" if vulnerable else "fixed" if aff.fixed_versions else "not-affected"
                text = f"< {bound} ({scheme})"
                detail = MatchDetail(matcher=matcher, type=mtype, record=adv.id, ecosystem=ns.ecosystem, package=name, version=version, constraint=text)
                hits.append(Hit(adv, aff, status, TIER_DISTRO, detail, scheme, version, ns.role))
                continue
        got = _evaluate(ctx, scheme, version, aff)
        if got is None:
            continue
        status, text = got
        detail = MatchDetail(matcher=matcher, type=mtype, record=adv.id, ecosystem=ns.ecosystem, package=name, version=version, constraint=text)
        hits.append(Hit(adv, aff, status, TIER_DISTRO, detail, scheme, version, ns.role))
    ctx._searches[key] = hits
    return hits


def match_os(ctx: Context, pkg: Package, distro: Distro) -> list[Hit]:
    """Distro-feed hits (every verdict, so fixed/not-affected become ignored matches) and CPE hits."""
    if _is_unknown(pkg.version):
        return []
    label = modularity_label(pkg) if pkg.type == "rpm" else ""
    pkg_arch = _package_arch(pkg)
    matcher = matcher_name(pkg)
    searches = _os_searches(pkg)
    parts: list[list[Hit]] = []
    previous_had_rows = False
    for ns in _os_namespaces(ctx, pkg, distro):
        if ns.role == "fallback":
            if previous_had_rows:
                continue
            ns = Namespace(ns.ecosystem, "base")
        previous_had_rows = False
        for name, version, mtype in searches:
            previous_had_rows = previous_had_rows or bool(ctx.affected(ns.ecosystem, name))
            found = _search(ctx, ns, name, version, mtype, matcher, label, pkg_arch, mtype == "exact-indirect-match" and pkg.type == "rpm")
            if found:
                parts.append(found)
    if not parts:
        hits: list[Hit] = []
    elif len(parts) == 1:
        hits = parts[0]
    else:
        seen: set[tuple[str, int]] = set()
        hits = []
        for part in parts:
            for h in part:
                k = (h.advisory.id, id(h.affected))
                if k not in seen:
                    seen.add(k)
                    hits.append(h)
    hits = _resolve_overrides(hits)
    if pkg.type == "apk" and ctx.options.cpe_for_apk and pkg.cpes:
        hits = list(hits)  # never extend a cached search result
        distro_ids = {i for h in hits for i in h.ids}
        upstreams = (pkg.source_name,) if pkg.source_name else ()
        for h in match_cpe(ctx, pkg, upstreams=upstreams):
            if distro_ids.isdisjoint(h.ids):  # the secdb decides for every CVE it knows
                hits.append(h)
    return hits


def _resolve_overrides(hits: list[Hit]) -> list[Hit]:
    """Overlay (ESM, EUS) and clone (AlmaLinux, Rocky) records replace the base verdict for the
    vulnerabilities they name."""
    overlay_ids = {i for h in hits if h.role == "overlay" for i in h.ids}
    clones = [h for h in hits if h.role == "clone"]
    if not overlay_ids and not clones:
        return hits
    out: list[Hit] = []
    for h in hits:
        if h.role != "base":
            out.append(h)
        elif not overlay_ids.isdisjoint(h.ids):
            continue  # the channel's record for the same vulnerability replaces this one
        else:
            clone = next((c for c in clones if not set(c.ids).isdisjoint(h.ids)), None)
            if clone is None:
                out.append(h)
            else:  # keep the vulnerability's record, with the rebuild's verdict and fix
                detail = replace(h.detail, constraint=clone.detail.constraint or h.detail.constraint)
                out.append(Hit(h.advisory, clone.affected, clone.status, h.tier, detail, clone.scheme, clone.version, "clone"))
    return out


# -- language packages ----------------------------------------------------------------------


def match_language(ctx: Context, pkg: Package) -> list[Hit]:
    """Ecosystem-advisory hits (affected only), plus CPE hits where the options ask for them."""
    key = package_key(pkg)
    if key is None:
        return match_cpe(ctx, pkg) if ctx.options.cpe_for_stock else []
    eco, name, version = key
    matcher = matcher_name(pkg)
    hits: list[Hit] = []
    for adv, aff in ctx.affected(eco, name):
        scheme = aff.version_scheme or scheme_for_ecosystem(eco)
        got = _evaluate(ctx, scheme, version, aff)
        if got is None or got[0] != "affected":
            continue
        detail = MatchDetail(matcher=matcher, type="exact-direct-match", record=adv.id, ecosystem=eco, package=name, version=version, constraint=got[1])
        hits.append(Hit(adv, aff, "affected", TIER_LANGUAGE, detail, scheme, version))
    use_cpes = eco in ctx.options.cpe_ecosystems or (eco == "go" and name == "stdlib" and ctx.options.cpe_for_stdlib)
    if use_cpes:
        have = {i for h in hits for i in h.ids}
        hits += [h for h in match_cpe(ctx, pkg, version=version, scheme=scheme_for_ecosystem(eco)) if have.isdisjoint(h.ids)]
    return hits


# -- CPE ------------------------------------------------------------------------------------


def _cpe_scheme(pkg: Package) -> str:
    if pkg.type in OS_TYPES:
        return {"deb": "dpkg", "apk": "apk", "rpm": "rpm"}[pkg.type]
    key = package_key(pkg)
    return scheme_for_ecosystem(key[0]) if key else "generic"


def _target_sw_ok(target_sw: str, aff: Affected) -> bool:
    """A package CPE for one target software (``node.js``, ``python``...) matches a record whose
    CPEs name no target software, or name this one."""
    q = aff.qualifiers or {}
    wanted = {str(q["target_sw"]).lower()} if q.get("target_sw") else set()
    for text in q.get("cpes") or ():
        rec = parse_cpe(str(text))
        if rec is not None:
            wanted.add(rec.target_sw)
    return not wanted or bool(wanted & {"*", "-", ""}) or target_sw in wanted


def match_cpe(ctx: Context, pkg: Package, *, upstreams: tuple[str, ...] = (), version: str = "", scheme: str = "") -> list[Hit]:
    """NVD-style hits for the package's CPEs (affected only)."""
    if not pkg.cpes:
        return []
    version = version or pkg.version
    if _is_unknown(version):
        return []
    scheme = scheme or _cpe_scheme(pkg)
    matcher = matcher_name(pkg)
    hits: list[Hit] = []
    seen: set[tuple[str, int]] = set()
    for c in search_cpes(pkg.cpes, pkg.name, upstreams):
        for adv, aff in ctx.affected("cpe", c.key):
            if (adv.id, id(aff)) in seen:
                continue
            if c.target_sw not in ("*", "-", "") and not _target_sw_ok(c.target_sw, aff):
                continue
            used = scheme
            got = _evaluate(ctx, scheme, version, aff)
            if got is None and scheme != "generic":
                used = "generic"
                got = _evaluate(ctx, used, version, aff)
            if got is None or got[0] != "affected":
                continue
            seen.add((adv.id, id(aff)))
            detail = MatchDetail(matcher=matcher, type="cpe-match", record=adv.id, ecosystem="cpe", package=c.key, version=version, constraint=got[1])
            hits.append(Hit(adv, aff, "affected", TIER_CPE, detail, used, version))
    return hits


# -- planning (for batched lookups) ---------------------------------------------------------


def search_keys(ctx: Context, pkg: Package, distro: Distro | None) -> list[tuple[str, str]]:
    """The (ecosystem, package) keys matching ``pkg`` will look up, for :meth:`Context.prefetch`."""
    keys: list[tuple[str, str]] = []
    if pkg.type in OS_TYPES:
        if distro is not None:
            for ns in namespaces(distro, esm="+esm" in pkg.version):
                keys += [(ns.ecosystem, name) for name, _, _ in _os_searches(pkg)]
        if pkg.type == "apk" and pkg.cpes:
            ups = (pkg.source_name,) if pkg.source_name else ()
            keys += [("cpe", c.key) for c in search_cpes(pkg.cpes, pkg.name, ups)]
        return keys
    key = package_key(pkg)
    if key is not None:
        keys.append((key[0], key[1]))
    if pkg.cpes and (key is None or key[0] in ctx.options.cpe_ecosystems or key[1] == "stdlib"):
        keys += [("cpe", c.key) for c in search_cpes(pkg.cpes, pkg.name)]
    return keys
