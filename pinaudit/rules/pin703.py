"""A conda package is pinned to an exact version, but not to a build.

## What it does
Flags conda match specs with an exact version and no build string (`numpy==1.26.4`,
`numpy 1.26.4`), or a build pattern (`numpy=1.26.4=py311*`), on command lines, in `--file` spec
files and in environment files. Specs with a build (`numpy=1.26.4=py311h64a7726_0`), package
URLs and lockfile entries are not flagged.

## Why is this bad?
A conda version is published as several builds: one per Python, per compiler or BLAS variant,
and new build numbers when the package is rebuilt against newer dependencies. `numpy==1.26.4`
lets the solver pick whichever build it prefers on the day, with different dependencies under it.

## Example
```dockerfile
RUN conda install -y numpy==1.26.4
```

## Use instead
```dockerfile
RUN conda install -y numpy==1.26.4=py311h64a7726_0
```
or install from a lockfile (`conda-lock install`, or an `@EXPLICIT` file with hashes).
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, LockState, Pin, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is not Ecosystem.CONDA or site.action is not Action.INSTALL or site.pin is not Pin.EXACT:
        return None
    if site.lock in (LockState.LOCKED, LockState.DRIFT) or site.conda is None or site.conda.build is not None:
        return None
    if site.conda.version is None:
        return None  # a package URL: its file name fixes version and build
    why = f" ({site.detail})" if site.detail else ""
    return Verdict(f"conda package '{site.package}' ('{site.spec}') fixes the version, not the build{why}: the "
                   "solver picks among that version's builds on the build day")


RULE = rule("PIN703", "conda-build-unpinned", Severity.WARNING, Category.NO_HASH, __doc__)(_check)
