"""An image reference whose tag now points to another digest than the one written beside it.

## What it does
With `scan --online`, resolves the tag of every `name:tag@sha256:…` reference on its registry
and reports the reference when the tag points elsewhere now (or no longer exists). A digest of
one platform's manifest inside the tag's multi-arch index counts as the same.

## Why is this bad?
The digest still builds the same bytes, but the tag in the text lies: readers (and tools that
bump tags) believe the image is `python:3.12` as published today, while the build uses an older
one that no longer gets security fixes. Update both together.

## Example
```dockerfile
FROM python:3.12@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8
```

## Use instead
```dockerfile
FROM python:3.12@sha256:<the digest python:3.12 points to today>
```
"""

from __future__ import annotations

from pinaudit.model import Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # the facts module is loaded by `scan --online` only: a static scan never needs it
    from pinaudit.rules._online import Facts


def check_online(site: InstallSite, facts: Facts) -> Verdict | None:
    if site.ecosystem is not Ecosystem.IMAGE or "@" not in (site.spec or ""):
        return None
    written = (site.spec or "").rsplit("@", 1)[1]
    tag = (site.spec or "").split("@", 1)[0]
    if facts.served is False:
        return Verdict(f"image tag '{tag}' no longer exists on the registry; the digest written beside it still "
                       "builds, but the tag in the text names nothing")
    if facts.tag_digests and written not in facts.tag_digests:
        return Verdict(f"image tag '{tag}' now points to {facts.tag_digests[0]}, not to the digest written "
                       "beside it: the digest still builds, but the tag in the text is stale")
    return None


def _static(site: InstallSite) -> Verdict | None:
    return None  # an online rule: a static scan never touches the network, pinaudit/online.py calls check_online


RULE = rule("PIN603", "image-tag-moved", Severity.WARNING, Category.MUTABLE_IMAGE, __doc__)(_static)
