"""The Python lockfile is out of sync with pyproject.toml or the Pipfile.

## What it does
Flags a dependency of `pyproject.toml` or a `Pipfile` that the lockfile beside it (`uv.lock`,
`poetry.lock`, `pdm.lock`, `pylock.toml`, `Pipfile.lock`) does not lock, or locks at a version
its specifier no longer admits (Poetry's `^`/`~` constraints are read as Poetry reads them), at
the dependency's line; and a `Pipfile.lock` whose recorded hash is not the Pipfile's, at line 1.

## Why is this bad?
A frozen install (`uv sync --frozen`, `pdm install --frozen-lockfile`, Poetry 1's `poetry
install`) installs what the stale lockfile says, not what the project declares; `uv sync`
without `--locked` and `pipenv install` silently re-resolve and rewrite it; `uv sync --locked`
and `pipenv install --deploy` fail. Either way the build does not install what is reviewed.

## Example
```toml
[project]
dependencies = ["httpx>=0.27", "rich>=13"]
```
with `uv.lock` made before `rich` was added.

## Use instead
Run `uv lock` (or `poetry lock`, `pdm lock`, `pipenv lock`) and commit the updated lockfile.
"""

from __future__ import annotations

from pinaudit.model import Category, Ecosystem, InstallSite, LockState, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.site_context import SiteSource


def _check(site: InstallSite) -> Verdict | None:
    if not (site.ecosystem is Ecosystem.PIP and site.source_kind is SiteSource.PYTHON_PROJECT
            and site.lock is LockState.DRIFT):
        return None
    why = site.detail.split("; ")[0] or "the lockfile does not lock a version its spec admits"
    if site.package is None:
        return Verdict(f"lockfile out of sync: {why}")
    return Verdict(f"'{site.package}' ('{site.spec}'): lockfile out of sync: {why}")


RULE = rule("PIN207", "python-lockfile-drift", Severity.ERROR, Category.LOCKFILE_DRIFT, __doc__)(_check)
