"""The build context behind an interface: a Dockerfile's COPY sources read from given files.

``FileDict`` stands for what ``simulate --cache-from-git`` will hand in (the tree at an older
commit): nothing of it is on disk, yet ``COPY requirements.txt .`` followed by
``RUN pip install -r requirements.txt`` audits that file's entries, its includes, constraints
and package.json the same way as in a folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.analyzers import dockerfile as dockerfile_analyzer
from pinaudit.analyzers.build_context import Directory, FileDict, FileTooLarge
from pinaudit.model import Action, Ecosystem, FileResult, InstallSite, Pin

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.analyzers.build_context import BuildContext


def analyze(tmp_path: Path, dockerfile: str, context: BuildContext | None = None) -> FileResult:
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfile)
    source = SourceFile(path, "Dockerfile", dockerfile, "dockerfile")
    return dockerfile_analyzer.analyze(source, ScanOptions(cwd=tmp_path), context=context)


def pip_sites(result: FileResult) -> dict[str, InstallSite]:
    return {s.package: s for s in result.sites if s.ecosystem is Ecosystem.PIP and s.package}


DOCKERFILE = """\
FROM python:3.12-slim@sha256:{digest}
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
""".format(digest="a" * 64)


def test_copy_then_pip_install_r_is_followed_through_a_dict_of_files(tmp_path: Path) -> None:
    context = FileDict({"requirements.txt": "# web\nflask\nrequests==2.31.0\n"})
    result = analyze(tmp_path, DOCKERFILE, context)
    found = pip_sites(result)
    assert set(found) == {"flask", "requests"}
    flask, requests = found["flask"], found["requests"]
    assert flask.pin is Pin.UNPINNED and requests.pin is Pin.EXACT and requests.version == "2.31.0"
    # each entry at its own line of requirements.txt, installed by the RUN on line 4
    assert (flask.location.path, flask.location.line) == ("requirements.txt", 2)
    assert (requests.location.path, requests.location.line) == ("requirements.txt", 3)
    assert flask.via is not None and (flask.via.path, flask.via.line) == ("Dockerfile", 4)
    followed = [s for s in result.sites if s.action is Action.REQUIREMENTS]
    assert [(s.pin, s.detail) for s in followed] == [(Pin.LOCAL, "follows requirements.txt")]
    assert result.related == ("requirements.txt",)
    assert result.diagnostics == ()


def test_the_context_given_wins_over_the_disk(tmp_path: Path) -> None:
    # beside the Dockerfile on disk: another requirements.txt, which this build does not see
    (tmp_path / "requirements.txt").write_text("django\n")
    from_dict = pip_sites(analyze(tmp_path, DOCKERFILE, FileDict({"requirements.txt": "flask==3.0.3\n"})))
    assert set(from_dict) == {"flask"}
    from_disk = pip_sites(analyze(tmp_path, DOCKERFILE))
    assert set(from_disk) == {"django"}
    assert pip_sites(analyze(tmp_path, DOCKERFILE, Directory(tmp_path))) == from_disk


def test_a_file_missing_from_the_context_is_reported_missing(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("django\n")  # on disk, but not in the context
    result = analyze(tmp_path, DOCKERFILE, FileDict({"other.txt": "flask\n"}))
    (site,) = [s for s in result.sites if s.ecosystem is Ecosystem.PIP]
    assert site.action is Action.REQUIREMENTS and site.pin is Pin.UNKNOWN
    assert site.detail.startswith("it cannot be found in the build context")
    assert site.location.line == 4


def test_includes_and_constraints_come_from_the_same_context(tmp_path: Path) -> None:
    context = FileDict({
        "requirements/base.txt": "-r common.txt\n-c pins.txt\nflask\n",
        "requirements/common.txt": "requests>=2\n",
        "requirements/pins.txt": "flask==3.0.3\n",
        "tools/constraints.txt": "black==24.4.2\n",
    })  # fmt: skip
    dockerfile = (
        "FROM python:3.12\n"
        "COPY requirements/ /src/req/\n"
        "COPY tools/constraints.txt /src/\n"
        "WORKDIR /src\n"
        "RUN pip install -r req/base.txt\n"
        "RUN pip install -c constraints.txt black\n"
    )
    result = analyze(tmp_path, dockerfile, context)
    found = pip_sites(result)
    assert found["flask"].pin is Pin.EXACT and found["flask"].detail == "pinned by constraints file pins.txt"
    assert found["flask"].location.path == "requirements/base.txt"
    assert found["requests"].pin is Pin.UNPINNED and found["requests"].location.path == "requirements/common.txt"
    black = found["black"]
    assert (black.pin, black.version, black.location.path) == (Pin.EXACT, "24.4.2", "Dockerfile")
    assert set(result.related) == {"requirements/base.txt", "requirements/common.txt", "requirements/pins.txt"}


def test_bind_mounts_and_globs_are_read_through_the_context(tmp_path: Path) -> None:
    context = FileDict({"requirements-dev.txt": "pytest\n", "deps/req.txt": "numpy\n"})
    dockerfile = (
        "FROM python:3.12\n"
        "COPY requirements-*.txt /tmp/\n"
        "RUN pip install -r /tmp/requirements-dev.txt\n"
        "RUN --mount=type=bind,source=deps,target=/deps pip install -r /deps/req.txt\n"
    )
    found = pip_sites(analyze(tmp_path, dockerfile, context))
    assert found["pytest"].location.path == "requirements-dev.txt"
    assert found["numpy"].location.path == "deps/req.txt"


def test_package_json_for_npx_is_read_through_the_context(tmp_path: Path) -> None:
    dockerfile = "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci && npx eslint .\n"
    with_eslint = FileDict({"package.json": '{"devDependencies": {"eslint": "9.0.0"}}', "package-lock.json": "{}"})
    without = FileDict({"package.json": '{"dependencies": {}}', "package-lock.json": "{}"})

    def npx_sites(context: BuildContext) -> list[str | None]:
        result = analyze(tmp_path, dockerfile, context)
        return [s.package for s in result.sites if s.installer == "npx"]

    assert npx_sites(with_eslint) == []  # `npm ci` installed it: npx runs that copy
    assert npx_sites(without) == ["eslint"]  # fetched from the registry at build time


def test_file_dict_answers_like_a_folder(tmp_path: Path) -> None:
    files = FileDict({"a/b.txt": "x", "./c.txt": b"\xff", "/d.txt": "\ufeffd"}, root=tmp_path)
    assert files.root == tmp_path
    assert files.is_file(tmp_path / "a" / "b.txt") and files.is_file(tmp_path / "a" / ".." / "d.txt")
    assert files.is_dir(tmp_path / "a") and files.is_dir(tmp_path) and not files.is_dir(tmp_path / "a" / "b.txt")
    assert not files.is_file(tmp_path / "a") and not files.is_file(tmp_path.parent / "b.txt")
    assert files.read_text(tmp_path / "a/b.txt") == "x"
    assert files.read_text(tmp_path / "d.txt") == "\ufeffd"  # the BOM is the caller's business
    with pytest.raises(UnicodeDecodeError):
        files.read_text(tmp_path / "c.txt")
    with pytest.raises(FileNotFoundError):
        files.read_text(tmp_path / "nope.txt")
    with pytest.raises(FileTooLarge):
        files.read_text(tmp_path / "a/b.txt", max_bytes=0)
    assert files.resolve(tmp_path / "a" / ".." / "c.txt") == tmp_path / "c.txt"


def test_directory_reads_the_disk(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_bytes(b"\xef\xbb\xbfflask\n")
    folder = Directory(tmp_path)
    assert folder.root == tmp_path and folder.is_file(tmp_path / "r.txt") and folder.is_dir(tmp_path)
    assert folder.read_text(tmp_path / "r.txt") == "\ufeffflask\n"
    with pytest.raises(FileTooLarge):
        folder.read_text(tmp_path / "r.txt", max_bytes=3)
    with pytest.raises(FileNotFoundError):
        folder.read_text(tmp_path / "nope.txt")


def test_a_compose_file_of_the_scan_gives_the_dockerfile_its_context(tmp_path: Path) -> None:
    """``build: {context: .., dockerfile: docker/Dockerfile}``: the Dockerfile's COPY sources are
    read from the repository root, as docker compose builds it (not from docker/)."""
    from tests.helpers import lay_out, scan_files

    docker = ("FROM python:3.12-slim@sha256:" + "a" * 64 + "\nWORKDIR /app\n"
              "COPY requirements.txt poetry.lock pyproject.toml ./\nRUN pip install -r requirements.txt\n"
              "RUN poetry install --only main\n")
    files = {"docker/Dockerfile": docker, "requirements.txt": "flask>=3\n", "poetry.lock": "",
             "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = []\n'}

    def found(root: Path) -> list[tuple[str, str, int]]:
        return [(f.rule, f.location.path, f.location.span.line) for f in scan_files(root, {})
                if f.rule in ("PIN202", "PIN205", "PIN208")]

    lay_out(tmp_path / "bare", files)
    assert found(tmp_path / "bare") == [("PIN205", "docker/Dockerfile", 4), ("PIN208", "docker/Dockerfile", 5),
                                        ("PIN202", "requirements.txt", 1)]
    compose = "services:\n  app:\n    build:\n      context: ..\n      dockerfile: docker/Dockerfile\n"
    lay_out(tmp_path / "composed", {**files, "docker/compose.yml": compose})
    assert found(tmp_path / "composed") == [("PIN202", "requirements.txt", 1)]
