"""The table of binary classifiers: which file names to look at, which bytes give the version.

It follows syft's default classifiers (class names, package names, purls and
CPEs as syft writes them); the byte patterns are written against the snippets
of real binaries in syft's test data (``[NUL]`` below is a zero byte).  Order
matters: packages found by an earlier classifier come first, and within a
``group`` the first classifier that matches a file wins.
"""

from __future__ import annotations

import functools

from .matchers import (
    Classifier,
    Rx,
    all_of,
    any_of,
    contents,
    filename_template,
    in_path,
    path_regex,
)

__all__ = ["classifiers"]

_N = rb"\d+\.\d+\.\d+"  # x.y.z
_PRE = rb"(?:-(?:alpha|beta|rc)\.\d+)?"  # -alpha.1 (semver pre-release)
_SQL = rb"\d+(?:\.\d+)?(?:\.\d+)?(?:alpha\d|beta\d|rc\d)?"  # 15beta4, 9.6.24

# in both python binaries and libpython, the version is [NUL]3.11.2[NUL]; where the linker merged that
# string into the build directory's name, only .../Python-3.11.7[NUL] is left (a fallback syft lacks)
_PY_TEMPLATE = rb"\x00(?P<version>{version}[-._a-zA-Z0-9]*)\x00"
_PY_BUILD_DIR = rb"/Python-(?P<version>{version}[-._a-zA-Z0-9]*)\x00"
_PY_NAME = r"(?:.*/|^)python(?P<version>[0-9]+(?:\.[0-9]+)+)$"
_LIBPY_NAME = r"(?:.*/|^)libpython(?P<version>[0-9]+(?:\.[0-9]+)+)[a-z]?\.so.*$"
_LIBPYTHON = any_of(filename_template(_LIBPY_NAME, _PY_TEMPLATE), filename_template(_LIBPY_NAME, _PY_BUILD_DIR))

# ruby 3.2.1 (2023-02-08 revision 31819e82c8) [x86_64-linux] / ruby 2.7.7p221 (...)
_RUBY = contents(rb"ruby (?P<version>" + _N + rb"(?:(?:p|preview|rc|dev)\d*)?) ")

# [NUL]openjdk[NUL]java[NUL]0.0[NUL]11.0.17+8-LTS[NUL]   and, on arm64,
# [NUL]0.0[NUL][NUL]...11.0.22+7[NUL]...openjdk[NUL]java
_JAVA_X86 = rb"\x00(?P<release>\d+[.0-9]*)\x00(?P<version>\d+[^\x00]+)\x00"
_JAVA_ARM = rb"\x00(?P<release>\d+[.0-9]*)\x00+(?P<version>\d+[^\x00]+)\x00+"
_GRAAL = contents(rb"\x00(?P<version>\d+[.0-9]+[.0-9]+\+\d+-jvmci-\d+[.0-9]+-b\d+)\x00")
_JDK_VERSION = rb"\x00(?P<version>" + _N + rb"(?:\+\d+)?(?:[-._a-zA-Z0-9]+)?)\x00"

# X-Powered-By: PHP/8.2.1
_PHP = contents(rb"X-Powered-By: PHP/(?P<version>" + _N + rb"(?:beta\d+|alpha\d+|RC\d+)?)")

_MYSQL_BUILD = rb"\d+(?:\.\d+)?(?:\.\d+)?(?:alpha\d|beta\d|rc\d)?"

_ERLANG_SRC = rb"(?P<version>\d+\.\d+(?:\.\d+){0,2}(?:-rc\d)?)"
_ERLANG = (
    # /usr/src/otp_src_25.3.2.6/erts/ and /usr/local/src/otp-25.3.2.7/erts/
    contents(rb"/src/otp_src_" + _ERLANG_SRC + rb"/erts/"),
    contents(rb"/usr/local/src/otp-" + _ERLANG_SRC + rb"/erts/"),
)
_ERLANG_OTP = (
    # [NUL][NUL]26.1.2[NUL]...Erlang/OTP 26%s   and   Erlang/OTP 17%s [erts-6.4.1.6] ...\n[NUL]17.5.6.9[NUL]
    contents(Rx(rb"\x00" + _ERLANG_SRC + rb"\x00+Erlang/OTP", anchors=(b"Erlang/OTP",))),
    contents(rb"Erlang/OTP \d+%s[^\x00]*\x00" + _ERLANG_SRC + rb"\x00"),
)

# istio: [NUL]1.26.8[NUL][NUL]1.26.8[NUL] / Clean[NUL][NUL][NUL]1.8.0[NUL] / 1.1.17[NUL]...S=v<y5
_ISTIO_V = rb"\d+\.\d+\.\d+" + _PRE
_ISTIO = any_of(
    contents(rb"(?<![0-9.])" + _ISTIO_V + rb"\x00+(?P<version>" + _ISTIO_V + rb")\x00"),
    contents(rb"(?:Clean|Modified)\x00+(?P<version>\d+\.\d+(?:\.\d+)?(?:-(?:alpha|beta|rc)\.\d+|-dev)?)\x00"),
    contents(Rx(rb"(?s)\x00(?P<version>" + _N + rb")\x00+.{1,100}?=v<y5", anchors=(b"=v<y5",))),
)

