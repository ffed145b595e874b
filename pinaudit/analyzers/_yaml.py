"""The common opening of every YAML analyzer (compose files, workflows): parse with positions,
read the pragmas, and turn an empty, malformed or non-mapping document into its FileResult."""

from __future__ import annotations

from pinaudit.model import Diagnostic, FileResult, Location
from pinaudit.pragmas import line_suppressions

TYPE_CHECKING = False
if TYPE_CHECKING:
    import yaml


def load_mapping(display: str, text: str, kind: str, what: str) -> tuple[yaml.Node | None, FileResult]:
    """(root mapping or None, the file's result so far: its pragmas, or why there is no root).

    ``what`` names the document for the message when it is not a mapping ("a workflow").
    """
    from pinaudit.parse import yaml_pos
    from pinaudit.parse.text import point_at

    suppressions, ignore_file = line_suppressions(display, text)
    base = FileResult(display, kind, suppressions=suppressions, ignore_file=ignore_file)

    def fail(message: str, line: int = 1, col: int = 1) -> tuple[None, FileResult]:
        diag = Diagnostic(Location(display, point_at(text, line, col)), message)
        return None, base._replace(diagnostics=(diag,))

    try:
        root = yaml_pos.compose(text)
    except yaml_pos.YamlError as exc:
        return fail(f"malformed YAML: {exc.message}", exc.line, exc.column)
    if root is None:
        return None, base
    if not yaml_pos.is_mapping(root):
        return fail(f"{what} must be a mapping")
    return root, base
