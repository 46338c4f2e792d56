"""The command line: a thin adapter from argparse to the library.

Results go to stdout or files, progress and warnings to stderr.  Any
:class:`AssayError` becomes ``assay: error: <one line>`` and a non-zero exit; a
traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from typing import NoReturn, Sequence

from .errors import AssayError, UsageError

log = logging.getLogger("assay")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _stderr_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True, highlight=False)


class Progress:
    """Progress lines on stderr (a live status on a terminal, nothing when quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._status = None
        if not quiet and sys.stderr.isatty():
            self._status = _stderr_console().status("starting")
            self._status.start()

    def __call__(self, message: str) -> None:
        if self._status is not None:
            self._status.update(message)

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


def warn(message: str) -> None:
    print(f"assay: warning: {message}", file=sys.stderr)


def write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same directory and a rename."""
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    if os.path.exists(path) and not os.path.isfile(path):  # /dev/null, a FIFO, a terminal: write in place
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}") from exc
        return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"cannot write {path}: directory {directory} does not exist")
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".assay-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise UsageError(f"cannot write {path}: {exc.strerror}") from exc
    except BaseException:
        os.unlink(tmp)
        raise


# -- registry flags shared by every command that talks to a registry ---------------
def add_registry_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--registry-username", default=os.environ.get("ASSAY_REGISTRY_USERNAME", ""), help="registry user (else docker config / anonymous)")
    p.add_argument("--registry-password", default=os.environ.get("ASSAY_REGISTRY_PASSWORD", ""), help="registry password or token")
    p.add_argument("--allow-insecure-registry", action="store_true", help="allow plain HTTP and unverified TLS registries")
    p.add_argument("--platform", default="", help="os/arch[/variant] of a multi-arch image (default linux/amd64)")


def registry_options(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from .source import RegistryOptions

    return RegistryOptions(username=args.registry_username, password=args.registry_password, insecure=args.allow_insecure_registry)


def _parse_distro(value: str):  # type: ignore[no-untyped-def]
    from .model import Distro

    if not value:
        return None
    ident, _, ver = value.partition(":")
    if not ident:
        raise UsageError(f"--distro {value!r}: expected ID:VERSION such as debian:12")
    return Distro(id=ident.lower(), version_id=ver)


# -- sbom ---------------------------------------------------------------------------
def cmd_sbom(args: argparse.Namespace) -> int:
    from .pipeline import make_sbom
    from .sbom import parse_format_spec

    outputs = [parse_format_spec(o) for o in (args.output or ["table"])]
    stdout_count = sum(1 for _, _, p in outputs if p is None)
    if stdout_count > 1:
        raise UsageError("only one -o may go to stdout; give the others a file: -o FORMAT=FILE")
    progress = Progress(args.quiet)
    try:
        result = make_sbom(
            args.source,
            platform=args.platform,
            name=args.source_name,
            version=args.source_version,
            registry=registry_options(args),
            catalogers=tuple(c for s in args.catalogers for c in s.split(",") if c),
            distro=_parse_distro(args.distro),
            progress=progress,
        )
    finally:
        progress.stop()
    for w in result.warnings:
        warn(w)
    rendered = [(fmt.encode(result.sbom, version), path) for fmt, version, path in outputs]
    for data, path in rendered:
        write_atomic(path or "-", data)
    if not args.quiet:
        s = result.sbom
        digest = f" {s.source.digest}" if s.source.digest else ""
        print(f"assay: cataloged {len(s.packages)} packages from {s.source.input}{digest} in {result.seconds:.2f}s", file=sys.stderr)
    return 0


# -- convert ------------------------------------------------------------------------
def cmd_convert(args: argparse.Namespace) -> int:
    from .sbom import decode, parse_format_spec

    outputs = [parse_format_spec(o) for o in (args.output or ["table"])]
    data = _read_input(args.input)
    fmt, version, sbom = decode(data)
    if not args.quiet:
        print(f"assay: read {fmt.name} {version} with {len(sbom.packages)} packages", file=sys.stderr)
    rendered = [(f.encode(sbom, v), p) for f, v, p in outputs]
    for out, path in rendered:
        write_atomic(path or "-", out)
    return 0


def _read_input(path: str, limit: int = 1 << 30) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read(limit + 1)
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    if len(data) > limit:
        raise UsageError(f"{path} is larger than {limit} bytes")
    return data


# -- demo (the README's main job) ------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from . import demo

    return demo.run(args.out, quiet=args.quiet)


def cmd_version(args: argparse.Namespace) -> int:
    from .model import tool_version

    print(f"assay {tool_version()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .sbom import ENCODER_NAMES

    p = _Parser(prog="assay", description="Container supply-chain security: SBOMs, scanning, signing, verification.")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    s = sub.add_parser("sbom", help="generate SBOMs for an image, directory or file")
    s.add_argument("source", help="docker-archive:PATH, oci-dir:PATH[:TAG], oci-archive:PATH, registry:REF, dir:PATH, file:PATH (scheme guessed when omitted)")
    s.add_argument("-o", "--output", action="append", metavar="FORMAT[@VERSION][=FILE]", help=f"repeatable; formats: {', '.join(ENCODER_NAMES)} (default: table)")
    s.add_argument("--source-name", default="", help="name of the scanned artifact in the SBOM")
    s.add_argument("--source-version", default="", help="version of the scanned artifact in the SBOM")
    s.add_argument("--catalogers", action="append", default=[], help="only these catalogers (comma-separated names or prefixes)")
    s.add_argument("--distro", default="", help="override the detected distro, e.g. debian:12")
    add_registry_flags(s)
    s.set_defaults(func=cmd_sbom)

    c = sub.add_parser("convert", help="convert an SBOM between formats")
    c.add_argument("input", help="an SBOM file (CycloneDX, SPDX, syft or assay JSON), or - for stdin")
    c.add_argument("-o", "--output", action="append", metavar="FORMAT[@VERSION][=FILE]")
    c.set_defaults(func=cmd_convert)

    d = sub.add_parser("demo", help="run the main job on the embedded sample image (no network needed)")
    d.add_argument("--out", default="assay-demo", help="directory for the outputs (default ./assay-demo)")
    d.set_defaults(func=cmd_demo)

    from .scan_cli import add_scan_parser
    from .sign_cli import add_sign_parsers

    add_scan_parser(sub)
    from .advisories.cli import add_db_parser

    add_db_parser(sub, add_registry_flags)

    add_sign_parsers(sub)

    v = sub.add_parser("version", help="print the version")
    v.set_defaults(func=cmd_version)
    # the global flags are accepted after the command too (`assay scan IMG -q`), as in grype and syft
    seen: set[int] = set()
    stack = list(sub.choices.values())
    while stack:
        sp = stack.pop()
        if id(sp) in seen:
            continue
        seen.add(id(sp))
        opts = {o for a in sp._actions for o in a.option_strings}
        if "--debug" not in opts:
            sp.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        if "-q" not in opts and "--quiet" not in opts:
            sp.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        for a in sp._actions:
            if isinstance(a, argparse._SubParsersAction):
                stack.extend(a.choices.values())
    return p


def entry() -> NoReturn:
    """The ``assay`` program: :func:`main`, then exit without tearing the interpreter down.

    By then every result is written and flushed, and no thread of ours is left but
    daemons; freeing each module and object one by one would only add ~15 ms to
    every run.  (``--debug`` lets an exception through, with its traceback.)
    """
    # Fewer, larger collections: a run allocates hundreds of thousands of acyclic
    # objects (tar entries, tree nodes, packages) and the default threshold of 700
    # collects many times over them for nothing (~10-25 ms of a run).
    gc.set_threshold(50_000, 20, 20)
    rc = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: what was not written is lost either way
        rc = rc or 1
    logging.shutdown()
    os._exit(rc)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    logging.basicConfig(level=logging.DEBUG if debug else logging.ERROR, format="assay: %(levelname)s: %(message)s", stream=sys.stderr)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return 2
        return int(args.func(args) or 0)
    except AssayError as exc:
        if debug:
            raise
        print(f"assay: error: {exc.diagnostics()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("assay: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # a bug: say so in one line, keep the traceback for --debug
        if debug:
            raise
        print(f"assay: internal error: {type(exc).__name__}: {exc} (rerun with --debug for a traceback)", file=sys.stderr)
        return 1
