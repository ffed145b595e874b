"""`yum update`, `dnf upgrade`, `zypper update` (and the like) in an image build.

## What it does
Flags whole-system updates with yum, dnf, microdnf and zypper (`update`, `upgrade`,
`distro-sync`, `dup`).

## Why is this bad?
The layer's content then depends on the day it was built; cached and fresh builds differ. Take
fixes from a newer base image instead.

## Example
```dockerfile
RUN yum -y update && yum clean all
```

## Use instead
```dockerfile
FROM rockylinux:9.3.20231119@sha256:...
```
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.YUM and site.action is Action.UPGRADE:
        return Verdict(
            f"'{site.installer} {site.spec or 'update'}' makes the layer depend on its build day; "
            "take fixes from a newer base image"
        )
    return None


RULE = rule("PIN106", "rpm-update", Severity.ERROR, Category.UPGRADE, __doc__)(_check)
