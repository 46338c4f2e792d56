"""JDK/JRE installations, identified from their ``release`` file (as syft's java-jvm-cataloger).

``release`` holds ``KEY="value"`` lines (``JAVA_VERSION``, ``JAVA_RUNTIME_VERSION``,
``IMPLEMENTOR``, ``IMAGE_TYPE``, ``OS_ARCH``, ...).  A file without any of
``JAVA_VERSION``, ``JAVA_RUNTIME_VERSION`` or ``GRAALVM_VERSION`` is not a JVM
(the glob ``**/release`` is deliberately broad).  The vendor/product decide the
purl ``pkg:generic/<vendor>/<product>@<version>`` and the CPEs: Azul Zulu, Sun,
GraalVM, Oracle JDK (a path containing ``oracle``, ``BUILD_TYPE=commercial``)
and, by default, OpenJDK.  A ``bin/javac`` beside the file makes it a JDK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packageurl import PackageURL

__all__ = ["JvmIdentity", "JvmRelease", "identify_jvm", "parse_release"]

_CPE_SPECIAL = re.compile(r"[^A-Za-z0-9._-]")
_GRAAL_COMPONENT = re.compile(r"graal-updater-ee-component-catalog-java(8|11)\.properties")


@dataclass(frozen=True, slots=True)
class JvmRelease:
    fields: tuple[tuple[str, str], ...]

    def get(self, key: str) -> str:
        for k, v in self.fields:
            if k == key:
                return v
        return ""

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for k, v in self.fields:
            out[k] = v.split() if k == "MODULES" else v
        return out


def parse_release(text: str) -> JvmRelease | None:
    """The ``KEY="value"`` pairs of a release file, or None when it does not describe a JVM."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if not sep or not key or " " in key:
            continue
        fields[key] = value.strip().strip('"')
    if not any(fields.get(k) for k in ("JAVA_VERSION", "JAVA_RUNTIME_VERSION", "GRAALVM_VERSION")):
        return None
    return JvmRelease(tuple(fields.items()))


@dataclass(frozen=True, slots=True)
class _Version:
    version: str
    family: int
    base: str
    update: str
    graal_family: int = 0
    graal_version: str = ""


def _split(version: str) -> tuple[int, str, str]:
    """(java family, base version, update) of e.g. ``1.8.0_302-b08`` -> (8, 1.8.0, 302) or ``21.0.4+7`` -> (21, 21.0.4, "")."""
    before_plus = version.split("+")[0]
    head, _, tail = before_plus.partition("_")
    update = tail.split("-")[0].lstrip("0") if tail else ""
    parts = head.split(".")
    idx = 1 if parts[0] == "1" and len(parts) > 1 else 0
    family = int(parts[idx]) if parts[idx].isdigit() else 0
    if family == 0:
        m = re.match(r"\d+", parts[idx])
        family = int(m.group(0)) if m else 0
    return family, head.split("-")[0], update


def _version_info(r: JvmRelease) -> _Version:
    runtime, full, java = r.get("JAVA_RUNTIME_VERSION"), r.get("FULL_VERSION"), r.get("JAVA_VERSION")
    if runtime:
        version = runtime
    elif full and java:
        version = full if full.split(".")[0] == java.split(".")[0] else java
    else:
        version = java
    graal_family, graal_version, component = 0, "", 0
    if r.get("GRAALVM_VERSION"):
        graal_family, graal_version, _ = _split(r.get("GRAALVM_VERSION"))
        m = _GRAAL_COMPONENT.search(r.get("COMPONENT_CATALOG"))
        if m:
            component = int(m.group(1))
        if not version and graal_family >= 23:
            version = graal_version
    family, base, update = _split(version) if version else (0, "", "")
    if component and not family:
        family = component
        base = base or str(component)
    return _Version(version, family, base, update, graal_family, graal_version)


@dataclass(frozen=True, slots=True)
class JvmIdentity:
    vendor: str
    product: str
    version: str
    cpes: tuple[str, ...]
    purl: str


def _cpe(vendor: str, product: str, version: str, update: str = "", edition: str = "", sw_edition: str = "") -> str:
    if not vendor or not version:
        return ""
    if update and not update.startswith("update"):
        update = "update" + update
    fields = [vendor, product, version, update, edition, "", sw_edition, "", "", ""]
    return "cpe:2.3:a:" + ":".join(_CPE_SPECIAL.sub(r"\\\g<0>", f) if f else "*" for f in fields)


