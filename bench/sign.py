#!/usr/bin/env python3
"""Benchmark ``assay sign``, ``attest`` and ``verify`` against a local registry.

What it measures (medians of ``-n`` runs, after one warm-up):

* **sign** — resolve the tag, read the ``.sig`` manifest, sign, push payload,
  config and manifest (library call, one registry round trip set per run;
  each run appends one more signature);
* **attest** — the same with a CycloneDX SBOM predicate of ``--components``
  components wrapped in an in-toto statement and a DSSE envelope;
* **verify (registry)** — resolve, fetch ``.sig`` and payloads, verify;
* **verify (fetched)** — the same verification once the manifests and blobs
  are in memory: policy evaluation, signature checks, payload parsing.  The
  issue's budget is 50 ms; measured with 1 and with ``--signatures``
  signatures attached, and for the SBOM attestation;
* **process start-up** — wall time of ``python -m assay verify``
  (and ``python -m assay verify`` once the CLI has the command) against the
  registry, of ``python -c pass``, and the import cost from ``python -X
  importtime`` (top-level modules, cumulative).

The registry is Debian's ``docker-registry`` started on 127.0.0.1 (the test
helper in tests/registry.py); the image is pushed with our own client.

    python bench/sign.py                 # markdown table on stdout
    python bench/sign.py -n 21 --json figures.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assay.oci.client import RegistryClient  # noqa: E402
from assay.oci.cosign import Target, open_target  # noqa: E402
from assay.sign import attest_target, generate, sign_target  # noqa: E402
from assay.sign.keys import encrypt_pem  # noqa: E402
from assay.verify import verify_attestations, verify_signatures  # noqa: E402


class CachedTarget(Target):
    """A read-through cache over a target: after one pass every manifest and
    blob comes from memory, so timing covers verification alone."""

    def __init__(self, inner: Target) -> None:
        self.inner = inner
        self.display = inner.display
        self.repository = inner.repository
        self._manifests: dict[str, Any] = {}
        self._blobs: dict[str, bytes] = {}
        self._digest: str | None = None

    def resolve(self) -> str:
        if self._digest is None:
            self._digest = self.inner.resolve()
        return self._digest

    def manifest(self, ref: str):  # type: ignore[no-untyped-def]
        if ref not in self._manifests:
            self._manifests[ref] = self.inner.manifest(ref)
        return self._manifests[ref]

    def blob(self, digest: str, max_size: int | None = None) -> bytes:
        if digest not in self._blobs:
            self._blobs[digest] = self.inner.blob(digest, max_size)
        return self._blobs[digest]


def timed(fn: Callable[[], object], n: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


def push_image(address: str, repo: str) -> str:
    from tests.registry import layer_tar_gz

    c = RegistryClient(address, insecure=True)
    layer, diff_id = layer_tar_gz({"etc/os-release": b'ID=bench\nVERSION_ID="1"\n', "usr/bin/app": os.urandom(4096)})
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode()
    cd, ld = c.put_blob(repo, config), c.put_blob(repo, layer)
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": len(layer)}],
        }
    ).encode()
    return c.put_manifest(repo, "v1", manifest, "application/vnd.oci.image.manifest.v1+json")


def cyclonedx(components: int) -> bytes:
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "version": 1,
            "components": [
                {"type": "library", "bom-ref": f"pkg:deb/debian/lib{i}@1.{i}", "name": f"lib{i}", "version": f"1.{i}", "purl": f"pkg:deb/debian/lib{i}@1.{i}?arch=amd64", "licenses": [{"license": {"id": "MIT"}}]}
                for i in range(components)
            ],
        }
    ).encode()


def importtime(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, list[tuple[str, float]]]:
    """Median total import time of the top-level imports of ``cmd`` over
    ``runs`` runs, and the medians of the biggest ones."""
    totals: list[float] = []
    per: dict[str, list[float]] = {}
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-X", "importtime", *cmd], capture_output=True, text=True, env=env, check=False)
        total = 0.0
        for line in proc.stderr.splitlines():
            # "import time:  self_us |  cumulative_us | <two spaces per nesting level>name"
            if not line.startswith("import time:") or "cumulative" in line:
                continue
            _, cumulative, name = line.split("|", 2)
            if name.startswith(" ") and not name.startswith("  "):  # top level only
                per.setdefault(name.strip(), []).append(int(cumulative) / 1000)
                total += int(cumulative) / 1000
        totals.append(total)
    top = sorted(((n, statistics.median(v)) for n, v in per.items()), key=lambda x: -x[1])[:8]
    return statistics.median(totals), top


def wall(cmd: list[str], env: dict[str, str], n: int) -> list[float]:
    def once() -> None:
        proc = subprocess.run(cmd, capture_output=True, env=env, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.decode(errors='replace').strip()}")

    return timed(once, n)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=11, help="runs per measurement (median reported)")
    ap.add_argument("--components", type=int, default=2000, help="components in the attested CycloneDX SBOM")
    ap.add_argument("--signatures", type=int, default=20, help="signatures attached for the many-signatures verify")
    ap.add_argument("--json", default="", help="also write the figures here")
    args = ap.parse_args(argv)

    from tests.registry import registry_server

    rows: list[tuple[str, str, str]] = []
    figures: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}}
    with registry_server() as address, tempfile.TemporaryDirectory() as tmp:
        digest = push_image(address, "bench/app")
        image = f"{address}/bench/app:v1"
        signer = generate()

        def target() -> Target:
            return open_target(image, insecure=True)

        t_sign = timed(lambda: sign_target(target(), signer, annotations={"run": str(time.time_ns())}), args.n)
        sbom = cyclonedx(args.components)
        t_attest = timed(lambda: attest_target(target(), signer, sbom, "cyclonedx", replace=True), args.n)
        t_verify = timed(lambda: verify_signatures(target(), [signer.public_key]), args.n)
        rows += [
            ("sign (registry round trips)", ms(t_sign), "resolve + read .sig + sign + push payload/config/manifest"),
            (f"attest, {args.components}-component CycloneDX ({len(sbom) // 1024} KiB)", ms(t_attest), "statement + DSSE + push"),
            (f"verify (registry), {args.n + 2} signatures attached", ms(t_verify), "resolve + fetch .sig + payloads + verify"),
        ]

        # verification once everything is fetched
        one_repo = "bench/one"
        push_image(address, one_repo)
        one = open_target(f"{address}/{one_repo}:v1", insecure=True)
        sign_target(one, signer)
        cached_one = CachedTarget(open_target(f"{address}/{one_repo}:v1", insecure=True))
        verify_signatures(cached_one, [signer.public_key])
        t_one = timed(lambda: verify_signatures(cached_one, [signer.public_key]), args.n * 5)
        many_repo = "bench/many"
        push_image(address, many_repo)
        for i in range(args.signatures):
            sign_target(open_target(f"{address}/{many_repo}:v1", insecure=True), generate(), annotations={"i": str(i)})
        cached_many = CachedTarget(open_target(f"{address}/{many_repo}:v1", insecure=True))
        # the signer of the last layer: verification walks every layer before accepting
        last = generate()
        sign_target(open_target(f"{address}/{many_repo}:v1", insecure=True), last)
        verify_signatures(cached_many, [last.public_key])
        t_many = timed(lambda: verify_signatures(cached_many, [last.public_key]), args.n * 5)
        cached_att = CachedTarget(target())
        verify_attestations(cached_att, [signer.public_key], predicate_type="https://cyclonedx.org/bom")
        t_att = timed(lambda: verify_attestations(cached_att, [signer.public_key], predicate_type="https://cyclonedx.org/bom"), args.n * 5)
        rows += [
            ("verify (fetched), 1 signature", ms(t_one), "budget 50 ms"),
            (f"verify (fetched), {args.signatures + 1} signatures, valid one last", ms(t_many), "budget 50 ms"),
            (f"verify-attestation (fetched), {args.components}-component SBOM", ms(t_att), "budget 50 ms"),
        ]

        # process start-up
        pub = Path(tmp) / "cosign.pub"
        pub.write_bytes(signer.public_key.pem())
        key = Path(tmp) / "cosign.key"
        key.write_bytes(encrypt_pem(signer.pkcs8(), b"bench"))
        env = {**os.environ, "ASSAY_PASSWORD": "bench", "PYTHONPATH": str(ROOT)}
        cmd = ["-m", "assay", "verify", "--key", str(pub), "--allow-insecure-registry", f"{address}/{one_repo}:v1"]
        t_proc = wall([sys.executable, *cmd], env, args.n)
        t_pass = wall([sys.executable, "-c", "pass"], env, args.n)
        layout = Path(tmp) / "layout"
        from tests.registry import write_oci_layout
        from assay.sign import sign_image_in_layout

        ldigest = write_oci_layout(layout)
        sign_image_in_layout(str(layout), ldigest, signer)
        t_layout = wall([sys.executable, "-m", "assay", "verify", "--key", str(pub), f"oci-dir:{layout}"], env, args.n)
        total, top = importtime(cmd, env, max(3, min(args.n, 7)))
        rows += [
            ("`python -c pass`", ms(t_pass), "interpreter floor"),
            ("`assay verify` process, registry image", ms(t_proc), f"imports {total:.0f} ms: " + ", ".join(f"{n} {v:.0f}" for n, v in top[:5])),
            ("`assay verify` process, oci-dir image", ms(t_layout), "no httpx import"),
        ]
        main_cli = subprocess.run([sys.executable, "-m", "assay", "verify", "--help"], capture_output=True, env=env, check=False)
        if main_cli.returncode == 0:
            t_main = wall([sys.executable, "-m", "assay", "verify", "--key", str(pub), "--allow-insecure-registry", f"{address}/{one_repo}:v1"], env, args.n)
            rows.append(("`python -m assay verify` process", ms(t_main), "through the main CLI"))
        figures["rows"] = [{"what": w, "median": m, "note": n} for w, m, n in rows]
        figures["verify_fetched_ms"] = {"one": statistics.median(t_one) * 1000, "many": statistics.median(t_many) * 1000, "attestation": statistics.median(t_att) * 1000}
        figures["import_ms"] = {"total": total, "top": top}

    print(f"## assay sign / attest / verify ({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, n={args.n})\n")
    print("| what | median | note |\n|---|---:|---|")
    for w, m, n in rows:
        print(f"| {w} | {m} | {n} |")
    worst = max(figures["verify_fetched_ms"].values())
    print(f"\nverify once fetched: worst median {worst:.2f} ms (budget 50 ms) -> {'OK' if worst < 50 else 'OVER BUDGET'}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0 if worst < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
