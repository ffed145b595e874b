"""A pip install on a command line names a requirement that is not pinned to an exact version.

## What it does
Flags `pip install` (pip, pip3, pip3.12, `python -m pip`, `uv pip`, pipx) arguments that are not
`==`/`===` an exact version: bare names, ranges, `~=`, `==1.*`, `--upgrade X`, `pip install -U pip`.
A VCS or direct URL is unpinned at a branch, without a ref, or without a version or hash in
its file name; a tag, a short commit id or a versioned file name pins the name but not the bytes
(PIN203), and a full commit id or a `#sha256=` is immutable (one policy, `pinaudit.vcs_refs`). An exact pin stays pinned
with `--upgrade`; a `-c FILE` on the command line pins what that constraints file pins exactly.

## Why is this bad?
PyPI receives new releases every minute. `pip install requests` in a cached layer means the
version of the day the layer was built; in a fresh CI build it means today's, possibly a new
major version.

## Example
```dockerfile
RUN pip install --no-cache-dir "django>=4.2" gunicorn
```

## Use instead
```dockerfile
COPY requirements.txt .
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
```
(generate `requirements.txt` with `pinaudit lock`, pip-compile or `uv pip compile --generate-hashes`).
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.rules._judge import unpinned
from pinaudit.site_context import SiteSource


def _check(site: InstallSite) -> Verdict | None:
    in_a_file = site.source_kind in (SiteSource.REQUIREMENTS, SiteSource.CONSTRAINTS,  # PIN202's
                                     SiteSource.PYTHON_PROJECT)  # PIN206's
    if site.ecosystem is Ecosystem.PIP and site.action is Action.INSTALL and not in_a_file:
        return unpinned(site, "pip package")
    return None


RULE = rule("PIN201", "pip-install-unpinned", Severity.ERROR, Category.UNPINNED, __doc__)(_check)
