"""Download-then-run: a script fetched from the network is executed without verification.

## What it does
Flags `curl … | sh`, `wget -O- … | bash`, `bash <(curl …)`, `eval "$(curl …)"`, a downloaded file
executed later (tracked across RUN instructions, and across the steps of a workflow job), and
`ADD http…` without `--checksum`. A downloaded package installed the same way counts as executed:
`dpkg -i`, `rpm -i`, `apt-get install ./x.deb`, `dnf install ./x.rpm`, `pip install ./x.whl` run
its maintainer scripts or its build. Cloud storage copies (`gsutil cp`, `gcloud storage cp`,
`aws s3 cp`, `aws s3api get-object`, `az storage blob download`, `azcopy copy`) are downloads too:
the file is data until something executes it. A checksum verified before execution
(`sha256sum -c`), or a URL pinned to a commit id, is not flagged.

## Why is this bad?
The URL serves whatever its owner (or an attacker) put there today; nothing in the Dockerfile
fixes what runs as root in the build.

## Example
```dockerfile
RUN curl -fsSL https://example.com/install.sh | sh
```

## Use instead
```dockerfile
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \
    https://example.com/install-1.2.3.sh /tmp/install.sh
RUN sh /tmp/install.sh
```
"""

from __future__ import annotations

from pinaudit.model import Action, Category, Ecosystem, InstallSite, Pin, Severity
from pinaudit.rules._base import Verdict, rule


def _check(site: InstallSite) -> Verdict | None:
    if site.ecosystem is not Ecosystem.DOWNLOAD or site.pin is not Pin.UNPINNED:
        return None
    url = site.package or site.spec or "a URL"
    if site.action is Action.DOWNLOAD_EXEC:
        how = f" ({site.detail})" if site.detail else ""
        return Verdict(f"'{url}' is downloaded and executed without a checksum{how}")
    if site.action is Action.DOWNLOAD:
        return Verdict(f"'{url}' is added without --checksum: its content can change")
    return None


RULE = rule("PIN502", "download-then-run", Severity.ERROR, Category.UNVERIFIED_DOWNLOAD, __doc__)(_check)
