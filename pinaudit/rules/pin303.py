"""A package.json dependency is a range, a tag or a moving reference.

## What it does
Flags `dependencies`, `devDependencies`, `optionalDependencies`, `overrides`/`resolutions` and
`packageManager` entries given as a range (`^1.2.0`, `~1`, `>=2`), a tag (`latest`, `next`), `*`,
`x`, `""`, or a git/URL reference that is unpinned (a branch, no ref, a `semver:` range, a URL
without a version); a version-like tag, a short commit id or a versioned tarball pins the name
and is judged like an exact version. It is an error when no lockfile pins the
dependency and information when one does. `peerDependencies` are not installs and are ignored.

## Why is this bad?
Without a lockfile every `npm install` resolves the ranges afresh. With one, `npm ci` is
reproducible, but the range still decides what the next lockfile update brings.

## Example
```json
{"dependencies": {"express": "^4.18.0"}}
```

## Use instead
```json
{"dependencies": {"express": "4.21.1"}}
```
and commit the lockfile (`package-lock.json`, `yarn.lock` or `pnpm-lock.yaml`).
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, LockState, Pin, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.site_context import SiteSource
from pinaudit.vcs_refs import is_reference


def _check(site: InstallSite) -> Verdict | None:
    npm_dependency = site.ecosystem is Ecosystem.NPM and site.action is Action.INSTALL
    if not (npm_dependency and site.source_kind is SiteSource.PACKAGE_JSON):
        return None
    if site.lock is LockState.DRIFT:
        return None  # PIN304 says the sharper thing
    if site.pin is Pin.UNPINNED:
        said = f"'{site.package}' is '{site.spec}'"
        # pnpm: the catalog holds the range; a git/URL reference: the policy says why it is unpinned
        catalog = bool(site.spec and site.spec.startswith("catalog:"))
        if site.detail and (catalog or is_reference(site.spec, "npm")):
            said += f" ({site.detail.split(';')[0]})"
        if site.lock is LockState.LOCKED:
            return Verdict(f"{said}, pinned only by the lockfile", severity=Severity.INFO)
        return Verdict(f"{said} and no lockfile pins it")
    if site.pin is Pin.UNKNOWN:
        return Verdict(f"'{site.package}': {site.detail or 'spec cannot be judged'}", severity=Severity.INFO)
    return None


RULE = rule("PIN303", "package-json-range", Severity.ERROR, Category.UNPINNED, __doc__)(_check)
