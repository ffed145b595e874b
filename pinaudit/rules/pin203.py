"""An exact pip pin without a hash: the version is fixed, its bytes and dependencies are not.

## What it does
Flags requirements-file entries pinned with `==` but without `--hash`, and `pip install x==1.2.3`
on a command line without `--require-hashes` (with `--no-deps` the message says that only the
package's own files float). A VCS or URL reference that pins the name but not the bytes (a tag,
a short commit id, a file name with a version: SPEC §5 "VCS and URL references") is reported
here too, as an exact version is. When the file is in pip's hash-checking mode (one
entry has `--hash`, or `--require-hashes` is given), an entry without a hash is an error: pip
refuses the whole install at build time. Entries of a constraints file are not flagged: pip does
not enforce hashes given there, so the advice could not be followed.

## Why is this bad?
`x==1.2.3` fixes x, not what x depends on: those resolve afresh on every uncached build. And a
release's files can be replaced (a new wheel for the same version) or served by a compromised
mirror; only a hash fixes the bytes.

## Example
```text
requests==2.32.3
```

## Use instead
```text
requests==2.32.3 \
    --hash=sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6
```
with every dependency listed and hashed too (`pinaudit lock` or `pip-compile --generate-hashes`).
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, LockState, Pin, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.site_context import SiteSource
from pinaudit.vcs_refs import is_reference


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is not Ecosystem.PIP or site.action is not Action.INSTALL or site.hashed:
        return None
    if site.source_kind is SiteSource.PYTHON_PROJECT:
        return None  # a project file's exact pin: its lockfile (PIN206/PIN207) governs the rest
    if site.lock in (LockState.LOCKED, LockState.DRIFT):
        return None  # a lockfile (an environment file's conda-lock.yml) fixes it, or PIN705 says it does not
    name = site.package or site.spec
    ref = site.requirement is not None and is_reference(site.requirement.url, "pip")
    if ref and site.hash_required and site.pin in (Pin.EXACT, Pin.IMMUTABLE):
        return Verdict(
            f"'{name}' is a VCS or URL reference without a hash but pip is in hash-checking mode here: "
            "the install fails at build time",
            severity=Severity.ERROR,
        )
    if site.pin is not Pin.EXACT:
        return None
    if ref:  # a tag, a short commit id or a versioned file name: the detail says which
        return Verdict(f"'{name}': {site.detail}")
    if site.hash_required:
        return Verdict(
            f"'{name}' has no --hash but pip is in hash-checking mode here: the install fails at build time",
            severity=Severity.ERROR,
        )
    if site.source_kind is SiteSource.CONSTRAINTS:
        return None  # pip does not enforce a hash given in a constraints file: no advice to give
    if site.source_kind is SiteSource.REQUIREMENTS:
        return Verdict(f"'{site.spec}' is pinned without --hash: its files and dependencies can still change")
    if site.no_deps:
        return Verdict(f"'{site.spec}' is pinned but its files are not hash-checked (--no-deps: nothing else resolves)")
    return Verdict(
        f"'{site.spec}' is pinned but its own dependencies resolve at build time "
        "(install from a hashed lock file with --require-hashes)"
    )


RULE = rule("PIN203", "pip-pin-without-hash", Severity.WARNING, Category.NO_HASH, __doc__)(_check)
