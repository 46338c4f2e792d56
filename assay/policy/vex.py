"""VEX: OpenVEX, CycloneDX VEX and CSAF VEX statements that suppress findings.

Each document is read into :class:`Statement` values (vulnerability, status,
justification, products).  A statement applies to a finding when it names one of
the finding's ids and one of its products is

* the package itself: a purl equal to the package's, the statement's version and
  qualifiers being optional (``pkg:apk/alpine/libssl3`` covers every libssl3,
  ``pkg:apk/alpine/libssl3@3.0.8-r3`` that build, whatever its other qualifiers);
* or the scanned image (``pkg:oci/alpine@sha256:...``, a ``sha256:`` digest or a
  reference like ``alpine:3.18``; by digest when the product gives one, else by
  repository name) with the package among its subcomponents, or with no
  subcomponents at all (the statement covers the whole image, as grype reads it).

Of the statements that apply, the latest (timestamp, then document order) wins;
``not_affected`` and ``fixed`` suppress the finding, keeping the justification;
``affected`` and ``under_investigation`` leave it reported.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import unquote

from ..errors import FormatError, UsageError
from ..match.finding import Finding, Ignored
from ..model import Package, Sbom

__all__ = ["Product", "Statement", "load_vex", "parse_vex", "apply_vex", "ImageIdentity", "purl_matches", "SUPPRESSING"]

SUPPRESSING = ("not_affected", "fixed")


@dataclass(frozen=True, slots=True)
class Product:
    id: str  # a purl, an image digest or reference, or a name
    subcomponents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    vulnerability: str
    aliases: tuple[str, ...] = ()
    status: str  # not_affected | fixed | affected | under_investigation
    justification: str = ""
    detail: str = ""
    products: tuple[Product, ...] = ()
    timestamp: str = ""
    order: int = 0
    document: str = ""
    format: str = ""  # openvex | cyclonedx | csaf

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.vulnerability, *self.aliases)

    def as_rule(self) -> dict[str, Any]:
        out: dict[str, Any] = {"document": self.document, "format": self.format, "vulnerability": self.vulnerability, "status": self.status}
        if self.justification:
            out["justification"] = self.justification
        if self.detail:
            out["impact_statement"] = self.detail
        if self.timestamp:
            out["timestamp"] = self.timestamp
        out["products"] = [{"id": p.id, **({"subcomponents": list(p.subcomponents)} if p.subcomponents else {})} for p in self.products]
        return out


# -- reading ------------------------------------------------------------------------------------


def _map(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def _s(v: Any) -> str:
    return v.strip() if isinstance(v, str) else ""


def _product_id(item: Any) -> str:
    """An OpenVEX component: a string, or ``{"@id": ..., "identifiers": {"purl": ...}}``."""
    if isinstance(item, str):
        return item.strip()
    if isinstance(item, Mapping):
        ident = _map(item.get("identifiers"))
        return _s(ident.get("purl")) or _s(item.get("@id")) or _s(ident.get("cpe23")) or _s(ident.get("cpe22"))
    return ""


def _openvex(doc: Mapping[str, Any], name: str) -> list[Statement]:
    out: list[Statement] = []
    doc_ts = _s(doc.get("timestamp"))
    stmts = doc.get("statements")
    if not isinstance(stmts, list):
        raise FormatError(f"{name}: OpenVEX document without a statements list")
    for i, st in enumerate(stmts):
        if not isinstance(st, Mapping):
            raise FormatError(f"{name}: statements[{i}] is not an object")
        vuln = st.get("vulnerability")
        if isinstance(vuln, Mapping):
            vid = _s(vuln.get("name")) or _s(vuln.get("@id"))
            aliases = tuple(a for a in (vuln.get("aliases") or ()) if isinstance(a, str))
        else:
            vid, aliases = _s(vuln), ()
        status = _s(st.get("status")).lower()
        if not vid or not status:
            raise FormatError(f"{name}: statements[{i}] needs a vulnerability and a status")
        top_subs = tuple(x for x in (_product_id(s) for s in st.get("subcomponents") or ()) if x)
        products: list[Product] = []
        for prod in st.get("products") or ():
            pid = _product_id(prod)
            subs = top_subs
            if isinstance(prod, Mapping) and prod.get("subcomponents"):
                subs = tuple(x for x in (_product_id(s) for s in prod["subcomponents"]) if x)
            if pid:
                products.append(Product(pid, subs))
        out.append(
            Statement(
                vulnerability=vid,
                aliases=aliases,
                status=status,
                justification=_s(st.get("justification")),
                detail=_s(st.get("impact_statement")) or _s(st.get("action_statement")) or _s(st.get("status_notes")),
                products=tuple(products),
                timestamp=_s(st.get("timestamp")) or _s(st.get("last_updated")) or doc_ts,
                order=i,
                document=name,
                format="openvex",
            )
        )
    return out


_CDX_STATES = {
    "not_affected": "not_affected",
    "false_positive": "not_affected",
    "resolved": "fixed",
    "resolved_with_pedigree": "fixed",
    "exploitable": "affected",
    "in_triage": "under_investigation",
}


def _cdx_components(doc: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    stack: list[Any] = []
    meta = doc.get("metadata")
    if isinstance(meta, Mapping) and isinstance(meta.get("component"), Mapping):
        stack.append(meta["component"])
    stack.extend(doc.get("components") or ())
    while stack:
        c = stack.pop()
        if not isinstance(c, Mapping):
            continue
        ref = _s(c.get("bom-ref"))
        if ref:
            out[ref] = c
        stack.extend(c.get("components") or ())
    return out


def _cdx_identity(c: Mapping[str, Any]) -> str:
    if _s(c.get("purl")):
        return _s(c["purl"])
    for h in c.get("hashes") or ():
        if isinstance(h, Mapping) and _s(h.get("alg")).upper() in ("SHA-256", "SHA256") and _s(h.get("content")):
            return "sha256:" + _s(h["content"]).lower()
    name = _s(c.get("name"))
    version = _s(c.get("version"))
    if name and version.startswith("sha256:"):
        return f"{name}@{version}"
    return f"{name}:{version}" if name and version else name


def _cyclonedx(doc: Mapping[str, Any], name: str) -> list[Statement]:
    comps = _cdx_components(doc)
    out: list[Statement] = []
    for i, v in enumerate(doc.get("vulnerabilities") or ()):
        if not isinstance(v, Mapping):
            raise FormatError(f"{name}: vulnerabilities[{i}] is not an object")
        vid = _s(v.get("id"))
        analysis = _map(v.get("analysis"))
        state = _CDX_STATES.get(_s(analysis.get("state")).lower(), "")
        if not vid or not state:
            continue  # a VDR entry without analysis states nothing
        aliases = tuple(_s(r.get("id")) for r in v.get("references") or () if isinstance(r, Mapping) and _s(r.get("id")))
        products: list[Product] = []
        for a in v.get("affects") or ():
            ref = _s(a.get("ref")) if isinstance(a, Mapping) else ""
            if not ref:
                continue
            if "#" in ref and ref.startswith("urn:cdx:"):
                ref = ref.split("#", 1)[1]
            comp = comps.get(ref)
            products.append(Product(_cdx_identity(comp) if comp is not None else ref))
        response = ", ".join(r for r in analysis.get("response") or () if isinstance(r, str))
        out.append(
            Statement(
                vulnerability=vid,
                aliases=aliases,
                status=state,
                justification=_s(analysis.get("justification")),
                detail=_s(analysis.get("detail")) or response,
                products=tuple(products),
                timestamp=_s(analysis.get("lastUpdated")) or _s(v.get("updated")) or _s((doc.get("metadata") or {}).get("timestamp")),
                order=i,
                document=name,
                format="cyclonedx",
            )
        )
    return out


_CSAF_STATES = {
    "known_not_affected": "not_affected",
    "fixed": "fixed",
    "first_fixed": "fixed",
    "known_affected": "affected",
    "first_affected": "affected",
    "last_affected": "affected",
    "under_investigation": "under_investigation",
}


def _csaf_products(doc: Mapping[str, Any]) -> dict[str, Product]:
    tree = _map(doc.get("product_tree"))
    ident: dict[str, str] = {}

    def add(fpn: Any) -> None:
        if not isinstance(fpn, Mapping) or not _s(fpn.get("product_id")):
            return
        helper = _map(fpn.get("product_identification_helper"))
        ident[fpn["product_id"]] = _s(helper.get("purl")) or _s(helper.get("cpe")) or _s(fpn.get("name")) or fpn["product_id"]

    stack: list[Any] = list(tree.get("branches") or ())
    while stack:
        b = stack.pop()
        if isinstance(b, Mapping):
            add(b.get("product"))
            stack.extend(b.get("branches") or ())
    for fpn in tree.get("full_product_names") or ():
        add(fpn)
    out = {pid: Product(value) for pid, value in ident.items()}
    for rel in tree.get("relationships") or ():
        if not isinstance(rel, Mapping):
            continue
        fpn = _map(rel.get("full_product_name"))
        pid = _s(fpn.get("product_id"))
        comp, parent = _s(rel.get("product_reference")), _s(rel.get("relates_to_product_reference"))
        if not pid or not comp or not parent:
            continue
        if _s(rel.get("category")) in ("default_component_of", "installed_on", "installed_with", "optional_component_of"):
            out[pid] = Product(ident.get(parent, parent), (ident.get(comp, comp),))
    return out


def _csaf(doc: Mapping[str, Any], name: str) -> list[Statement]:
    products = _csaf_products(doc)
    tracking = _map(_map(doc.get("document")).get("tracking"))
    doc_ts = _s(tracking.get("current_release_date"))
    out: list[Statement] = []
    n = 0
    for v in doc.get("vulnerabilities") or ():
        if not isinstance(v, Mapping):
            continue
        ids = [_s(v.get("cve"))] + [_s(x.get("text")) for x in v.get("ids") or () if isinstance(x, Mapping)]
        ids = [i for i in dict.fromkeys(ids) if i]
        if not ids:
            continue
        justification: dict[str, str] = {}
        for flag in v.get("flags") or ():
            if isinstance(flag, Mapping):
                for pid in flag.get("product_ids") or ():
                    justification.setdefault(pid, _s(flag.get("label")))
        detail: dict[str, str] = {}
        for t in v.get("threats") or ():
            if isinstance(t, Mapping) and _s(t.get("category")) == "impact":
                for pid in t.get("product_ids") or ():
                    detail.setdefault(pid, _s(t.get("details")))
        for r in v.get("remediations") or ():
            if isinstance(r, Mapping):
                for pid in r.get("product_ids") or ():
                    detail.setdefault(pid, _s(r.get("details")))
        status_map = _map(v.get("product_status"))
        for key, status in _CSAF_STATES.items():
            for pid in status_map.get(key) or ():
                prod = products.get(pid, Product(pid))
                out.append(
                    Statement(
                        vulnerability=ids[0],
                        aliases=tuple(ids[1:]),
                        status=status,
                        justification=justification.get(pid, ""),
                        detail=detail.get(pid, ""),
                        products=(prod,),
                        timestamp=doc_ts,
                        order=n,
                        document=name,
                        format="csaf",
                    )
                )
                n += 1
    return out


def parse_vex(data: bytes, name: str = "<vex>") -> list[Statement]:
    """Statements of one VEX document (format detected from the content)."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"{name}: not JSON ({exc}); VEX documents are OpenVEX, CycloneDX or CSAF JSON") from exc
    if not isinstance(doc, Mapping):
        raise FormatError(f"{name}: expected a JSON object")
    context = doc.get("@context")
    if (isinstance(context, str) and "openvex" in context) or "statements" in doc:
        return _openvex(doc, name)
    if doc.get("bomFormat") == "CycloneDX":
        return _cyclonedx(doc, name)
    document = doc.get("document")
    if isinstance(document, Mapping) and ("csaf_version" in document or _s(document.get("category")) == "csaf_vex"):
        return _csaf(doc, name)
    raise FormatError(f"{name}: not a VEX document (OpenVEX, CycloneDX VEX or CSAF VEX JSON)")


