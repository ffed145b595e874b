"""`pip install -r FILE` names a file that is not in the build context.

## What it does
Follows `RUN pip install -r FILE` back through `COPY`/`ADD`/`WORKDIR` to the file in the build
context (by default the Dockerfile's folder; `--context DIR`). When the file cannot be found there,
its entries cannot be audited and this rule says so at the `-r`.

## Why is this bad?
An audit that cannot read the file that decides what gets installed must not report "clean".
Often the file is generated during the build or copied from another stage; then audit that source.

## Example
```dockerfile
COPY . /app
RUN pip install -r /app/requirements/prod.txt   # no requirements/prod.txt in the context
```

## Use instead
Point pinaudit at the right build context (`--context DIR`), or keep the requirements file in it.
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Pin, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.PIP and site.action is Action.REQUIREMENTS and site.pin is Pin.UNKNOWN:
        why = site.detail or "it cannot be found in the build context"
        return Verdict(f"requirements file '{site.spec}' cannot be audited: {why}")
    return None


RULE = rule("PIN205", "requirements-file-missing", Severity.WARNING, Category.MISSING_FILE, __doc__)(_check)
