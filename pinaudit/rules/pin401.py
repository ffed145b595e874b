"""An image is referenced without a tag or with `latest`.

## What it does
Flags `FROM`, `COPY --from=`, `RUN --mount=from=`, compose `image:` and workflow container images
that have no tag or the tag `latest`. Stage names, `scratch` and ARG-expanded references with a
default are understood, and so are named build contexts: a name a `docker-bake.hcl`/`.json`
target's `contexts` defines, or `--build-context NAME=` in the repository's workflows and build
scripts, is not an image. A `--from` name that no file defines and that does not read as an image
(no registry, organisation, tag or digest, and not a Docker Hub official image: `builder`,
`frontend-build`) is most likely such a context given elsewhere: reported as info.

## Why is this bad?
`latest` moves with every release of the image: a cached build keeps last year's base, a fresh
one gets today's, possibly a new major version of the OS or runtime.

## Example
```dockerfile
FROM python
```

## Use instead
```dockerfile
FROM python:3.12.7-slim-bookworm@sha256:...
```
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Pin, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is not Ecosystem.IMAGE or site.action is not Action.INSTALL:
        return None
    if site.pin is Pin.UNPINNED:
        return Verdict(f"image '{site.spec}' has no tag (or 'latest'): it changes with every push")
    if site.pin is Pin.UNKNOWN:
        why = site.detail or "it depends on a value not known before build time"
        return Verdict(f"image '{site.spec}' cannot be judged: {why}", severity=Severity.INFO)
    return None


RULE = rule("PIN401", "image-without-tag", Severity.ERROR, Category.MUTABLE_IMAGE, __doc__)(_check)
