"""A package.json with dependencies and no lockfile at all.

## What it does
Reports a package.json that declares dependencies when neither it nor its workspace root has a
`package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock` or `pnpm-lock.yaml`.

## Why is this bad?
Even when every dependency is exact, their own dependencies are ranges: without a lockfile each
install resolves the whole tree afresh.

## Example
A repository with `package.json` and no lockfile beside it.

## Use instead
Run `npm install --package-lock-only` (or `yarn`, `pnpm install`) and commit the lockfile; install
with `npm ci` in the Dockerfile.
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, LockState, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.NPM and site.action is Action.MANIFEST and site.lock is LockState.NO_LOCKFILE:
        return Verdict("package.json has dependencies but no lockfile: the whole dependency tree floats")
    return None


RULE = rule("PIN306", "package-json-no-lockfile", Severity.WARNING, Category.NO_LOCKFILE, __doc__)(_check)
