"""A conda environment file is installed as such while a lockfile beside it locks it.

## What it does
Flags `conda env create -f environment.yml`, `conda env update`, `mamba env create` and
`micromamba create -f environment.yml` when a `conda-lock.yml` made from that file sits beside
it (in the build context for a Dockerfile). It is conda's `npm install` where `npm ci` was meant
(PIN302).

## Why is this bad?
These commands solve the environment file afresh against today's channels and never read the
lock: the versions, builds and hashes the lock fixes are not what the image gets, and cached and
fresh builds differ although the repository holds a lock.

## Example
```dockerfile
COPY environment.yml conda-lock.yml /tmp/
RUN conda env create -n app -f /tmp/environment.yml
```

## Use instead
```dockerfile
COPY conda-lock.yml /tmp/
RUN conda-lock install -n app /tmp/conda-lock.yml
# or: micromamba create -y -n app -f /tmp/conda-lock.yml
```
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.CONDA and site.action is Action.LOCKLESS_INSTALL:
        return Verdict(
            f"'{site.installer}' installs '{site.spec}' by solving it afresh; {site.lockfile} beside it locks it "
            "and goes unused: install the lock (conda-lock install, or micromamba create -f conda-lock.yml)"
        )
    return None


RULE = rule("PIN707", "conda-env-without-lockfile", Severity.ERROR, Category.NO_LOCKFILE, __doc__)(_check)
