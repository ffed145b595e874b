"""GitHub Actions workflows -> install sites of ``run:`` steps, and the images jobs pull.

``run:`` scripts go through the same shell analyzer as Dockerfile RUN lines. Their text is rebuilt
from the YAML source line by line (literal ``|`` and folded ``>`` block scalars alike), so every
character keeps its physical line and column in the workflow file. A ``${{ ... }}`` expression is
decided by the runner, not by the file: it becomes a same-length placeholder variable that the
shell analyzer sees as unknown, so an install that depends on it is UNKNOWN, not guessed. The
exception is ``${{ env.X }}`` where the workflow's ``env:`` sets X to a plain string; such
values are also visible to the script as ``$X``, as are the runner's own ``CI=true`` and
``GITHUB_ACTIONS=true`` (unless an ``env:`` overrides them). A step runs in the checkout (the folder that
holds ``.github``) or its ``working-directory``, which is where ``-r FILE`` and the package.json of
a project install are looked for. A job's steps share one checkout: what ``npm ci`` put into
node_modules in an earlier step is what a later ``npx NAME`` runs, fetching nothing (as in one
Dockerfile stage), and a file an earlier step downloaded is what a later step executes.

Images: ``container:`` (string or ``image:``), ``services.*.image`` and ``uses: docker://...``.
Steps whose shell is not a POSIX shell (pwsh, python, cmd, Windows runners' default) are listed
as skipped.
"""

from __future__ import annotations

import re

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.analyzers._yaml import load_mapping
from pinaudit.installers.interface import DownloadTracker
from pinaudit.model import Action, Diagnostic, Ecosystem, FileResult, InstallSite, Location, Pin, Span
from pinaudit.parse.lines import LineIndex
from pinaudit.parse.shell.commands import BRACE_SHELLS
from pinaudit.parse.text import MappedText, MappedTextBuilder, span_of
from pinaudit.site_context import SiteSource

TYPE_CHECKING = False
if TYPE_CHECKING:
    import yaml

    from pinaudit.parse.yaml_pos import Budget

KIND = "workflow"
_EXPR = re.compile(r"\$\{\{.*?\}\}")
_PLACEHOLDER = "GHA_EXPR"


class _Pos:
    """The workflow's lines as the YAML scanner counts them, their file offsets, the line index."""

    __slots__ = ("index", "lines", "starts", "text")

    def __init__(self, lines: list[str], starts: list[int], index: LineIndex, text: str = "") -> None:
        self.text = text
        self.lines = lines
        self.starts = starts
        self.index = index


# what the runner puts in every step's environment before the workflow's own env: (pnpm reads CI)
RUNNER_ENV: dict[str, str | None] = {"CI": "true", "GITHUB_ACTIONS": "true"}
_ENV_EXPR = re.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _placeholders(
    mt: MappedText, static_env: dict[str, str | None] | None = None
) -> tuple[MappedText, dict[str, str | None], dict[str, str]]:
    """Replace each ``${{ ... }}`` by ``${NAME}`` of the same length, NAME a variable that is
    unknown, or holds the value of ``${{ env.X }}`` when the workflow sets X to a plain string.

    Returns (text, env for the placeholder names, name -> original expression for messages).
    """
    env: dict[str, str | None] = {}
    originals: dict[str, str] = {}
    known = static_env or {}

    def sub(m: re.Match[str]) -> str:
        n = len(m.group(0))  # >= 5, so the name has >= 2 characters
        tag = f"{_PLACEHOLDER}{len(originals)}"
        if len(tag) > n - 3:
            tag = f"E{len(originals)}"
        name = (tag + "_" * n)[: n - 3]
        ref = _ENV_EXPR.fullmatch(m.group(0))
        env[name] = known.get(ref.group(1)) if ref else None
        originals.setdefault(name, m.group(0))
        return "${" + name + "}"

    text = _EXPR.sub(sub, mt.text)
    return MappedText(text, mt.segments, mt.line_index), env, originals


