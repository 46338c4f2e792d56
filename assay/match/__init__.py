"""Vulnerability matching: an SBOM and an advisory provider in, findings out.

``match(sbom, provider, distro=...)`` returns ``(findings, ignored, warnings)``:

* OS packages (deb, apk, rpm) are matched against their distro's feeds only,
  by name and by source/origin package; what the distro says is fixed or not
  affected becomes an :class:`Ignored` ("distro-fixed", "distro-not-affected")
  instead of a finding, and the same verdict covers language packages whose
  files the OS package owns (a pip package installed by an rpm);
* language packages are matched against their ecosystem (pypi, npm, go, ...);
* CPEs are matched against NVD where grype does it by default (apk, Go
  ``stdlib``, packages no ecosystem covers), see :class:`MatchOptions`;
* records are merged into one finding per vulnerability per package through
  their aliases (CVE, GHSA, DSA, USN, ALAS, PYSEC, GO-, RUSTSEC...), every record
  kept in ``details``;
* OS packages in an SBOM that names no distro are never skipped silently: the
  distro comes from the packages' purls (``distro=debian-12``) when they agree,
  else they are counted in a warning that says which ``--distro`` to pass.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from typing import Any, Iterable, Mapping, Sequence

from ..advisories import AdvisoryProvider
from ..advisories.model import Severity
from ..model import Distro, Package, RelType, Sbom
from .distro import OS_TYPES, example_distro, family, namespaces
from .finding import Finding, Ignored, MatchDetail, ScanResult, SEVERITY_ORDER
from .language import purl_parts
from .matchers import TIER_CPE, TIER_DISTRO, Context, Hit, MatchOptions, match_language, match_os, search_keys
from .severity import choose

__all__ = ["match", "MatchOptions", "Finding", "Ignored", "MatchDetail", "ScanResult", "SEVERITY_ORDER", "infer_distro"]


def _is_cve(i: str) -> bool:
    return i.upper().startswith("CVE-")


def _id_rank(i: str) -> tuple[int, str]:
    u = i.upper()
    return (0 if u.startswith("GHSA-") else 1 if u.startswith("CVE-") else 2, i)


def _alias_order(i: str) -> tuple[int, str]:
    return (0 if _is_cve(i) else 1 if i.upper().startswith("GHSA-") else 2, i)


# -- grouping ----------------------------------------------------------------------------------


def _group(hits: Sequence[Hit]) -> list[tuple[list[Hit], list[str]]]:
    """Hits grouped into vulnerabilities, with the ids each group contributes.

    Records are joined through shared ids.  A record naming several CVEs (a distro
    advisory such as ALSA-2021:4537 or DSA-5000-1 fixing three CVEs) joins no groups
    together: it is attached to each group holding one of its CVEs, or stands alone
    under its own id when none exists.
    """
    if all(len(h.ids) == 1 for h in hits):  # the common case (distro records keyed by CVE): group by id
        by_id: dict[str, list[Hit]] = {}
        for h in hits:
            by_id.setdefault(h.ids[0], []).append(h)
        return [(hs, [i]) for i, hs in by_id.items()]
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    singles: list[Hit] = []
    multi: list[Hit] = []
    for h in hits:
        ids = h.ids
        if sum(1 for i in ids if _is_cve(i)) >= 2:
            multi.append(h)
            continue
        singles.append(h)
        for i in ids:
            parent.setdefault(i, i)
        root = find(ids[0])
        for i in ids[1:]:
            r = find(i)
            if r != root:
                parent[r] = root
    groups: dict[str, tuple[list[Hit], list[str]]] = {}
    for h in singles:
        g = groups.setdefault(find(h.ids[0]), ([], []))
        g[0].append(h)
        g[1].extend(h.ids)
    for h in multi:
        own = [i for i in h.ids if not _is_cve(i)]
        roots = {find(i) for i in h.ids if _is_cve(i) and i in parent and find(i) in groups}
        if not roots:
            roots = {"\x00" + h.advisory.id}
            g = groups.setdefault("\x00" + h.advisory.id, ([], []))
            g[1].extend(h.ids)  # standalone: its CVEs are its aliases
        for r in roots:
            g = groups[r]
            g[0].append(h)
            g[1].extend(own)
    return [(hs, list(dict.fromkeys(ids))) for hs, ids in groups.values()]


# -- findings ----------------------------------------------------------------------------------


class _Builder:
    """Turns grouped hits into findings (severity, fix, enrichment), with per-scan caches."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.provider = ctx.provider
        self._related: dict[str, tuple[Severity, ...]] = {}
        self._kev = getattr(self.provider, "kev", None)
        self._epss = getattr(self.provider, "epss", None)
        self._sev_fn = getattr(self.provider, "severities", None)
        self._severities: dict[Any, tuple[str, str, tuple[Severity, ...]]] = {}

    def related_severities(self, vuln_id: str, exclude: set[int]) -> tuple[Severity, ...]:
        """Severities other records give ``vuln_id`` (NVD's, usually), for records that carry none."""
        if vuln_id not in self._related:
            if self._sev_fn is not None:
                self._related[vuln_id] = tuple(self._sev_fn(vuln_id))
            else:
                adv = self.provider.get(vuln_id)
                self._related[vuln_id] = adv.severities if adv is not None and id(adv) not in exclude else ()
        return self._related[vuln_id]

    def nearest_fixes(self, hits: Sequence[Hit]) -> tuple[str, ...]:
        """Per record, the lowest fixed version above the installed one (the upgrade to make)."""
        out: list[tuple[Any, str]] = []
        for h in hits:
            installed = self.ctx.sort_key(h.scheme, h.version)
            best: tuple[Any, str] | None = None
            for fv in h.affected.fixed_versions:
                k = self.ctx.sort_key(h.scheme, fv)
                if k is None or installed is None:
                    if best is None:
                        best = (None, fv)
                    continue
                try:
                    if k > installed and (best is None or best[0] is None or k < best[0]):
                        best = (k, fv)
                except TypeError:
                    continue
            if best is not None:
                out.append(best)
        return tuple(dict.fromkeys(v for _, v in out))

    def finding(self, pkg: Package, hits: list[Hit], ids: list[str], *, ignored_kind: str = "") -> Finding:
        return Finding(package=pkg, **self.fields(pkg.type, hits, ids, ignored_kind=ignored_kind))

    def fields(self, pkg_type: str, hits: list[Hit], ids: list[str], *, ignored_kind: str = "") -> dict[str, Any]:
        """A finding (all but its package) from one vulnerability's hits.  For an ignored distro
        verdict (``ignored_kind``) the fix comes from the records as they are, and no enrichment
        is looked up."""
        if ignored_kind and len(hits) == 1 and len(ids) == 1:  # most ignored verdicts: one record, no aliases
            h = hits[0]
            adv = h.advisory
            rating, source, sevs = self.severity(hits)
            return dict(
                id=ids[0],
                aliases=(),
                severity=rating,
                severity_source=source,
                severities=sevs,
                fix_state="not-affected" if ignored_kind == "distro-not-affected" else "fixed",
                fixed_versions=() if ignored_kind == "distro-not-affected" else h.affected.fixed_versions,
                summary=adv.summary or _first_line(adv.details),
                urls=adv.references,
                details=(h.detail,),
                kev=None,
                epss=None,
                epss_percentile=None,
            )
        if len(hits) > 1:
            hits = sorted(hits, key=lambda h: (h.tier, _id_rank(h.advisory.id)))
        top = hits[0]
        primary = top.advisory.id
        if primary not in ids:
            primary = ids[0]
        aliases = tuple(sorted((i for i in ids if i != primary), key=_alias_order)) if len(ids) > 1 else ()
        deciding = [h for h in hits if h.tier == top.tier] if len(hits) > 1 else hits
        fixed: tuple[str, ...]
        urls: tuple[str, ...]
        details: tuple[MatchDetail, ...]
        if ignored_kind == "distro-not-affected":
            fix_state, fixed = "not-affected", ()
        elif ignored_kind:
            fix_state, fixed = "fixed", tuple(dict.fromkeys(v for h in hits for v in h.affected.fixed_versions))
        elif top.tier == TIER_CPE and pkg_type in OS_TYPES:
            fix_state, fixed = "unknown", ()  # the distro, not NVD, says which build fixes it
        else:
            fixed = self.nearest_fixes([h for h in deciding if h.status == "affected"])
            if fixed:
                fix_state = "fixed"
            else:
                states = [h.affected.fix_state for h in deciding]
                fix_state = next((s for s in ("wont-fix", "not-fixed") if s in states), "unknown")
        rating, source, sevs = self.severity(hits)
        if rating == "unknown" and not ignored_kind:
            exclude = {id(h.advisory) for h in hits}
            related = [s for i in (primary, *aliases) if _is_cve(i) for s in self.related_severities(i, exclude)]
            if related:
                rating, source, sevs = choose([*self._severity_groups(hits), related])
        summary = next((h.advisory.summary for h in hits if h.advisory.summary), "")
        if not summary:
            summary = next((_first_line(h.advisory.details) for h in hits if h.advisory.details.strip()), "")
        if len(hits) == 1:
            urls, details = tuple(top.advisory.references), (top.detail,)
        else:
            urls = tuple(dict.fromkeys(u for h in hits for u in h.advisory.references))
            details = tuple(dict.fromkeys(h.detail for h in hits))
        kev, epss, pct = self.enrichment((primary, *aliases)) if not ignored_kind else (None, None, None)
        return dict(
            id=primary,
            aliases=aliases,
            severity=rating,
            severity_source=source,
            severities=sevs,
            fix_state=fix_state,
            fixed_versions=fixed,
            summary=summary,
            urls=urls,
            details=details,
            kev=kev,
            epss=epss,
            epss_percentile=pct,
        )

    @staticmethod
    def _severity_groups(hits: Sequence[Hit]) -> list[list[Severity]]:
        by_tier: dict[int, list[Severity]] = defaultdict(list)
        for h in hits:
            by_tier[h.tier].extend(h.advisory.severities)
        return [by_tier[t] for t in sorted(by_tier)]

    def severity(self, hits: Sequence[Hit]) -> tuple[str, str, tuple[Severity, ...]]:
        """The rating the hits' records give (cached: one record reaches many binaries of a source)."""
        if len(hits) == 1:  # a record is always reached through the same tier (distro feed, ecosystem, NVD)
            adv = hits[0].advisory
            got = self._severities.get(id(adv))
            if got is None:
                got = self._severities[id(adv)] = choose([adv.severities])
            return got
        key = tuple((h.tier, id(h.advisory)) for h in hits)
        got = self._severities.get(key)
        if got is None:
            got = self._severities[key] = choose(self._severity_groups(hits))
        return got

    def enrichment(self, ids: Iterable[str]) -> tuple[Mapping[str, Any] | None, float | None, float | None]:
        """KEV entry and EPSS score/percentile of the first CVE that has them (providers that offer it)."""
        kev = None
        epss = pct = None
        for i in ids:
            if not _is_cve(i):
                continue
            if kev is None and self._kev is not None:
                got = self._kev(i)
                kev = dict(got) if isinstance(got, Mapping) else ({"cveID": i} if got is True else None)
            if epss is None and self._epss is not None:
                e = self._epss(i)
                if isinstance(e, Mapping):
                    epss, pct = e.get("epss"), e.get("percentile")
                elif isinstance(e, tuple):
                    epss, pct = (e + (None, None))[:2]
                elif isinstance(e, (int, float)):
                    epss = float(e)
        return kev, (float(epss) if epss is not None else None), (float(pct) if pct is not None else None)


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0] if text else ""


