"""A real OCI registry for tests: Debian's ``docker-registry`` (distribution 2.8).

``registry_server()`` starts ``/usr/bin/docker-registry serve CONFIG`` on
127.0.0.1 with a free port and a temporary storage directory, waits until
``/v2/`` answers, yields ``"127.0.0.1:PORT"`` and stops the process at the end.
It skips the calling test when the binary is missing.  Pass ``htpasswd`` to
get a registry that requires basic auth.

Helpers to put content in it:

* :func:`write_oci_layout` writes a tiny single-layer OCI image layout in pure
  Python (no tools needed), returning its manifest digest;
* :func:`skopeo_push` copies an OCI layout into the registry with skopeo, so
  tests check interoperability with a second, independent client.

Wire it as a session fixture::

    @pytest.fixture(scope="session")
    def registry():
        with registry_server() as address:
            yield address
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

REGISTRY_BIN = os.environ.get("ASSAY_TEST_REGISTRY_BIN", "/usr/bin/docker-registry")
STARTUP_TIMEOUT = 15.0

_CONFIG = """\
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:{port}
  secret: assay-test-secret
{auth}"""

_AUTH = """\
auth:
  htpasswd:
    realm: assay-test
    path: {path}
"""


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def htpasswd_line(user: str, password: str) -> str:
    """An htpasswd entry with a bcrypt hash (what distribution requires),
    made with the C library's crypt(3) so no extra package is needed."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import crypt  # deprecated in 3.11, removed in 3.13; fine for a test helper
        except ImportError:
            pytest.skip("the crypt module is not available to make an htpasswd file")

    hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))
    if not hashed or not hashed.startswith("$2"):
        pytest.skip("crypt(3) cannot make bcrypt hashes here")
    return f"{user}:{hashed}\n"


def _wait_ready(address: str, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://{address}/v2/", timeout=1) as resp:
                if resp.status == 200:
                    return True
        except urllib.error.HTTPError as exc:
            if exc.code == 401:  # auth-enabled registry: up and asking for credentials
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


@contextlib.contextmanager
def registry_server(*, htpasswd: Mapping[str, str] | None = None) -> Iterator[str]:
    """Run a throwaway docker-registry; yield its ``host:port``.

    ``htpasswd`` maps user -> password to require basic auth.
    """
    if not os.access(REGISTRY_BIN, os.X_OK):
        pytest.skip(f"{REGISTRY_BIN} not installed (apt install docker-registry)")
    tmp = Path(tempfile.mkdtemp(prefix="assay-registry-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        auth = ""
        if htpasswd:
            pw = tmp / "htpasswd"
            pw.write_text("".join(htpasswd_line(u, p) for u, p in htpasswd.items()))
            auth = _AUTH.format(path=pw)
        for _ in range(3):  # the free port can be taken by someone else in between
            port = free_port()
            address = f"127.0.0.1:{port}"
            config = tmp / "config.yml"
            config.write_text(_CONFIG.format(root=tmp / "storage", port=port, auth=auth))
            with open(tmp / "registry.log", "wb") as log:
                proc = subprocess.Popen([REGISTRY_BIN, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
            if _wait_ready(address, proc, STARTUP_TIMEOUT):
                break
            _stop(proc)
            proc = None
        else:
            output = (tmp / "registry.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"docker-registry did not start:\n{output}")
        yield address
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- content ------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def layer_tar_gz(files: Mapping[str, bytes]) -> tuple[bytes, str]:
    """A deterministic gzip'd tar of ``files``; returns (blob, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs: set[str] = set()
        for path in sorted(files):
            parts = path.strip("/").split("/")
            for i in range(1, len(parts)):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    info = tarfile.TarInfo(d)
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
                    tar.addfile(info)
            info = tarfile.TarInfo(path.strip("/"))
            info.size, info.mode, info.mtime = len(files[path]), 0o644, 0
            tar.addfile(info, io.BytesIO(files[path]))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, mtime=0), _sha256(tar_bytes)


def write_oci_layout(
    directory: str | os.PathLike[str],
    files: Mapping[str, bytes] | None = None,
    *,
    tag: str = "latest",
    architecture: str = "amd64",
) -> str:
    """Write a one-layer OCI image layout; return the manifest digest."""
    root = Path(directory)
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)

    def put(data: bytes) -> str:
        digest = _sha256(data)
        (blobs / digest.split(":", 1)[1]).write_bytes(data)
        return digest

    files = files if files is not None else {"etc/os-release": b'ID=assaytest\nVERSION_ID="1"\n'}
    layer, diff_id = layer_tar_gz(files)
    config = json.dumps(
        {
            "architecture": architecture,
            "os": "linux",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        },
        sort_keys=True,
    ).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(config), "size": len(config)},
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(layer), "size": len(layer)}
            ],
        },
        sort_keys=True,
    ).encode()
    digest = put(manifest)
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": digest,
                "size": len(manifest),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }
        ],
    }
    (root / "index.json").write_text(json.dumps(index))
    return digest


def skopeo_push(layout: str | os.PathLike[str], address: str, repo: str, tag: str = "latest", *, src_tag: str = "latest") -> None:
    """``skopeo copy oci:LAYOUT:src_tag docker://ADDRESS/repo:tag`` over plain http."""
    if shutil.which("skopeo") is None:
        pytest.skip("skopeo not installed")
    cmd = [
        "skopeo",
        "--insecure-policy",
        "copy",
        "--quiet",
        "--dest-tls-verify=false",
        "--preserve-digests",
        f"oci:{layout}:{src_tag}",
        f"docker://{address}/{repo}:{tag}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"skopeo copy failed: {proc.stderr.strip()}")


def skopeo_inspect_raw(address: str, ref: str) -> bytes:
    """The raw manifest of ``ADDRESS/ref`` as skopeo sees it."""
    if shutil.which("skopeo") is None:
        pytest.skip("skopeo not installed")
    proc = subprocess.run(
        ["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{address}/{ref}"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"skopeo inspect failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout
