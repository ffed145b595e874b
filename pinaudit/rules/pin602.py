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

TYPE_CHECKING = False
if TYPE_CHECKING:  # the facts module is loaded by `scan --online` only: a static scan never needs it
    from pinaudit.rules._online import Facts


def check_online(site: InstallSite, facts: Facts) -> Verdict | None:
    if facts.served is False:
        return None  # PIN601 says more
    if site.ecosystem is Ecosystem.PIP and facts.yanked is not None:
        why = f" ({facts.yanked})" if facts.yanked else ""
        return Verdict(f"pip release '{site.package}=={site.version}' is yanked{why}")
    if site.ecosystem is Ecosystem.NPM and facts.deprecated:
        return Verdict(f"npm version '{site.package}@{site.version}' is deprecated: {facts.deprecated}")
    return None


def _static(site: InstallSite) -> Verdict | None:
    return None  # an online rule: a static scan never touches the network, pinaudit/online.py calls check_online


RULE = rule("PIN602", "pin-to-withdrawn-release", Severity.WARNING, Category.UNPINNED, __doc__)(_static)