def identify_jvm(r: JvmRelease, path: str, has_jdk: bool) -> JvmIdentity:
    """Vendor, product, version, CPEs and purl of the JVM a release file describes."""
    v = _version_info(r)
    implementor = r.get("IMPLEMENTOR").lower().replace(" ", "")
    image = r.get("IMAGE_TYPE").lower()
    default_product = "jdk" if has_jdk or "jre" not in image else "jre"
    cpes: list[tuple[str, ...]]
    if "azul" in implementor or "zulu" in path:
        vendor, product, version = "azul", "zulu", v.version
        cpes = [("azul", "zulu", v.base), ("oracle", "openjdk", v.base)]
    elif "sun" in implementor:
        vendor, product, version = "sun", default_product, v.base
        cpes = [("sun", default_product, v.base)]
    elif r.get("GRAALVM_VERSION") or "graalvm" in implementor or "graalvm" in path:
        vendor, product, version, cpes = _graalvm(r, v)
    elif "oracle" in path or "commercial" in r.get("BUILD_TYPE") or any(s in r.get("SOURCE") for s in ("graal", " open:git:")):
        vendor, product, version, cpes = _oracle_jdk(r, v, default_product)
    else:
        vendor, product, version = "oracle", "openjdk", v.version
        cpe_version = str(v.family) if v.family and v.family <= 8 else v.base
        cpes = [("oracle", "openjdk", cpe_version, v.update)]
    qualifiers: dict[str, str] = {}
    repo = r.get("SOURCE_REPO") or r.get("BUILD_SOURCE_REPO")
    if repo:
        qualifiers["repository_url"] = repo
    if r.get("OS_ARCH"):
        qualifiers["arch"] = r.get("OS_ARCH")
    if r.get("OS_NAME"):
        qualifiers["os"] = r.get("OS_NAME")
    purl = _purl(vendor, product, version, qualifiers)
    cpe_strings = tuple(c for c in (_cpe(*c) for c in cpes) if c)
    return JvmIdentity(vendor, product, version, cpe_strings, purl)


def _purl(vendor: str, product: str, version: str, qualifiers: dict[str, str]) -> str:
    """Like syft (packageurl-go), qualifier values are percent-encoded, ``:`` and ``/`` included."""
    from urllib.parse import quote

    base = PackageURL(type="generic", namespace=vendor, name=product, version=version or None).to_string()
    if not qualifiers:
        return base
    return base + "?" + "&".join(f"{k}={quote(qualifiers[k], safe='')}" for k in sorted(qualifiers))


def _graalvm(r: JvmRelease, v: _Version) -> tuple[str, str, str, list[tuple[str, ...]]]:
    community = r.get("IMPLEMENTOR") == "GraalVM Community"
    edition = str(v.family)
    graal_family = str(v.graal_family)
    version = v.graal_version
    if v.graal_family < 23 and not community:
        code, sw = "-ee", "enterprise"
    else:
        code, sw = ("-ce", "community") if community else ("", "")
        if community:
            edition = ""
        if v.graal_family >= 23:
            graal_family, version = "", v.base
    product = f"graalvm{graal_family}{code}-{v.family}-jdk"
    cpe_product = "graalvm_for_jdk" if not community and v.graal_family >= 23 else "graalvm"
    return "oracle", product, version, [("oracle", cpe_product, version, "", edition, sw)]


def _oracle_jdk(r: JvmRelease, v: _Version, product: str) -> tuple[str, str, str, list[tuple[str, ...]]]:
    purl_version = cpe_version = se_version = v.version
    se_sw = jdk_sw = update = ""
    if v.version:
        cpe_version = se_version = v.base
        if v.family <= 8:
            purl_version = str(v.family)
            if v.update:
                purl_version = f"{purl_version}u{v.update}"
                se_version, update = purl_version, v.update
        if v.family:
            product = f"{product}-{v.family}"
        if "-perf" in r.get("JAVA_RUNTIME_VERSION"):
            product += "-perf"
            se_sw, jdk_sw = "enterprise_performance", "enterprise_performance_pack"
    cpes: list[tuple[str, ...]] = [
        ("oracle", "java_se", se_version, "", "", se_sw),
        ("oracle", "jre", cpe_version, update, "", jdk_sw),
        ("oracle", "jdk", cpe_version, update, "", jdk_sw),
    ]
    return "oracle", product, purl_version, cpes