# Grafana's version sits among Go's constants: release-12.3.1[NUL] / HEAD[NUL]...[NUL]9.2.13[NUL] /
# <commit>[NUL]...9.3.0-beta1[NUL]...[NUL]/usr/local/go
_GRAFANA_COMMON = (
    contents(rb"release-(?P<version>" + _N + rb")[+\x00]"),
    contents(rb"(?s)HEAD\x00.{0,64}?\x00(?P<version>" + _N + rb"(?:-[0-9A-Za-z]+)?)\x00"),
    contents(Rx(rb"[0-9a-f]{10}\x00+(?P<version>" + _N + rb"(?:-[0-9A-Za-z]+)?)\x00+/usr/local/go", anchors=(b"/usr/local/go",))),
)
_GRAFANA = any_of(
    *_GRAFANA_COMMON,
    contents(Rx(rb"(?<![0-9.])(?P<version>" + _N + rb")\x00+\$a", anchors=(b"\x00$a",))),  # 11.0.0[NUL][NUL]$a
    contents(Rx(rb"(?<![0-9.])(?P<version>" + _N + rb")\x00+v\d+\.\d+\.x\x00", anchors=(b".x\x00",))),  # 9.5.21[NUL][NUL]v9.5.x
    contents(rb"go1\.\d+(?:\.\d+)?\x00+(?P<version>" + _N + rb"-[0-9A-Za-z]+)\x00"),  # go1.21.8[NUL]...11.0.0-preview[NUL]
    contents(rb"\x00(?P<version>\d{2}\.\d+\.\d+-\d{6,})\x00"),  # [NUL]12.4.0-22081664032[NUL]
    contents(Rx(rb"[\x80-\xff](?P<version>10\.\d+\.\d+)\x00", anchors=(b"10.",))),  # 0xdc 0xbf 10.4.19[NUL]
)
_GRAFANA_SERVER = any_of(*_GRAFANA_COMMON, contents(rb"\x00(?P<version>[4-8]\.\d+\.\d+(?:-[0-9A-Za-z]+)?)\x00"))

# envoy: [NUL]1.36.4[NUL] near envoy's own strings
_ENVOY_V = rb"\x00(?P<version>1\.\d{1,2}\.\d{1,2}(?:-dev)?)\x00"
_ENVOY = any_of(
    contents(Rx(rb"(?s)" + _ENVOY_V + rb".{0,1000}?(?:envoy|Envoy|Unable to|RELEASE)", anchors=(b"\x001.",))),
    contents(Rx(rb"(?s)(?:envoy|\[source/).{0,1000}?" + _ENVOY_V, anchors=(b"\x001.",), window=1200)),
    contents(Rx(rb"\.(?:cc|h):\d+" + _ENVOY_V, anchors=(b"\x001.",))),
)

# Elastic beats (Go string tables): setupTest 9.4.2 / createplugin8.18.4global / m.rate8.11.2-9765625
_BEATS = any_of(
    contents(rb"setupTest (?P<version>" + _N + rb")"),
    contents(rb"plugin(?P<version>" + _N + rb")global"),
    contents(rb"rate(?P<version>" + _N + rb")-9765625"),
)


def _beat(name: str) -> Classifier:
    return Classifier(f"{name}-binary", f"{name}-binary", (f"**/{name}",), _BEATS, name, ("generic", "", name), (("elastic", name),))


def _gen(name: str, namespace: str = "") -> tuple[str, str, str]:
    return ("generic", namespace, name)


