"""Names, versions, group ids and purls of Java packages, with syft's rules.

* :func:`archive_filename` splits ``commons-lang3-3.12.0.jar`` into name and
  version: dash-separated words belong to the name until one starts with a digit
  (or ``build<N>`` / ``r<N>`` / ``rc<N>``); ``foo_1.2`` and ``foo.1.2`` work too.
* :func:`select_name` / :func:`select_version` are the fallbacks when no
  pom.properties names the archive: the Maven bundle plugin's
  ``Bundle-SymbolicName``, then the file name, then manifest headers.
* :func:`group_id` picks the Maven groupId for the purl: pom.properties, then the
  pom.xml (or its parent), then a short list of well-known artifacts, then
  manifest headers that look like reverse domain names.
* :func:`maven_purl` writes ``pkg:maven/<group>/<artifact>@<version>``, the
  artifact standing in for a group that cannot be found (as syft does).
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass

from packageurl import PackageURL

from .manifest import Manifest
from .pom import PomProject, PomProperties

__all__ = [
    "JAVA_PKG",
    "JENKINS_PKG",
    "ArchiveName",
    "archive_filename",
    "group_id",
    "is_jenkins_group",
    "manifest_license_values",
    "maven_purl",
    "pkg_type_for",
    "select_name",
    "select_version",
]

JAVA_PKG = "java-archive"
JENKINS_PKG = "jenkins-plugin"

# syft's pattern, translated from RE2's (?U) (ungreedy) to explicit lazy quantifiers.
_ALPHA = "A-Za-z"
_WORD = "0-9A-Za-z_"
_VERSION = r"\d.*?|build\d+?.*?|rc??\d+?"
_NAME_VERSION = re.compile(
    rf"^(?P<name>(?:[{_ALPHA}][{_WORD}.]*?(?:\.[{_ALPHA}][{_WORD}.]*?)*?-??)+?)(?:-(?P<version>{_VERSION}))??$",
    re.IGNORECASE,
)
_SECONDARY_VERSION = re.compile(r"(?:[._-](?P<version>\d.*|build\d+.*|rc?\d+))?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ArchiveName:
    raw: str
    name: str
    version: str

    @property
    def extension(self) -> str:
        return posixpath.splitext(self.raw)[1].lstrip(".").lower()


def archive_filename(path: str) -> ArchiveName:
    """Name and version guessed from an archive's file name (either may be "")."""
    base = posixpath.basename(path)
    stem = posixpath.splitext(base)[0]
    m = _NAME_VERSION.match(stem)
    name = (m.group("name") or "") if m else ""
    version = (m.group("version") or "") if m else ""
    if not version and name:
        sm = _SECONDARY_VERSION.search(name)
        v = sm.group("version") if sm else None
        if v:
            version = v
            name = name[: len(name) - len(v) - 1]
    return ArchiveName(raw=path, name=name, version=version)


_JAVA_IDENT_START = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Sc", "Pc"))


def _java_identifier(field: str) -> bool:
    return bool(field) and unicodedata.category(field[0]) in _JAVA_IDENT_START


def _name_from_filename(a: ArchiveName) -> str:
    """``com.example.thing`` in a file name is probably groupId.artifactId: keep the artifact."""
    if "." in a.name and not a.name.startswith("org.eclipse."):
        fields = a.name.split(".")
        if all(_java_identifier(f) for f in fields):
            return fields[-1]
    return a.name


def _name_from_bundle_plugin(manifest: Manifest | None) -> str:
    """The Maven bundle plugin writes Bundle-SymbolicName = groupId.artifactId by default."""
    if manifest is None or "Apache Maven Bundle Plugin" not in manifest.get("Created-By"):
        return ""
    symbolic = manifest.get("Bundle-SymbolicName")
    if not symbolic:
        return ""
    vendor_id = manifest.get("Implementation-Vendor-Id")
    if vendor_id and vendor_id == symbolic:
        return ""  # the symbolic name is just the group id
    return symbolic.split(";")[0].strip().split(".")[-1]


