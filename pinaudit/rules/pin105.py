"""A yum/dnf/microdnf/zypper package is installed without a version.

## What it does
Flags `yum install`, `dnf install`, `microdnf install` and `zypper install` arguments that name a
package without a version (`name-version[-release]`). Local `.rpm` files are not flagged.

## Why is this bad?
RPM repositories move; an unpinned install gives different packages to a cached and a fresh build.

## Example
```dockerfile
RUN dnf install -y git
```

## Use instead
```dockerfile
RUN dnf install -y git-2.43.5-1.el9_4
```
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.rules._judge import unpinned


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.YUM and site.action is Action.INSTALL:
        return unpinned(site, f"{site.installer} package")
    return None


RULE = rule("PIN105", "rpm-install-unpinned", Severity.ERROR, Category.UNPINNED, __doc__)(_check)
