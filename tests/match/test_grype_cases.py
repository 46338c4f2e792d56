"""grype's matcher cases (../shared/corpus grype/expected/matcher_cases.tsv) against its fixture databases.

Each row names a fixture directory of vunnel "results" JSON, optionally restricted
to some records (matched against each file's ``identifier``, see the TSV header),
a package, a distro and the expected verdicts:

* ``MATCH id [type]`` — a finding with that id (or alias), of that match type; the
  MATCH list is complete unless the row comes from a test that skips completeness;
* ``IGNORE id (reason)`` — not a finding; for the distro reasons (fixed, not
  vulnerable, NAK) assay must also list it as ignored (``distro-fixed`` /
  ``distro-not-affected``); grype's "CPE not vulnerable" bookkeeping has no
  counterpart and only means "not reported through a CPE";
* ``NO-MATCH`` — no findings (assay may still list distro-fixed ignores, which
  grype omits in some paths);
* ``NOT id`` — that id is not a finding.

The records are read with the database's vunnel importer
(:mod:`assay.advisories.vunnel`), exactly as ``assay db import`` loads them.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS

TSV = CORPUS / "grype" / "expected" / "matcher_cases.tsv"

_TYPES = {
    "ApkPkg": "apk", "DebPkg": "deb", "RpmPkg": "rpm", "NpmPkg": "npm", "PythonPkg": "python", "GemPkg": "gem",
    "GoModulePkg": "go-module", "BinaryPkg": "binary", "JavaPkg": "java-archive",
}  # fmt: skip
_MATCH_TYPES = {"ExactDirectMatch": "exact-direct-match", "ExactIndirectMatch": "exact-indirect-match", "CPEMatch": "cpe-match"}
_DISTRO_REASONS = {"reasonDistroPackageFixed", "IgnoreReasonDistroFixed", "IgnoreReasonDistroNotVulnerable", "reasonExplicitApkNak"}
_DBTEST = {
    "Alpine318": ("alpine", "3.18"), "WolfiRolling": ("wolfi", ""), "ChainguardRolling": ("chainguard", ""),
    "Debian11": ("debian", "11"), "RHEL8": ("rhel", "8"), "RHEL9": ("rhel", "9"), "AlmaLinux8": ("almalinux", "8"),
    "SLES156": ("sles", "15.6"), "SLES157": ("sles", "15.7"), "Hummingbird1": ("hummingbird", "1"),
}  # fmt: skip
_GO_DISTRO = {"RedHat": "rhel", "SLES": "sles", "Ubuntu": "ubuntu", "Debian": "debian"}
# CPEs grype's test code gives a package but the TSV does not transcribe (stock/matcher_test.go:TestMatcher_JVMPackage)
_EXTRA_CPES = {"stock/matcher_test.go:TestMatcher_JVMPackage": ("cpe:2.3:a:oracle:java_se:1.8.0:update400:*:*:*:*:*:*",)}
# Rows that fail for a known reason outside the matcher (strict: they fail loudly once fixed, so the entry gets removed).
_KNOWN_GAPS: dict[str, str] = {}

# matcher options grype has and assay does not offer
_UNSUPPORTED = {"MissingEpochStrategy=auto": "assay compares a missing dpkg epoch as 0 (grype's default 'zero' strategy); 'auto' is not offered"}


@dataclass
class Case:
    line: int
    matcher: str
    fixture: str
    select: list[str]
    name: str
    version: str
    type: str
    distro: tuple[str, str] | None
    owner: tuple[str, str] | None  # an rpm that owns the package's files: (name, version)
    upstream: tuple[str, str]
    cpes: tuple[str, ...]
    arch: str
    epoch: int | None
    label: str
    expected: str
    source: str
    unsupported: str = ""
    matches: dict[str, str] = field(default_factory=dict)  # id -> match type ("" = any)
    fixes: dict[str, str] = field(default_factory=dict)  # id -> expected fixed version or "state=..."
    ignores: dict[str, str] = field(default_factory=dict)  # id -> grype reason
    nots: set[str] = field(default_factory=set)
    complete: bool = True


def _distro(text: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    t = text.strip()
    if not t:
        return None, None
    if t.startswith("dbtest."):
        return _DBTEST[t[len("dbtest.") :]], None
    m = re.fullmatch(r'new(ESM|EUS)Distro\("([^"]+)"\)', t)
    if m:
        return (("ubuntu", m.group(2) + "+esm") if m.group(1) == "ESM" else ("rhel", m.group(2) + "+eus")), None
    m = re.fullmatch(r'distro\.New\(distro\.(\w+), "([^"]*)", "[^"]*"\)', t)
    if m:
        return (_GO_DISTRO[m.group(1)], m.group(2)), None
    m = re.fullmatch(r"(ubuntu) ([\d.]+) (\+esm channel|\(NO esm channel\))", t)
    if m:
        return (m.group(1), m.group(2) + ("+esm" if m.group(3).startswith("+") else "")), None
    m = re.fullmatch(r"(\w+) ([\d.]+) \(rpm (\S+) (\S+)\)", t)
    if m:
        return (m.group(1), m.group(2)), (m.group(3), m.group(4))
    raise ValueError(f"unknown distro spec {t!r}")


def _parse_expected(case: Case) -> None:
    text = case.expected
    # grype asserts these with SkipCompleteness() (the TSV header names the first two; MissingEpochStrategy does too)
    if any(k in case.source for k in ("MultipleCVEsPerPackage", "TestUbuntuESM_VulnerableCases", "TestUbuntuESM_MissingEpochStrategy")):
        case.complete = False
    for part in (p.strip() for p in text.split(" & ")):
        if part.startswith("MATCH "):
            m = re.match(r"MATCH (\S+)(?: \[(\w+)\])?(.*)", part)
            assert m, part
            vid, mtype, rest = m.group(1), m.group(2) or "", m.group(3)
            case.matches[vid] = _MATCH_TYPES.get(mtype, "")
            fm = re.search(r"\bfix=(\S+)", rest)
            if fm:
                case.fixes[vid] = fm.group(1)
            sm = re.search(r"\bfix-state=(\S+)", rest)
            if sm:
                case.fixes[vid] = "state=" + sm.group(1)
        elif part.startswith("IGNORE "):
            m = re.match(r"IGNORE (\S+) \((\w+)\)", part)
            assert m, part
            case.ignores.setdefault(m.group(1), m.group(2))
        elif part.startswith("NOT "):
            case.nots.add(part.split()[1])
        elif part.startswith("NO-MATCH"):
            pass
        else:
            raise ValueError(f"line {case.line}: unknown expectation {part!r}")


def _cases() -> list[Case]:
    if not TSV.exists():
        return []
    out: list[Case] = []
    for n, line in enumerate(TSV.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        matcher, fixture, select, name, version, ptype, distro, upstream, cpe, extra, expected, source = (cols + [""] * 12)[:12]
        d, owner = _distro(distro)
        up_name, _, up_version = upstream.partition(",")
        arch = (re.search(r'WithArchitecture\("([^"]+)"\)', extra) or [None, ""])[1]
        epoch_m = re.search(r"Epoch: intPtr\((\d+)\)", extra)
        label = (re.search(r'ModularityLabel: str(?:Ptr|Ref)\("([^"]+)"\)', extra) or [None, ""])[1]
        case = Case(
            line=n,
            matcher=matcher,
            fixture=fixture,
            select=[s.strip() for s in select.split(",") if s.strip()],
            name=name,
            version=version,
            type=_TYPES[ptype],
            distro=d,
            owner=owner,
            upstream=(up_name.strip(), up_version.strip()),
            cpes=(cpe,) if cpe else _EXTRA_CPES.get(source, ()),
            arch=arch,
            epoch=int(epoch_m.group(1)) if epoch_m else None,
            label=label,
            expected=expected,
            source=source,
        )
        for key, why in _UNSUPPORTED.items():
            if key in extra:
                case.unsupported = why
        _parse_expected(case)
        out.append(case)
    return out


def _fixture_dir(case: Case) -> Path:
    f = case.fixture
    if f.endswith(" (shared)"):
        return CORPUS / "grype" / "internal" / "dbtest" / "testdata" / "shared" / f[: -len(" (shared)")]
    if f.startswith("grype/"):
        return CORPUS / "grype" / f
    return CORPUS / "grype" / "grype" / "matcher" / case.matcher / "testdata" / f


def _selected(identifier: str, patterns: list[str]) -> bool:
    if not patterns:
        return True
    ident = identifier.lower()
    for p in (p.lower() for p in patterns):
        if "/" in p:
            if ident == p:
                return True
        elif ":" in p:
            if ident.startswith(p + "/"):
                return True
        elif ident.endswith("/" + p) or ident == p:
            return True
    return False


def _fixture_copy(case: Case, tmp_path: Path) -> Path:
    """The fixture's result files restricted to the row's selection, in a directory of the same layout."""
    src = _fixture_dir(case)
    dst = tmp_path / "fixture"
    for path in sorted(src.rglob("*.json")):
        rel = path.relative_to(src)
        if "results" not in rel.parts:
            if path.name == "metadata.json":
                target = dst / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            continue
        doc = json.loads(path.read_bytes())
        ident = doc.get("identifier", "") if isinstance(doc, dict) else ""
        if _selected(ident, case.select):
            target = dst / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return dst


def _load_advisories(directory: Path) -> list[Any]:
    """The advisories of a fixture directory, read as ``assay db import`` reads it."""
    from assay.advisories.feeds import Record, read_input

    warnings: list[str] = []
    return [item.advisory for item in read_input(directory, warnings.append) if isinstance(item, Record)]


CASES = _cases()


def _param(case: Case) -> Any:
    gap = _KNOWN_GAPS.get(case.source)
    marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
    return pytest.param(case, marks=marks, id=f"L{case.line}-{case.source.split(':')[-1][:60]}")


@pytest.mark.corpus
@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_grype_matcher_case(case: Case, tmp_path: Path) -> None:
    if case.unsupported:
        pytest.skip(case.unsupported)
    from assay.advisories import MemoryProvider
    from assay.match import match
    from assay.model import Distro, Location, Package, Sbom

    advisories = _load_advisories(_fixture_copy(case, tmp_path))
    metadata: dict[str, Any] = {}
    if case.label:
        metadata["modularityLabel"] = case.label
    if case.epoch is not None:
        metadata["epoch"] = case.epoch
    path = f"/usr/lib/pkgs/{case.name}/METADATA"
    pkg = Package(
        name=case.name,
        version=case.version,
        type=case.type,
        arch=case.arch,
        epoch=case.epoch,
        source_name=case.upstream[0],
        source_version=case.upstream[1],
        cpes=case.cpes,
        metadata=metadata,
        locations=(Location(path=path),),
    )
    packages = [pkg]
    if case.owner:
        packages.append(Package(name=case.owner[0], version=case.owner[1], type="rpm", files=(path,)))
    distro = Distro(id=case.distro[0], version_id=case.distro[1]) if case.distro else None
    findings, ignored, _ = match(Sbom(packages=tuple(packages)), MemoryProvider(advisories), distro=distro)
    findings = [f for f in findings if f.package.id == pkg.id]
    ignored = [i for i in ignored if i.finding.package.id == pkg.id]

    def finding_for(vid: str):  # type: ignore[no-untyped-def]
        return next((f for f in findings if vid in f.all_ids), None)

    problems: list[str] = []
    for vid, mtype in case.matches.items():
        f = finding_for(vid)
        if f is None:
            problems.append(f"expected a match for {vid}")
            continue
        if mtype and mtype not in {d.type for d in f.details}:
            problems.append(f"{vid}: expected a {mtype}, got {sorted({d.type for d in f.details})}")
        want = case.fixes.get(vid)
        if want and want.startswith("state="):
            if f.fix_state != want[len("state=") :]:
                problems.append(f"{vid}: expected fix state {want[6:]}, got {f.fix_state}")
        elif want and want not in f.fixed_versions:
            problems.append(f"{vid}: expected fix {want}, got {f.fixed_versions}")
    if case.complete:
        extra = [f.id for f in findings if not any(v in f.all_ids for v in case.matches)]
        if extra:
            problems.append(f"unexpected matches {extra}")
    for vid, reason in case.ignores.items():
        if vid in case.matches:
            continue  # grype's "CPE not vulnerable" next to a distro match: nothing to check
        if finding_for(vid) is not None:
            problems.append(f"{vid} is reported, expected ignored ({reason})")
        elif reason in _DISTRO_REASONS and not any(vid in i.finding.all_ids and i.kind.startswith("distro-") for i in ignored):
            problems.append(f"{vid}: expected a distro-fixed/not-affected ignore ({reason}), got {[(i.finding.id, i.kind) for i in ignored]}")
    for vid in case.nots:
        if finding_for(vid) is not None:
            problems.append(f"{vid} must not be reported")
    assert not problems, f"line {case.line} ({case.source}): " + "; ".join(problems)
