"""The lockfile is out of sync with package.json.

## What it does
Flags a package.json dependency that is missing from the lockfile beside it (or at the workspace
root), or locked to a version its spec no longer admits. Reported at the dependency's line. An
override that reaches the dependency (npm `overrides`, yarn `resolutions`, pnpm `overrides` or
`pnpm.overrides`; not one scoped under another package) decides what the lockfile holds instead:
an entry that matches the override is in sync.

## Why is this bad?
`npm ci` refuses to install from an out-of-sync lockfile, and `npm install` silently re-resolves
and rewrites it: either way the build does not install what the lockfile says.

## Example
```json
{"dependencies": {"express": "^5.0.0"}}
```
with `package-lock.json` still locking express 4.21.1.

## Use instead
Run `npm install` (or `yarn`, `pnpm install`) locally and commit the updated lockfile.
"""

from __future__ import annotations

from pinaudit.model import Category, Ecosystem, InstallSite, LockState, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.NPM and site.lock is LockState.DRIFT:
        why = site.detail or "the lockfile does not lock a version its spec admits"
        return Verdict(f"'{site.package}' ('{site.spec}'): lockfile out of sync: {why}")
    return None


RULE = rule("PIN304", "lockfile-drift", Severity.ERROR, Category.LOCKFILE_DRIFT, __doc__)(_check)
