"""gem, go or cargo installs a package without a version.

## What it does
Flags `gem install x` without `-v`/`--version`, `go install`/`go get` of `pkg@latest` or without a
version, and `cargo install x` without `--version` (or `x@version`). For Go, `@upgrade`, `@patch`,
a branch and a partial version (`@v1`) are queries that move; and a version guarantees the bytes
only through the checksum database, so `go get -insecure` (or `GOFLAGS=-insecure`, or a module
that `GOINSECURE` lets come over plain HTTP while `GONOSUMDB`/`GOPRIVATE`/`GOSUMDB=off` skip the
check) makes even `@v1.2.3` unpinned; the message says so.

## Why is this bad?
Each fetches the newest release on the day of the build: cached and fresh builds differ.

## Example
```dockerfile
RUN gem install bundler && go install golang.org/x/tools/gopls@latest
```

## Use instead
```dockerfile
RUN gem install bundler -v 2.5.22 && go install golang.org/x/tools/gopls@v0.16.2
```
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule
from pinaudit.rules._judge import unpinned

_WHAT = {Ecosystem.GEM: "gem", Ecosystem.GO: "go module", Ecosystem.CARGO: "cargo crate"}


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem in _WHAT and site.action is Action.INSTALL:
        return unpinned(site, _WHAT[site.ecosystem])
    return None


RULE = rule("PIN501", "toolchain-install-unpinned", Severity.ERROR, Category.UNPINNED, __doc__)(_check)
