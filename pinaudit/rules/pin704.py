"""`conda update` (or `mamba`/`micromamba update`) in a build: packages brought to the newest.

## What it does
Flags `conda update --all`, `conda update conda`, `conda update PKG` and `conda upgrade`, and the
same commands of mamba and micromamba.

## Why is this bad?
It is conda's `apt-get upgrade` (PIN102): the layer's content depends on the day it was built.
`conda update` takes names only, never versions, and brings them to whatever the channels serve
now; a cached layer never picks up the fixes it was meant to bring, a fresh builder gets a
different set every day. Take a newer base image (or a newer installer) instead, or install the
exact versions you want with `conda install pkg=1.2.3=build`.

## Example
```dockerfile
RUN conda update -n base -y conda && conda update --all -y
```

## Use instead
```dockerfile
FROM continuumio/miniconda3:24.7.1-0@sha256:...   # a newer base brings the newer conda
RUN conda install -n base -y conda=24.7.1=py312h06a4308_0
```
If the update is deliberate, silence it where it stands: `# pinaudit: ignore=PIN704`.
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is not Ecosystem.CONDA or site.action is not Action.UPGRADE:
        return None
    what = f"'{site.package}'" if site.package else "the environment"
    return Verdict(
        f"'{site.installer}' brings {what} to whatever the channels serve on the build day: a cached layer "
        "never gets the fixes, a fresh build gets different ones; pin the versions with `install` or take a "
        "newer base image (or '# pinaudit: ignore=PIN704')"
    )


RULE = rule("PIN704", "conda-update", Severity.ERROR, Category.UPGRADE, __doc__)(_check)