def load_vex(path: str | Path) -> list[Statement]:
    p = str(path)
    try:
        data = Path(p).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read VEX document {p}: {exc.strerror}") from exc
    return parse_vex(data, p)


# -- applying -----------------------------------------------------------------------------------


def _purl(text: str) -> tuple[str, str, str, str, dict[str, str]] | None:
    if not text.startswith("pkg:"):
        return None
    try:
        from packageurl import PackageURL

        p = PackageURL.from_string(text)
    except ValueError:
        return None
    quals = {k: unquote(v) for k, v in (p.qualifiers or {}).items()} if isinstance(p.qualifiers, dict) else {}
    return p.type.lower(), (p.namespace or "").lower(), (p.name or "").lower(), unquote(p.version or ""), quals


def purl_matches(statement_purl: str, package_purl: str) -> bool:
    """Whether ``statement_purl`` names ``package_purl``; its version and qualifiers are optional."""
    a, b = _purl(statement_purl), _purl(package_purl)
    if a is None or b is None:
        return False
    if a[:3] != b[:3]:
        return False
    if a[3] and a[3] != b[3]:
        return False
    return all(b[4].get(k) == v for k, v in a[4].items() if k != "package-id")


@dataclass(frozen=True, slots=True)
class ImageIdentity:
    """The scanned image's digests and repository names, to recognise it in VEX products."""

    digests: frozenset[str]
    names: frozenset[str]  # normalised registry/repository
    short_names: frozenset[str]  # last path component

    @classmethod
    def of(cls, sbom: Sbom) -> "ImageIdentity":
        src = sbom.source
        digests: set[str] = set()
        refs: list[str] = []
        if src.digest:
            digests.add(src.digest)
        img = src.image
        if img is not None:
            digests.update(d for d in (img.manifest_digest, img.index_digest, img.config_digest) if d)
            for rd in img.repo_digests:
                name, _, d = rd.partition("@")
                if d:
                    digests.add(d)
                refs.append(name)
            refs.extend(img.tags)
        if src.kind == "image":
            refs.append(src.name)
            raw = src.input.split(":", 1)[1] if src.input.startswith(("registry:", "docker:", "podman:")) else ""
            refs.append(raw)
        names = {n for n in (_repo_name(r) for r in refs if r) if n}
        return cls(frozenset(digests), frozenset(names), frozenset(n.rsplit("/", 1)[-1] for n in names))

    def matches(self, product: str) -> bool:
        if not (self.digests or self.names):
            return False
        if product.startswith("pkg:"):
            p = _purl(product)
            if p is None or p[0] not in ("oci", "docker"):
                return False
            _, namespace, name, version, quals = p
            if version.startswith("sha256:"):
                return version in self.digests
            repo = quals.get("repository_url", "")
            if repo:
                full = repo.rstrip("/")
                full = full if full.rsplit("/", 1)[-1] == name else f"{full}/{name}"
                return _repo_name(full) in self.names
            if namespace:
                return _repo_name(f"{namespace}/{name}") in self.names
            return name in self.short_names
        if product.startswith("sha256:"):
            return product in self.digests
        ref = product.split("@", 1)
        if len(ref) == 2 and ref[1].startswith("sha256:"):
            return ref[1] in self.digests
        return _repo_name(product) in self.names


