"""An image tag without a digest.

## What it does
Reports image references with a tag but no `@sha256:` digest (64 hex digits).

## Why is this bad?
Tags are mutable: `python:3.12-slim` is rebuilt every few weeks with new OS packages. Only the
digest fixes the bytes a build starts from.

## Example
```dockerfile
FROM python:3.12-slim
```

## Use instead
```dockerfile
FROM python:3.12-slim@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8
```
(keep the tag for readers; the digest decides.)
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Pin, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is Ecosystem.IMAGE and site.action is Action.INSTALL and site.pin is Pin.EXACT:
        return Verdict(f"image '{site.spec}' is a tag without a digest: the tag can be re-pushed")
    return None


RULE = rule("PIN402", "image-tag-without-digest", Severity.WARNING, Category.MUTABLE_IMAGE, __doc__)(_check)
