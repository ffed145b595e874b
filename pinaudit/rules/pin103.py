"""An apk package is installed without an exact version.

## What it does
Flags `apk add` arguments without `=version` (the name given to `--virtual`/`-t` is not a
package and is ignored).

## Why is this bad?
Alpine's repositories publish new package builds continuously; an unpinned `apk add` installs
whatever the mirror serves on the day of the build, so cached and fresh builds differ.

## Example
```dockerfile
RUN apk add --no-cache curl
```

## Use instead
```dockerfile
RUN apk add --no-cache curl=8.9.1-r1
```
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.rules._judge import unpinned


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.APK and site.action is Action.INSTALL:
        return unpinned(site, "apk package")
    return None


RULE = rule("PIN103", "apk-add-unpinned", Severity.ERROR, Category.UNPINNED, __doc__)(_check)
