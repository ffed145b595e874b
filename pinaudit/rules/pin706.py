"""A conda command installs a file (`--file`, `-f`, a lockfile) that cannot be found.

## What it does
Follows `conda install --file FILE`, `conda env create -f FILE` (default `environment.yml`),
`micromamba create -f FILE` and `conda-lock install FILE` (default `conda-lock.yml`) back to the
file: through `COPY`/`ADD`/`WORKDIR` into the build context for a Dockerfile, beside the script
or at the repository root for scripts and workflows. When the file cannot be found there, its
entries cannot be audited and this rule says so at the file's name on the command line.

## Why is this bad?
An audit that cannot read the file that decides what gets installed must not report "clean".

## Example
```dockerfile
COPY . /app
RUN conda env create -f /app/envs/prod.yml   # no envs/prod.yml in the context
```

## Use instead
Point pinaudit at the right build context (`--context DIR`), or keep the file in it.
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Pin, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.CONDA and site.action is Action.REQUIREMENTS and site.pin is Pin.UNKNOWN:
        why = site.detail or "it cannot be found in the build context"
        return Verdict(f"conda file '{site.spec}' ({site.installer}) cannot be audited: {why}")
    return None


RULE = rule("PIN706", "conda-file-missing", Severity.WARNING, Category.MISSING_FILE, __doc__)(_check)