def _restore(site: InstallSite, originals: dict[str, str]) -> InstallSite:
    """Put the workflow expressions back into what a message shows."""
    spec, detail = site.spec, site.detail
    for name, expr in originals.items():
        for form in ("${" + name + "}", "$" + name):
            spec = spec.replace(form, expr) if spec else spec
            detail = detail.replace(form, expr)
    return site._replace(spec=spec, detail=detail)


def _flow_lines(node: yaml.Node, lines: list[str], starts: list[int], index: LineIndex) -> MappedText | None:
    """A plain or quoted scalar over several lines, each word mapped to its own physical line.

    YAML folds such a scalar: each line break becomes a space (a blank line a newline) and the
    continuation lines lose their indentation. We rebuild that folding from the source lines and
    use it only when it reproduces the parsed value exactly (escapes in a double-quoted string
    would not): otherwise the caller falls back to the scalar's first line.
    """
    sm, em = node.start_mark, node.end_mark
    quoted = getattr(node, "style", None) in ('"', "'")
    if em.line >= len(lines):
        return None
    b = MappedTextBuilder(index)
    blanks = 0
    started = False
    for i in range(sm.line, em.line + 1):
        line = lines[i]
        start = sm.column + (1 if quoted else 0) if i == sm.line else len(line) - len(line.lstrip(" \t"))
        end = em.column - (1 if quoted else 0) if i == em.line else len(line)
        piece = line[start:end]
        piece = piece.rstrip(" \t") if i != em.line or not quoted else piece
        if not piece:
            blanks += 1
            continue
        if started:
            b.add_synthetic("\n" * blanks if blanks else " ")
        blanks = 0
        b.add(piece, starts[i] + start)  # continuation lines start at their first non-blank
        started = True
    built = b.build()
    if built.text != str(node.value):
        return None
    b.add_synthetic("\n")
    return b.build()


def _block_text(node: yaml.Node, lines: list[str], starts: list[int], index: LineIndex) -> MappedText:
    """The script of a ``run:`` scalar, mapped to its physical positions."""
    style = getattr(node, "style", None)
    sm = node.start_mark
    if style not in ("|", ">"):
        col = sm.column + 1 + (1 if style in ('"', "'") else 0)
        if node.end_mark.line > sm.line:
            folded = _flow_lines(node, lines, starts, index)
            if folded is not None:
                return folded
        return MappedText.plain(str(node.value), index, starts[sm.line] + col - 1)
    first = sm.line + 1  # 0-based index of the first content line
    end = min(node.end_mark.line, len(lines) - 1)
    indent: int | None = None
    content: list[tuple[int, str]] = []  # (0-based line, text) ; blank lines keep text ""
    for i in range(first, end + 1):
        line = lines[i]
        if not line.strip():
            content.append((i, ""))
            continue
        ind = len(line) - len(line.lstrip(" "))
        if indent is None:
            indent = ind
        if ind < indent:
            break
        content.append((i, line))
    while content and not content[-1][1]:
        content.pop()
    b = MappedTextBuilder(index)
    ind0 = indent or 0
    prev_folds = False
    pending_blank = 0
    started = False
    for i, line in content:
        if not line:
            pending_blank += 1
            continue
        body = line[ind0:]
        more = body[:1] in (" ", "\t")
        if started:
            if style == ">" and pending_blank == 0 and prev_folds and not more:
                b.add_synthetic(" ")
            else:
                b.add_synthetic("\n" * (pending_blank + (0 if style == ">" and pending_blank else 1)))
        pending_blank = 0
        b.add(body, starts[i] + ind0)
        prev_folds = not more
        started = True
    b.add_synthetic("\n")
    return b.build()


_Env = tuple[dict[str, "str | None"], dict[str, Span]]


