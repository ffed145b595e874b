"""``COPY --from=NAME`` where NAME is not a stage: a named build context, or an image?

BuildKit resolves ``--from=NAME`` (and ``RUN --mount=from=NAME``, and ``FROM NAME``) against the
build's *named contexts* before it treats NAME as an image: ``docker buildx build --build-context
NAME=…`` on a command line, or a bake file's ``contexts = { NAME = "…" }``. What such a name holds
is decided by the command line or the bake file, not by the Dockerfile, so the Dockerfile line is
not an image pull at all.

We read the names where a repository writes them (:func:`named_contexts`):

* ``docker-bake.hcl`` / ``docker-bake.json`` (and their ``.override`` siblings) in the Dockerfile's
  folder and every folder above it up to the repository root: each target's ``contexts`` keys
  (a small reading of HCL's ``contexts = { name = "…" }`` blocks; no HCL parser is needed for it);
* ``--build-context NAME=…`` in the repository's GitHub workflows and in the shell scripts and
  Makefiles of those same folders.

When no file names it, a name that no image reference could plausibly be (:func:`plausible_image`:
no registry host, no tag or digest, no slash, and not a Docker Hub official image such as
``composer`` or ``golang``) is most likely a context passed by a build script we cannot see, or a
stage of a Dockerfile template: "cannot be judged" (info), not an untagged image (error).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

_BAKE_FILES = ("docker-bake.hcl", "docker-bake.json", "docker-bake.override.hcl", "docker-bake.override.json")
_CONTEXTS_BLOCK = re.compile(r"\bcontexts\s*=\s*\{([^{}]*)\}", re.S)
_HCL_KEY = re.compile(r"""(?m)^\s*"?([A-Za-z0-9][A-Za-z0-9_.\-/]*)"?\s*[=:]""")
_BUILD_CONTEXT = re.compile(r"""--build-context(?:=|\s+)["']?([A-Za-z0-9][A-Za-z0-9_.\-/]*)=""")
_SCRIPT_SUFFIXES = (".sh", ".bash", ".mk")
_SCRIPT_NAMES = ("Makefile", "makefile", "GNUmakefile", "justfile", "Justfile")
_MAX_BYTES = 1 << 20

# Docker Hub's official images ("library/NAME"): a bare name among them is an image, not a context
OFFICIAL_IMAGES = frozenset({
    "adminer", "aerospike", "almalinux", "alpine", "alt", "amazoncorretto", "amazonlinux", "arangodb",
    "archlinux", "backdrop", "bash", "bonita", "buildpack-deps", "busybox", "caddy", "cassandra", "centos",
    "chronograf", "cirros", "clearlinux", "clickhouse", "clojure", "composer", "consul", "convertigo",
    "couchbase", "couchdb", "crate", "dart", "debian", "docker", "drupal", "eclipse-mosquitto",
    "eclipse-temurin", "eggdrop", "elasticsearch", "elixir", "emqx", "erlang", "fedora", "flink", "fluentd",
    "friendica", "gazebo", "gcc", "geonetwork", "ghost", "golang", "gradle", "groovy", "haproxy", "haskell",
    "haxe", "hello-world", "hitch", "httpd", "hylang", "ibm-semeru-runtimes", "ibmjava", "influxdb", "irssi",
    "jetty", "jenkins", "joomla", "jruby", "julia", "kapacitor", "kibana", "kong", "krakend", "liquibase",
    "logstash", "mageia", "mariadb", "matomo", "maven", "mediawiki", "memcached", "mongo", "mongo-express",
    "monica", "mono", "mysql", "nats", "neo4j", "neurodebian", "nextcloud", "nginx", "node", "notary", "odoo",
    "open-liberty", "openjdk", "oraclelinux", "orientdb", "percona", "perl", "photon", "php", "phpmyadmin",
    "plone", "postfixadmin", "postgres", "pypy", "python", "r-base", "rabbitmq", "rakudo-star", "redis",
    "redmine", "registry", "rethinkdb", "rocket.chat", "rockylinux", "ruby", "rust", "sapmachine", "satosa",
    "silverpeas", "solr", "sonarqube", "spark", "spiped", "storm", "swift", "swipl", "teamspeak", "telegraf",
    "tomcat", "tomee", "traefik", "ubuntu", "unit", "varnish", "websphere-liberty", "wordpress", "xwiki",
    "yourls", "znc", "zookeeper",
})  # fmt: skip


def plausible_image(reference: str) -> bool:
    """Whether ``reference`` reads as an image: it names a registry or an organisation (a slash),
    a tag or a digest, or it is a Docker Hub official image. A bare lower-case word that is none
    of those reads like a stage or a context name (``builder``, ``deps``, ``frontend-build``)."""
    return any(c in reference for c in "/:@") or reference in OFFICIAL_IMAGES


def named_contexts(dockerfile_dir: Path, repo_root: Path | None) -> frozenset[str]:
    """Lower-cased names of the build contexts the repository's bake files and build command lines
    define for builds of a Dockerfile in ``dockerfile_dir``."""
    return _named_contexts(dockerfile_dir.resolve(), repo_root.resolve() if repo_root is not None else None)


@functools.lru_cache(maxsize=256)
def _named_contexts(start: Path, root: Path | None) -> frozenset[str]:
    folders = [start]
    if root is not None and (start == root or root in start.parents):
        folders = [start, *[p for p in start.parents if p == root or root in p.parents]]
    names: set[str] = set()
    for folder in folders:
        names |= _folder_names(folder)
    names |= _workflow_names(root if root is not None else start)
    return frozenset(n.lower() for n in names)


@functools.lru_cache(maxsize=64)
def _workflow_names(top: Path) -> frozenset[str]:
    """The ``--build-context`` names of a repository's workflows: read once per repository, not
    once per folder that holds a Dockerfile."""
    names: set[str] = set()
    workflows = top / ".github" / "workflows"
    if workflows.is_dir():
        for path in sorted(workflows.iterdir()):
            if path.suffix in (".yml", ".yaml"):
                names |= _build_context_flags(path)
    return frozenset(names)


@functools.lru_cache(maxsize=256)
def _folder_names(folder: Path) -> frozenset[str]:
    names: set[str] = set()
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return frozenset()
    for path in entries:
        if path.name in _BAKE_FILES:
            names |= _bake_contexts(path)
        elif path.suffix in _SCRIPT_SUFFIXES or path.name in _SCRIPT_NAMES:
            names |= _build_context_flags(path)
    return frozenset(names)


def _read(path: Path) -> str:
    try:
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return ""
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _bake_contexts(path: Path) -> set[str]:
    """The keys of every target's ``contexts`` in a bake file (HCL or JSON)."""
    text = _read(path)
    if path.suffix == ".json":
        import json  # only when a bake file is JSON: a plain Dockerfile scan never loads it

        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            return set()
        targets = doc.get("target") if isinstance(doc, dict) else None
        out: set[str] = set()
        for target in targets.values() if isinstance(targets, dict) else ():
            contexts = target.get("contexts") if isinstance(target, dict) else None
            if isinstance(contexts, dict):
                out.update(str(k) for k in contexts)
        return out
    text = re.sub(r"(?m)(#|//).*$", "", text)  # HCL comments
    return {m.group(1) for block in _CONTEXTS_BLOCK.finditer(text) for m in _HCL_KEY.finditer(block.group(1))}


def _build_context_flags(path: Path) -> set[str]:
    """NAME of every ``--build-context NAME=…`` written in a script or a workflow."""
    text = _read(path)
    return set(_BUILD_CONTEXT.findall(text)) if "--build-context" in text else set()