def select_name(manifest: Manifest | None, fname: ArchiveName) -> str:
    name = _name_from_bundle_plugin(manifest) or _name_from_filename(fname)
    if name or manifest is None:
        return name
    for key in ("Name", "Bundle-Name", "Short-Name", "Extension-Name", "Implementation-Title"):
        value = manifest.get(key)
        if value:
            return value
    return ""


def select_version(manifest: Manifest | None, fname: ArchiveName) -> str:
    if fname.version:
        return fname.version
    if manifest is None:
        return ""
    for key in ("Implementation-Version", "Specification-Version", "Plugin-Version", "Bundle-Version"):
        value = manifest.field(key)
        if value:
            return value
    return ""


def manifest_license_values(manifest: Manifest | None) -> list[str]:
    if manifest is None:
        return []
    return [v for v in (manifest.field("Bundle-License"), manifest.field("Plugin-License-Name")) if v]


# -- package types ---------------------------------------------------------------------------

_JENKINS_GROUPS = (
    "io.jenkins.plugins",
    "org.jenkins.plugins",
    "org.jenkins-ci.plugins",
    "io.jenkins-ci.plugins",
    "com.cloudbees.jenkins.plugins",
)


def is_jenkins_group(group: str) -> bool:
    return group.startswith(_JENKINS_GROUPS) or ".jenkins.plugin" in group


def pkg_type_for(fname: ArchiveName) -> str:
    return JENKINS_PKG if fname.extension in ("jpi", "hpi") else JAVA_PKG


# -- group ids -------------------------------------------------------------------------------

# Artifacts whose jars often carry no pom.properties, and whose groupId is not the artifactId.
# A short, hand-checked list of Maven Central coordinates (syft keeps a far longer one).
_KNOWN_GROUPS: dict[str, str] = {
    **{a: "org.apache.ant" for a in ("ant", "ant-launcher", "ant-junit", "ant-junit4", "ant-antlr", "ant-nodeps", "ant-jsch", "ant-commons-net")},
    **{a: "org.apache.tomcat" for a in (
        "tomcat-annotations-api", "tomcat-api", "tomcat-catalina", "tomcat-catalina-ant", "tomcat-catalina-ha",
        "tomcat-coyote", "tomcat-dbcp", "tomcat-el-api", "tomcat-jasper", "tomcat-jasper-el", "tomcat-jaspic-api",
        "tomcat-jdbc", "tomcat-jni", "tomcat-jsp-api", "tomcat-juli", "tomcat-servlet-api", "tomcat-ssi",
        "tomcat-storeconfig", "tomcat-tribes", "tomcat-util", "tomcat-util-scan", "tomcat-websocket",
        "tomcat-websocket-api", "tomcat-websocket-client-api",
    )},
    **{a: "org.apache.tomcat.embed" for a in ("tomcat-embed-core", "tomcat-embed-el", "tomcat-embed-jasper", "tomcat-embed-websocket")},
    **{a: a for a in (
        "commons-beanutils", "commons-cli", "commons-codec", "commons-collections", "commons-dbcp", "commons-digester",
        "commons-fileupload", "commons-httpclient", "commons-io", "commons-lang", "commons-logging", "commons-net",
        "commons-pool", "commons-validator", "joda-time", "junit", "log4j",
    )},
    **{a: "org.apache.commons" for a in ("commons-lang3", "commons-text", "commons-compress", "commons-collections4", "commons-math3", "commons-pool2", "commons-dbcp2", "commons-csv", "commons-configuration2")},
    **{a: "org.apache.logging.log4j" for a in ("log4j-api", "log4j-core", "log4j-slf4j-impl", "log4j-slf4j2-impl", "log4j-1.2-api", "log4j-jul", "log4j-web", "log4j-to-slf4j")},
    **{a: "org.slf4j" for a in ("slf4j-api", "slf4j-simple", "slf4j-log4j12", "slf4j-reload4j", "jcl-over-slf4j", "jul-to-slf4j", "log4j-over-slf4j")},
    **{a: "ch.qos.logback" for a in ("logback-classic", "logback-core", "logback-access")},
    **{a: "com.fasterxml.jackson.core" for a in ("jackson-core", "jackson-databind", "jackson-annotations")},
    **{a: "org.codehaus.groovy" for a in ("groovy", "groovy-all", "groovy-json", "groovy-xml", "groovy-templates", "groovy-sql")},
    **{a: "com.squareup.okhttp3" for a in ("okhttp", "logging-interceptor")},
    "okio": "com.squareup.okio",
    "guava": "com.google.guava",
    "gson": "com.google.code.gson",
    "snakeyaml": "org.yaml",
    "netty-all": "io.netty",
    "bcprov-jdk15on": "org.bouncycastle",
    "bcprov-jdk18on": "org.bouncycastle",
    "bcpkix-jdk15on": "org.bouncycastle",
    "bcpkix-jdk18on": "org.bouncycastle",
    "velocity": "org.apache.velocity",
    "velocity-engine-core": "org.apache.velocity",
    "httpclient": "org.apache.httpcomponents",
    "httpcore": "org.apache.httpcomponents",
    "xstream": "com.thoughtworks.xstream",
}