def _static_env(level: yaml.Node, outer: _Env, budget: Budget, ypos: _Pos) -> _Env:
    """``outer`` with this level's ``env:`` on top (workflow, then job, then step: inner wins).
    Plain strings are known to every run step; a value built from ``${{ }}`` is decided by the
    runner (unknown). Beside the values, where each plain one is written (its origin: ``fix``
    writes a version there, never over the ``$NAME`` in the script)."""
    from pinaudit.parse import yaml_pos

    out, origins = dict(outer[0]), dict(outer[1])
    env = yaml_pos.get(level, "env", budget)
    for key, _k, value in yaml_pos.items(env, budget) if env is not None else ():
        text = yaml_pos.scalar(value)
        out[key] = text if text is not None and "${{" not in text else None
        origins.pop(key, None)
        if out[key] and getattr(value, "style", None) not in ("|", ">"):
            start, end = yaml_pos.value_range(value, ypos.lines, ypos.starts)
            if ypos.text[start:end] == text:
                origins[key] = span_of(ypos.index, start, end)
    return out, origins


def _working_directory(step: yaml.Node, job: yaml.Node, root: yaml.Node, budget: Budget) -> str | None:
    """The step's ``working-directory``, else the job's or the workflow's ``defaults.run`` one."""
    from pinaudit.parse import yaml_pos

    found = yaml_pos.scalar(yaml_pos.get(step, "working-directory", budget))
    for level in (job, root):
        if found is not None:
            break
        d = yaml_pos.get(level, "defaults", budget)
        run = yaml_pos.get(d, "run", budget) if d is not None else None
        found = yaml_pos.scalar(yaml_pos.get(run, "working-directory", budget)) if run is not None else None
    return found


def _shell_of(step: yaml.Node, job: yaml.Node, root: yaml.Node, budget: Budget) -> str | None:
    from pinaudit.parse import yaml_pos

    s = yaml_pos.scalar(yaml_pos.get(step, "shell", budget))
    if s:
        return s
    for level in (job, root):
        d = yaml_pos.get(level, "defaults", budget)
        run = yaml_pos.get(d, "run", budget) if d is not None else None
        s = yaml_pos.scalar(yaml_pos.get(run, "shell", budget)) if run is not None else None
        if s:
            return s
    runs_on = yaml_pos.get(job, "runs-on", budget)
    text = yaml_pos.scalar(runs_on) or ""
    if yaml_pos.is_sequence(runs_on):
        text = " ".join(str(getattr(n, "value", "")) for n in getattr(runs_on, "value", []))
    return "pwsh" if "windows" in text.lower() else "bash"


def _image(node: yaml.Node, display: str, what: str, ypos: _Pos, offset: int = 0) -> InstallSite | None:
    from pinaudit.analyzers._image_sites import image_site
    from pinaudit.parse import yaml_pos

    raw = yaml_pos.scalar(node)
    if raw is None:
        return None
    raw = raw[offset:]
    start, end = yaml_pos.value_range(node, ypos.lines, ypos.starts)
    span = span_of(ypos.index, min(start + offset, end), end)
    if "${{" in raw:
        from pinaudit.images import parse_image

        ref = parse_image(_EXPR.sub("X", raw))
        return InstallSite(
            Ecosystem.IMAGE, Action.INSTALL, ref.name, raw, Pin.UNKNOWN, Location(display, span), KIND,
            detail=f"{what}; depends on a workflow expression decided at run time",
            source_kind=SiteSource.WORKFLOW,
        )  # fmt: skip
    return image_site(raw, span, display, {}, KIND, detail=what, source_kind=SiteSource.WORKFLOW)


