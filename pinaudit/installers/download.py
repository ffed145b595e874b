"""Download-then-run: ``curl … | sh``, ``bash <(curl …)``, ``eval "$(curl …)"``, and a file fetched
by curl/wget, a cloud storage copy (:mod:`pinaudit.installers._cloud`: ``gsutil cp``, ``aws s3 cp``...)
or ADD that a later command executes, in the same RUN or a later one -- or installs: a ``.deb``,
``.rpm``, wheel or sdist handed to dpkg, rpm, apt, yum/dnf, pip (its maintainer scripts or build
run as root, and nothing checked what the URL served).

Quirks that decide a verdict:

* The hole is the missing check, not the URL: what a URL serves changes without notice (a new
  release, a compromised host), so a fetch that is executed unverified is flagged whatever the URL
  looks like, unless the URL itself names a commit id (raw file at a commit), which fixes the bytes.
* A checksum or signature verified between download and execution (``sha256sum -c``, ``echo "<hash>
  file" | sha256sum -c -``, ``shasum -a 256 -c``, ``gpg --verify``) closes the hole. When the check
  does not say which file it covers (a checksum list we cannot read), every file fetched so far is
  taken as covered: this module errs towards silence, never towards a guessed finding.
* curl writes to stdout unless ``-o FILE``/``-O``; wget writes to the URL's basename unless
  ``-O FILE`` (``-O-``/``-qO-`` is stdout) or ``-P DIR``.
* An interpreter runs its stdin only when no script is named (or ``-``/``-s`` is given) and no
  ``-c``/``-e``/``-m`` supplies the code: ``curl … | tar x`` or ``curl … | sh -c 'cat > f'`` runs
  nothing downloaded.
* A downloaded binary in a PATH directory (``curl -o /usr/local/bin/tool``) runs by its bare name.
"""

from __future__ import annotations

import posixpath
import re

from pinaudit.installers._cloud import COMMANDS as CLOUD
from pinaudit.installers._cloud import Fetch, cloud_fetch
from pinaudit.installers._common import Option, SiteBuilder, flags, parse, split_fields, unquoted_raw
from pinaudit.model import Action, Ecosystem, InstallSite, Pin
from pinaudit.vcs_refs import url_names_commit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.installers.interface import InstallContext
    from pinaudit.parse.shell import Command, Word

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "fish"})
INTERPRETERS = frozenset({"perl", "ruby", "node", "php", "pwsh", "python", "python2", "python3"})
FETCHERS = frozenset({"curl", "wget"})
CHECKSUMS = frozenset({"sha256sum", "sha512sum", "sha384sum", "sha224sum", "sha1sum", "md5sum", "b2sum",
                       "shasum", "cksum"})
SIGNATURES = frozenset({"gpg", "gpg2", "gpgv", "cosign", "minisign", "signify"})
COMMANDS: frozenset[str] = (SHELLS | INTERPRETERS | FETCHERS | CLOUD | CHECKSUMS | SIGNATURES
                            | frozenset({"eval", "source", "."}))

CURL_FLAGS = flags(
    "-o", "--output", "-H", "--header", "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode",
    "-X", "--request", "-u", "--user", "-A", "--user-agent", "-e", "--referer", "-x", "--proxy",
    "--connect-timeout", "-m", "--max-time", "--retry", "--retry-delay", "--retry-max-time", "-w",
    "--write-out", "-C", "--continue-at", "-r", "--range", "-T", "--upload-file", "-F", "--form", "-b",
    "--cookie", "-c", "--cookie-jar", "--cacert", "--capath", "--cert", "--key", "-K", "--config",
    "--resolve", "--limit-rate", "--proto", "--proto-redir", "--output-dir", "--url", "--interface",
    "--dns-servers", "-z", "--time-cond", "--max-filesize", "--max-redirs", "-Y", "--speed-limit", "-y",
    "--speed-time", "-E", "--oauth2-bearer", "--expect100-timeout", "--ciphers", "--netrc-file",
)
WGET_FLAGS = flags(
    "-O", "--output-document", "-P", "--directory-prefix", "-o", "--output-file", "-a", "--append-output",
    "-t", "--tries", "-T", "--timeout", "-U", "--user-agent", "--header", "--post-data", "--post-file",
    "-e", "--execute", "-i", "--input-file", "--user", "--password", "--http-user", "--http-password",
    "-w", "--wait", "--limit-rate", "--ca-certificate", "--certificate", "--private-key", "-B", "--base",
    "--bind-address", "-Q", "--quota", "-l", "--level", "-A", "-R", "-D", "-X", "-I", "--referer",
    "--max-redirect", "--dns-timeout", "--connect-timeout", "--read-timeout",
)
SHELL_FLAGS = flags("-o", "-O", "+o", "--rcfile", "--init-file", "-W", "-X")

