"""gem (RubyGems).

Quirks that decide a verdict:

* ``gem install x`` installs the newest x; ``-v 2.5.6``/``--version=2.5.6`` or ``x:2.5.6`` fix it,
  while ``-v '~> 2.5'`` (pessimistic) and ``'>= 1'`` are ranges.
* ``-v`` applies to every gem of the command (RubyGems refuses several gems with one ``-v``, but
  the build then fails loudly, which is not our concern).
* Words after ``--`` are build options for native extensions, not gems.
* RubyGems accepts options we do not list (extension build flags, new releases); an unknown
  option followed by ``true``/``false`` or the like takes that word as its value, so ``true`` is
  never reported as a gem, while ``--no-document rails`` still finds ``rails``.
* ``bundle install`` installs from Gemfile.lock and is left to a Gemfile analyzer.
"""

from __future__ import annotations

import re

from pinaudit.installers._common import (
    SiteBuilder,
    flags,
    parse,
    split_fields,
    subcommand,
    unknown_detail,
    variable_site,
)
from pinaudit.installers.programs import commands_of
from pinaudit.model import Action, Ecosystem, InstallSite, Pin

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import Command, Word

COMMANDS: frozenset[str] = commands_of("gem")

FLAGS = flags(
    "-v", "--version", "-i", "--install-dir", "-n", "--bindir", "-s", "--source", "-p", "--http-proxy",
    "--platform", "--build-root", "-P", "--trust-policy", "--config-file", "--target-rbconfig",
    "--document", "--vendor", "-g", "--file",
    unknown_value=True,
)
_BOOL_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0"})
_EXACT = re.compile(r"=?\s*\d+(\.[0-9A-Za-z]+)*")


def _judge(word: Word, version: str | None, b: SiteBuilder) -> InstallSite:
    v = word.value
    if v is None:
        return variable_site(b, Action.INSTALL, word, ":", version_elsewhere=version is not None)
    if v.endswith(".gem"):
        return b.site(Action.INSTALL, v, v, Pin.LOCAL, word)
    name, colon, inline = v.partition(":")
    req = inline if colon else version
    if not req:
        return b.site(Action.INSTALL, name, v, Pin.UNPINNED, word)
    if _EXACT.fullmatch(req.strip()):
        exact = req.strip().lstrip("=").strip()
        return b.site(Action.INSTALL, name, v, Pin.EXACT, word, version=exact)
    return b.site(Action.INSTALL, name, v, Pin.UNPINNED, word, detail=f"'{req}' is a range")


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    _pre, verb, rest = subcommand(split_fields(cmd.argv[1:]), FLAGS)
    if verb is None or verb.value is None:
        return []
    b = SiteBuilder(Ecosystem.GEM, "gem", ctx.path)
    args = parse(rest, FLAGS, bool_value_words=_BOOL_WORDS)
    if verb.value in ("install", "i"):
        opt = args.last("-v", "--version")
        version = opt.value if opt else None
        if opt is not None and opt.value is None and opt.value_word is not None:
            return [b.site(Action.INSTALL, w.value or w.raw, w.value or w.raw, Pin.UNKNOWN, w,
                           detail=unknown_detail(opt.value_word)) for w in args.positionals]
        return [_judge(w, version, b) for w in args.positionals]
    if verb.value == "update":
        if args.has("--system"):
            if args.positionals:
                # `gem update --system 3.5.6` installs that RubyGems release
                return [b.site(Action.INSTALL, "rubygems-update", w.value or w.raw,
                               Pin.EXACT if w.value else Pin.UNKNOWN, w, version=w.value)
                        for w in args.positionals]
            return [b.site(Action.UPGRADE, None, "update --system", Pin.UNPINNED, verb)]
        if not args.positionals:
            return [b.site(Action.UPGRADE, None, verb.value, Pin.UNPINNED, verb)]
        return [_judge(w, None, b) for w in args.positionals]
    return []
