"""Shared wording for the "installed without a version" family, so every ecosystem says it alike."""

from __future__ import annotations

from pinaudit.model import InstallSite, Pin, Severity
from pinaudit.rules._base import Verdict


def unpinned(site: InstallSite, what: str) -> Verdict | None:
    """Error for an unpinned site; info when a variable we cannot see decides (never guess)."""
    name = site.package or site.spec or "?"
    if site.pin is Pin.UNPINNED:
        extra = f" ({site.detail})" if site.detail else ""
        if site.spec and site.spec != name:
            return Verdict(f"{what} '{name}' is not pinned to an exact version: '{site.spec}'{extra}")
        # a detail that only repeats "without a version" ("no version") adds nothing
        plain = "" if site.detail in ("no version", "no version given") else extra
        return Verdict(f"{what} '{name}' is installed without a version{plain}")
    if site.pin is Pin.UNKNOWN:
        why = site.detail or "its version depends on a value not known before build time"
        return Verdict(f"{what} '{name}': pinning cannot be judged: {why}", severity=Severity.INFO)
    return None
