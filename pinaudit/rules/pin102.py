"""`apt-get upgrade` (or `dist-upgrade`, `full-upgrade`) in an image build.

## What it does
Flags `apt-get upgrade`, `apt-get dist-upgrade`, `apt-get full-upgrade` and their `apt`
equivalents.

## Why is this bad?
The layer's content depends on the day it was built. A cached layer never picks up the security
fixes the upgrade was meant to bring, while a fresh builder gets a different set every day, so
two hosts ship different images from one Dockerfile. The security updates are worth having: take
them from a newer base image (rebuilt by its maintainers) or from a dated snapshot archive, where
the date in the Dockerfile says which fixes the image has.

## Example
```dockerfile
FROM debian:12
RUN apt-get update && apt-get -y upgrade
```

## Use instead
```dockerfile
FROM debian:12.8@sha256:...   # bump the base image to get the fixes
```
If the upgrade is deliberate, silence it where it stands: `# pinaudit: ignore=PIN102`.
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.APT and site.action is Action.UPGRADE:
        cmd = site.spec or "upgrade"
        return Verdict(
            f"'{site.installer} {cmd}' makes the layer depend on its build day: a cached layer never "
            "gets the security fixes, a fresh build gets different ones; take them from a newer base "
            "image or a dated snapshot archive instead (or '# pinaudit: ignore=PIN102')"
        )
    return None


RULE = rule("PIN102", "apt-upgrade", Severity.ERROR, Category.UPGRADE, __doc__)(_check)
