"""What an index said about one install site, as the online rules (PIN6xx) read it.

``pinaudit/online.py`` asks the indexes and builds these values; the rules stay pure functions of
(site, facts) like every other rule, and never see the network. In a static scan the PIN6xx rules'
``check`` always answers None.
"""

from __future__ import annotations

from collections.abc import Callable

from pinaudit.model import InstallSite
from pinaudit.rules._base import Verdict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from pinaudit._record import NamedTuple


class Facts(NamedTuple):
    index_url: str  # what was asked, credentials masked ("http://mirror/debian bookworm")
    served: bool | None = None  # is the exact pinned version (or image tag) served today?
    current: str | None = None  # what the index serves now: latest version, apt candidate, the tag's digest
    yanked: str | None = None  # the pinned pip release is yanked (the reason, "" without one)
    deprecated: str | None = None  # the pinned npm version's deprecation message
    tag_digests: tuple[str, ...] = ()  # image: the digests the tag points to now (index and its manifests)
    last_served: str | None = None  # apt: last snapshot day that served the pin (YYYY-MM-DD)
    package_missing: bool = False  # the index has no such package at all


OnlineCheck = Callable[[InstallSite, Facts], "Verdict | None"]