def analyze_text(source: SourceFile, options: ScanOptions | None = None) -> FileResult:
    from pinaudit.analyzers._shell_sites import SHELLS, shell_sites, with_origin
    from pinaudit.parse import yaml_pos

    display, text = source.display, source.text
    root, base = load_mapping(display, text, KIND, "a workflow")
    if root is None:
        return base
    lines = yaml_pos.physical_lines(text)
    starts = yaml_pos.line_starts(text)
    index = LineIndex(text)
    ypos = _Pos(lines, starts, index, text)
    budget = yaml_pos.Budget()
    parents = source.path.resolve().parents
    workspace = parents[2] if len(parents) > 2 and parents[1].name == ".github" else source.path.parent
    sites: list[InstallSite] = []
    diags: list[Diagnostic] = []
    skipped: list[str] = []
    try:
        jobs = yaml_pos.get(root, "jobs", budget)
        root_env = _static_env(root, (dict(RUNNER_ENV), {}), budget, ypos)
        for job_id, _k, job in yaml_pos.items(jobs, budget):
            if not yaml_pos.is_mapping(job):
                continue
            container = yaml_pos.get(job, "container", budget)
            if container is not None:
                is_str = yaml_pos.scalar(container) is not None
                img = container if is_str else yaml_pos.get(container, "image", budget)
                site = _image(img, display, f"job {job_id} container", ypos) if img is not None else None
                if site:
                    sites.append(site)
            services = yaml_pos.get(job, "services", budget)
            for svc_name, _sk, svc in yaml_pos.items(services, budget):
                img = svc if yaml_pos.scalar(svc) is not None else yaml_pos.get(svc, "image", budget)
                site = _image(img, display, f"job {job_id} service {svc_name}", ypos) if img is not None else None
                if site:
                    sites.append(site)
            job_env = _static_env(job, root_env, budget, ypos)
            npm_local: set[str] = set()  # what the job's steps put into node_modules (npx runs it)
            downloads = DownloadTracker()  # what they fetched (running it later is download-then-run)
            steps = yaml_pos.get(job, "steps", budget)
            for step in getattr(steps, "value", []) if yaml_pos.is_sequence(steps) else []:
                budget.spend()
                uses = yaml_pos.get(step, "uses", budget)
                uses_text = yaml_pos.scalar(uses) if uses is not None else None
                if uses is not None and uses_text and uses_text.startswith("docker://"):
                    site = _image(uses, display, f"job {job_id} step", ypos, offset=len("docker://"))
                    if site:
                        sites.append(site)
                run = yaml_pos.get(step, "run", budget)
                script = yaml_pos.scalar(run) if run is not None else None
                if run is None or not script:
                    continue
                shell = _shell_of(step, job, root, budget) or "bash"
                prog = shell.split()[0].rsplit("/", 1)[-1] if shell.split() else "bash"
                if prog not in SHELLS:
                    skipped.append(f"{display}:{run.start_mark.line + 1}: a {prog} step, not shell")
                    continue
                static, origins = _static_env(step, job_env, budget, ypos)
                mt, env, originals = _placeholders(_block_text(run, lines, starts, index), static)
                # run steps start in the checkout (the folder holding .github), or working-directory
                workdir = _working_directory(step, job, root, budget) or "."
                base_dir = workspace / workdir if "${{" not in workdir else workspace
                found, step_diags = shell_sites(mt, display, base_dir, {**static, **env}, options, npm_local,
                                                downloads, braces=prog in BRACE_SHELLS)
                sites.extend(with_origin(_restore(x, originals), text, origins) for x in found)
                diags.extend(step_diags)
    except yaml_pos.BudgetExceeded as exc:
        diags.append(Diagnostic(Location(display, Span.point(1)), str(exc)))
    return base._replace(sites=tuple(sites), diagnostics=tuple(diags), skipped=tuple(skipped))


def analyze(source: SourceFile, options: ScanOptions) -> FileResult:
    """Analyzer entry point. Never raises for bad input."""
    try:
        return analyze_text(source, options)
    except RecursionError:
        loc = Location(source.display, Span.point(1))
        return FileResult(source.display, KIND, diagnostics=(Diagnostic(loc, "workflow nested too deeply"),))
