"""What a rule is: a code, a default severity, a category and a check over one install site.

Rules only ask questions of sites (hadolint's lesson): the analyzers and installer modules have
already decided ecosystem, action and pin state. Suppressions, severity overrides and baselines
are filters applied after the rules ran; rules never see them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pinaudit.model import Category, InstallSite, Severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    from pinaudit.edits import Edit
else:
    from pinaudit._record import NamedTuple

DOC_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead")


class Verdict(NamedTuple):
    """A rule's answer for one site: the message, and optionally a severity other than the default."""

    message: str
    severity: Severity | None = None
    category: Category | None = None
    edits: tuple[Edit, ...] = ()  # what would fix it (pinaudit.edits); no rule proposes any yet


Check = Callable[[InstallSite], "Verdict | None"]


class Rule(NamedTuple):
    code: str
    name: str  # describes the behaviour: "apt-install-unpinned"
    severity: Severity
    category: Category
    check: Check
    doc: str  # the module docstring: What it does / Why is this bad? / Example / Use instead

    @property
    def summary(self) -> str:
        """First line of the documentation."""
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else self.name

    def section(self, heading: str) -> str:
        """The text under one ``## heading`` of the documentation."""
        m = re.search(rf"^##\s+{re.escape(heading)}\s*$(.*?)(?=^##\s|\Z)", self.doc, re.S | re.M)
        return m.group(1).strip() if m else ""


def rule(
    code: str, name: str, severity: Severity, category: Category, doc: str | None
) -> Callable[[Check], Rule]:
    """Decorator: turn a module's check function into its Rule, documented by the module docstring."""

    def wrap(check: Check) -> Rule:
        return Rule(code, name, severity, category, check, (doc or "").strip())

    return wrap