def _distro_reason(hits: Sequence[Hit], kind: str) -> str:
    h = hits[0]
    d = h.detail
    if kind == "distro-fixed":
        fixed = ", ".join(h.affected.fixed_versions) or "?"
        return f"{d.ecosystem} fixed {d.package} in {fixed}; installed {d.version}"
    return f"{d.ecosystem} marks {d.package} {d.version} not affected"


def _plan(builder: _Builder, pkg_type: str, hits: Sequence[Hit]) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], str, str]]]:
    """One package's findings (most severe first) and ignored distro verdicts (by id), as Finding
    fields without the package."""
    # an explicit distro statement that this very version is not affected (apk NAK, a
    # per-version statement) outweighs a range that would include it
    nak = {i for h in hits if h.status == "not-affected" and h.tier == TIER_DISTRO and h.affected.fix_state == "not-affected" for i in h.advisory.all_ids}
    affected = [h for h in hits if h.status == "affected" and not (h.tier == TIER_DISTRO and nak.intersection(h.advisory.all_ids))]
    found = [builder.fields(pkg_type, hs, ids) for hs, ids in _group(affected)]
    covered = {i for kw in found for i in (kw["id"], *kw["aliases"])}
    suppressed: list[tuple[dict[str, Any], str, str]] = []
    others = [h for h in hits if h.status != "affected" and h.tier == TIER_DISTRO]
    for hs, ids in _group(others):
        if not covered.isdisjoint(ids):
            continue  # another record of the same vulnerability says the package is affected
        kind = "distro-not-affected" if any(h.status == "not-affected" for h in hs) else "distro-fixed"
        reason = _distro_reason([h for h in hs if (h.status == "not-affected") == (kind == "distro-not-affected")] or hs, kind)
        suppressed.append((builder.fields(pkg_type, hs, ids, ignored_kind=kind), kind, reason))
    found.sort(key=lambda kw: (-SEVERITY_ORDER.get(kw["severity"], 0), kw["id"]))
    suppressed.sort(key=lambda x: (x[0]["id"], x[1]))
    return found, suppressed


