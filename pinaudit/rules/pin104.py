"""`apk upgrade` in an image build.

## What it does
Flags `apk upgrade` (with or without package names).

## Why is this bad?
Like `apt-get upgrade`, the layer then depends on the day it was built: cached layers keep old
packages, fresh builds get new ones. Take fixes from a newer base image tag instead.

## Example
```dockerfile
RUN apk upgrade --no-cache
```

## Use instead
```dockerfile
FROM alpine:3.20.3@sha256:...   # a newer base image carries the fixes
```
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.APK and site.action is Action.UPGRADE:
        return Verdict(
            "'apk upgrade' makes the layer depend on its build day; take fixes from a newer base image"
        )
    return None


RULE = rule("PIN104", "apk-upgrade", Severity.ERROR, Category.UPGRADE, __doc__)(_check)
