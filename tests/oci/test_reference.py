from __future__ import annotations

import pytest

from assay.errors import SourceError
from assay.oci.reference import (
    InvalidReference,
    Reference,
    compute_digest,
    is_digest,
    parse_digest,
    parse_reference,
)

D256 = "sha256:" + "0123456789abcdef" * 4
D512 = "sha512:" + "ab" * 64


@pytest.mark.parametrize(
    "text, registry, repository, tag, digest",
    [
        ("alpine", "index.docker.io", "library/alpine", "latest", None),
        ("alpine:3.19", "index.docker.io", "library/alpine", "3.19", None),
        ("library/alpine", "index.docker.io", "library/alpine", "latest", None),
        ("anchore/syft:v1.0.0", "index.docker.io", "anchore/syft", "v1.0.0", None),
        ("docker.io/alpine", "index.docker.io", "library/alpine", "latest", None),
        ("docker.io/anchore/syft", "index.docker.io", "anchore/syft", "latest", None),
        ("index.docker.io/library/debian:12", "index.docker.io", "library/debian", "12", None),
        ("registry-1.docker.io/foo/bar", "index.docker.io", "foo/bar", "latest", None),
        ("localhost/x", "localhost", "x", "latest", None),
        ("localhost:5000/x", "localhost:5000", "x", "latest", None),
        ("127.0.0.1:5000/a/b:tag", "127.0.0.1:5000", "a/b", "tag", None),
        ("[::1]:5000/a/b", "[::1]:5000", "a/b", "latest", None),
        ("ghcr.io/org/team/img:1.2_3-rc.1", "ghcr.io", "org/team/img", "1.2_3-rc.1", None),
        (f"ghcr.io/a/b@{D256}", "ghcr.io", "a/b", None, D256),
        (f"ghcr.io/a/b:v1@{D256}", "ghcr.io", "a/b", "v1", D256),
        (f"quay.io/a/b@{D512}", "quay.io", "a/b", None, D512),
        ("Registry/foo", "Registry", "foo", "latest", None),  # upper case first component is a host
        ("a.b-c/d__e/f.g-h", "a.b-c", "d__e/f.g-h", "latest", None),
        ("foo/a--b", "index.docker.io", "foo/a--b", "latest", None),
        ("example.com:443/x:_tag", "example.com:443", "x", "_tag", None),
    ],
)
def test_parse(text: str, registry: str, repository: str, tag: str | None, digest: str | None) -> None:
    ref = parse_reference(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)
    # the canonical string parses back to the same reference
    assert parse_reference(str(ref)) == ref


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("UPPER", "must be lowercase"),
        ("ghcr.io/Org/img", "must be lowercase"),
        ("a/b:", "invalid tag"),
        ("a/b:-x", "invalid tag"),
        ("a/b:" + "t" * 129, "invalid tag"),
        ("a@sha256:abc", "64 lower-case hex"),
        (f"a@{D256.upper().replace('SHA256', 'sha256')}", "lower-case hex"),
        ("a@md5:" + "a" * 32, "unsupported algorithm"),
        ("a@" + "0" * 64, "expected algorithm:hex"),
        ("x//y", "empty path component"),
        ("/x", "empty path component"),
        ("https://ghcr.io/a/b", "URL scheme"),
        ("a:b:c", "invalid repository component"),
        ("a/-b", "invalid repository component"),
        ("a/b_", "invalid repository component"),
        ("a/b...c", "invalid repository component"),
        ("-host.io/a", "invalid registry"),
        ("ex.com:99999999/a", "invalid registry"),
        ("a/" + "b" * 260, "longer than 255"),
    ],
)
def test_invalid(text: str, reason: str) -> None:
    with pytest.raises(InvalidReference, match=reason) as info:
        parse_reference(text)
    assert isinstance(info.value, SourceError)
    assert "\n" not in str(info.value) and repr(text) in str(info.value)


def test_str_and_helpers() -> None:
    ref = parse_reference("localhost:5000/team/app:v2")
    assert str(ref) == "localhost:5000/team/app:v2"
    assert ref.name == "localhost:5000/team/app"
    assert ref.identifier == "v2"
    pinned = ref.with_digest(D256)
    assert str(pinned) == f"localhost:5000/team/app:v2@{D256}"
    assert pinned.identifier == D256
    assert ref.context() == Reference("localhost:5000", "team/app")
    assert str(ref.context()) == "localhost:5000/team/app"
    assert pinned.with_tag("v3") == Reference("localhost:5000", "team/app", "v3", None)
    with pytest.raises(InvalidReference):
        ref.with_digest("sha256:nothex")
    with pytest.raises(InvalidReference):
        ref.with_tag("bad tag")
    with pytest.raises(AttributeError):
        ref.tag = "x"  # type: ignore[misc]


def test_default_registry_and_tag() -> None:
    ref = parse_reference("team/app", default_registry="mirror.local:5000", default_tag="stable")
    assert ref == Reference("mirror.local:5000", "team/app", "stable", None)
    # library/ is a Docker Hub convention only
    assert parse_reference("app", default_registry="mirror.local").repository == "app"


def test_digests() -> None:
    assert parse_digest(D256) == D256
    assert is_digest(D512) and not is_digest("sha256:xyz") and not is_digest("latest")
    assert compute_digest(b"") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert compute_digest(b"", "sha512").startswith("sha512:cf83e135")
    with pytest.raises(InvalidReference, match="sha384 needs 96"):
        parse_digest("sha384:abcd")