def _code_options(name: str) -> tuple[str, ...]:
    """Options that hand the interpreter its code (for shells, -e is errexit, not code)."""
    if name in SHELLS:
        return ("-c",)
    if name.startswith("python"):
        return ("-c", "-m")
    return ("-e", "-E", "--eval", "-p", "--print", "-r", "-Command", "-c")

PATH_DIRS = frozenset({"/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin"})
_HEX = re.compile(r"\b[0-9a-fA-F]{32,128}\b")


def _fetch(cmd: Command) -> tuple[Word | None, str | None]:
    """(URL word, destination): destination '-' is stdout; None when nothing is fetched."""
    is_curl = cmd.name == "curl"
    args = parse(split_fields(cmd.argv[1:]), CURL_FLAGS if is_curl else WGET_FLAGS)
    urls = [w for w in [*args.positionals, *args.rest]]
    url_opt = args.last("--url")
    if url_opt is not None and url_opt.value_word is not None:
        urls.insert(0, url_opt.value_word)
    if not urls:
        return None, None
    # the first word that reads as a URL (`wget /usr/src/x.deb https://…` fetches the second)
    url = next((w for w in urls if "://" in _text(w)), urls[0])
    base = posixpath.basename(_text(url).split("?", 1)[0].split("#", 1)[0].rstrip("/"))
    if is_curl:
        out = args.last("-o", "--output")
        if out is not None:
            dest = _option_text(out)
        elif args.has("-O", "--remote-name", "--remote-name-all"):
            dest = base or None
        else:
            return url, _stdout_target(cmd)
        outdir = args.last("--output-dir")
        if dest and dest != "-" and outdir is not None and outdir.value:
            dest = posixpath.join(outdir.value, dest)
        return url, dest
    out = args.last("-O", "--output-document")
    if out is not None:
        return url, _stdout_target(cmd) if out.value == "-" else _option_text(out)
    prefix = args.last("-P", "--directory-prefix")
    if not base:
        return url, None
    return url, posixpath.join(prefix.value, base) if prefix is not None and prefix.value else base


def _stdout_target(cmd: Command) -> str:
    """Where the fetch's stdout goes: the file of ``> FILE`` (the last one wins), else '-'."""
    for op, word in reversed(cmd.redirects):
        if op in (">", ">>", ">|", "1>", "1>>", "&>", "&>>") and word.value:
            return word.value
    return "-"


def _norm(path: str, ctx: InstallContext) -> str:
    if path.startswith("~"):
        return path
    return posixpath.normpath(posixpath.join(ctx.workdir or "/", path))


def _text(word: Word) -> str:
    """A path or URL as the shell gives it, or as written when a variable we cannot know decides
    it: the same unknown text at the download and at the install is the same file
    (``curl -LO …/$FILE && dpkg -i "$FILE"``)."""
    return word.value if word.value is not None else unquoted_raw(word)


def _option_text(opt: Option) -> str | None:
    """An option's value as :func:`_text` reads a word (``-o "$F"``, ``-o$F``, ``--output=$F``)."""
    if opt.value is not None or opt.value_word is None:
        return opt.value
    raw = unquoted_raw(opt.value_word)
    if raw.startswith("--") and "=" in raw:  # --output=VALUE
        return raw.partition("=")[2]
    if raw.startswith("-") and not raw.startswith("--") and len(raw) > 2:  # -oVALUE
        return raw[2:]
    return raw


def _lookup(word: Word, ctx: InstallContext, *, as_program: bool = False) -> str | None:
    """The fetched path that ``word`` names, if any."""
    v = _text(word)
    if not v or not ctx.downloads.fetched:
        return None
    fetched = ctx.downloads.fetched
    if "/" in v or not as_program:
        key = _norm(v, ctx)
        if key in fetched:
            return key
        # a `cd` we cannot follow between download and run: fall back to the file name
        same = [k for k in fetched if posixpath.basename(k) == posixpath.basename(v)]
        return same[0] if len(same) == 1 else None
    same = [k for k in fetched if posixpath.dirname(k) in PATH_DIRS and posixpath.basename(k) == v]
    return same[0] if same else None