# -- distro inference and warnings -----------------------------------------------------------


def _purl_distro(purl: str) -> str:
    for k, v in purl_parts(purl)[3]:
        if k == "distro":
            return v
    return ""


def infer_distro(packages: Iterable[Package]) -> Distro | None:
    """The distro named by the OS packages' purls (``distro=debian-12``), when they all agree."""
    names = Counter(d for p in packages if p.type in OS_TYPES and p.purl for d in [_purl_distro(p.purl)] if d)
    if len(names) != 1:
        return None
    value = next(iter(names))
    ident, sep, ver = value.rpartition("-")
    if not sep or not ver[:1].isdigit():
        ident, ver = value, ""
    ident = ident.lower()
    if ident in ("redhat", "red hat enterprise linux"):
        ident = "rhel"
    return Distro(id=ident, version_id=ver)


def _describe(d: Distro) -> str:
    return f"{d.id}:{d.version_id}" if d.version_id else d.id


# -- the entry point ---------------------------------------------------------------------------


def match(
    sbom: Sbom, provider: AdvisoryProvider, *, distro: Distro | None = None, options: MatchOptions | None = None
) -> tuple[list[Finding], list[Ignored], list[str]]:
    """Match every package of ``sbom``; ``distro`` overrides the SBOM's."""
    # The loop allocates many small acyclic objects; the cyclic collector would re-scan
    # the whole heap (the provider's caches included) several times for nothing.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _match(sbom, provider, distro=distro, options=options)
    finally:
        if was_enabled:
            gc.enable()


