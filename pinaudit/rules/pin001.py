"""A file (or one RUN instruction) could not be parsed.

## What it does
Reports a file that pinaudit could not read or parse: malformed Dockerfile syntax BuildKit would
reject, invalid JSON or YAML, a binary, non-UTF-8 or oversized file. A single `RUN` whose shell
cannot be parsed is reported as a warning and the rest of the Dockerfile is still audited.

## Why is this bad?
An auditor that silently skips what it cannot read reports "clean" when it could not look. The
parser's own message is given so the file can be fixed (or excluded on purpose).

## Example
```dockerfile
FROM python:3.12
RUN <<END
pip install requests
```

## Use instead
```dockerfile
FROM python:3.12
RUN <<END
pip install requests==2.32.3
END
```
"""

from __future__ import annotations

from pinaudit.model import Category, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    return None  # diagnostics, not sites, become PIN001 findings (see app.py)


RULE = rule("PIN001", "unparseable-file", Severity.ERROR, Category.PARSE_ERROR, __doc__)(_check)
