"""pip installs a local project or path, whose dependencies resolve at build time.

## What it does
Reports `pip install .`, `pip install -e .`, a local directory, sdist or wheel file, on a command
line or in a requirements file. With `--no-deps` nothing but the local code is installed, so
nothing is reported (the dependencies then come from a lock file installed before it).

## Why is this bad?
The package itself comes from the build context, but its declared dependencies (usually ranges
in `pyproject.toml`) are resolved against the index on the day of the build.

## Example
```dockerfile
COPY . /app
RUN pip install /app
```

In pip's hash-checking mode (`--require-hashes`, or any `--hash` in the file) a local entry
without a hash makes the whole install fail, and is reported as an error.

## Use instead
```dockerfile
COPY requirements.txt /app/
RUN pip install --require-hashes -r /app/requirements.txt
COPY . /app
RUN pip install --no-deps /app
```
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Pin, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.site_context import SiteSource


def _check(site: InstallSite) -> Verdict | None:
    local = site.ecosystem is Ecosystem.PIP and site.action is Action.INSTALL and site.pin is Pin.LOCAL
    if local and site.source_kind is not SiteSource.PYTHON_PROJECT:  # a project's path dependency: part of it
        if site.hash_required and not site.hashed:
            # pip's hash-checking mode refuses what it cannot hash: the whole install fails
            return Verdict(
                f"local install '{site.spec}' has no --hash but pip is in hash-checking mode here: "
                "the install fails at build time",
                severity=Severity.ERROR,
            )
        if site.no_deps:
            return None  # the local code is the build context's; nothing else is fetched
        return Verdict(
            f"local install '{site.spec}': its dependencies resolve at build time "
            "(install them from a hashed lock file and use --no-deps)"
        )
    return None


RULE = rule("PIN204", "pip-local-install", Severity.INFO, Category.LOCAL_INSTALL, __doc__)(_check)
