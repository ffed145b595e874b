"""cargo install (and cargo binstall).

Quirks that decide a verdict:

* ``cargo install x`` takes the newest x. ``x@1.2.3``, ``--version 1.2.3`` and ``--version =1.2.3``
  are exact: unlike a Cargo.toml dependency, a bare ``1.2.3`` here means exactly that version.
  ``^1.2``, ``~1``, ``>=1`` are ranges.
* ``--git URL`` builds a repository: ``--rev <commit>`` fixes it, ``--tag`` names a release that can
  be moved, ``--branch`` or nothing follows a branch.
* ``cargo install`` ignores the crate's Cargo.lock unless ``--locked``: an exact crate version
  still resolves its dependencies afresh (the detail says so).
* ``--path DIR`` (or no crate at all) builds local source.
"""

from __future__ import annotations

import re

from pinaudit.installers._common import (
    SiteBuilder,
    flags,
    parse,
    split_fields,
    subcommand,
    variable_site,
)
from pinaudit.installers.programs import commands_of
from pinaudit.model import Action, Ecosystem, InstallSite, Pin
from pinaudit.vcs_refs import classify_ref

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import Command, Word

COMMANDS: frozenset[str] = commands_of("cargo")

FLAGS = flags(
    "--version", "--vers", "--git", "--branch", "--tag", "--rev", "--path", "--root", "--index",
    "--registry", "--target", "--target-dir", "--features", "-F", "-j", "--jobs", "--profile", "--bin",
    "--example", "--config", "-Z", "--color", "--message-format", "--manifest-path",
    # cargo binstall
    "--pkg-url", "--pkg-fmt", "--bin-dir", "--install-path", "--strategies", "--disable-strategies",
    "--min-tls-version", "--github-token", "--targets", "--rate-limit", "--log-level",
)
_EXACT = re.compile(r"=?\s*\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")


def _version_pin(req: str) -> tuple[Pin, str | None, str]:
    req = req.strip()
    if _EXACT.fullmatch(req):
        return Pin.EXACT, req.lstrip("=").strip(), ""
    return Pin.UNPINNED, None, f"'{req}' is a range"


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    _pre, verb, rest = subcommand(split_fields(cmd.argv[1:]), FLAGS)
    if verb is None or verb.value not in ("install", "binstall"):
        return []
    b = SiteBuilder(Ecosystem.CARGO, f"cargo {verb.value}", ctx.path)
    args = parse(rest, FLAGS)
    locked = args.has("--locked")
    lock_note = "" if locked else "without --locked its dependencies resolve at build time"
    out: list[InstallSite] = []
    path = args.last("--path")
    if path is not None and path.value_word is not None:
        return [b.site(Action.INSTALL, path.value or path.value_word.raw, path.value, Pin.LOCAL,
                       path.value_word)]
    git = args.last("--git")
    if git is not None and git.value_word is not None:
        rev, tag, branch = args.last("--rev"), args.last("--tag"), args.last("--branch")
        ref = rev or tag
        pin, detail = classify_ref(ref.value if ref else None)
        if tag is not None and pin is Pin.IMMUTABLE:
            pin = Pin.EXACT
        if branch is not None and ref is None:
            detail = f"--branch {branch.value} follows a branch, which moves"
        where = git.value_word
        names = [w.value or w.raw for w in args.positionals] or [git.value or where.raw]
        for name in names:
            out.append(b.site(Action.INSTALL, name, git.value, pin, where,
                              version=ref.value if ref else None,
                              detail="; ".join(x for x in (detail, lock_note) if x)))
        return out
    if not args.positionals:
        return []
    opt = args.last("--version", "--vers")
    for w in args.positionals:
        out.append(_crate(w, opt.value if opt else None, opt is not None, b, lock_note))
    return out


def _crate(word: Word, version: str | None, has_opt: bool, b: SiteBuilder, lock_note: str) -> InstallSite:
    v = word.value
    if v is None:
        return variable_site(b, Action.INSTALL, word, "@", version_elsewhere=has_opt)
    name, at, inline = v.partition("@")
    req = inline if at else version
    if has_opt and not at and version is None:
        return b.site(Action.INSTALL, name, v, Pin.UNKNOWN, word,
                      detail="its --version comes from a value not known at build time")
    if not req:
        return b.site(Action.INSTALL, name, v, Pin.UNPINNED, word)
    pin, exact, detail = _version_pin(req)
    if pin is Pin.EXACT:
        detail = lock_note
    return b.site(Action.INSTALL, name, v, pin, word, version=exact, detail=detail)
