"""``--cache-from-git``: each layer's cache date inferred from git history, as Docker's layer cache
decides it.

A layer stays cached until its instruction text changes, a file that a ``COPY``/``ADD`` (or a
``RUN --mount=type=bind``) feeds it from the build context changes, or any earlier layer of its
stage (or of a stage it copies from) is rebuilt. So each instruction gets a *cache key* chained
from the previous one, with the content of its context sources (their git blob ids) folded in;
walking the commits that touched the build context from HEAD backwards, a layer's key at HEAD was
first produced by the oldest commit of the unbroken run of commits with the same key. That
commit's date is when a machine that builds every commit last had to rebuild the layer: its cache
is "no earlier than" that date.

Files are read at each commit through :class:`GitTree`, a read-only build context over ``git
ls-tree``/``git show`` (the same protocol as the analyzers' build contexts): nothing is checked
out, and the work tree is never touched. Not modelled: base-image re-pulls (a cached laptop keeps
the base image it pulled; the FROM text is the key) and ``.dockerignore`` negations (``!``).
"""

from __future__ import annotations

import fnmatch
import hashlib
import posixpath
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.analyzers.build_context import BuildContext

__all__ = ["GitError", "GitTree", "LayerCache", "layer_cache_dates"]


class GitError(Exception):
    """Not a git repository, or git failed: a usage error for --cache-from-git."""


def _git(repo: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=120,
                              env=_git_env())
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"git could not be run: {exc}") from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.strip() or f"git {' '.join(args)} failed")
    return proc.stdout


def _git_env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in ("GIT_CONFIG_NOSYSTEM",)}
    env["GIT_OPTIONAL_LOCKS"] = "0"
    return env


class GitTree:
    """The files of a commit as a read-only build context rooted at ``root`` (a folder of the work
    tree): ``read_text``, ``is_file``, ``is_dir``, ``resolve`` as the analyzers' build contexts
    have them, plus ``blobs`` (path -> blob id, the content key Docker's cache compares)."""

    def __init__(self, repo: Path, commit: str, root: Path) -> None:
        self.repo = repo
        self.commit = commit
        self._root = root
        self._prefix = root.resolve().relative_to(repo.resolve()).as_posix()
        self._prefix = "" if self._prefix == "." else self._prefix
        self._blobs: dict[str, str] | None = None

    @property
    def root(self) -> Path:
        return self._root

    def blobs(self) -> dict[str, str]:
        """Every file below the root at this commit: path relative to the root -> blob id."""
        if self._blobs is None:
            out = _git(self.repo, "ls-tree", "-r", "-z", "--full-tree", self.commit, "--",
                       *([self._prefix] if self._prefix else []))
            blobs: dict[str, str] = {}
            for entry in out.split("\0"):
                if not entry:
                    continue
                meta, _, path = entry.partition("\t")
                parts = meta.split()
                if len(parts) == 3 and parts[1] == "blob":
                    rel = posixpath.relpath(path, self._prefix) if self._prefix else path
                    blobs[rel] = parts[2]
            self._blobs = blobs
        return self._blobs

    def _rel(self, path: Path) -> str:
        p = path if path.is_absolute() else (self._root / path)
        return posixpath.normpath(Path(p).resolve().relative_to(self._root.resolve()).as_posix())

    def read_text(self, path: Path, *, max_bytes: int | None = None) -> str:
        rel = self._rel(path)
        blob = self.blobs().get(rel)
        if blob is None:
            raise FileNotFoundError(2, "No such file or directory", str(path))
        data = _git(self.repo, "cat-file", "blob", blob)
        if max_bytes is not None and len(data.encode()) > max_bytes:
            from pinaudit.analyzers.build_context import FileTooLarge

            raise FileTooLarge(f"{path.name} is larger than {max_bytes} bytes")
        return data

    def is_file(self, path: Path) -> bool:
        return self._rel(path) in self.blobs()

    def is_dir(self, path: Path) -> bool:
        rel = self._rel(path)
        return rel == "." or any(p.startswith(rel + "/") for p in self.blobs())

    def resolve(self, path: Path) -> Path:
        return (self._root / self._rel(path)).resolve() if not path.is_absolute() else path


if TYPE_CHECKING:
    def _is_a_build_context(tree: GitTree) -> BuildContext:  # mypy checks GitTree against the protocol
        return tree


@dataclass(frozen=True)
class LayerCache:
    """When a layer was last rebuilt on a machine that built every commit."""

    layer: int  # instruction index
    commit: str
    date: datetime  # the commit's committer date, UTC
    subject: str


def _commits(repo: Path, paths: Sequence[str]) -> list[tuple[str, datetime, str]]:
    out = _git(repo, "log", "--format=%H%x00%ct%x00%s", "HEAD", "--", *paths)
    commits = []
    for line in out.splitlines():
        sha, ct, subject = [*line.split("\0"), "", ""][:3]
        if sha:
            commits.append((sha, datetime.fromtimestamp(int(ct), tz=timezone.utc), subject))
    return commits


