"""A conda package is pinned to a version series (`pkg=1.2`, `pkg=1.2.*`), not a version.

## What it does
Flags conda match specs with a single `=` and no build string (`python=3.11`, `numpy=1.26.4`)
and version wildcards (`nodejs=20.*`, `numpy==1.26.*`), on command lines, in `--file` spec files
and in environment files.

## Why is this bad?
conda reads `pkg=1.2` as `1.2.*`: the newest 1.2.x release the channels serve on the day of the
build. It is a partial pin (like apt's `pkg=1.2*`): each new point release is picked up by fresh
builds and missed by cached ones. `python=3.11` moves from 3.11.8 to 3.11.9 without a change in
the file.

## Example
```yaml
dependencies:
  - python=3.11
```

## Use instead
```yaml
dependencies:
  - python=3.11.9=hab00c5b_0_cpython
```
or lock the environment (`conda-lock`).
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, LockState, Pin, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.CONDA and site.action is Action.INSTALL and site.pin is Pin.PARTIAL \
            and site.lock not in (LockState.LOCKED, LockState.DRIFT):
        return Verdict(f"conda package '{site.package}' is pinned only partially ('{site.spec}'): {site.detail}")
    return None


RULE = rule("PIN702", "conda-partial-pin", Severity.WARNING, Category.UNPINNED, __doc__)(_check)