def _match(
    sbom: Sbom, provider: AdvisoryProvider, *, distro: Distro | None, options: MatchOptions | None
) -> tuple[list[Finding], list[Ignored], list[str]]:
    ctx = Context(provider, options or MatchOptions())
    warnings: list[str] = []
    os_counts = Counter(p.type for p in sbom.packages if p.type in OS_TYPES)
    d = distro or sbom.distro
    if d is not None and not d.id:
        d = None
    if d is None and os_counts:
        d = infer_distro(sbom.packages)
        if d is not None:
            warnings.append(f"the SBOM names no distro; using {_describe(d)} from the packages' purls (pass --distro to override)")
    fam = family(d)

    skipped: Counter[str] = Counter()
    wrong_family: Counter[str] = Counter()
    plan: list[tuple[str, str]] = []
    for p in sbom.packages:
        plan += search_keys(ctx, p, d)
    ctx.prefetch(plan)

    # results per package, in the SBOM's (sorted) package order, each list already in report order
    results: list[tuple[Package, list[Finding], list[Ignored]]] = []
    os_verdicts: dict[str, dict[str, Ignored]] = {}
    builder = _Builder(ctx)
    plans: dict[tuple[Any, ...], tuple[list[dict[str, Any]], list[tuple[dict[str, Any], str, str]], list[Hit]]] = {}
    has_language_findings = False
    for p in sbom.packages:
        if p.type in OS_TYPES:
            if d is None:
                skipped[p.type] += 1
                continue
            if fam != OS_TYPES[p.type]:
                wrong_family[p.type] += 1
                continue
            hits = match_os(ctx, p, d)
        else:
            hits = match_language(ctx, p)
        if not hits:
            continue
        # Binaries of one source share its records, so their results differ only in the package.
        # Keyed by identity: hits are shared through the search cache, and the plan keeps its
        # hits alive so that no id is reused by another object during the scan.
        key = (p.type, tuple(map(id, hits)))
        planned = plans.get(key)
        if planned is None:
            planned = plans[key] = (*_plan(builder, p.type, hits), hits)
        found, suppressed, _ = planned
        pkg_findings = [Finding(package=p, **kw) for kw in found]
        pkg_ignored: list[Ignored] = []
        if suppressed:
            verdicts = os_verdicts.setdefault(p.id, {})
            for kw, kind, reason in suppressed:
                ig = Ignored(finding=Finding(package=p, **kw), kind=kind, reason=reason)
                pkg_ignored.append(ig)
                for i in (kw["id"], *kw["aliases"]):
                    verdicts.setdefault(i, ig)
        has_language_findings = has_language_findings or (bool(pkg_findings) and p.type not in OS_TYPES)
        results.append((p, pkg_findings, pkg_ignored))

    if os_verdicts and has_language_findings:
        _apply_ownership(sbom, results, os_verdicts)
    findings = [f for _, fs, _ in results for f in fs]
    ignored = [i for _, _, igs in results for i in igs]

    for t, n in sorted(skipped.items()):
        warnings.append(f"{n} {t} packages were not matched: the SBOM names no distro; pass --distro {example_distro(t)}")
    for t, n in sorted(wrong_family.items()):
        warnings.append(f"{n} {t} packages were not matched: the distro {_describe(d) if d else '?'} does not use {t} packages")
    known = ctx.known_ecosystems()
    if d is not None and known is not None and os_counts.get({"dpkg": "deb", "apk": "apk", "rpm": "rpm"}.get(fam, ""), 0):
        nss = [ns.ecosystem for ns in namespaces(d) if ns.role in ("base", "fallback")]
        if nss and not any(n in known for n in nss):
            warnings.append(f"the database holds no advisories for {nss[0]}: {sum(os_counts.values())} OS packages could not be matched")
    if ctx.unparsed:
        n = sum(ctx.unparsed.values())
        example = "; ".join(f"{s}: {e}" for s, e in sorted(ctx.unparsed_example.items()))
        warnings.append(f"{n} version comparisons failed and were skipped ({example})")
    return findings, ignored, warnings


