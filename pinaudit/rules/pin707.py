"""A conda environment is installed from its spec while a lockfile locks it (or could).

## What it does
Flags `conda env create -f environment.yml`, `conda env update`, `mamba env create` and
`micromamba create -f environment.yml` when a `conda-lock.yml` made from that file sits beside
it (in the build context for a Dockerfile), and `pixi install` without `--locked` or `--frozen`.
It is conda's `npm install` where `npm ci` was meant (PIN302).

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
and `pixi install --locked` (or `--frozen`) for a pixi workspace.
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is not Ecosystem.CONDA or site.action is not Action.LOCKLESS_INSTALL:
        return None
    if site.installer == "pixi install":
        return Verdict("'pixi install' without --locked or --frozen re-solves the manifest when pixi.lock is missing "
                       "or out of date, and rewrites it: use 'pixi install --locked' (or --frozen)")
    return Verdict(
        f"'{site.installer}' installs '{site.spec}' by solving it afresh; {site.lockfile} beside it locks it "
        "and goes unused: install the lock (conda-lock install, or micromamba create -f conda-lock.yml)"
    )


RULE = rule("PIN707", "conda-env-without-lockfile", Severity.ERROR, Category.NO_LOCKFILE, __doc__)(_check)
