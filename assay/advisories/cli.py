"""``assay db ...``: import, status, update, push, pull and show for the advisory database.

Wired into the main parser with :func:`add_db_parser`.  Every subcommand takes
``--db PATH`` (default ``$ASSAY_DB`` or ``$XDG_CACHE_HOME/assay/db/assay.db``).
Progress goes to stderr (a live bar only on a terminal), results to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable

from ..errors import UsageError

__all__ = ["add_db_parser", "sample_advisories_path"]


def sample_advisories_path() -> str:
    """The shipped sample advisories (``assay/data/advisories``)."""
    return str(Path(__file__).resolve().parent.parent / "data" / "advisories")


def _warn(message: str) -> None:
    print(f"assay: warning: {message}", file=sys.stderr)


def _db_arg(p: argparse.ArgumentParser) -> None:
    from .paths import default_db_path

    p.add_argument("--db", default=None, metavar="PATH", help=f"advisory database (default $ASSAY_DB or {default_db_path()})")


class _Live:
    """A rich progress display on stderr when it is a terminal (and not --quiet); else silent."""

    def __init__(self, quiet: bool, label: str) -> None:
        self._progress: Any = None
        self._task: Any = None
        self._label = label
        if quiet or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()

    def bytes(self, done: int, total: int | None, label: str) -> None:
        if self._progress is None:
            return
        if self._task is None:
            self._task = self._progress.add_task(label, total=total)
        self._progress.update(self._task, completed=done, total=total, description=f"downloading {label}")

    def records(self, done: int, where: str) -> None:
        if self._progress is None:
            return
        if self._task is None:
            self._task = self._progress.add_task(self._label, total=None)
        self._progress.update(self._task, description=f"{self._label}: {done} records ({where})")

    def reset(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _quiet(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "quiet", False))


# -- import ------------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    from .db import import_inputs

    inputs = list(args.inputs)
    if args.sample:
        inputs.append(sample_advisories_path())
    if not inputs and not args.kev and not args.epss:
        raise UsageError("nothing to import: give PATH/URL arguments, --sample, --kev FILE or --epss FILE")
    live = _Live(_quiet(args), "importing")
    try:
        report = import_inputs(args.db, inputs, kev=args.kev, epss=args.epss, rebuild=args.rebuild, warn=_warn, progress=live.records)
    finally:
        live.stop()
    if not _quiet(args):
        by_feed = report.records
        if len(by_feed) > 8:  # e.g. 40 Alpine branches: one entry per family
            families: dict[str, list[int]] = {}
            for feed, n in by_feed.items():
                families.setdefault(feed.split(":", 1)[0], []).append(n)
            parts = [f"{fam} {sum(ns)}" + (f" in {len(ns)} feeds" if len(ns) > 1 else "") for fam, ns in sorted(families.items())]
        else:
            parts = [f"{feed} {n}" for feed, n in sorted(by_feed.items())]
        feeds = ", ".join(parts) or "no advisories"
        extra = "".join(
            f", {label} {n}" for label, n in (("KEV entries", report.kev), ("EPSS scores", report.epss), ("EOL records", report.eol)) if n
        )
        rate = report.total / report.seconds if report.seconds > 0 else 0
        print(
            f"assay: imported {report.total} records ({feeds}{extra}) into {report.path} in {report.seconds:.1f}s"
            f" ({rate:.0f} records/s, {report.size / 1e6:.1f} MB)"
            + (f"; {report.warnings} warnings" if report.warnings else ""),
            file=sys.stderr,
        )
    return 0


# -- status ------------------------------------------------------------------------------------


def _status_text(status: Any) -> str:
    lines = [
        f"Path:             {status.path}",
        f"Schema:           {status.schema_version}",
        f"Built:            {status.built}",
        f"Newest modified:  {status.newest_modified or '-'}",
        f"Advisories:       {status.advisories} ({status.withdrawn} withdrawn), {status.affected_rows} affected-package rows",
        f"Size:             {status.size / 1e6:.1f} MB",
    ]
    if status.kev:
        lines.append(f"KEV:              {status.kev.get('count', 0)} entries (catalog {status.kev.get('catalogVersion', '?')})")
    if status.epss:
        lines.append(f"EPSS:             {status.epss.get('count', 0)} scores (model {status.epss.get('modelVersion') or '?'}, {status.epss.get('scoreDate') or '?'})")
    lines.append("Sources:")
    width = max([len(s.feed) for s in status.sources] + [len(e) for e in status.ecosystems] + [10])
    for s in status.sources:
        ecos = ", ".join(f"{e} {n}" for e, n in sorted(s.ecosystems.items()))
        lines.append(f"  {s.feed:<{width}} {s.records:>7} records  imported {s.imported or '-'}  from {s.location or '-'}")
        if ecos:
            lines.append(f"  {'':<{width}} {ecos}")
    lines.append("Advisories per ecosystem:")
    for eco, n in sorted(status.ecosystems.items()):
        lines.append(f"  {eco:<{width}} {n:>7}")
    return "\n".join(lines) + "\n"


def cmd_status(args: argparse.Namespace) -> int:
    from .db import AdvisoryDB, check_age

    with AdvisoryDB.open(args.db) as db:
        status = db.status()
    if args.output == "json":
        sys.stdout.write(json.dumps(status.to_dict(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(_status_text(status))
    warning = check_age(status, args.max_db_age)
    if warning:
        _warn(warning)
    return 0


# -- update ------------------------------------------------------------------------------------


def cmd_update(args: argparse.Namespace) -> int:
    from .distribute import config_sources, update

    urls = list(args.url) or config_sources(args.config)
    live = _Live(_quiet(args), "importing")
    try:
        report = update(args.db, urls, rebuild=args.rebuild, warn=_warn, progress=live.bytes, import_progress=live.records)
    finally:
        live.stop()
    if not _quiet(args):
        if report.imported is None:
            print(f"assay: advisory database {report.path} is up to date ({len(report.not_modified)} sources not modified)", file=sys.stderr)
        else:
            print(
                f"assay: updated {report.path}: {len(report.downloaded)} sources downloaded, {len(report.not_modified)} not modified, "
                f"{report.imported.total} records imported in {report.seconds:.1f}s",
                file=sys.stderr,
            )
    return 0


# -- push / pull ---------------------------------------------------------------------------------


def _registry(args: argparse.Namespace) -> dict[str, Any]:
    return {"username": args.registry_username, "password": args.registry_password, "insecure": args.allow_insecure_registry}


def cmd_push(args: argparse.Namespace) -> int:
    from .distribute import push

    digest = push(args.db, args.reference, **_registry(args))
    print(f"{args.reference}@{digest}" if "@" not in args.reference else args.reference)
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from .db import AdvisoryDB, default_db_path
    from .distribute import pull

    live = _Live(_quiet(args), "pulling")
    try:
        digest = pull(args.reference, args.db, progress=live.bytes, **_registry(args))
    finally:
        live.stop()
    if not _quiet(args):
        with AdvisoryDB.open(args.db or default_db_path()) as db:
            st = db.status()
        print(f"assay: installed {args.reference} ({digest}) at {st.path}: {st.advisories} advisories, built {st.built}", file=sys.stderr)
    return 0


# -- show ----------------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from .db import AdvisoryDB

    with AdvisoryDB.open(args.db) as db:
        found = db.get_all(args.id, include_withdrawn=True)
    if not found:
        raise UsageError(f"no advisory {args.id} in the database")
    out = [asdict(a) for a in found]
    sys.stdout.write(json.dumps(out if len(out) > 1 else out[0], indent=2, default=dict) + "\n")
    return 0


def add_db_parser(subparsers: Any, registry_flags: Callable[[argparse.ArgumentParser], None] | None = None) -> argparse.ArgumentParser:
    """Add ``db`` and its subcommands to the main parser's ``subparsers``.

    ``registry_flags`` adds the shared registry options to push/pull (the
    main CLI passes its ``add_registry_flags``); by default the same flags
    are defined here.
    """
    db = subparsers.add_parser("db", help="manage the advisory database (import, status, update, push, pull)")
    sub = db.add_subparsers(dest="db_command", parser_class=type(db))
    db.set_defaults(func=lambda _args: (db.print_help(sys.stderr), 2)[1])

    p = sub.add_parser("import", help="import advisories: OSV (json/yaml/zip), Alpine secdb, Debian tracker, grype/vunnel results, KEV, EPSS")
    p.add_argument("inputs", nargs="*", metavar="PATH|URL", help="files, directories, zips or http(s) URLs (format detected by content)")
    p.add_argument("--kev", metavar="FILE", help="CISA known_exploited_vulnerabilities.json")
    p.add_argument("--epss", metavar="FILE", help="EPSS scores CSV (cve,epss,percentile; may be gzipped)")
    p.add_argument("--sample", action="store_true", help="also import the sample advisories shipped with assay")
    p.add_argument("--rebuild", action="store_true", help="start from an empty database instead of adding to the current one")
    _db_arg(p)
    p.set_defaults(func=cmd_import)

    s = sub.add_parser("status", help="show what the database holds and how old it is")
    s.add_argument("--max-db-age", type=float, default=5.0, metavar="DAYS", help="warn when the database was built longer ago (default 5; 0 disables)")
    s.add_argument("-o", "--output", choices=("text", "json"), default="text")
    _db_arg(s)
    s.set_defaults(func=cmd_status)

    u = sub.add_parser("update", help="download the configured advisory sources (ETag/If-Modified-Since) and import what changed")
    u.add_argument("--url", action="append", default=[], help="source URL (repeatable; default: db.sources in .assay.yaml)")
    u.add_argument("--config", default=None, help="config file (default ./.assay.yaml)")
    u.add_argument("--rebuild", action="store_true", help="download everything and rebuild the database from it")
    _db_arg(u)
    u.set_defaults(func=cmd_update)

    flags = registry_flags or _registry_flags
    for name, func, help_text in (
        ("push", cmd_push, "push the database to a registry as an OCI artifact"),
        ("pull", cmd_pull, "pull a database artifact from a registry and install it"),
    ):
        r = sub.add_parser(name, help=help_text)
        r.add_argument("reference", metavar="REF", help="registry/repository:tag")
        flags(r)
        _db_arg(r)
        r.set_defaults(func=func)

    w = sub.add_parser("show", help="print the stored record(s) of an advisory id or alias as JSON")
    w.add_argument("id")
    _db_arg(w)
    w.set_defaults(func=cmd_show)
    return db


def _registry_flags(p: argparse.ArgumentParser) -> None:
    import os

    p.add_argument("--registry-username", default=os.environ.get("ASSAY_REGISTRY_USERNAME", ""), help="registry user (else docker config / anonymous)")
    p.add_argument("--registry-password", default=os.environ.get("ASSAY_REGISTRY_PASSWORD", ""), help="registry password or token")
    p.add_argument("--allow-insecure-registry", action="store_true", help="allow plain HTTP and unverified TLS registries")