def _pin(url: str | None, verified: bool) -> tuple[Pin, str]:
    if verified:
        return Pin.IMMUTABLE, "its checksum is verified before it runs"
    if url and url_names_commit(url):
        return Pin.IMMUTABLE, "the URL is pinned to a commit id"
    return Pin.UNPINNED, "nothing checks what the URL serves before it runs"


def _site(b: SiteBuilder, url: str | None, at: Word, verified: bool = False, extra: str = "") -> InstallSite:
    """``at``: the URL word itself when it is on this command line (piped or substituted into the
    shell: a finding sits on the physical line of its package token, the URL, not on ``| sh`` two
    lines down), else where the file fetched earlier runs."""
    pin, detail = _pin(url, verified)
    spec = url if url is not None else at.raw
    return b.site(Action.DOWNLOAD_EXEC, url, spec, pin, at, detail="; ".join(x for x in (extra, detail) if x))


def _fetch_of(cmd: Command) -> Fetch | None:
    """What ``cmd`` downloads and where it lands: curl, wget, or a cloud storage copy."""
    if cmd.name in FETCHERS:
        url, dest = _fetch(cmd)
        return Fetch(url, url.value, (dest,)) if url is not None and dest is not None else None
    if cmd.name in CLOUD:
        return cloud_fetch(cmd)
    return None


def _stdout_fetch(cmds: tuple[Command, ...]) -> tuple[Command, Word] | None:
    for c in cmds:
        found = _fetch_of(c)
        if found is not None and "-" in found.dests:
            return c, found.word
    return None


def _interpreter(cmd: Command) -> bool:
    name = cmd.name
    return name in SHELLS or name in INTERPRETERS or bool(re.fullmatch(r"python\d+(\.\d+)?", name))


def _record(cmd: Command, ctx: InstallContext) -> None:
    found = _fetch_of(cmd)
    if found is None:
        return
    # a URL built from an unknown variable is still fetched: kept as written, judged as the same
    # URL piped into a shell is (`curl "https://x/${V}/i.sh" | sh`)
    url = found.url if found.url is not None else found.word.raw
    for dest in found.dests:
        if dest != "-":
            key = _norm(dest, ctx)
            ctx.downloads.fetched[key] = url
            ctx.downloads.verified.discard(key)


def _verify(cmd: Command, ctx: InstallContext) -> None:
    name = cmd.name
    words = [w for w in cmd.argv[1:]]
    texts = [w.value or w.raw for w in words]
    if name in CHECKSUMS:
        if not any(t in ("-c", "--check") or re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", t)
                   for t in texts):
            return
        for src in cmd.stdin_from:
            texts.extend(w.value or w.raw for w in src.argv)
        if cmd.stdin_text is not None:
            texts.append(cmd.stdin_text.text)
    elif name in SIGNATURES:
        if not any(t in ("--verify", "verify-blob", "-V", "--verify-files") or t.startswith("verify") for t in texts):
            return
        texts.extend(t.removesuffix(".asc").removesuffix(".sig") for t in list(texts))
    else:
        return
    blob = " ".join(texts)
    named = [k for k in ctx.downloads.fetched
             if k in blob or re.search(rf"(^|[\s/*]){re.escape(posixpath.basename(k))}($|\s)", blob)]
    ctx.downloads.verified.update(named or ctx.downloads.fetched)
    ctx.downloads.checked.update(named)


def sites(cmd: Command, ctx: InstallContext) -> list[InstallSite]:
    name = cmd.name
    if name in FETCHERS or name in CLOUD:
        _record(cmd, ctx)
        return []
    if name in CHECKSUMS or name in SIGNATURES:
        _verify(cmd, ctx)
        return []
    if not cmd.argv:
        return []
    program = cmd.argv[0]
    b = SiteBuilder(Ecosystem.DOWNLOAD, name or program.raw, ctx.path)
    if name in ("eval", "source", "."):
        for w in cmd.argv[1:]:
            found = _stdout_fetch(w.substitutions)
            if found:
                return [_site(b, found[1].value, found[1])]
        if name != "eval" and len(cmd.argv) > 1:
            key = _lookup(cmd.argv[1], ctx)
            if key is not None:
                return [_site(b, ctx.downloads.fetched[key], cmd.argv[1],
                              key in ctx.downloads.verified)]
        return []
    installed = _installed_files(cmd, b, ctx)
    if installed is not None:
        return installed
    if _interpreter(cmd):
        return _interpreted(cmd, b, ctx)
    key = _lookup(program, ctx, as_program=True)
    if key is not None:
        return [_site(b, ctx.downloads.fetched[key], program, key in ctx.downloads.verified)]
    return []


