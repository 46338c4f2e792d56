"""JavaScript packages: installed node_modules trees and the lockfiles of npm, yarn, pnpm, bun and deno.

Two catalogers, named as syft names them:

* ``javascript-package-cataloger`` (:mod:`._js.installed`) reads what is
  installed: ``**/package.json`` in node_modules trees and the projects that
  hold them, with dependency edges resolved the way Node resolves ``require``.
* ``javascript-lock-cataloger`` reads what a project declares:
  ``package-lock.json``/``npm-shrinkwrap.json`` v1-v3 (:mod:`._js.package_lock`),
  ``yarn.lock`` classic and berry (:mod:`._js.yarn`), ``pnpm-lock.yaml`` v5-v9
  (:mod:`._js.pnpm`), ``bun.lock`` (:mod:`._js.bun`; the binary ``bun.lockb``
  is reported as unsupported) and ``deno.lock`` (:mod:`._js.deno`).  Lockfiles
  inside node_modules belong to a dependency and are skipped.

Both mark development-only packages (``Package.dev``) and give
``DEV_DEPENDS_ON`` edges for a project's devDependencies, so dev packages are
reported but never mixed in silently.  Purls are ``pkg:npm/%40scope/name@1.0.0``
with syft's escaping (names keep their case).

Double counting: a project scanned with both catalogers would list each
dependency twice (once from node_modules, once from the lockfile).  syft avoids
that by scope: the package cataloger is for images ("installed"), the lock
cataloger for directories ("declared").  The ``TAGS`` attribute carries the
same split so the pipeline can choose by source kind.
"""

from __future__ import annotations

from . import GlobCataloger, lazy_parser
from ._js.common import LOCK_CATALOGER, PACKAGE_CATALOGER, npm_purl
from ._js.installed import InstalledCataloger

__all__ = [
    "CATALOGERS",
    "LOCK_CATALOGER",
    "LOCK_GLOBS",
    "PACKAGE_CATALOGER",
    "InstalledCataloger",
    "lock_cataloger",
    "npm_purl",
    "parse_bun_lock",
    "parse_deno_lock",
    "parse_package_lock",
    "parse_pnpm_lock",
    "parse_yarn_lock",
]

# The lockfile parsers (pnpm's needs yaml) are imported when a lockfile is found: the
# lock cataloger runs for directories only, and images are the common case.
parse_package_lock = lazy_parser("._js.package_lock", "parse_package_lock")
parse_yarn_lock = lazy_parser("._js.yarn", "parse_yarn_lock")
parse_pnpm_lock = lazy_parser("._js.pnpm", "parse_pnpm_lock")
parse_bun_lock = lazy_parser("._js.bun", "parse_bun_lock")
parse_bun_lockb = lazy_parser("._js.bun", "parse_bun_lockb")
parse_deno_lock = lazy_parser("._js.deno", "parse_deno_lock")

LOCK_PARSERS = (
    ("**/package-lock.json", parse_package_lock),
    ("**/npm-shrinkwrap.json", parse_package_lock),
    ("**/yarn.lock", parse_yarn_lock),
    ("**/pnpm-lock.yaml", parse_pnpm_lock),
    ("**/bun.lock", parse_bun_lock),
    ("**/bun.lockb", parse_bun_lockb),
    ("**/deno.lock", parse_deno_lock),
)
LOCK_GLOBS = tuple(g for g, _ in LOCK_PARSERS)


def lock_cataloger() -> GlobCataloger:
    """The lockfile cataloger (needs the package.json files beside lockfiles for dev flags and licenses)."""
    c = GlobCataloger(LOCK_CATALOGER, LOCK_PARSERS, needs=("**/package.json",))
    c.TAGS = ("declared", "directory", "language", "javascript", "node", "npm")  # type: ignore[attr-defined]
    return c


CATALOGERS = (InstalledCataloger(), lock_cataloger())
