"""A pyproject.toml or Pipfile dependency is a range that only a lockfile could pin.

## What it does
Flags dependencies of `pyproject.toml` (`[project] dependencies`, `optional-dependencies`,
`[dependency-groups]`, Poetry's `[tool.poetry.*dependencies]`, `[tool.uv.sources]` git entries)
and of a `Pipfile` that are not an exact version: a range, `*`, Poetry's `^1.2`/`~1.2`, or a git
reference without a commit id. It is information when the lockfile beside the file (`uv.lock`,
`poetry.lock`, `pdm.lock`, `pylock.toml`, `Pipfile.lock`) pins the dependency, and when no build
in the repository installs the project (a library's ranges are how libraries are written). It is
an error when there is no lockfile and a Dockerfile, script or workflow installs the project
(`pip install .`, `uv sync`, `poetry install`, `pdm install`, `pipenv install`), and when pip
installs a locked project (`pip install .` reads the ranges in pyproject.toml, never `uv.lock` or
`poetry.lock`).

## Why is this bad?
Without a lockfile, installing the project resolves every range against the index on the day of
the build: two builds of the same commit can get different dependencies.

## Example
```toml
[project]
dependencies = ["fastapi>=0.110"]
```
with `RUN pip install .` in the Dockerfile and no lockfile.

## Use instead
Lock the project (`uv lock`, `poetry lock`, `pdm lock`, `pipenv lock`), commit the lockfile and
install from it (`uv sync --locked`, `poetry install` with `poetry.lock`, `pdm install
--frozen-lockfile`, `pipenv install --deploy`).
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, LockState, Pin, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.site_context import SiteSource


def _check(site: InstallSite) -> Verdict | None:
    if not (site.ecosystem is Ecosystem.PIP and site.action is Action.INSTALL
            and site.source_kind is SiteSource.PYTHON_PROJECT):
        return None
    if site.lock is LockState.DRIFT or site.pin is not Pin.UNPINNED:
        return None  # drift: PIN207 says the sharper thing
    spec = site.spec or ""
    said = f"'{spec}'" if spec.lower().startswith((site.package or "").lower()) else f"'{site.package}' is '{spec}'"
    if site.lock is LockState.LOCKED:
        return Verdict(f"{said}, pinned only by the lockfile", severity=Severity.INFO)
    if site.via is None:
        return Verdict(f"{said}: a range without a lockfile (no build in this repository installs the project)",
                       severity=Severity.INFO)
    at = f"{site.via.path}:{site.via.line}"
    if site.lockfile:  # locked, but installed by pip, which does not read the lockfile
        return Verdict(f"{said}: installed at {at} by pip, which resolves it afresh without reading {site.lockfile}")
    return Verdict(f"{said} and no lockfile pins it; installed at {at}")


RULE = rule("PIN206", "python-project-range", Severity.ERROR, Category.UNPINNED, __doc__)(_check)
