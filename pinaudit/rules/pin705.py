"""A dependency of an environment file or pixi manifest is missing from its lockfile, or locked outside its spec.

## What it does
For an environment file (`environment.yml`) with a `conda-lock.yml` beside it that was made from
it (the lock's `metadata.sources` names the file), flags each `dependencies:` entry (and each
`pip:` entry) the lock does not hold, or holds at a version the entry's exact or partial pin does
not admit (`numpy=1.26` locked at 2.0.1). Ranges are not compared (conda's version order is not
PEP 440's); only their presence is checked. A `pixi.toml` is judged against the `pixi.lock`
beside it the same way (its conda and PyPI dependencies, features and targets included).

## Why is this bad?
The lock is what `conda-lock install` installs, so the environment file no longer describes the
environment: the dependency added to the file is silently missing from every locked install, or
the version the file asks for is not the one shipped.

## Example
```yaml
# environment.yml; conda-lock.yml was made before scipy was added
dependencies:
  - numpy=1.26
  - scipy
```

## Use instead
Re-lock after editing the environment file: `conda-lock -f environment.yml`, and commit both.
"""

from __future__ import annotations

from pinaudit.model import Action, Category, InstallSite, LockState, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.site_context import SiteSource


def _check(site: InstallSite) -> Verdict | None:
    if site.action is not Action.INSTALL or site.lock is not LockState.DRIFT:
        return None
    if site.source_kind is not SiteSource.CONDA_ENV and not site.installer.startswith(("environment.yml", "pixi")):
        return None
    why = site.detail or "missing from the lockfile"
    return Verdict(f"'{site.package}' ({site.spec}) is out of sync with {site.lockfile}: {why}")


RULE = rule("PIN705", "conda-lockfile-drift", Severity.ERROR, Category.LOCKFILE_DRIFT, __doc__)(_check)