@functools.cache
def classifiers() -> tuple[Classifier, ...]:
    """Every classifier, in the order packages are reported (compiled on first use)."""
    C = Classifier
    return (
        C(
            "python-binary", "python-binary", ("**/python*",),
            any_of(filename_template(_PY_NAME, _PY_TEMPLATE), filename_template(_PY_NAME, _PY_BUILD_DIR)),
            "python", _gen("python"), (("python_software_foundation", "python"), ("python", "python")),
            lib=(r"^libpython[0-9]+(?:\.[0-9]+)+[a-z]?\.so.*$", "python-binary-lib"), lib_first=True,
        ),
        C(
            "python-binary-lib", "python-binary-lib", ("**/libpython*.so*",), _LIBPYTHON,
            "python", _gen("python"), (("python_software_foundation", "python"), ("python", "python")),
        ),
        C("pypy-binary-lib", "pypy-binary-lib", ("**/libpypy*.so*",), contents(rb"\[PyPy (?P<version>" + _N + rb")"), "pypy", _gen("pypy")),
        C(
            "go-binary", "go-binary", ("**/go",),
            contents(rb"go(?P<version>\d+\.\d+(?:\.\d+|beta\d+|alpha\d+|rc\d+)?)\x00"),
            "go", _gen("go"), (("golang", "go"),),
        ),
        C(
            "julia-binary", "julia-binary", ("**/libjulia-internal.so*",),
            any_of(
                contents(Rx(rb"(?<![0-9.])(?P<version>" + _N + rb"(?:-[A-Za-z]+\d*)?)\x00branch\x00commit\x00", anchors=(b"\x00branch\x00commit\x00",))),
                contents(rb"__init__\x00(?P<version>" + _N + rb"(?:-[A-Za-z]+\d*)?)\x00verify"),
                contents(rb"serialized\x00(?P<version>" + _N + rb"(?:-[A-Za-z]+\d*)?)\x00"),
                contents(Rx(rb"\x00(?P<version>" + _N + rb"(?:-[A-Za-z]+\d*)?)\x00julia version %s", anchors=(b"\x00julia version %s",))),
            ),
            "julia", _gen("julia"), (("julialang", "julia"),),
        ),
        C(
            "helm", "helm", ("**/helm",),
            contents(rb"(?<![0-9A-Za-z.])v(?P<version>" + _N + _PRE + rb")\x00"),
            "helm", ("golang", "helm.sh", "helm"), (("helm", "helm"),),
        ),
        C(
            "redis-binary", "redis-binary", ("**/redis-server",),
            any_of(
                # 7.0.14buildkitsandbox-1702957741000000000
                contents(Rx(rb"(?<![0-9])(?P<version>" + _N + rb")buildkitsandbox-\d+", anchors=(b"buildkitsandbox-",))),
                # 4.0.11841ce7054bd9-1542359302000000000
                contents(rb"(?<![0-9])(?P<version>" + _N + rb")[0-9a-z]{12}-\d{10,}"),
                # Server started, Redis version 2.8.23
                contents(rb"Redis version (?P<version>" + _N + rb")"),
            ),
            "redis", _gen("redis"), (("redislabs", "redis"), ("redis", "redis")),
        ),
        C(
            "valkey-binary", "valkey-binary", ("**/valkey-server",),
            contents(Rx(rb"(?<![0-9])(?P<version>" + _N + rb")buildkitsandbox-\d+", anchors=(b"buildkitsandbox-",))),
            "valkey", _gen("valkey"), (("lfprojects", "valkey"), ("linuxfoundation", "valkey"), ("valkey-io", "valkey")),
        ),
        C(
            "nodejs-binary", "nodejs-binary", ("**/node",),
            any_of(
                # [NUL]node v0.10.48[NUL] / [NUL]v4.9.1[NUL] (old releases) ; node.js/v22.9.0
                contents(Rx(rb"\x00(?:node )?v(?P<version>[0456]\.\d+\.\d+)\x00", anchors=(b"\x00v0.", b"\x00v4.", b"\x00v5.", b"\x00v6.", b"\x00node v"))),
                contents(rb"node\.js/v(?P<version>" + _N + rb")"),
            ),
            "node", _gen("node"), (("nodejs", "node.js"),),
        ),
        C(
            # a Go toolchain's VERSION (or VERSION.cache) file: go1.21.3 / devel go1.25-d524e1e ...
            "go-binary-hint", "go-binary-hint", ("**/VERSION*",),
            contents(rb"(?m)^(?:devel )?go(?P<version>\d+\.\d+(?:\.\d+|beta\d+|alpha\d+|rc\d+)?(?:-[0-9a-f]{7})?)"),
            "go", _gen("go"), (("golang", "go"),), max_size=64 * 1024,
        ),
        C("busybox-binary", "busybox-binary", ("**/busybox",), contents(rb"BusyBox\s+v(?P<version>" + _N + rb")"), "busybox", _gen("busybox"), (("busybox", "busybox"),)),
        C("util-linux-binary", "util-linux-binary", ("**/getopt",), contents(rb"\x00util-linux\s(?P<version>" + _N + rb")\x00"), "util-linux", _gen("util-linux"), (("kernel", "util-linux"),)),
        C(
            "haproxy-binary", "haproxy-binary", ("**/haproxy",),
            any_of(
                contents(rb"version (?P<version>\d+\.\d+(?:\.|-dev|-rc)\d+)(?:-[a-z0-9]{7})?, released 20"),
                contents(rb"HA-Proxy version (?P<version>\d+\.\d+(?:\.|-dev)\d+)"),
                contents(Rx(rb"(?P<version>\d+\.\d+(?:\.|-dev)\d+)-[0-9a-zA-Z]{7}.+HAProxy version", anchors=(b"HAProxy version",))),
            ),
            "haproxy", _gen("haproxy"), (("haproxy", "haproxy"),),
        ),
        C("perl-binary", "perl-binary", ("**/perl",), contents(rb"/usr/local/lib/perl\d/(?P<version>" + _N + rb")"), "perl", _gen("perl"), (("perl", "perl"),)),
        C("php-cli-binary", "php-cli-binary", ("**/php*",), all_of(path_regex(r"(?:.*/|^)php[0-9]*$"), _PHP), "php-cli", _gen("php-cli"), (("php", "php"),)),
        C("php-fpm-binary", "php-fpm-binary", ("**/php-fpm*",), _PHP, "php-fpm", _gen("php-fpm"), (("php", "php"),)),
        C("php-apache-binary", "php-apache-binary", ("**/libphp*.so",), _PHP, "libphp", _gen("php"), (("php", "php"),)),
        C(
            "php-composer-binary", "php-composer-binary", ("**/composer*",),
            contents(rb"'pretty_version'\s*=>\s*'(?P<version>" + _N + rb"(?:beta\d+|alpha\d+|RC\d+)?)'"),
            "composer", _gen("composer"), (("getcomposer", "composer"),),
        ),
        C("httpd-binary", "httpd-binary", ("**/httpd",), contents(rb"Apache/(?P<version>" + _N + rb")"), "httpd", _gen("httpd"), (("apache", "http_server"),)),
        C("memcached-binary", "memcached-binary", ("**/memcached",), contents(rb"memcached\s(?P<version>" + _N + rb")"), "memcached", _gen("memcached"), (("memcached", "memcached"),)),
        C(
            "traefik-binary", "traefik-binary", ("**/traefik",),
            # [NUL]v1.7.34[NUL] / [NUL]2.9.6[NUL] / 0x84 0x1c 3.0.4[NUL]
            contents(rb"(?:\x00v?|[\x80-\xff].?)(?P<version>" + _N + rb"(?:-alpha\d|-beta\d|-rc\d)?)\x00"),
            "traefik", _gen("traefik"), (("traefik", "traefik"),),
        ),
        C(
            "arangodb-binary", "arangodb-binary", ("**/arangosh",),
            contents(Rx(rb"(?P<version>" + _N + rb"(?:-\d+)?)\s(?:enterprise\s)?\[linux\]", anchors=(b"[linux]",))),
            "arangodb", _gen("arangodb"), (("arangodb", "arangodb"),),
        ),
        C(
            "postgresql-binary", "postgresql-binary", ("**/postgres",),
            contents(Rx(rb"[\x00?]PostgreSQL (?P<version>" + _SQL + rb")", anchors=(b"PostgreSQL ",))),
            "postgresql", _gen("postgresql"), (("postgresql", "postgresql"),),
        ),
        C(
            "mysql-binary", "mysql-binary", ("**/mysql",),
            any_of(
                # shutdown[NUL]8.0.37[NUL][NUL]...mysql_real_escape_string ; .../release/mysql-5.6.51/vio/viosocket.c
                contents(rb"\x00(?P<version>" + _MYSQL_BUILD + rb")\x00+mysql"),
                contents(Rx(rb"/mysql-(?P<version>" + _MYSQL_BUILD + rb")", last_in_line=True)),
            ),
            "mysql", _gen("mysql"), (("oracle", "mysql"),),
        ),
        C(
            "percona-server-binary", "mysql-binary", ("**/mysql",),
            contents(Rx(rb"/percona-server-(?P<version>" + _MYSQL_BUILD + rb")", last_in_line=True)),
            "percona-server", _gen("percona-server"), (("oracle", "mysql"), ("percona", "percona_server")),
        ),
        C(
            "percona-xtradb-cluster-binary", "mysql-binary", ("**/mysql",),
            contents(Rx(rb"/Percona-XtraDB-Cluster-(?P<version>" + _MYSQL_BUILD + rb")", last_in_line=True)),
            "percona-xtradb-cluster", _gen("percona-xtradb-cluster"),
            (("oracle", "mysql"), ("percona", "percona_server"), ("percona", "xtradb_cluster")),
        ),
        C(
            "xtrabackup-binary", "xtrabackup-binary", ("**/xtrabackup",),
            contents(Rx(rb"/percona-xtrabackup-(?P<version>" + _MYSQL_BUILD + rb")", last_in_line=True)),
            "percona-xtrabackup", _gen("percona-xtrabackup"), (("percona", "xtrabackup"),),
        ),
        C(
            "mariadb-binary", "mariadb-binary", ("**/mariadb", "**/mysql"),
            any_of(
                contents(Rx(rb"(?P<version>" + _SQL + rb")-MariaDB", anchors=(b"-MariaDB",))),  # 10.6.15-MariaDB
                contents(rb"/mariadb-(?P<version>" + _N + rb")"),  # /usr/src/debug/mariadb-11.8.5-2-redhat-x86_64/
            ),
            "mariadb", _gen("mariadb"), (("mariadb", "mariadb"),),
        ),
        C(
            # ../../mysql-9.7.0/sql/log.cc ; 5.7.33-ndb-7.6.17 (the server of a cluster build)
            "mysql-server-binary", "mysql-server-binary", ("**/mysqld",),
            any_of(
                contents(rb"/mysql-(?P<version>" + _N + rb")/"),
                contents(Rx(rb"\x00(?P<version>" + _N + rb")-ndb-" + _N + rb"\x00", anchors=(b"-ndb-",))),
            ),
            "mysql-server", _gen("mysql-server"), (("oracle", "mysql_server"),),
        ),
        C(
            # .../BUILD/mysql-cluster-gpl-9.7.0/ ; 5.7.33-ndb-7.6.17
            "mysql-cluster-binary", "mysql-cluster-binary", ("**/mysqld", "**/ndbd", "**/ndbmtd", "**/ndb_mgmd"),
            any_of(
                contents(rb"mysql-cluster-(?:gpl|com|advanced)-(?P<version>" + _N + rb")"),
                contents(Rx(rb"\x00" + _N + rb"-ndb-(?P<version>" + _N + rb")\x00", anchors=(b"-ndb-",))),
            ),
            "mysql-cluster", _gen("mysql-cluster"), (("oracle", "mysql_cluster"),),
        ),
        C(
            # [NUL]5.0.32[NUL]tcmalloc[NUL]mozjs ; [NUL]7.0.28[NUL]heap_size ; [NUL]8.0.17[NUL]cppdefines
            "mongodb-binary", "mongodb-binary", ("**/mongod",),
            contents(Rx(rb"\x00(?P<version>" + _N + rb")\x00(?:tcmalloc|heap_size|cppdefines)\x00", anchors=(b"\x00tcmalloc\x00", b"\x00heap_size\x00", b"\x00cppdefines\x00"))),
            "mongodb", _gen("mongodb"), (("mongodb", "mongodb"),),
        ),
        C(
            "rust-standard-library-linux", "rust-standard-library-linux", ("**/libstd-????????????????.so",),
            contents(rb"\x00clang LLVM \(rustc version (?P<version>\d+(?:\.\d+)?(?:\.\d+)) \(\w+ \d{4}-\d{2}-\d{2}\)"),
            "rust", _gen("rust"), (("rust-lang", "rust"),),
        ),
        C(
            "rust-standard-library-macos", "rust-standard-library-macos", ("**/libstd-????????????????.dylib",),
            contents(rb"c (?P<version>\d+(?:\.\d+)?(?:\.\d+)) \(\w+ \d{4}-\d{2}-\d{2}\)"),
            "rust", _gen("rust"), (("rust-lang", "rust"),),
        ),
        C("ruby-binary", "ruby-binary", ("**/ruby",), _RUBY, "ruby", _gen("ruby"), (("ruby-lang", "ruby"),), lib=(r"^libruby\.so.*$", "ruby-lib")),
        C("ruby-lib", "ruby-binary", ("**/libruby.so*",), _RUBY, "ruby", _gen("ruby"), (("ruby-lang", "ruby"),), emit=False),
        C("erlang-binary", "erlang-binary", ("**/erlexec",), any_of(*_ERLANG), "erlang", _gen("erlang"), (("erlang", "erlang/otp"),)),
        C("erlang-alpine-binary", "erlang-alpine-binary", ("**/beam.smp",), any_of(*_ERLANG, *_ERLANG_OTP), "erlang", _gen("erlang"), (("erlang", "erlang/otp"),)),
        C("erlang-library", "erlang-library", ("**/liberts_internal.a",), any_of(*_ERLANG), "erlang", _gen("erlang"), (("erlang", "erlang/otp"),)),
        C("swipl-binary", "swipl-binary", ("**/swipl",), contents(rb"swipl-(?P<version>" + _N + rb")/"), "swipl", _gen("swipl"), (("swi-prolog", "swi-prolog"),)),
        C(
            # MathAtan[NUL]2.12.4 (stable) / [NUL]3.6.0-216.1.beta (beta)
            "dart-binary", "dart-binary", ("**/dart",),
            contents(Rx(rb"\x00(?P<version>" + _N + rb"(?:-\d+(?:\.\d+)?\.beta)?) \((?:stable|beta|dev)\)", anchors=(b"(stable)", b"(beta)", b"(dev)"))),
            "dart", _gen("dart"), (("dart", "dart_software_development_kit"),),
        ),
        C(
            "deno-binary", "deno-binary", ("**/deno",),
            any_of(
                contents(rb"Deno/(?P<version>" + _N + rb")"),
                # deno-<40 hex>release/v1.28.3 ; deno-canary/<40 hex>1.11.3 ; deno-<40 hex>1.16.4release
                contents(rb"deno-(?:canary/)?[0-9a-f]{40}(?:release/v)?(?P<version>" + _N + rb")"),
                # 1.10.3<40 hex>DENO_
                contents(Rx(rb"(?<![0-9.])(?P<version>" + _N + rb")[0-9a-f]{40}DENO_", anchors=(b"DENO_",))),
            ),
            "deno", _gen("deno"), (("deno", "deno"),),
        ),
        C("bun-binary", "bun-binary", ("**/bun",), contents(rb"Bun v(?P<version>" + _N + rb")"), "bun", _gen("bun")),
        C(
            "haskell-ghc-binary", "haskell-ghc-binary", ("**/ghc*",),
            any_of(contents(rb"\x00GHC (?P<version>" + _N + rb")\x00"), contents(rb"libHSghc-(?P<version>" + _N + rb")-")),
            "haskell/ghc", _gen("ghc", "haskell"), (("haskell", "ghc"),),
        ),
        C(
            "haskell-cabal-binary", "haskell-cabal-binary", ("**/cabal",),
            any_of(
                contents(rb"\x00Cabal-(?P<version>" + _N + rb"(?:\.\d+)?)-"),
                contents(rb"cabal-install-(?P<version>" + _N + rb"(?:\.\d+)?)-"),
            ),
            "haskell/cabal", _gen("cabal", "haskell"), (("haskell", "cabal"),),
        ),
        C(
            "haskell-stack-binary", "haskell-stack-binary", ("**/stack",),
            contents(rb"Version\s*(?P<version>" + _N + rb"),\s*Git"),
            "haskell/stack", _gen("stack", "haskell"), (("haskell", "stack"),),
        ),
        C(
            "consul-binary", "consul-binary", ("**/consul",),
            any_of(
                contents(rb"CONSUL_VERSION: (?P<version>" + _N + rb")"),
                contents(rb"GitDescribe=v?(?P<version>" + _N + rb")"),
                contents(rb"\x00v(?P<version>" + _N + rb")\x00"),
            ),
            "consul", ("golang", "github.com/hashicorp", "consul"), (("hashicorp", "consul"),),
        ),
        C(
            "hashicorp-vault-binary", "hashicorp-vault-binary", ("**/vault",),
            any_of(
                contents(rb"revoke(?P<version>" + _N + rb")"),  # revoke1.18.0
                contents(rb"_state(?P<version>" + _N + rb"(?:-(?:alpha|beta|rc)\d+)?)\s"),  # index_state1.21.0-rc1
                contents(rb"0x%016x(?P<version>\d+\.\d+\.\d{1,2})"),  # 0x%016x1.14.10 (followed by other numbers)
                contents(rb"\x00\x00(?P<version>1\.\d{1,2}\.\d{1,2})\x00\x00"),
            ),
            "github.com/hashicorp/vault", ("golang", "github.com/hashicorp", "vault"), (("hashicorp", "vault"),),
        ),
        C(
            "nginx-binary", "nginx-binary", ("**/nginx",),
            # nginx version: nginx/1.25.1 ; nginx version: openresty/1.21.4.3 (the nginx part is 1.21.4)
            contents(Rx(rb"[\x00?]nginx version: [^/]+/(?P<version>" + _N + rb"(?:\+\d+)?(?:-\d+)?)", anchors=(b"nginx version: ",))),
            "nginx", _gen("nginx"), (("f5", "nginx"), ("nginx", "nginx")),
        ),
        C(
            "nginx-ingress-controller-binary", "nginx-ingress-controller-binary", ("**/nginx-ingress-controller",),
            any_of(
                contents(rb"(?<![0-9.])v(?P<version>" + _N + _PRE + rb")\x00"),
                contents(Rx(rb"(?s)\x00(?P<version>" + _N + rb")\x00+.{1,100}?=v<y5", anchors=(b"=v<y5",))),
            ),
            "nginx-ingress-controller", _gen("nginx-ingress-controller"), (("kubernetes", "ingress-nginx"),),
        ),
        C(
            "bash-binary", "bash-binary", ("**/bash",),
            contents(rb"@\(#\)Bash version (?P<version>" + _N + rb")\(\d\) [a-z0-9]+ GNU"),
            "bash", _gen("bash"), (("gnu", "bash"),),
        ),
        C(
            # OpenSSL 1.1.1 (compatible; AWS-LC 1.69.0)
            "aws-lc-binary", "openssl-binary", ("**/openssl",), contents(rb"AWS-LC (?P<version>" + _N + rb")\)"),
            "aws-lc", _gen("aws-lc"), (("amazon", "aws-lc"),), group="openssl",
        ),
        C(
            "openssl-binary", "openssl-binary", ("**/openssl",),
            contents(rb"\x00OpenSSL (?P<version>" + _N + rb"(?:[a-z]+|-alpha\d|-beta\d|-rc\d)?)"),
            "openssl", _gen("openssl"), (("openssl", "openssl"),), group="openssl",
        ),
        C(
            "openldap-binary", "openldap-binary", ("**/ldapsearch",),
            contents(rb"\$OpenLDAP: ldapsearch (?P<version>" + _N + rb")"),
            "openldap", _gen("openldap"), (("openldap", "openldap"),),
        ),
        C(
            "qt-qtbase-lib", "qt-qtbase-lib", ("**/libQt*Core.so*",),
            any_of(
                contents(rb"QtCore library version (?P<version>" + _N + rb")"),
                contents(rb"\x00Qt (?P<version>" + _N + rb") \("),
            ),
            "qtbase", _gen("qtbase"), (("qt", "qt"),),
        ),
        C(
            "krb5-lib", "krb5-lib", ("**/libkrb5.so*",),
            contents(rb"KRB5_BRAND: krb5-(?P<version>\d+\.\d+(?:\.\d+)?)-"),
            "krb5", _gen("krb5"), (("mit", "kerberos_5"),),
        ),
        C(
            "heimdal-krb5-lib", "heimdal-krb5-lib", ("**/libkrb5.so*",),
            contents(rb"Heimdal (?P<version>" + _N + rb")"),
            "heimdal-krb5", _gen("heimdal-krb5"), (("heimdal_project", "heimdal"),),
        ),
        C("gcc-binary", "gcc-binary", ("**/gcc",), contents(rb"GCC: \(GNU\) (?P<version>" + _N + rb")"), "gcc", _gen("gcc"), (("gnu", "gcc"),)),
        C(
            "fluent-bit-binary", "fluent-bit-binary", ("**/fluent-bit",),
            # [NUL]3.0.2[NUL]%sFluent Bit ; [NUL]2.2.1[NUL][NUL][NUL]Fluent Bit ; [NUL]1.7.0[NUL]ESC[1m[NUL]%sFluent Bit
            contents(Rx(rb"\x00\x00?(?P<version>" + _N + rb")\x00(?:\x1b\[1m\x00|\x00\x00|\x00)?(?:%s)?Fluent", anchors=(b"Fluent",))),
            "fluent-bit", ("github", "fluent", "fluent-bit"), (("treasuredata", "fluent_bit"),),
        ),
        C("wordpress-cli-binary", "wordpress-cli-binary", ("**/wp",), contents(rb"wp-cli/wp-cli (?P<version>" + _N + rb")"), "wp-cli", _gen("wp-cli"), (("wp-cli", "wp-cli"),)),
        C("curl-binary", "curl-binary", ("**/curl",), contents(rb"curl/(?P<version>" + _N + rb")"), "curl", _gen("curl"), (("haxx", "curl"),)),
        C("lighttpd-binary", "lighttpd-binary", ("**/lighttpd",), contents(rb"\x00lighttpd/(?P<version>" + _N + rb")\x00"), "lighttpd", _gen("lighttpd"), (("lighttpd", "lighttpd"),)),
        C("proftpd-binary", "proftpd-binary", ("**/proftpd",), contents(rb"\x00ProFTPD Version (?P<version>" + _N + rb"[a-z]?)\x00"), "proftpd", _gen("proftpd"), (("proftpd", "proftpd"),)),
        C("zstd-binary", "zstd-binary", ("**/zstd",), contents(rb"\x00v(?P<version>" + _N + rb")\x00"), "zstd", _gen("zstd"), (("facebook", "zstandard"),)),
        C("xz-binary", "xz-binary", ("**/xz",), contents(rb"\x00xz \(XZ Utils\) (?P<version>" + _N + rb")\x00"), "xz", _gen("xz"), (("tukaani", "xz"),)),
        C(
            # [NUL]1.12[NUL], but not busybox's gzip applet
            "gzip-binary", "gzip-binary", ("**/gzip",), contents(rb"\x00(?P<version>\d+\.\d+)\x00", unless=rb"BusyBox v"),
            "gzip", _gen("gzip"), (("gnu", "gzip"),),
        ),
        C("sqlcipher-binary", "sqlcipher-binary", ("**/sqlcipher",), contents(rb"[^0-9]\x00(?P<version>" + _N + rb")\x00"), "sqlcipher", _gen("sqlcipher"), (("zetetic", "sqlcipher"),)),
        C("jq-binary", "jq-binary", ("**/jq",), contents(rb"\x00(?P<version>\d{1,3}\.\d{1,3}(?:\.\d+)?)\x00"), "jq", _gen("jq"), (("jqlang", "jq"),)),
        C(
            "chrome-binary", "chrome-binary", ("**/chrome",),
            contents(Rx(rb"\x00(?P<version>\d+\.\d+\.\d+\.\d+)\x00Default", anchors=(b"\x00Default",))),
            "chrome", _gen("chrome"), (("google", "chrome"),),
        ),
        C(
            # the version is in application.ini beside the firefox executable (Thunderbird's says Name=Thunderbird)
            "firefox-binary", "firefox-binary", ("**/application.ini",),
            contents(rb"(?s)\[App\].*?\nName=Firefox(?=\s).*?\nVersion=(?P<version>\d+\.\d+[0-9a-z.]*)"),
            "firefox", _gen("firefox"), (("mozilla", "firefox"),), sibling="firefox", max_size=64 * 1024,
        ),
        C("ffmpeg-binary", "ffmpeg-binary", ("**/ffmpeg",), contents(rb"%s version (?P<version>\d+\.\d+(?:\.\d+)?)"), "ffmpeg", _gen("ffmpeg"), (("ffmpeg", "ffmpeg"),)),
        C(
            "ffmpeg-library", "ffmpeg-library", ("**/libav*",),
            any_of(
                contents(rb"FFmpeg version (?P<version>\d+\.\d+(?:\.\d+)?)"),
                contents(rb"Lavc(?P<version>" + _N + rb")"),
                contents(rb"Lavf(?P<version>" + _N + rb")"),
            ),
            "ffmpeg", _gen("ffmpeg"), (("ffmpeg", "ffmpeg"),),
        ),
        C("ffmpeg-swresample", "ffmpeg-library", ("**/libswresample*",), contents(rb"FFmpeg version (?P<version>\d+\.\d+(?:\.\d+)?)"), "ffmpeg", _gen("ffmpeg"), (("ffmpeg", "ffmpeg"),)),
        C(
            "elixir-binary", "elixir-binary", ("**/elixir",),
            contents(rb"ELIXIR_VERSION=(?P<version>" + _N + rb"(?:-[a-z0-9]+(?:\.\d+)?)?)"),
            "elixir", _gen("elixir"), (("elixir-lang", "elixir"),),
        ),
        C(
            "elixir-library", "elixir-library", ("**/elixir/ebin/elixir.app",),
            contents(rb'\{vsn,"(?P<version>' + _N + rb'(?:-[a-z0-9]+(?:\.\d+)?)?)"\}'),
            "elixir", _gen("elixir"), (("elixir-lang", "elixir"),), max_size=1 << 20,
        ),
        C("istio-pilot-discovery", "istio-binary", ("**/pilot-discovery",), _ISTIO, "pilot-discovery", _gen("istio"), (("istio", "istio"),)),
        C("istio-pilot-agent", "istio-binary", ("**/pilot-agent",), _ISTIO, "pilot-agent", _gen("istio"), (("istio", "istio"),)),
        C("grafana-binary", "grafana-binary", ("**/grafana",), _GRAFANA, "grafana", _gen("grafana"), (("grafana", "grafana"),)),
        C("grafana-server-binary", "grafana-binary", ("**/grafana-server",), _GRAFANA_SERVER, "grafana", _gen("grafana"), (("grafana", "grafana"),)),
        C("envoy-binary", "envoy-binary", ("**/envoy",), _ENVOY, "envoy", _gen("envoy"), (("envoyproxy", "envoy"),)),
        _beat("filebeat"),
        _beat("metricbeat"),
        _beat("heartbeat"),
        _beat("packetbeat"),
        _beat("auditbeat"),
        C(
            "elastic-agent-binary", "elastic-agent-binary", ("**/elastic-agent",),
            any_of(
                contents(rb"enroll(?:: true)?(?P<version>" + _N + rb")-?header"),  # enroll8.19.4header / enroll: true9.4.2-header
                contents(rb"PM(?P<version>" + _N + rb"):https"),  # 04PM8.11.2:https
            ),
            "elastic-agent", _gen("elastic-agent"), (("elastic", "elastic_agent"),),
        ),
        # -- Java launchers: the first of the group that matches names the JVM ------------------------
        C("java-binary-graalvm", "java-binary", ("**/java",), _GRAAL, "graalvm", _gen("graalvm", "oracle"), (("oracle", "graalvm"),), group="java"),
        C(
            "java-binary-openjdk-zulu", "java-binary", ("**/java",),
            all_of(in_path("**/*zulu*/**"), any_of(contents(rb"\x00java" + _JAVA_X86), contents(_JAVA_ARM + rb"(?:openjdk|java)"))),
            "zulu", _gen("zulu", "azul"), (("azul", "zulu"),), group="java",
        ),
        C(
            # [NUL]openjdk[NUL]java[NUL]1.8[NUL]1.8.0_352-b08[NUL]
            "java-binary-openjdk-with-update", "java-binary", ("**/java",),
            any_of(
                contents(b"openjdk", rb"java\x00(?P<release>\d+[.0-9]*)\x00(?P<version>(?P<primary>\d+[^\x00]+)_(?P<update>[^\x00]+)-[^\x00]+)\x00"),
                contents(b"openjdk", rb"\x00(?P<release>\d+[.0-9]*)\x00+(?P<version>(?P<primary>\d+[^\x00]+)_(?P<update>[^\x00]+)-[^\x00]+)\x00+openjdk\x00java"),
            ),
            "openjdk", _gen("openjdk", "oracle"), (("oracle", "openjdk"),), cpe_update=True, group="java",
        ),
        C(
            "java-binary-openjdk", "java-binary", ("**/java",),
            any_of(contents(rb"\x00openjdk\x00java" + _JAVA_X86), contents(_JAVA_ARM + rb"openjdk\x00java")),
            "openjdk", _gen("openjdk", "oracle"), (("oracle", "openjdk"),), group="java",
        ),
        C(
            "java-binary-ibm", "java-binary", ("**/java",),
            all_of(in_path("**/ibm/**"), contents(rb"\x00java\x00+(?P<release>\d+[.0-9]+)\x00+(?P<version>\d+[-._a-zA-Z0-9]+)\x00")),
            "java", _gen("java", "ibm"), (("ibm", "java"),), group="java",
        ),
        C(
            "java-binary-openjdk-fallthrough", "java-binary", ("**/java",),
            contents(b"openjdk", rb"\x00(?P<version>\d+[.0-9]+[+][-0-9]+)\x00"),
            "jre", _gen("jre", "oracle"), (("oracle", "jre"),), group="java",
        ),
        C(
            # [NUL]19.0.1+10-21[NUL] ; java[NUL]1.8[NUL]1.8.0_451-b10[NUL]
            "java-binary-oracle", "java-binary", ("**/java",),
            contents(rb"\x00(?P<version>\d+\.\d+\.[-._+a-zA-Z0-9]+)\x00"),
            "jre", _gen("jre", "oracle"), (("oracle", "jre"),), group="java",
        ),
        C("java-jdb-binary-graalvm", "java-jdb-binary", ("**/jdb",), _GRAAL, "graalvm", _gen("graalvm", "oracle"), (("oracle", "graalvm_for_jdk"),), group="jdb"),
        C(
            "java-jdb-binary-openjdk", "java-jdb-binary", ("**/jdb",),
            any_of(contents(rb"\x00openjdk\x00(?:java|jdb)" + _JAVA_X86), contents(_JAVA_ARM + rb"openjdk\x00(?:java|jdb)")),
            "openjdk", _gen("openjdk", "oracle"), (("oracle", "openjdk"),), group="jdb",
        ),
        C(
            "java-jdb-binary-openjdk-zulu", "java-jdb-binary", ("**/jdb",),
            all_of(in_path("**/*zulu*/**"), any_of(contents(rb"\x00openjdk\x00(?:java|jdb)" + _JAVA_X86), contents(_JAVA_ARM + rb"openjdk\x00(?:java|jdb)"))),
            "zulu", _gen("zulu", "azul"), (("azul", "zulu"),), group="jdb",
        ),
        C(
            "java-sdk-binary-ibm", "java-jdb-binary", ("**/jdb",),
            all_of(in_path("**/ibm/**"), contents(rb"(?s)\x00java\x00.+?\x00(?P<version>\d+[-._a-zA-Z0-9]+)\x00")),
            "java_sdk", _gen("java_sdk", "ibm"), (("ibm", "java_sdk"),), group="jdb",
        ),
        C(
            "java-jdb-binary-openjdk-fallthrough", "java-jdb-binary", ("**/jdb",), contents(b"openjdk", _JDK_VERSION),
            "openjdk", _gen("openjdk", "oracle"), (("oracle", "openjdk"),), group="jdb",
        ),
        C("java-binary-jdk", "java-jdb-binary", ("**/jdb",), contents(_JDK_VERSION), "jdk", _gen("jdk", "oracle"), (("oracle", "jdk"),), group="jdb"),
    )
