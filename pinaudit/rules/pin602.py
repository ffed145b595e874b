"""An exact pin to a yanked (PyPI) or deprecated (npm) release.

## What it does
With `scan --online`, reports exact pins whose release the index marks as yanked (PEP 592) or
deprecated (`npm deprecate`), with the reason the maintainers gave.

## Why is this bad?
A release is yanked or deprecated because it is broken, insecure or superseded. An exact pin
still installs it (pip honours `==` to a yanked release, npm only warns), so the build goes on
shipping what its maintainers withdrew.

## Example
```text
somepkg==2.31.0    # yanked: "broken on Python 3.7"
```

## Use instead
```text
somepkg==2.31.1
```
"""

from __future__ import annotations

from pinaudit.model import Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.rules._online import Facts, never


def check_online(site: InstallSite, facts: Facts) -> Verdict | None:
    if facts.served is False:
        return None  # PIN601 says more
    if site.ecosystem is Ecosystem.PIP and facts.yanked is not None:
        why = f" ({facts.yanked})" if facts.yanked else ""
        return Verdict(f"pip release '{site.package}=={site.version}' is yanked{why}")
    if site.ecosystem is Ecosystem.NPM and facts.deprecated:
        return Verdict(f"npm version '{site.package}@{site.version}' is deprecated: {facts.deprecated}")
    return None


RULE = rule("PIN602", "pin-to-withdrawn-release", Severity.WARNING, Category.UNPINNED, __doc__)(never)