def _repo_name(ref: str) -> str:
    from ..oci.reference import InvalidReference, parse_reference

    try:
        return parse_reference(ref.strip()).name
    except (InvalidReference, ValueError):
        return ""


def _ts_key(ts: str) -> float:
    """Seconds since the epoch of an RFC 3339 timestamp (nanoseconds allowed); 0 when absent or unreadable."""
    import datetime as dt
    import re

    if not ts:
        return 0.0
    text = re.sub(r"(\.\d{6})\d+", r"\1", ts.strip()).replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp()


def _applies(st: Statement, prod: Product, pkg: Package, image: ImageIdentity) -> bool:
    if pkg.purl and purl_matches(prod.id, pkg.purl):
        return True
    if image.matches(prod.id):
        if not prod.subcomponents:
            return True
        return bool(pkg.purl) and any(purl_matches(s, pkg.purl) for s in prod.subcomponents)
    return False


def apply_vex(findings: Iterable[Finding], sbom: Sbom, statements: Sequence[Statement]) -> tuple[list[Finding], list[Ignored]]:
    """Split ``findings`` into kept and suppressed by ``statements``."""
    by_id: dict[str, list[Statement]] = defaultdict(list)
    for st in statements:
        for i in st.ids:
            by_id[i.upper()].append(st)
    image = ImageIdentity.of(sbom)
    kept: list[Finding] = []
    ignored: list[Ignored] = []
    for f in findings:
        candidates = {id(s): s for i in f.all_ids for s in by_id.get(i.upper(), ())}
        applicable = [s for s in candidates.values() if any(_applies(s, p, f.package, image) for p in s.products)]
        if not applicable:
            kept.append(f)
            continue
        latest = max(applicable, key=lambda s: (_ts_key(s.timestamp), s.document, s.order))
        if latest.status not in SUPPRESSING:
            kept.append(f)
            continue
        reason = f"VEX {latest.status}"
        if latest.justification:
            reason += f" ({latest.justification})"
        if latest.detail:
            reason += f": {latest.detail}"
        reason += f" [{latest.document}]"
        ignored.append(Ignored(finding=f, kind="vex", reason=reason, rule=latest.as_rule()))
    return kept, ignored
