"""`npm install` (or `yarn install`, `pnpm install`) that may rewrite the lockfile.

## What it does
Flags `npm install` with no packages, `yarn`/`yarn install` without `--frozen-lockfile` (classic)
or `--immutable` (berry), and `pnpm install` without `--frozen-lockfile`, in Dockerfiles and
scripts. `npm ci` and `npm run ci` are not flagged (subcommands are found by position). pnpm
freezes the lockfile by default where `CI` is set (to anything but "" or "false"): in a GitHub
workflow step (the runner sets `CI=true`), after `ENV CI=1` or `ARG CI=true` in the stage, or as
`CI=1 pnpm install`, a plain `pnpm install` is not flagged, unless `--no-frozen-lockfile` says
otherwise.

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
        why = f" ({site.detail})" if site.detail else ""
        return Verdict(f"'{command}' may resolve afresh and rewrite the lockfile; use {instead}{why}")
    return None


RULE = rule("PIN302", "npm-install-without-lockfile", Severity.ERROR, Category.NO_LOCKFILE, __doc__)(_check)
