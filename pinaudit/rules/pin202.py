"""An entry of a requirements file is not pinned to an exact version.

## What it does
Flags requirements-file entries that are not `==`/`===` an exact version (same test as PIN201),
unless a constraints file given with `-c` pins them exactly. `-r`/`-c` includes are followed and
each entry is reported once, at its own line. A `*.in` file is a compiler's input (pip-tools,
uv): it is judged only when no compiled sibling `.txt` exists or a build installs it directly.
So is a hand-kept list such as `base_requirements.txt` when a fully pinned requirements file in
the same folder was compiled from it (its `# via -r base_requirements.txt` annotations say so,
or it pins every name the list has).
A constraints file found on its own (`constraints.txt`) is judged the same way, worded as
constraints: one that does not pin leaves `pip install -c` free to pick.

## Why is this bad?
A range in `requirements.txt` resolves differently on every fresh build; the file looks like a
lock but is not one.

## Example
```text
django>=4.2,<5
celery
```

## Use instead
```text
django==4.2.16 \
    --hash=sha256:...
celery==5.4.0 \
    --hash=sha256:...
```
Keep the ranges in `requirements.in` and compile them (`pinaudit lock`, pip-compile, uv).
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, LockState, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.rules._judge import unpinned
from pinaudit.site_context import SiteSource


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.PIP and site.action is Action.INSTALL:
        if site.lock is LockState.DRIFT:
            return None  # an environment file's pip: entry its conda-lock.yml does not hold: PIN705
        if site.source_kind is SiteSource.REQUIREMENTS:
            verdict = unpinned(site, "requirement")
            if verdict is not None and site.lock is LockState.LOCKED:
                return Verdict(f"{verdict.message}; pinned only by the lockfile {site.lockfile}", Severity.INFO)
            return verdict
        if site.source_kind is SiteSource.CONSTRAINTS:
            return unpinned(site, "constraint")
    return None


RULE = rule("PIN202", "requirements-entry-unpinned", Severity.ERROR, Category.UNPINNED, __doc__)(_check)
