"""`npm install` (or `yarn install`, `pnpm install`) that may rewrite the lockfile.

## What it does
Flags `npm install` with no packages, `yarn`/`yarn install` without `--frozen-lockfile` (classic)
or `--immutable` (berry), and `pnpm install` without `--frozen-lockfile`, in Dockerfiles and
scripts. `npm ci` and `npm run ci` are not flagged (subcommands are found by position).

## Why is this bad?
These commands resolve ranges from package.json when the lockfile is missing or out of date, and
update the lockfile instead of failing, so the image silently differs from what was tested.

## Example
```dockerfile
COPY package*.json ./
RUN npm install
```

## Use instead
```dockerfile
COPY package.json package-lock.json ./
RUN npm ci
```
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule

_INSTEAD = {"npm": "npm ci", "yarn": "yarn install --frozen-lockfile (or --immutable)",
            "pnpm": "pnpm install --frozen-lockfile"}  # fmt: skip


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.NPM and site.action is Action.LOCKLESS_INSTALL:
        instead = _INSTEAD.get(site.installer, "a frozen-lockfile install")
        spec = site.spec or "install"
        command = spec if spec.startswith(site.installer) else f"{site.installer} {spec}"
        return Verdict(f"'{command}' may resolve afresh and rewrite the lockfile; use {instead}")
    return None


RULE = rule("PIN302", "npm-install-without-lockfile", Severity.ERROR, Category.NO_LOCKFILE, __doc__)(_check)
