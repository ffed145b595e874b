"""An npm/yarn/pnpm/npx/corepack command installs a package without an exact version.

## What it does
Flags `npm install|i|add x`, `yarn add x`, `yarn global add x`, `pnpm add x`, `npx x`,
`corepack prepare x` where the package has no exact version: no `@`, `@latest`, `@^1`, a git
reference at a branch or without a ref, a URL without a version or hash. A tag or a short
commit id pins the name but not the bytes and is judged like `@1.2.3`.

## Why is this bad?
The npm registry serves the newest matching release at build time; a cached layer and a fresh
build get different code, and every transitive dependency floats with it.

## Example
```dockerfile
RUN npm install -g typescript
```

## Use instead
```dockerfile
RUN npm install -g typescript@5.6.3
```
or, better, list it in package.json with a lockfile and run `npm ci`.
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.rules._judge import unpinned
from pinaudit.site_context import SiteSource


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.NPM and site.action is Action.INSTALL \
            and site.source_kind is not SiteSource.PACKAGE_JSON:
        return unpinned(site, f"{site.installer} package")
    return None


RULE = rule("PIN301", "npm-install-unpinned", Severity.ERROR, Category.UNPINNED, __doc__)(_check)