def _dockerignore(tree: GitTree) -> list[str]:
    try:
        text = tree.read_text(tree.root / ".dockerignore")
    except (OSError, ValueError):
        return []
    return [ln.strip().lstrip("/") for ln in text.splitlines() if ln.strip() and not ln.startswith(("#", "!"))]


def _sources(tree: GitTree, patterns: Sequence[str], ignore: Sequence[str]) -> list[tuple[str, str]]:
    blobs = tree.blobs()
    picked: set[str] = set()
    for raw in patterns:
        pat = posixpath.normpath(raw.lstrip("/")) if raw not in (".", "./", "/") else "."
        for path in blobs:
            if pat == "." or path == pat or path.startswith(pat + "/") or fnmatch.fnmatchcase(path, pat):
                picked.add(path)
    kept = [p for p in picked if not any(fnmatch.fnmatchcase(p, g) or p.startswith(g.rstrip("/") + "/")
                                         for g in ignore)]
    return sorted((p, blobs[p]) for p in kept)


def layer_keys(dockerfile_text: str, tree: GitTree | None) -> list[str]:
    """One chained cache key per instruction (index = layer)."""
    from pinaudit.parse.dockerfile import DockerfileSyntaxError
    from pinaudit.parse.dockerfile import parse as parse_dockerfile

    try:
        ast = parse_dockerfile(dockerfile_text)
    except DockerfileSyntaxError:
        return []
    ignore = _dockerignore(tree) if tree is not None else []
    keys: list[str] = []
    stage_last: dict[str, str] = {}  # stage name or index -> its last key
    names: dict[int, str] = {}
    prev = ""
    stage = -1
    for instr in ast.instructions:
        h = hashlib.sha256()
        text = " ".join(instr.original.split())
        if instr.keyword == "FROM":
            stage += 1
            words = instr.args.text.split()
            parent = stage_last.get(words[0].lower(), "") if words else ""
            h.update(b"FROM\0" + parent.encode() + text.encode())
        else:
            h.update(prev.encode() + b"\0" + text.encode())
            sources: list[str] = []
            from_stage = next((f.value for f in instr.flags if f.name == "from" and f.value), None)
            if instr.keyword in ("COPY", "ADD"):
                if from_stage is not None:
                    h.update(stage_last.get(from_stage.lower(), "").encode())
                elif instr.json_args is not None:
                    sources = [a for a, _s in instr.json_args[:-1]]
                else:
                    sources = instr.args.text.split()[:-1]
            for f in instr.flags:
                if f.name == "mount" and f.value and "type=bind" in f.value:
                    opts = dict(o.partition("=")[::2] for o in f.value.split(","))
                    if "from" in opts:
                        h.update(stage_last.get(opts["from"].lower(), "").encode())
                    else:
                        sources.append(opts.get("source", opts.get("src", ".")))
            if sources and tree is not None:
                for path, blob in _sources(tree, [s for s in sources if "://" not in s], ignore):
                    h.update(f"\0{path}\0{blob}".encode())
        prev = h.hexdigest()
        keys.append(prev)
        if instr.keyword == "FROM":
            words = instr.args.text.split()
            if len(words) >= 3 and words[1].lower() == "as":
                names[stage] = words[2].lower()
        stage_last[str(stage)] = prev
        if stage in names:
            stage_last[names[stage]] = prev
    return keys


def layer_cache_dates(dockerfile: Path, context: Path) -> dict[int, LayerCache]:
    """Per instruction index of ``dockerfile`` at HEAD: the commit that last invalidated its layer."""
    dockerfile = dockerfile.resolve()
    context = context.resolve()
    repo = Path(_git(dockerfile.parent, "rev-parse", "--show-toplevel").strip())
    rel_file = dockerfile.relative_to(repo).as_posix()
    rel_ctx = context.relative_to(repo).as_posix()
    commits = _commits(repo, [rel_file, rel_ctx if rel_ctx != "." else "."])
    if not commits:
        raise GitError(f"{rel_file} has no commits")
    keyed: list[tuple[tuple[str, datetime, str], list[str]]] = []
    for commit in commits:
        sha = commit[0]
        try:
            text = _git(repo, "show", f"{sha}:{rel_file}")
        except GitError:
            keyed.append((commit, []))
            continue
        keyed.append((commit, layer_keys(text, GitTree(repo, sha, context))))
    head_keys = keyed[0][1]
    out: dict[int, LayerCache] = {}
    for i, key in enumerate(head_keys):
        oldest = keyed[0][0]
        for commit, keys in keyed:
            if i < len(keys) and keys[i] == key:
                oldest = commit
            else:
                break
        out[i] = LayerCache(i, oldest[0], oldest[1], oldest[2])
    return out
