"""An apt package is installed without an exact version.

## What it does
Flags `apt-get install`, `apt install` and `aptitude install` arguments that name a package
without `=version`. `-t bookworm-backports` and `pkg/bookworm` choose a suite, not a version, so
they are flagged too. A local `.deb` path is not an index install and is not flagged.
A variable that only completes the name (`postgresql-${PG_MAJOR}`, `openjdk-${V}-jdk`) leaves it
unpinned whatever its value; one that could carry the version (`curl=$V`, `$PKG`, `curl${SPEC}`)
is reported as info ("cannot be judged"). pip, npm, apk, yum, gem, go and cargo installs follow
the same test with their own version operators.

## Why is this bad?
The Debian/Ubuntu archive moves every day. A laptop rebuilding from a cached layer keeps the curl
it fetched months ago; a CI builder without cache installs today's. The image differs by host and
by day, and nothing in the Dockerfile says so.

## Example
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl
```

## Use instead
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
```
Pair exact versions with a dated snapshot archive so the versions stay installable.
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.rules._judge import unpinned


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.APT and site.action is Action.INSTALL:
        return unpinned(site, "apt package")
    return None


RULE = rule("PIN101", "apt-install-unpinned", Severity.ERROR, Category.UNPINNED, __doc__)(_check)