def _apply_ownership(sbom: Sbom, results: list[tuple[Package, list[Finding], list[Ignored]]], os_verdicts: Mapping[str, Mapping[str, Ignored]]) -> None:
    """Language findings of packages an OS package installed follow the distro's verdict for it."""
    owned = _owners(sbom)
    by_id = sbom.by_id
    for p, fs, igs in results:
        owners = owned.get(p.id)
        if p.type in OS_TYPES or not owners or not fs:
            continue
        kept: list[Finding] = []
        for f in fs:
            hit = _owner_verdict(f, owners, os_verdicts)
            if hit is None:
                kept.append(f)
                continue
            owner_id, ig = hit
            owner = by_id[owner_id]
            state = "not affected by" if ig.kind == "distro-not-affected" else "fixed for"
            where = ig.finding.details[0].ecosystem if ig.finding.details else "the distro"
            reason = f"installed by {owner.type} package {owner.name} {owner.version}, which {where} marks {state} {ig.finding.id}"
            igs.append(Ignored(finding=f, kind=ig.kind, reason=reason))
        fs[:] = kept
        igs.sort(key=lambda i: (i.finding.id, i.kind))


def _owners(sbom: Sbom) -> dict[str, list[str]]:
    """Language package id -> ids of the OS packages that own one of its files (or contain it)."""
    file_owner: dict[str, str] = {}
    for p in sbom.packages:
        if p.type in OS_TYPES:
            for f in p.files:
                file_owner.setdefault(f, p.id)
    os_ids = {p.id for p in sbom.packages if p.type in OS_TYPES}
    out: dict[str, list[str]] = defaultdict(list)
    for p in sbom.packages:
        if p.type in OS_TYPES:
            continue
        for loc in p.locations:
            for path in (loc.path, loc.access_path):
                owner = file_owner.get(path) if path else None
                if owner and owner not in out[p.id]:
                    out[p.id].append(owner)
    for r in sbom.relationships:
        if r.type == RelType.CONTAINS and r.source in os_ids and r.target not in os_ids and r.source not in out[r.target]:
            out[r.target].append(r.source)
    return out


def _owner_verdict(f: Finding, owners: Sequence[str], verdicts: Mapping[str, Mapping[str, Ignored]]) -> tuple[str, Ignored] | None:
    for o in owners:
        v = verdicts.get(o)
        if not v:
            continue
        for i in f.all_ids:
            if i in v:
                return o, v[i]
    return None
