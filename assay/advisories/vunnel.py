"""grype/vunnel "results" records (``{schema, identifier, item}``) as advisories.

vunnel is the tool that feeds grype's database; its result files are also the
fixtures of grype's own matcher tests, so importing them lets assay run on
exactly the databases grype is tested against.  The record kind comes from the
``schema`` URL (or, without one, from the item's shape):

``os``
    ``Vulnerability{Name, NamespaceName, Severity, CVSS, FixedIn[...]}``, one
    per distro release.  ``FixedIn.Version`` ``"None"`` = not fixed
    (``NoAdvisory`` = won't fix), ``"0"`` = not affected, else fixed in that
    version; ``VulnerableRange`` (RHEL EUS) replaces the plain ``< fix``.
    ``Module`` becomes the ``rpm_modularity`` qualifier, ``Arch`` ``arch``,
    vendor advisories (RHSA, ELSA...) ``vendor_advisories``.  Feed
    ``vunnel:<namespace>``.
``github-security-advisory``
    GHSA records; each ``FixedIn.range`` becomes a CONSTRAINT range.  Feed ``vunnel:github``.
``nvd``
    NVD CVE API records; every vulnerable CPE match becomes an affected entry
    in ecosystem ``cpe``, package ``vendor:product``, one CONSTRAINT range per
    match (``versionStart*/versionEnd*`` or ``= version``); a wildcard match
    leaves no range (every version).  Platform CPEs of AND configurations go to
    ``platform_cpes``.  Feed ``vunnel:nvd``.
``osv``
    OSV records (AlmaLinux, Bitnami, Chainguard, Go, Root.io...) -> :mod:`.osv`.
``csaf-vex``
    Red Hat CSAF VEX (Hummingbird): fixed / known_affected / known_not_affected
    products, by purl.  In binary-granular documents the ``.src`` products are
    dropped and binaries without an arch get ``arch: binary`` (a record for
    named binaries, not for every package built from the source).  Feed
    ``vunnel:<provider>``.
``annotated-openvex``
    OpenVEX statements about exact package versions (Chainguard libraries):
    ``fixed``/``not_affected`` -> fix state ``not-affected`` for those versions.
``eol``
    Release end-of-life dates -> :class:`~.feeds.Eol` (not advisories).
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

from .ecosystems import _redhat, github_ecosystem, normalize_package, purl_ecosystem, vunnel_namespace
from .feeds import Eol, Item, Record, RecordError, Warn, cvss_kind, make_severity, rating
from .model import Advisory, Affected, Range, Severity
from .osv import parse_osv

__all__ = ["parse_vunnel", "normalize_constraint", "parse_cpe"]

_OP = re.compile(r"(<=|>=|!=|==|=|<|>)\s*([^\s,|]+)")


def normalize_constraint(text: str) -> str:
    """A vunnel/GHSA range in the model's constraint syntax:
    ``">= 1.22 < 2.6.3"`` -> ``">= 1.22, < 2.6.3"`` (comma = AND, ``||`` = OR)."""
    groups = []
    for group in text.split("||"):
        terms = [f"{'=' if op == '==' else op} {ver}" for op, ver in _OP.findall(group)]
        if not terms and group.strip():
            terms = [f"= {group.strip().strip(',').strip()}"]
        if terms:
            groups.append(", ".join(terms))
    return " || ".join(groups)


def parse_vunnel(rec: Mapping[str, Any], *, where: str, warn: Warn) -> Iterator[Item]:
    """The items of one vunnel result record."""
    if not isinstance(rec, dict):
        raise RecordError("record is not an object")
    item = rec.get("item")
    ident = str(rec.get("identifier") or "")
    schema = str(rec.get("schema") or "")
    if not isinstance(item, dict):
        raise RecordError("item is not an object")
    kind = _kind(schema, item)
    provider = ident.split("/", 1)[0] if "/" in ident else ""
    if kind == "os":
        yield _os(item)
    elif kind == "github":
        yield _github(item)
    elif kind == "nvd":
        yield _nvd(item)
    elif kind == "osv":
        base = provider.split(":", 1)[0]
        yield parse_osv(item, where=where, source=f"vunnel:{base}" if base else "")
    elif kind == "csaf":
        yield _csaf(item, provider or "csaf")
    elif kind == "openvex":
        yield _openvex(item, provider or "openvex")
    elif kind == "eol":
        yield Eol(vunnel_namespace(ident or f"{item.get('product', '')}:{item.get('name', '')}"), dict(item))
    else:
        warn(f"skipped {ident or where} in {where}: unsupported vunnel schema {schema or '(none)'}")


def _kind(schema: str, item: Mapping[str, Any]) -> str:
    for marker, kind in (
        ("/os/", "os"),
        ("github-security-advisory", "github"),
        ("/nvd/", "nvd"),
        ("/osv/", "osv"),
        ("csaf", "csaf"),
        ("openvex", "openvex"),
        ("/eol/", "eol"),
    ):
        if marker in schema:
            return kind
    if schema:
        return ""
    if isinstance(item.get("Vulnerability"), dict) and item["Vulnerability"].get("FixedIn") is not None:
        return "os"
    if isinstance(item.get("Advisory"), dict):
        return "github"
    if isinstance(item.get("cve"), dict):
        return "nvd"
    if "affected" in item and "id" in item:
        return "osv"
    return ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- os --------------------------------------------------------------------------------

_SCHEMES = {"dpkg": "dpkg", "deb": "dpkg", "rpm": "rpm", "apk": "apk"}


def _os(item: Mapping[str, Any]) -> Record:
    vuln = item.get("Vulnerability")
    if not isinstance(vuln, dict):
        raise RecordError("Vulnerability is not an object")
    name = _text(vuln.get("Name"))
    namespace = _text(vuln.get("NamespaceName"))
    if not name or not namespace:
        raise RecordError("Vulnerability needs Name and NamespaceName")
    ns = vunnel_namespace(namespace)
    who = ns.split(":", 1)[0]
    severities: list[Severity] = []
    word = rating(vuln.get("Severity"))
    if word:
        severities.append(Severity(source=who, kind="rating", rating=word))
    for c in vuln.get("CVSS") or ():
        sev = _cvss_entry(c, who)
        if sev is not None and sev not in severities:
            severities.append(sev)
    meta = _obj(vuln.get("Metadata"))
    nvd = _obj(meta.get("NVD"))
    for key, kind in (("CVSSv2", "CVSS_V2"), ("CVSSv3", "CVSS_V3")):
        entry = nvd.get(key)
        if isinstance(entry, dict) and isinstance(entry.get("Vectors"), str):
            sev = make_severity("nvd", kind, entry["Vectors"], entry.get("Score"))
            if sev not in severities:
                severities.append(sev)
    aliases = []
    for c in meta.get("CVE") or ():
        cid = c.get("Name") if isinstance(c, dict) else c
        if isinstance(cid, str) and cid != name:
            aliases.append(cid)
    affected = []
    fixed_in = vuln.get("FixedIn") or []
    if not isinstance(fixed_in, list):
        raise RecordError("FixedIn is not a list")
    for i, fi in enumerate(fixed_in):
        if not isinstance(fi, dict) or not _text(fi.get("Name")):
            raise RecordError(f"FixedIn[{i}] has no Name")
        affected.append(_fixed_in(fi, ns))
    refs = [vuln["Link"]] if _text(vuln.get("Link")) else []
    adv = Advisory(
        id=name,
        aliases=tuple(dict.fromkeys(aliases)),
        details=_text(vuln.get("Description")),
        severities=tuple(severities),
        published=_text(meta.get("Issued")),
        modified=_text(meta.get("Updated")),
        references=tuple(refs),
        source=f"vunnel:{who}",
        affected=tuple(affected),
    )
    return Record(f"vunnel:{ns}", adv)


def _cvss_entry(c: Any, who: str) -> Severity | None:
    if not isinstance(c, dict):
        return None
    vector = _text(c.get("vector_string") or c.get("vector"))
    if not vector:
        return None
    metrics = _obj(c.get("base_metrics"))
    return make_severity(who, cvss_kind(vector, c.get("version")), vector, metrics.get("base_score"), metrics.get("base_severity"))


def _fixed_in(fi: Mapping[str, Any], default_ns: str) -> Affected:
    ns = vunnel_namespace(_text(fi.get("NamespaceName")) or default_ns)
    version = str(fi.get("Version") or "").strip()
    vendor = _obj(fi.get("VendorAdvisory"))
    qualifiers: dict[str, Any] = {}
    if _text(fi.get("Module")):
        qualifiers["rpm_modularity"] = fi["Module"]
    if _text(fi.get("Arch")):
        qualifiers["arch"] = fi["Arch"]
    ids = [a.get("ID") for a in vendor.get("AdvisorySummary") or () if isinstance(a, dict) and a.get("ID")]
    if ids:
        qualifiers["vendor_advisories"] = ids
    if isinstance(fi.get("Advisories"), list):
        qualifiers["advisories"] = fi["Advisories"]
    scheme = _SCHEMES.get(str(fi.get("VersionFormat") or "").lower(), str(fi.get("VersionFormat") or "").lower())
    ranges: tuple[Range, ...] = ()
    fixed: tuple[str, ...] = ()
    if version in ("", "None", "none"):
        state = "wont-fix" if vendor.get("NoAdvisory") else "not-fixed"
    elif version == "0":
        state = "not-affected"
    else:
        state, fixed = "fixed", (version,)
        vr = _text(fi.get("VulnerableRange"))
        if vr:
            ranges = (Range(type="CONSTRAINT", constraint=normalize_constraint(vr)),)
        else:
            ranges = (Range(type="ECOSYSTEM", events=(("introduced", "0"), ("fixed", version))),)
    return Affected(
        ecosystem=ns,
        package=normalize_package(ns, fi["Name"]),
        ranges=ranges,
        fix_state=state,
        fixed_versions=fixed,
        version_scheme=scheme,
        qualifiers=qualifiers,
    )


# -- GitHub security advisories -----------------------------------------------------------


def _github(item: Mapping[str, Any]) -> Record:
    adv = item.get("Advisory")
    if not isinstance(adv, dict):
        raise RecordError("Advisory is not an object")
    ident = _text(adv.get("ghsaId"))
    if not ident:
        raise RecordError("Advisory has no ghsaId")
    severities: list[Severity] = []
    word = rating(adv.get("Severity"))
    if word:
        severities.append(Severity(source="ghsa", kind="rating", rating=word))
    sev = _cvss_entry(adv.get("CVSS"), "ghsa")
    if sev is not None:
        severities.append(sev)
    for c in adv.get("cvss_severities") or ():
        sev = _cvss_entry(c, "ghsa")
        if sev is not None and all(s.vector != sev.vector for s in severities):
            severities.append(sev)
    default_eco = github_ecosystem(_text(adv.get("namespace")))
    affected = []
    for i, fi in enumerate(adv.get("FixedIn") or ()):
        if not isinstance(fi, dict) or not _text(fi.get("name")):
            raise RecordError(f"FixedIn[{i}] has no name")
        eco = github_ecosystem(_text(fi.get("ecosystem")) or _text(fi.get("namespace"))) or default_eco
        fix = str(fi.get("identifier") or "").strip()
        fixed = () if fix in ("", "None", "none") else (fix,)
        constraint = normalize_constraint(_text(fi.get("range")))
        affected.append(
            Affected(
                ecosystem=eco,
                package=normalize_package(eco, fi["name"]),
                ranges=(Range(type="CONSTRAINT", constraint=constraint),) if constraint else (),
                fix_state="fixed" if fixed else "not-fixed",
                fixed_versions=fixed,
            )
        )
    refs: list[str] = [r["url"] for r in adv.get("references") or () if isinstance(r, dict) and _text(r.get("url"))]
    if _text(adv.get("url")):
        refs.insert(0, adv["url"])
    return Record(
        "vunnel:github",
        Advisory(
            id=ident,
            aliases=tuple(c for c in dict.fromkeys(adv.get("CVE") or ()) if isinstance(c, str)),
            summary=_text(adv.get("Summary")),
            severities=tuple(severities),
            published=_text(adv.get("published")),
            modified=_text(adv.get("updated")),
            withdrawn=_text(adv.get("withdrawn")),
            references=tuple(dict.fromkeys(refs)),
            source="vunnel:github",
            affected=tuple(affected),
        ),
    )


# -- NVD -----------------------------------------------------------------------------------


def parse_cpe(cpe: str) -> list[str]:
    """The 13 fields of a CPE 2.3 formatted string (escaped ``\\:`` kept inside fields)."""
    fields = re.split(r"(?<!\\):", cpe)
    if len(fields) < 6 or fields[0] != "cpe" or fields[1] != "2.3":
        raise RecordError(f"invalid CPE {cpe!r}")
    return fields + ["*"] * (13 - len(fields))


def _nvd(item: Mapping[str, Any]) -> Record:
    cve = item.get("cve")
    if not isinstance(cve, dict) or not _text(cve.get("id")):
        raise RecordError("cve has no id")
    ident = cve["id"]
    details = next(
        (d.get("value", "") for d in cve.get("descriptions") or () if isinstance(d, dict) and d.get("lang") == "en"), ""
    )
    severities: list[Severity] = []
    metrics = _obj(cve.get("metrics"))
    for key, kind in (("cvssMetricV40", "CVSS_V4"), ("cvssMetricV31", "CVSS_V3"), ("cvssMetricV30", "CVSS_V3"), ("cvssMetricV2", "CVSS_V2")):
        for m in metrics.get(key) or ():
            data = m.get("cvssData") if isinstance(m, dict) else None
            if not isinstance(data, dict) or not _text(data.get("vectorString")):
                continue
            who = "nvd" if m.get("source") == "nvd@nist.gov" or m.get("type") == "Primary" else "cna"
            sev = make_severity(who, kind, data["vectorString"], data.get("baseScore"), data.get("baseSeverity") or m.get("baseSeverity"))
            if sev not in severities:
                severities.append(sev)
    affected: list[Affected] = []
    for config in cve.get("configurations") or ():
        if isinstance(config, dict):
            affected.extend(_cpe_config(config))
    status = _text(cve.get("vulnStatus"))
    refs: list[str] = [r["url"] for r in cve.get("references") or () if isinstance(r, dict) and _text(r.get("url"))]
    return Record(
        "vunnel:nvd",
        Advisory(
            id=ident,
            details=details,
            severities=tuple(severities),
            published=_text(cve.get("published")),
            modified=_text(cve.get("lastModified")),
            withdrawn=_text(cve.get("lastModified")) or "rejected" if status == "Rejected" else "",
            references=tuple(dict.fromkeys(refs)),
            source="nvd",
            affected=tuple(affected),
        ),
    )


def _cpe_config(config: Mapping[str, Any]) -> list[Affected]:
    vulnerable: dict[str, list[Mapping[str, Any]]] = {}
    platforms: list[str] = []
    for node in config.get("nodes") or ():
        if not isinstance(node, dict):
            continue
        for match in node.get("cpeMatch") or ():
            if not isinstance(match, dict) or not _text(match.get("criteria")):
                continue
            if match.get("vulnerable"):
                f = parse_cpe(match["criteria"])
                vulnerable.setdefault(normalize_package("cpe", f"{f[3]}:{f[4]}"), []).append(match)
            else:
                platforms.append(match["criteria"])
    out = []
    for package, matches in vulnerable.items():
        ranges: list[Range] = []
        every = False
        fixed: list[str] = []
        for m in matches:
            constraint = _cpe_constraint(m)
            if not constraint:
                every = True
            else:
                ranges.append(Range(type="CONSTRAINT", constraint=constraint))
            fix = _obj(m.get("fix"))
            fv = _text(fix.get("version")) or _text(m.get("versionEndExcluding"))
            if fv:
                fixed.append(fv)
        qualifiers: dict[str, Any] = {"cpes": list(dict.fromkeys(m["criteria"] for m in matches))}
        if platforms and str(config.get("operator", "")).upper() == "AND":
            qualifiers["platform_cpes"] = list(dict.fromkeys(platforms))
        out.append(
            Affected(
                ecosystem="cpe",
                package=package,
                ranges=() if every else tuple(dict.fromkeys(ranges)),
                fix_state="fixed" if fixed and not every else "unknown",
                fixed_versions=tuple(dict.fromkeys(fixed)),
                qualifiers=qualifiers,
            )
        )
    return out


def _cpe_constraint(m: Mapping[str, Any]) -> str:
    """``>= a, < b`` from versionStart*/versionEnd*, ``= v`` for a pinned CPE, '' for every version."""
    terms = []
    for key, op in (("versionStartIncluding", ">="), ("versionStartExcluding", ">"), ("versionEndIncluding", "<="), ("versionEndExcluding", "<")):
        if _text(m.get(key)):
            terms.append(f"{op} {m[key]}")
    if terms:
        return ", ".join(terms)
    f = parse_cpe(m["criteria"])
    version, update = f[5].replace("\\", ""), f[6].replace("\\", "")
    if version in ("*", "-", ""):
        return ""
    if update not in ("*", "-", ""):
        version = f"{version}-{update}"
    return f"= {version}"


# -- CSAF VEX (Red Hat) ------------------------------------------------------------------------


def _csaf(item: Mapping[str, Any], provider: str) -> Record:
    from packageurl import PackageURL

    products: dict[str, Mapping[str, Any]] = {}

    def walk(branches: Any) -> None:
        for b in branches or ():
            if not isinstance(b, dict):
                continue
            p = b.get("product")
            if isinstance(p, dict) and _text(p.get("product_id")):
                products[p["product_id"]] = p
            walk(b.get("branches"))

    tree = _obj(item.get("product_tree"))
    walk(tree.get("branches"))
    relations = {
        r["full_product_name"]["product_id"]: (r.get("product_reference"), r.get("relates_to_product_reference"))
        for r in tree.get("relationships") or ()
        if isinstance(r, dict) and isinstance(r.get("full_product_name"), dict) and r["full_product_name"].get("product_id")
    }
    vulns = item.get("vulnerabilities")
    if not isinstance(vulns, list) or not vulns or not isinstance(vulns[0], dict):
        raise RecordError("CSAF document has no vulnerabilities")
    vuln = vulns[0]
    doc = _obj(item.get("document"))
    tracking = _obj(doc.get("tracking"))
    ident = _text(vuln.get("cve")) or _text(tracking.get("id"))
    if not ident:
        raise RecordError("CSAF vulnerability has no cve")
    wont: set[str] = set()
    for rem in vuln.get("remediations") or ():
        if isinstance(rem, dict) and rem.get("category") in ("no_fix_planned", "will_not_fix"):
            wont.update(rem.get("product_ids") or ())

    def namespace(platform_id: str) -> str:
        helper = (products.get(platform_id) or {}).get("product_identification_helper") or {}
        cpe = _text(helper.get("cpe"))
        parts = cpe.split(":")
        if cpe.startswith("cpe:/") and len(parts) >= 5:
            product, version = parts[3], parts[4]
            if product.startswith(("enterprise_linux", "rhel_")):
                return _redhat(f"{product}:{version}")
            return f"{product}:{version}".lower()
        return f"{provider}:rolling"

    affected: dict[tuple[str, str, str, str], Affected] = {}
    statuses = _obj(vuln.get("product_status"))
    # binary-granular documents (Hummingbird) list every affected binary rpm: their source
    # products are dropped and the binaries marked "binary", so a sibling binary is not
    # matched through the source package; component-level documents keep their source names
    binary_granular = any(
        "arch=src" not in str(((p.get("product_identification_helper") or {}).get("purl")) or "arch=src") for p in products.values()
    )
    for status, state in (("fixed", "fixed"), ("known_affected", "not-fixed"), ("known_not_affected", "not-affected"), ("under_investigation", "unknown")):
        for pid in statuses.get(status) or ():
            component, platform = relations.get(pid, (pid, ""))
            prod = products.get(str(component)) or {}
            helper = prod.get("product_identification_helper") or {}
            purl_text = _text(helper.get("purl"))
            if not purl_text:
                continue
            try:
                purl = PackageURL.from_string(purl_text)
            except ValueError:
                continue
            ns = namespace(str(platform))
            quals = dict(purl.qualifiers or {})
            if binary_granular and purl.type == "rpm":
                if quals.get("arch") == "src":
                    continue
                quals.setdefault("arch", "binary")
            version = purl.version or ""
            if version and quals.get("epoch"):
                version = f"{quals['epoch']}:{version}"
            this_state = "wont-fix" if state == "not-fixed" and pid in wont else state
            q: dict[str, Any] = {"arch": quals["arch"]} if quals.get("arch") else {}
            if state == "fixed" and version:
                rng: tuple[Range, ...] = (Range(type="ECOSYSTEM", events=(("introduced", "0"), ("fixed", version))),)
                fixed: tuple[str, ...] = (version,)
            else:
                rng, fixed = (), ()
                this_state = "unknown" if state == "fixed" else this_state
            key = (ns, purl.name, q.get("arch", ""), this_state)
            affected.setdefault(
                key,
                Affected(ecosystem=ns, package=purl.name, ranges=rng, fix_state=this_state, fixed_versions=fixed,
                         version_scheme="rpm" if purl.type == "rpm" else "", qualifiers=q),
            )  # fmt: skip
    severities: list[Severity] = []
    for threat in vuln.get("threats") or ():
        if isinstance(threat, dict) and threat.get("category") == "impact" and rating(threat.get("details")):
            severities.append(Severity(source="redhat", kind="rating", rating=rating(threat.get("details"))))
            break
    for score in vuln.get("scores") or ():
        for field_name, kind in (("cvss_v4", "CVSS_V4"), ("cvss_v3", "CVSS_V3"), ("cvss_v2", "CVSS_V2")):
            data = score.get(field_name) if isinstance(score, dict) else None
            if isinstance(data, dict) and _text(data.get("vectorString")):
                sev = make_severity("redhat", kind, data["vectorString"], data.get("baseScore"), data.get("baseSeverity"))
                if sev not in severities:
                    severities.append(sev)
    details = next(
        (n.get("text", "") for n in vuln.get("notes") or () if isinstance(n, dict) and n.get("category") == "description"), ""
    )
    refs: list[str] = [r["url"] for r in vuln.get("references") or () if isinstance(r, dict) and _text(r.get("url"))]
    return Record(
        f"vunnel:{provider}",
        Advisory(
            id=ident,
            summary=_text(vuln.get("title")) or _text(doc.get("title")),
            details=details,
            severities=tuple(severities),
            published=_text(tracking.get("initial_release_date")),
            modified=_text(tracking.get("current_release_date")),
            references=tuple(dict.fromkeys(refs)),
            source=f"vunnel:{provider}",
            affected=tuple(affected.values()),
        ),
    )


# -- annotated OpenVEX (Chainguard libraries) -----------------------------------------------------

_VEX_STATES = {"fixed": "not-affected", "not_affected": "not-affected", "affected": "not-fixed", "under_investigation": "unknown"}


def _openvex(item: Mapping[str, Any], provider: str) -> Record:
    from packageurl import PackageURL

    doc = item.get("document")
    if not isinstance(doc, dict):
        raise RecordError("document is not an object")
    vuln = _obj(doc.get("vulnerability"))
    ident = _text(vuln.get("name"))
    if not ident:
        raise RecordError("statement has no vulnerability name")
    status = _text(doc.get("status"))
    state = _VEX_STATES.get(status, "unknown")
    versions: dict[tuple[str, str], list[str]] = {}
    for prod in doc.get("products") or ():
        ids = prod.get("identifiers") if isinstance(prod, dict) else None
        purl_text = _text(ids.get("purl")) if isinstance(ids, dict) else _text((prod or {}).get("@id"))
        if not purl_text:
            continue
        try:
            purl = PackageURL.from_string(purl_text)
        except ValueError:
            continue
        eco = purl_ecosystem(purl.type) or purl.type
        name = f"{purl.namespace}:{purl.name}" if eco == "maven" and purl.namespace else (
            f"{purl.namespace}/{purl.name}" if purl.namespace else purl.name)  # fmt: skip
        key = (eco, normalize_package(eco, name))
        if purl.version:
            versions.setdefault(key, []).append(purl.version)
        else:
            versions.setdefault(key, [])
    qualifiers: dict[str, Any] = {"vex_status": status}
    if _text(doc.get("justification")):
        qualifiers["justification"] = doc["justification"]
    affected = tuple(
        Affected(ecosystem=eco, package=pkg, versions=tuple(dict.fromkeys(vs)), fix_state=state, qualifiers=dict(qualifiers))
        for (eco, pkg), vs in versions.items()
    )
    base = provider.split(":", 1)[0]
    return Record(
        f"vunnel:{provider}",
        Advisory(
            id=ident,
            aliases=tuple(a for a in dict.fromkeys(vuln.get("aliases") or ()) if isinstance(a, str) and a != ident),
            summary=_text(vuln.get("description")),
            published=_text(doc.get("timestamp")),
            modified=_text(doc.get("last_updated")) or _text(doc.get("timestamp")),
            source=f"vunnel:{base}",
            affected=affected,
        ),
    )
