"""An exact pin that the index no longer serves: the next fresh build fails.

## What it does
With `scan --online`, asks the package index whether each exact pin is still served: an apt
version the suite (with `-updates` and `-security`) has moved past, an apk version the Alpine
branch has rebuilt, a pip release that was
deleted, an npm version that was unpublished, an image tag that no longer exists. The message
names what the index serves now and, for apt with a snapshot service configured
(`--debian-snapshot`), the last day the pinned version was served.

## Why is this bad?
A Debian suite keeps one version of each package: when a point release or a security update
lands, the old version disappears and `apt-get install curl=<old>` fails. A laptop with a cached
layer keeps building; the first CI run without cache breaks, usually days after the pin was
written. Teams then delete their pins and switch the linter rule off. Knowing before the build
breaks lets you move the pin, or install from a dated snapshot archive where it cannot rot.

## Example
```dockerfile
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u5
```

## Use instead
```dockerfile
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u12
```
or keep the pin and install from a snapshot of the archive taken when it was served.
"""

from __future__ import annotations

from pinaudit.model import Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # the facts module is loaded by `scan --online` only: a static scan never needs it
    from pinaudit.rules._online import Facts


def check_online(site: InstallSite, facts: Facts) -> Verdict | None:
    if facts.served is not False:
        return None
    eco = site.ecosystem
    now = f"; it serves {facts.current} now" if facts.current else ""
    if eco is Ecosystem.IMAGE:
        tag = (site.spec or "").split("@", 1)[0]
        return Verdict(f"image tag '{tag}' no longer exists on the registry: the next fresh build fails")
    if facts.package_missing:
        return Verdict(f"{eco.value} package '{site.package}' is not on the index at all: the next fresh build "
                       "fails")
    if eco is Ecosystem.APT:
        last = f"; the snapshot service last served it on {facts.last_served}" if facts.last_served else ""
        return Verdict(f"apt package '{site.package}={site.version}' is no longer served by the suite: the next "
                       f"fresh build fails{now}{last}")
    if eco is Ecosystem.APK:
        return Verdict(f"apk package '{site.package}={site.version}' is no longer served by the branch: the next "
                       f"fresh build fails{now}")
    if eco is Ecosystem.PIP:
        return Verdict(f"pip release '{site.package}=={site.version}' is no longer on the index (deleted): the "
                       f"next fresh build fails{now}")
    if eco is Ecosystem.NPM:
        return Verdict(f"npm version '{site.package}@{site.version}' is no longer on the registry (unpublished): "
                       f"the next fresh build fails{now}")
    return Verdict(f"'{site.package}' {site.version} is no longer served: the next fresh build fails{now}")


def _static(site: InstallSite) -> Verdict | None:
    return None  # an online rule: a static scan never touches the network, pinaudit/online.py calls check_online


RULE = rule("PIN601", "pin-no-longer-served", Severity.ERROR, Category.UNPINNED, __doc__)(_static)
