"""An exact global npm install whose own dependencies still float.

## What it does
Reports `npm install -g x@1.2.3`, `yarn global add x@1.2.3`, `pnpm add -g x@1.2.3` and
`npx x@1.2.3`: the package is exact, but no lockfile governs what it depends on.

## Why is this bad?
The dependencies of x are ranges, resolved afresh on every uncached build.

## Example
```dockerfile
RUN npm install -g @angular/cli@18.2.0
```

## Use instead
Install tools from a package.json with a lockfile (`npm ci`), or accept the risk explicitly
(`# pinaudit: ignore=PIN305`).
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Pin, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.vcs_refs import is_reference


def _check(site: InstallSite) -> Verdict | None:
    if (
        site.ecosystem is Ecosystem.NPM
        and site.action is Action.INSTALL
        and site.global_install
        and site.pin in (Pin.EXACT, Pin.IMMUTABLE)
    ):
        if is_reference(site.spec, "npm"):  # a tag or commit: the detail says how firmly
            return Verdict(f"'{site.spec}': {site.detail}; its dependencies resolve at build time (no lockfile)")
        return Verdict(f"'{site.spec}' is exact but its dependencies resolve at build time (no lockfile)")
    return None


RULE = rule("PIN305", "npm-global-deps-float", Severity.WARNING, Category.UNPINNED, __doc__)(_check)
