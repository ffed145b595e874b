"""A Python project install that may resolve afresh instead of installing its lockfile.

## What it does
Flags, in Dockerfiles, scripts and workflows: `uv sync` without `--locked` or `--frozen` (or
`UV_LOCKED`/`UV_FROZEN`); `poetry install` when no `poetry.lock` sits beside the project, or after
`poetry lock` in the same command; `pdm install` without `--frozen-lockfile` (or `pdm sync`);
`pipenv install` without `--deploy` or `--ignore-pipfile` (or `pipenv sync`). Reported at the
command's subcommand word, ecosystem `pip`, no package.

## Why is this bad?
Without the flag these commands re-resolve the project when its lockfile is missing or out of
date, and rewrite the lockfile instead of failing: the image silently differs from what the
lockfile in the repository says, and from what was tested.

## Example
```dockerfile
COPY pyproject.toml uv.lock ./
RUN uv sync
```

## Use instead
```dockerfile
COPY pyproject.toml uv.lock ./
RUN uv sync --locked
```
(`poetry install` with a committed `poetry.lock`, `pdm install --frozen-lockfile`, `pipenv
install --deploy`).
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.PIP and site.action is Action.LOCKLESS_INSTALL:
        return Verdict(f"'{site.installer}' {site.detail}")
    return None


RULE = rule("PIN208", "python-project-install-without-lock", Severity.ERROR, Category.NO_LOCKFILE, __doc__)(_check)
