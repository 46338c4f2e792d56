"""The signing commands: ``keygen``, ``sign``, ``attest``, ``verify``,
``verify-attestation``, ``download``, ``tree`` and the ``*-blob`` family.

:func:`add_sign_parsers` adds them to the main ``assay`` parser; flags follow
cosign's so scripts move over unchanged.  Results go to stdout, progress and
warnings to stderr; every failure is an :class:`~assay.errors.AssayError`
(one line, exit 1).  Nothing heavy is imported until a command runs, so
``assay verify`` starts fast.  ``python -m assay.sign_cli`` runs these
commands alone (used by the tests and the benchmark).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from .errors import AssayError, UsageError

__all__ = ["add_sign_parsers", "run"]


# --- flag helpers ------------------------------------------------------------------------


def _go_bool(p: argparse.ArgumentParser, name: str, default: bool, help: str) -> None:
    """A cosign-style boolean: ``--flag``, ``--flag=true`` or ``--flag=false``.

    The ``=value`` spellings are registered as option strings of their own,
    so ``--flag BLOB`` never swallows the next argument.
    """
    dest = name.lstrip("-").replace("-", "_")
    p.add_argument(
        name,
        dest=dest,
        action="store_const",
        const=True,
        default=default,
        help=f"{help} (--{dest.replace('_', '-')}=false to turn off)" if default else help,
    )
    trues = [f"{name}={v}" for v in ("true", "True", "TRUE", "1", "t")]
    falses = [f"{name}={v}" for v in ("false", "False", "FALSE", "0", "f")]
    p.add_argument(*trues, dest=dest, action="store_const", const=True, help=argparse.SUPPRESS)
    p.add_argument(*falses, dest=dest, action="store_const", const=False, help=argparse.SUPPRESS)


def _registry_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--registry-username", default=os.environ.get("ASSAY_REGISTRY_USERNAME", ""), help="registry user (else docker config / anonymous)"
    )
    p.add_argument("--registry-password", default=os.environ.get("ASSAY_REGISTRY_PASSWORD", ""), help="registry password or token")
    p.add_argument("--allow-insecure-registry", action="store_true", help="allow plain HTTP and unverified TLS registries")


def _tlog_flags(p: argparse.ArgumentParser, *, signing: bool) -> None:
    if signing:
        _go_bool(p, "--tlog-upload", False, "upload to a transparency log (not available with keys yet; accepted as false for cosign compatibility)")
        p.add_argument("-y", "--yes", action="store_true", help="accepted for cosign compatibility (nothing to confirm)")
    else:
        _go_bool(p, "--insecure-ignore-tlog", False, "accepted for cosign compatibility: key-based verification uses no transparency log")


def _annotations(values: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values or []:
        key, sep, val = v.partition("=")
        if not sep or not key:
            raise UsageError(f"-a {v!r}: expected key=value")
        out[key] = val
    return out


def _say(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(f"assay: {message}", file=sys.stderr)


def _target(args: argparse.Namespace, image: str):  # type: ignore[no-untyped-def]
    from .oci.cosign import open_target

    return open_target(
        image,
        insecure=args.allow_insecure_registry,
        username=args.registry_username,
        password=args.registry_password,
    )


def _check_tlog(args: argparse.Namespace) -> None:
    if getattr(args, "tlog_upload", False):
        raise UsageError("--tlog-upload=true: transparency-log upload is not supported with keys yet; use --tlog-upload=false")


def _read(path: str, what: str) -> bytes:
    from .sign.blob import max_attachment_size

    limit = max_attachment_size()
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
    except FileNotFoundError:
        raise UsageError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror}") from None
    if len(data) > limit:
        raise UsageError(f"{path}: {what} is larger than {limit} bytes")
    return data


def _write_out(path: str, data: bytes) -> None:
    from .cli import write_atomic

    write_atomic(path, data)


# --- keygen ----------------------------------------------------------------------------------


def cmd_keygen(args: argparse.Namespace) -> int:
    from .sign.keys import write_key_pair

    files = write_key_pair(args.output_key_prefix, algorithm=args.algorithm, force=args.force)
    _say(args, f"private key written to {files.private_path} (encrypted); public key written to {files.public_path} ({files.public_key.algorithm})")
    return 0


# --- sign / attest ------------------------------------------------------------------------------


def _resolved_note(target: Any) -> str:
    """Say that a tag was resolved (the digest, never the tag, is signed)."""
    ref = getattr(target, "ref", None)
    if ref is not None:
        tag = "" if ref.digest else (ref.tag or "")
    else:
        tag = "" if getattr(target, "digest", "") else getattr(target, "tag", "")
    return f" (tag {tag!r} resolved to this digest)" if tag else ""


def cmd_sign(args: argparse.Namespace) -> int:
    from .oci.cosign import child_digests
    from .sign.image import sign_target
    from .sign.keys import load_signer

    _check_tlog(args)
    annotations = _annotations(args.annotations)
    signer = load_signer(args.key)
    for image in args.images:
        with _target(args, image) as target:
            digest = target.resolve()
            results = sign_target(
                target, signer, digest=digest, annotations=annotations, recursive=args.recursive, identity=args.sign_container_identity or None
            )
            for i, r in enumerate(results):
                what = "signed" if r.added else "already signed (identical signature present)"
                note = _resolved_note(target) if i == 0 else " (index child)"
                _say(args, f"{what} {r.image}{note} -> {r.tag} ({r.layers} signature{'s' if r.layers != 1 else ''})")
            if not args.recursive:
                children = child_digests(target, digest)
                if children:
                    _say(
                        args,
                        f"{target.pinned(digest)} is an image index of {len(children)} manifests; only the index was signed (use --recursive to sign them too)",
                    )
            if args.output_payload:
                _write_out(args.output_payload, results[0].payload)
            if args.output_signature:
                _write_out(args.output_signature, results[0].signature.encode())
    return 0


def cmd_attest(args: argparse.Namespace) -> int:
    from .sign.image import attest_target
    from .sign.intoto import predicate_type_uri
    from .sign.keys import load_signer

    _check_tlog(args)
    uri = predicate_type_uri(args.type)
    predicate = _read(args.predicate, "predicate")
    signer = load_signer(args.key)
    for image in args.images:
        with _target(args, image) as target:
            digest = target.resolve()
            if args.no_upload:
                from .sign import dsse
                from .sign.intoto import make_statement

                statement = make_statement(predicate, args.type, [(target.repository, {"sha256": digest.partition(":")[2]})])
                sys.stdout.buffer.write(dsse.sign(statement, signer).to_json() + b"\n")
                continue
            r = attest_target(target, signer, predicate, args.type, digest=digest, replace=args.replace)
            what = "attested" if r.added else "already attested (identical attestation present)"
            _say(args, f"{what} {r.image}{_resolved_note(target)} with {uri} -> {r.tag} ({r.layers} attestation{'s' if r.layers != 1 else ''})")
    return 0


# --- verify ----------------------------------------------------------------------------------


def _json_out(obj: Any) -> None:
    import json

    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def cmd_verify(args: argparse.Namespace) -> int:
    from .sign.keys import load_public_key
    from .verify import verify_signatures

    key = load_public_key(args.key)
    claims = _annotations(args.annotations)
    payloads: list[Any] = []
    for image in args.images:
        with _target(args, image) as target:
            result = verify_signatures(target, [key], allow_reference_mismatch=args.allow_reference_mismatch, annotations=claims)
        if args.output == "json":
            payloads.extend(v.to_dict() for v in result.verified)
        else:
            n = len(result.verified)
            print(f"verified {result.image}: {n} of {result.checked} signature{'s' if result.checked != 1 else ''} valid for {args.key}")
    if args.output == "json":
        _json_out(payloads)
    return 0


def cmd_verify_attestation(args: argparse.Namespace) -> int:
    from .sign.intoto import predicate_type_uri
    from .sign.keys import load_public_key
    from .verify import verify_attestations

    key = load_public_key(args.key)
    uri = predicate_type_uri(args.type) if args.type else None
    statements: list[Any] = []
    for image in args.images:
        with _target(args, image) as target:
            result = verify_attestations(target, [key], predicate_type=uri, allow_reference_mismatch=args.allow_reference_mismatch)
        if args.output == "json":
            statements.extend(v.to_dict() for v in result.verified)
        else:
            types = sorted({v.statement.predicate_type for v in result.verified if v.statement})
            print(f"verified {result.image}: {len(result.verified)} of {result.checked} attestations valid for {args.key} ({', '.join(types)})")
    if args.output == "json":
        _json_out(statements)
    return 0


# --- download / tree ------------------------------------------------------------------------


def _layer_statement_type(body: bytes) -> str:
    from .sign.dsse import Envelope
    from .sign.intoto import parse_statement

    try:
        return parse_statement(Envelope.from_json(body).payload).predicate_type
    except AssayError:
        return ""


def cmd_download_attestation(args: argparse.Namespace) -> int:
    from .oci.cosign import PREDICATE_TYPE_ANNOTATION, read_attachments
    from .sign.dsse import Envelope
    from .sign.intoto import predicate_type_uri

    want = predicate_type_uri(args.predicate_type) if args.predicate_type else None
    with _target(args, args.image) as target:
        digest = target.resolve()
        att = read_attachments(target, digest, "att")
        if att is None:
            raise UsageError(f"{target.pinned(digest)}: no attestations found")
        for layer in att.layers:
            if layer.problem:
                raise UsageError(f"{att.tag} layer {layer.index}: {layer.problem}")
            body = att.payload(target, layer)
            if want and (layer.annotations.get(PREDICATE_TYPE_ANNOTATION) or _layer_statement_type(body)) != want:
                continue
            sys.stdout.buffer.write(Envelope.from_json(body, f"{att.tag} layer {layer.index}").to_json() + b"\n")
    return 0


_SBOM_TYPES = ("https://cyclonedx.org/bom", "https://spdx.dev/Document", "https://syft.dev/bom")


def cmd_download_sbom(args: argparse.Namespace) -> int:
    import json

    from .oci.cosign import read_attachments
    from .sign.dsse import Envelope
    from .sign.intoto import parse_statement

    print("assay: warning: downloading an SBOM this way does not verify it; use verify-attestation --type cyclonedx|spdxjson", file=sys.stderr)
    with _target(args, args.image) as target:
        digest = target.resolve()
        legacy = read_attachments(target, digest, "sbom")
        if legacy is not None:
            for layer in legacy.layers:
                if not layer.problem:
                    sys.stdout.buffer.write(legacy.payload(target, layer).rstrip(b"\n") + b"\n")
            return 0
        att = read_attachments(target, digest, "att")
        found = 0
        for layer in att.layers if att else ():
            if layer.problem:
                continue
            try:
                st = parse_statement(Envelope.from_json(att.payload(target, layer)).payload)  # type: ignore[union-attr]
            except AssayError:
                continue
            if st.predicate_type not in _SBOM_TYPES:
                continue
            found += 1
            pred = st.predicate
            text = pred if isinstance(pred, str) else json.dumps(pred, ensure_ascii=False)
            sys.stdout.write(text.rstrip("\n") + "\n")
        if not found:
            raise UsageError(f"{target.pinned(digest)}: no SBOM attached (no .sbom tag and no SBOM attestation)")
    return 0


def cmd_tree(args: argparse.Namespace) -> int:
    from .oci.cosign import PREDICATE_TYPE_ANNOTATION, attachment_tag, read_attachments

    with _target(args, args.image) as target:
        digest = target.resolve()
        sections: list[dict[str, Any]] = []
        for kind, title in (("sig", "Signatures"), ("att", "Attestations"), ("sbom", "SBOMs")):
            att = read_attachments(target, digest, kind)
            if att is None:
                continue
            sections.append(
                {
                    "kind": title.lower(),
                    "tag": attachment_tag(digest, kind),
                    "manifest": att.manifest_digest,
                    "layers": [
                        {
                            "digest": x.digest,
                            "mediaType": x.media_type,
                            "size": x.size,
                            **({"predicateType": x.annotations[PREDICATE_TYPE_ANNOTATION]} if PREDICATE_TYPE_ANNOTATION in x.annotations else {}),
                            **({"problem": x.problem} if x.problem else {}),
                        }
                        for x in att.layers
                    ],
                }
            )
        referrers: list[dict[str, Any]] = []
        client = getattr(target, "client", None)
        if client is not None:
            try:
                referrers = [
                    {"digest": d.digest, "mediaType": d.media_type, "artifactType": d.artifact_type}
                    for d in client.referrers(target.ref.repository, digest)
                ]
            except AssayError as exc:
                _say(args, f"warning: referrers of {target.pinned(digest)} not listed: {exc.diagnostics()}")
    if args.output == "json":
        _json_out({"image": target.pinned(digest), "digest": digest, "attachments": sections, "referrers": referrers})
        return 0
    print(f"Supply chain artifacts for {target.pinned(digest)}")
    if not sections and not referrers:
        print("└── (nothing attached)")
    for s in sections:
        print(f"└── {s['kind'].capitalize()}: {target.display}:{s['tag']}")
        for x in s["layers"]:
            extra = f" {x['predicateType']}" if "predicateType" in x else ""
            extra += f" (malformed: {x['problem']})" if "problem" in x else ""
            print(f"    └── {x['digest']}{extra}")
    if referrers:
        print("└── OCI referrers")
        for r in referrers:
            print(f"    └── {r['digest']} {r['artifactType'] or r['mediaType']}")
    return 0


# --- blobs --------------------------------------------------------------------------------------


def cmd_sign_blob(args: argparse.Namespace) -> int:
    import base64

    from .sign.blob import read_artifact, sign_blob
    from .sign.keys import load_signer

    _check_tlog(args)
    art = read_artifact(args.blob)
    if art.data is None:
        raise UsageError("sign-blob needs the blob itself")
    signer = load_signer(args.key)
    sig = sign_blob(art.data, signer)
    out = sig.encode() if args.b64 else base64.b64decode(sig)
    if args.output_signature:
        _write_out(args.output_signature, out)
        _say(args, f"signature written to {args.output_signature}")
    else:
        sys.stdout.buffer.write(out + (b"\n" if args.b64 else b""))
    return 0


def _signature_arg(value: str) -> bytes:
    """``--signature``: a file path, else the base64 signature itself."""
    if os.path.isfile(value):
        return _read(value, "signature")
    return value.encode()


def cmd_verify_blob(args: argparse.Namespace) -> int:
    from .sign.blob import decode_signature, read_artifact, verify_blob
    from .sign.keys import load_public_key

    key = load_public_key(args.key)
    art = read_artifact(args.blob)
    if art.data is None:
        raise UsageError("verify-blob needs the blob itself, not its digest")
    sig = decode_signature(_signature_arg(args.signature), args.signature if os.path.isfile(args.signature) else "--signature")
    verify_blob(art.data, sig, [key], args.blob)
    print("Verified OK", file=sys.stderr)
    return 0


def cmd_attest_blob(args: argparse.Namespace) -> int:
    from .sign.blob import Artifact, attest_blob, read_artifact
    from .sign.keys import load_signer

    _check_tlog(args)
    if args.hash:
        hexpart = args.hash.partition(":")[2] if ":" in args.hash else args.hash
        art = read_artifact(f"sha256:{hexpart}")
        art = Artifact(os.path.basename(args.blob) if args.blob else art.name, art.sha256)
    elif args.blob:
        art = read_artifact(args.blob)
    else:
        raise UsageError("attest-blob needs a BLOB (or --hash)")
    predicate = _read(args.predicate, "predicate")
    signer = load_signer(args.key)
    envelope = attest_blob(art, predicate, args.type, signer)
    if args.output_attestation:
        from .sign.dsse import Envelope

        _write_out(args.output_attestation, Envelope.from_json(envelope).payload)
    if args.output_signature:
        _write_out(args.output_signature, envelope)
        _say(args, f"attestation written to {args.output_signature}")
    else:
        sys.stdout.buffer.write(envelope + b"\n")
    return 0


def cmd_verify_blob_attestation(args: argparse.Namespace) -> int:
    from .sign.blob import read_artifact, verify_blob_attestation
    from .sign.keys import load_public_key

    key = load_public_key(args.key)
    artifact = None
    if args.digest:
        algo = args.digest_alg or "sha256"
        if algo != "sha256":
            raise UsageError(f"--digestAlg {algo}: only sha256 is supported")
        artifact = read_artifact(f"sha256:{args.digest.partition(':')[2] if ':' in args.digest else args.digest}")
    elif args.blob and args.blob != "/dev/null":
        artifact = read_artifact(args.blob)
    envelope = _read(args.signature, "attestation")
    verify_blob_attestation(envelope, [key], artifact=artifact, predicate_type=args.type, check_claims=args.check_claims, where=args.signature)
    print("Verified OK", file=sys.stderr)
    return 0


# --- parsers ------------------------------------------------------------------------------------


def add_sign_parsers(sub: Any) -> None:
    """Add the signing commands to ``sub`` (the main parser's subparsers)."""
    g = sub.add_parser("keygen", aliases=["generate-key-pair"], help="generate a cosign-compatible key pair (cosign.key, cosign.pub)")
    g.add_argument("--output-key-prefix", default="cosign", metavar="PREFIX", help="write PREFIX.key and PREFIX.pub (default cosign)")
    g.add_argument("--algorithm", default="ecdsa-p256", help="ecdsa-p256 (default), ecdsa-p384, ecdsa-p521, ed25519, rsa-2048, rsa-3072, rsa-4096")
    g.add_argument("--force", action="store_true", help="overwrite existing key files")
    g.set_defaults(func=cmd_keygen)

    s = sub.add_parser("sign", help="sign an image (cosign-compatible .sig)")
    s.add_argument("images", nargs="+", metavar="IMAGE", help="image reference or oci-dir:PATH[:TAG|@DIGEST]; a tag is resolved to its digest")
    s.add_argument("--key", required=True, help="private key file (cosign.key, PKCS#8 PEM)")
    s.add_argument("-a", "--annotations", action="append", metavar="KEY=VALUE", help="extra claims in the payload's 'optional' section (repeatable)")
    s.add_argument("--recursive", action="store_true", help="for an image index, also sign every manifest it lists")
    s.add_argument("--sign-container-identity", default="", metavar="NAME", help="claim this docker-reference instead of the image's repository")
    s.add_argument("--output-signature", default="", metavar="FILE", help="also write the base64 signature here")
    s.add_argument("--output-payload", default="", metavar="FILE", help="also write the signed payload here")
    _tlog_flags(s, signing=True)
    _registry_flags(s)
    s.set_defaults(func=cmd_sign)

    a = sub.add_parser("attest", help="attach a signed in-toto attestation to an image (.att)")
    a.add_argument("images", nargs="+", metavar="IMAGE")
    a.add_argument("--key", required=True, help="private key file")
    a.add_argument("--predicate", required=True, metavar="FILE", help="the predicate (an SBOM, provenance, ...); - for stdin")
    a.add_argument(
        "--type", default="custom", help="cyclonedx, spdxjson, spdx, slsaprovenance, slsaprovenance1, vuln, openvex, custom, or a predicate-type URI"
    )
    a.add_argument("--replace", action="store_true", help="drop existing attestations of the same predicate type")
    a.add_argument("--no-upload", action="store_true", help="print the signed envelope instead of attaching it")
    _tlog_flags(a, signing=True)
    _registry_flags(a)
    a.set_defaults(func=cmd_attest)

    v = sub.add_parser("verify", help="verify an image's signatures")
    v.add_argument("images", nargs="+", metavar="IMAGE")
    v.add_argument("--key", required=True, help="public key file (cosign.pub)")
    v.add_argument("-o", "--output", choices=("text", "json"), default="text", help="json: the verified payloads")
    v.add_argument("-a", "--annotations", action="append", metavar="KEY=VALUE", help="require these claims in the payload's 'optional' section")
    v.add_argument("--allow-reference-mismatch", action="store_true", help="accept signatures whose docker-reference names another repository")
    _tlog_flags(v, signing=False)
    _registry_flags(v)
    v.set_defaults(func=cmd_verify)

    va = sub.add_parser("verify-attestation", help="verify an image's attestations")
    va.add_argument("images", nargs="+", metavar="IMAGE")
    va.add_argument("--key", required=True, help="public key file")
    va.add_argument("--type", default="", help="require this predicate type (name or URI)")
    va.add_argument("-o", "--output", choices=("text", "json"), default="text", help="json: the verified statements")
    va.add_argument("--allow-reference-mismatch", action="store_true", help="accept statements whose subject names another repository")
    _tlog_flags(va, signing=False)
    _registry_flags(va)
    va.set_defaults(func=cmd_verify_attestation)

    d = sub.add_parser("download", help="print what is attached to an image (not verified)")
    dsub = d.add_subparsers(dest="what", required=True)
    da = dsub.add_parser("attestation", help="the attestation envelopes, one JSON per line")
    da.add_argument("image", metavar="IMAGE")
    da.add_argument("--predicate-type", default="", help="only this predicate type (name or URI)")
    _registry_flags(da)
    da.set_defaults(func=cmd_download_attestation)
    ds = dsub.add_parser("sbom", help="the attached SBOM (from .sbom, else from SBOM attestations)")
    ds.add_argument("image", metavar="IMAGE")
    _registry_flags(ds)
    ds.set_defaults(func=cmd_download_sbom)

    t = sub.add_parser("tree", help="show signatures, attestations and SBOMs attached to an image")
    t.add_argument("image", metavar="IMAGE")
    t.add_argument("-o", "--output", choices=("text", "json"), default="text")
    _registry_flags(t)
    t.set_defaults(func=cmd_tree)

    sb = sub.add_parser("sign-blob", help="sign a file; prints the base64 signature")
    sb.add_argument("blob", metavar="BLOB", help="file to sign (- for stdin)")
    sb.add_argument("--key", required=True, help="private key file")
    sb.add_argument("--output-signature", "--output", default="", metavar="FILE", help="write the signature here instead of stdout")
    _go_bool(sb, "--b64", True, "base64-encode the signature (default true)")
    _tlog_flags(sb, signing=True)
    sb.set_defaults(func=cmd_sign_blob)

    vb = sub.add_parser("verify-blob", help="verify a file's signature")
    vb.add_argument("blob", metavar="BLOB")
    vb.add_argument("--key", required=True, help="public key file")
    vb.add_argument("--signature", required=True, help="signature file, or the base64 signature")
    _tlog_flags(vb, signing=False)
    vb.set_defaults(func=cmd_verify_blob)

    ab = sub.add_parser("attest-blob", help="make a signed in-toto attestation (DSSE) about a file")
    ab.add_argument("blob", nargs="?", metavar="BLOB")
    ab.add_argument("--key", required=True, help="private key file")
    ab.add_argument("--predicate", required=True, metavar="FILE")
    ab.add_argument("--type", default="custom")
    ab.add_argument("--hash", default="", help="the blob's sha256 instead of reading BLOB")
    ab.add_argument("--output-signature", default="", metavar="FILE", help="write the DSSE envelope here instead of stdout")
    ab.add_argument("--output-attestation", default="", metavar="FILE", help="also write the unsigned statement here")
    _tlog_flags(ab, signing=True)
    ab.set_defaults(func=cmd_attest_blob)

    vba = sub.add_parser("verify-blob-attestation", help="verify a DSSE attestation about a file")
    vba.add_argument("blob", nargs="?", metavar="BLOB", help="the artifact (a file, or sha256:<hex>)")
    vba.add_argument("--key", required=True, help="public key file")
    vba.add_argument("--signature", required=True, metavar="FILE", help="the DSSE envelope")
    vba.add_argument("--type", default="", help="require this predicate type (checked with claims)")
    _go_bool(vba, "--check-claims", True, "check subject digest and predicate type (default true)")
    vba.add_argument("--digest", default="", help="the artifact's digest instead of BLOB")
    vba.add_argument("--digestAlg", "--digest-alg", dest="digest_alg", default="sha256")
    _tlog_flags(vba, signing=False)
    vba.set_defaults(func=cmd_verify_blob_attestation)


def run(argv: Sequence[str] | None = None) -> int:
    """Run a signing command through the main CLI (same parser, same one-line errors)."""
    from .cli import main

    return main(argv)


if __name__ == "__main__":
    sys.exit(run())
