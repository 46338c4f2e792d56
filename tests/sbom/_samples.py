"""A realistic, hand-built SBOM shared by the format tests (CycloneDX, SPDX, ...).

An image of a Debian 12 system with packages of several ecosystems (deb, apk, rpm,
python, npm), SPDX and non-SPDX licenses, suppliers and authors, locations in two
layers, owned files, digests and dependency edges (one of them a dev dependency).
Everything is fixed, so encoders give the same bytes on every run.
"""

from __future__ import annotations

from assay._internal.licenses import to_license
from assay.model import (
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

__all__ = ["CONFIG_DIGEST", "LABELS", "LAYER1", "LAYER2", "MANIFEST_DIGEST", "sample_sbom"]

MANIFEST_DIGEST = "sha256:" + "a1" * 32
CONFIG_DIGEST = "sha256:" + "c0" * 32
LAYER1 = "sha256:" + "11" * 32  # diff-ids
LAYER2 = "sha256:" + "22" * 32
LABELS = (
    ("org.opencontainers.image.created", "2024-01-01T12:00:00Z"),
    ("org.opencontainers.image.revision", "0123456789abcdef0123456789abcdef01234567"),
    ("org.opencontainers.image.source", "https://github.com/acme/app"),
    ("org.opencontainers.image.title", "app & <friends>"),
)


def _distro() -> Distro:
    return Distro(
        id="debian",
        version_id="12",
        version_codename="bookworm",
        name="Debian GNU/Linux",
        pretty_name="Debian GNU/Linux 12 (bookworm)",
        version="12 (bookworm)",
        home_url="https://www.debian.org/",
    )


def _image() -> SourceInfo:
    info = ImageInfo(
        manifest_digest=MANIFEST_DIGEST,
        manifest_media_type="application/vnd.oci.image.manifest.v1+json",
        config_digest=CONFIG_DIGEST,
        tags=("registry.example.com/acme/app:1.2.3", "registry.example.com/acme/app:latest"),
        repo_digests=(f"registry.example.com/acme/app@{MANIFEST_DIGEST}",),
        layers=(
            Layer(digest="sha256:" + "b1" * 32, media_type="application/vnd.oci.image.layer.v1.tar+gzip", size=29_000_000, diff_id=LAYER1),
            Layer(digest="sha256:" + "b2" * 32, media_type="application/vnd.oci.image.layer.v1.tar+gzip", size=1_234_567, diff_id=LAYER2),
        ),
        labels=LABELS,
        architecture="amd64",
        os="linux",
        created="2024-01-01T12:00:00Z",
        size=30_234_567,
    )
    return SourceInfo(
        kind="image",
        input="registry:registry.example.com/acme/app:1.2.3",
        name="registry.example.com/acme/app:1.2.3",
        path="",
        digest=MANIFEST_DIGEST,
        image=info,
    )


def _packages() -> list[Package]:
    status = Location(path="/var/lib/dpkg/status", layer=LAYER1)
    libc6 = Package(
        name="libc6",
        version="2.36-9+deb12u4",
        type="deb",
        found_by="dpkg-db-cataloger",
        purl="pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12&upstream=glibc",
        cpes=("cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u4:*:*:*:*:*:*:*", "cpe:2.3:a:gnu:glibc:2.36-9\\+deb12u4:*:*:*:*:*:*:*"),
        licenses=(to_license("GPL-2", "/usr/share/doc/libc6/copyright"), to_license("LGPL-2.1", "/usr/share/doc/libc6/copyright")),
        supplier="GNU Libc Maintainers <debian-glibc@lists.debian.org>",
        description="GNU C Library: Shared libraries",
        homepage="https://www.gnu.org/software/libc/libc.html",
        arch="amd64",
        source_name="glibc",
        source_version="2.36-9+deb12u4",
        layer=LAYER1,
        locations=(status, Location(path="/usr/share/doc/libc6/copyright", layer=LAYER1)),
        files=("/lib/x86_64-linux-gnu/libc.so.6", "/usr/share/doc/libc6/copyright"),
    )
    libssl = Package(
        name="libssl3",
        version="3.0.11-1~deb12u2",
        type="deb",
        found_by="dpkg-db-cataloger",
        purl="pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
        cpes=("cpe:2.3:a:libssl3:libssl3:3.0.11-1\\~deb12u2:*:*:*:*:*:*:*",),
        licenses=(to_license("Apache-2.0"), to_license("Artistic or GPL-1+")),
        supplier="Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>",
        description="Secure Sockets Layer toolkit - shared libraries",
        arch="amd64",
        source_name="openssl",
        layer=LAYER1,
        locations=(status,),
        files=("/usr/lib/x86_64-linux-gnu/libssl.so.3",),
    )
    busybox = Package(
        name="busybox",
        version="1.36.1-r15",
        type="apk",
        found_by="apk-db-cataloger",
        purl="pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19&upstream=busybox",
        licenses=(to_license("GPL-2.0-only"),),
        supplier="Sören Tempel <soeren+alpine@soeren-tempel.net>",
        description="Size optimized toolbox of many common UNIX utilities",
        homepage="https://busybox.net/",
        arch="x86_64",
        source_name="busybox",
        layer=LAYER2,
        locations=(Location(path="/opt/alpine/lib/apk/db/installed", layer=LAYER2),),
        files=("/opt/alpine/bin/busybox",),
        digests=(("sha1", "3f1e5a2c4b6d8e0f1a3c5e7f9b1d3f5a7c9e1b3d"),),
    )
    vim = Package(
        name="vim-minimal",
        version="2:9.0-1.cm2",
        type="rpm",
        found_by="rpm-db-cataloger",
        purl="pkg:rpm/mariner/vim-minimal@9.0-1.cm2?arch=x86_64&epoch=2&upstream=vim-9.0-1.cm2.src.rpm",
        licenses=(to_license("Vim"),),
        supplier="Microsoft Corporation",
        arch="x86_64",
        epoch=2,
        source_name="vim",
        source_version="9.0-1.cm2",
        layer=LAYER2,
        locations=(Location(path="/var/lib/rpm/rpmdb.sqlite", layer=LAYER2),),
        metadata={"sourceRpm": "vim-9.0-1.cm2.src.rpm"},
    )
    requests = Package(
        name="requests",
        version="2.31.0",
        type="python",
        found_by="python-installed-package-cataloger",
        purl="pkg:pypi/requests@2.31.0",
        cpes=("cpe:2.3:a:python-requests:requests:2.31.0:*:*:*:*:python:*:*",),
        licenses=(to_license("Apache 2.0", "/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA"),),
        author="Kenneth Reitz <me@kennethreitz.org>",
        description="Python HTTP for Humans.",
        homepage="https://requests.readthedocs.io",
        language="python",
        layer=LAYER2,
        locations=(
            Location(
                path="/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
                layer=LAYER2,
                access_path="/usr/lib/python3.11/dist-packages/requests-2.31.0.dist-info/METADATA",
            ),
        ),
        files=("/usr/lib/python3/dist-packages/requests/__init__.py", "/usr/lib/python3/dist-packages/requests/api.py"),
        digests=(("sha256", "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"),),
    )
    urllib3 = Package(
        name="urllib3",
        version="2.0.7",
        type="python",
        found_by="python-installed-package-cataloger",
        purl="pkg:pypi/urllib3@2.0.7",
        licenses=(to_license("MIT"),),
        author="Andrey Petrov <andrey.petrov@shazow.net>",
        language="python",
        layer=LAYER2,
        locations=(Location(path="/usr/lib/python3/dist-packages/urllib3-2.0.7.dist-info/METADATA", layer=LAYER2),),
    )
    app = Package(
        name="@acme/app",
        version="1.0.0",
        type="npm",
        found_by="javascript-lock-cataloger",
        purl="pkg:npm/%40acme/app@1.0.0",
        licenses=(License(value="SEE LICENSE IN LICENSE.md"),),
        author="ACME Corp",
        language="javascript",
        layer=LAYER2,
        locations=(Location(path="/srv/app/package-lock.json", layer=LAYER2),),
    )
    lodash = Package(
        name="lodash",
        version="4.17.21",
        type="npm",
        found_by="javascript-lock-cataloger",
        purl="pkg:npm/lodash@4.17.21",
        licenses=(to_license("MIT OR Apache-2.0"),),
        author="John-David Dalton <john.david.dalton@gmail.com>",
        description="Lodash modular utilities.",
        homepage="https://lodash.com/",
        language="javascript",
        dev=True,
        layer=LAYER2,
        locations=(Location(path="/srv/app/package-lock.json", layer=LAYER2),),
        digests=(
            (
                "sha512",
                "bf690311ee7b95e713ba568322e3533f2dd1cb880b189e99d4edef13592b81764daec43e2c54c61d5c558dc5cfb35ecb85b65519e74026ff17675b6f8f916f4a",
            ),
        ),
    )
    return [libc6, libssl, busybox, vim, requests, urllib3, app, lodash]


def sample_sbom() -> Sbom:
    pkgs = {p.name: p for p in _packages()}
    rels = (
        Relationship(source=pkgs["libssl3"].id, target=pkgs["libc6"].id),
        Relationship(source=pkgs["requests"].id, target=pkgs["urllib3"].id),
        Relationship(source=pkgs["@acme/app"].id, target=pkgs["lodash"].id, type=RelType.DEV_DEPENDS_ON),
    )
    return Sbom(
        packages=tuple(pkgs.values()),
        relationships=rels,
        source=_image(),
        distro=_distro(),
        created="2024-01-02T03:04:05Z",
        tool_name="assay",
        tool_version="0.1.0",
    )