def _interpreted(cmd: Command, b: SiteBuilder, ctx: InstallContext) -> list[InstallSite]:
    args = parse(split_fields(cmd.argv[1:]), SHELL_FLAGS)
    code = [o for o in args.options if o.name in _code_options(cmd.name)]
    for o in code:  # sh -c "$(curl …)", python3 -c "$(curl …)"
        target = o.value_word if o.value_word is not None else None
        if target is None and args.positionals:
            target = args.positionals[0]  # -c given as part of a cluster (-ec): the code is the next word
        if target is not None:
            found = _stdout_fetch(target.substitutions)
            if found:
                return [_site(b, found[1].value, found[1])]
    if code:
        return []
    script = args.positionals[0] if args.positionals else None
    reads_stdin = args.has("-s") or script is None or script.value == "-"
    if reads_stdin:
        found = _stdout_fetch(cmd.stdin_from)
        if found:
            return [_site(b, found[1].value, found[1], extra=f"piped from {found[0].name}")]
        return []
    assert script is not None
    found = _stdout_fetch(script.substitutions)  # bash <(curl …)
    if found:
        return [_site(b, found[1].value, found[1])]
    key = _lookup(script, ctx)
    if key is not None:
        return [_site(b, ctx.downloads.fetched[key], script, key in ctx.downloads.verified)]
    return []


# package files that an installer unpacks and whose scripts (maintainer scripts, setup.py) it runs
PACKAGE_FILES = (".deb", ".rpm", ".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip", ".apk", ".gem", ".egg")
_RPM_INSTALL = re.compile(r"-[a-zA-Z]*[iUF][a-zA-Z]*|--(install|upgrade|freshen|reinstall)")
_INSTALL_VERBS = frozenset({"install", "localinstall", "reinstall", "upgrade", "add", "i"})


def _installs_files(cmd: Command) -> str | None:
    """The installer (``dpkg``, ``pip``...) when ``cmd`` installs the package files named on its
    command line: ``dpkg -i``, ``rpm -i/-U/-F``, and an ``install``/``add`` of apt, yum/dnf,
    zypper, apk, pip (``python -m pip`` too), gem, npm."""
    from pinaudit.installers.programs import owner_of

    values = [w.value or "" for w in cmd.argv[1:]]
    name = cmd.name
    if name == "dpkg":
        dpkg = any(v in ("-i", "--install", "--unpack") or re.fullmatch(r"-[a-zA-Z]*i[a-zA-Z]*", v) for v in values)
        return name if dpkg else None
    if name == "rpm":
        return name if any(_RPM_INSTALL.fullmatch(v) for v in values) else None
    if _interpreter(cmd) and values[:2] == ["-m", "pip"]:
        name, values = "pip", values[2:]
    elif owner_of(name) not in ("apt", "yum", "apk", "pip", "gem", "npm"):
        return None
    return name if any(v in _INSTALL_VERBS for v in values if not v.startswith("-")) else None


def _installed_files(cmd: Command, b: SiteBuilder, ctx: InstallContext) -> list[InstallSite] | None:
    """The downloaded package files that ``cmd`` installs: each runs like a downloaded script. None
    when it installs none (the other checks go on)."""
    installer = _installs_files(cmd) if ctx.downloads.fetched else None
    if installer is None:
        return None
    out: list[InstallSite] = []
    for word in cmd.argv[1:]:
        v = _text(word)
        # a name a variable hides is still a file when written as a path (`./$FILE`) or given to
        # dpkg/rpm, which install nothing else
        unknown_file = word.value is None and (v.startswith(("./", "/", "../")) or installer in ("dpkg", "rpm"))
        if not v or not (v.lower().endswith(PACKAGE_FILES) or unknown_file):
            continue
        key = _lookup(word, ctx)
        if key is not None:
            out.append(_site(b, ctx.downloads.fetched[key], word, key in ctx.downloads.verified,
                             extra=f"installed by {installer}, which runs its scripts"))
    return out or None