# Manifest headers that hold a groupId-like value, by priority (syft's lists, plus Jenkins' Group-Id).
_PRIMARY_MANIFEST_GROUP_FIELDS = (
    "Group-Id",
    "Bundle-SymbolicName",
    "Extension-Name",
    "Specification-Vendor",
    "Implementation-Vendor",
    "Implementation-Vendor-Id",
    "Implementation-Title",
    "Bundle-Activator",
)
_SECONDARY_MANIFEST_GROUP_FIELDS = ("Automatic-Module-Name", "Main-Class", "Package")
_DOMAINS = ("com", "org", "net", "io", "be")


def _clean(group: str) -> str:
    """``org.bar;uses:="org.foo"`` (OSGi directives) -> ``org.bar``."""
    return group.split(";")[0].split("#")[0].strip()


def _from_properties(props: PomProperties | None) -> str:
    if props is None:
        return ""
    if props.group_id:
        return _clean(props.group_id)
    if "." in props.artifact_id:  # a publisher put the group id in the artifact id
        return _clean(props.artifact_id)
    return ""


def _from_project(project: PomProject | None, resolved_group: str = "") -> str:
    if project is None:
        return ""
    if resolved_group:
        return _clean(resolved_group)
    if project.group_id and "${" not in project.group_id:
        return _clean(project.group_id)
    if "." in project.artifact_id:
        return _clean(project.artifact_id)
    parent = project.parent
    if parent is not None:
        if parent.group_id and "${" not in parent.group_id:
            return _clean(parent.group_id)
        if "." in parent.artifact_id:
            return _clean(parent.artifact_id)
    return ""


def _major(version: str) -> int:
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def _from_known(name: str, version: str) -> str:
    group = _KNOWN_GROUPS.get(name, "")
    # Groovy 4 moved from org.codehaus.groovy to org.apache.groovy (groovy-eclipse-* did not).
    if group == "org.codehaus.groovy" and name.startswith("groovy") and not name.startswith("groovy-eclipse") and _major(version) >= 4:
        return "org.apache.groovy"
    return group


def _manifest_groups(manifest: Manifest, fields: tuple[str, ...]) -> list[str]:
    found = []
    for key in fields:
        for value in manifest.values(key):
            if value.startswith(_DOMAINS):
                found.append(_clean(value))
    return sorted(found)


def _from_manifest(manifest: Manifest | None) -> str:
    if manifest is None:
        return ""
    for fields in (_PRIMARY_MANIFEST_GROUP_FIELDS, _SECONDARY_MANIFEST_GROUP_FIELDS):
        found = _manifest_groups(manifest, fields)
        if found:
            return found[0]
    return ""


def group_id(
    name: str,
    version: str,
    *,
    properties: PomProperties | None = None,
    project: PomProject | None = None,
    project_group: str = "",
    manifest: Manifest | None = None,
) -> str:
    """The Maven groupId of a package, or "" (``project_group``: the pom's resolved groupId)."""
    return (
        _from_properties(properties)
        or _from_project(project, project_group)
        or _from_known(name, version)
        or _from_manifest(manifest)
    )


def maven_purl(name: str, version: str, group: str) -> str:
    return PackageURL(type="maven", namespace=group or name, name=name, version=version or None).to_string()
