"""An OS package is pinned only partially (a wildcard, a prefix or a module stream).

## What it does
Flags `apt-get install pkg=1.2*`, `apk add pkg~1.2`, `dnf module install nodejs:18` and similar
pins that fix a version prefix but not the version.

## Why is this bad?
The name and series are fixed but the bytes are not: each new point release or rebuild in the
series is picked up by fresh builds and missed by cached ones.

## Example
```dockerfile
RUN apt-get install -y python3-yaml=6.0*
```

## Use instead
```dockerfile
RUN apt-get install -y python3-yaml=6.0.1-1
```
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Pin, Severity
from pinaudit.rules._base import Verdict, rule

_OS = {Ecosystem.APT: "apt", Ecosystem.APK: "apk", Ecosystem.YUM: "rpm"}


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem in _OS and site.action is Action.INSTALL and site.pin is Pin.PARTIAL:
        return Verdict(
            f"{_OS[site.ecosystem]} package '{site.package}' is pinned only partially ('{site.spec}'): "
            "new releases in that series still change the image"
        )
    return None


RULE = rule("PIN107", "os-package-partial-pin", Severity.WARNING, Category.UNPINNED, __doc__)(_check)
