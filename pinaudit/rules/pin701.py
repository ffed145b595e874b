"""A conda package is installed without a version, or with a range.

## What it does
Flags `conda install`/`create`, `mamba` and `micromamba` arguments, lines of a file given with
`--file`, and `dependencies:` entries of a conda environment file (`environment.yml`) that name a
package without a version (`numpy`, `conda-forge::numpy`) or with a range (`numpy>=1.26`,
`numpy[version='>=1.26,<2']`, `1.26|1.27`), and conda dependencies of a `pixi.toml` (`numpy = "*"`,
features and targets included). When a `conda-lock.yml` beside the environment file (or the
`pixi.lock` beside the manifest) locks the dependency it is information only: the lock fixes what
`conda-lock install` (`pixi install`) installs.

## Why is this bad?
conda resolves every name against what the channels serve on the day of the build. A cached
image layer keeps the numpy it got months ago; a fresh build gets today's, often with a different
Python, BLAS or compiler runtime pulled in by the solver. Nothing in the file says so.

## Example
```yaml
dependencies:
  - numpy
  - pandas>=2
```

## Use instead
```yaml
dependencies:
  - numpy=1.26.4=py311h64a7726_0
  - pandas=2.2.2=py311h14de704_1
```
or keep the ranges and lock them (`conda-lock -f environment.yml`, then `conda-lock install`).
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, LockState, Pin, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.rules._judge import unpinned


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is not Ecosystem.CONDA or site.action is not Action.INSTALL:
        return None
    if site.lock is LockState.DRIFT:
        return None  # PIN705 says the sharper thing
    if site.lock is LockState.LOCKED:
        fully_pinned = site.pin is Pin.EXACT and site.conda is not None and site.conda.build is not None
        if site.pin in (Pin.UNPINNED, Pin.PARTIAL, Pin.EXACT) and not fully_pinned:
            return Verdict(f"conda package '{site.package}' is '{site.spec}', pinned only by the lockfile "
                           f"{site.lockfile}", severity=Severity.INFO)
        return None
    return unpinned(site, "conda package")


RULE = rule("PIN701", "conda-install-unpinned", Severity.ERROR, Category.UNPINNED, __doc__)(_check)
