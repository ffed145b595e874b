"""Configuration discovery, validation and merging with the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinaudit.config import Config, ConfigError, glob_match, load_config
from pinaudit.model import Severity


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path: Path) -> None:
    cfg = load_config(tmp_path)
    assert cfg.source is None or not str(cfg.source).startswith(str(tmp_path))
    if cfg.source is None:
        assert cfg.root == tmp_path
        assert cfg.fail_on is Severity.ERROR
        assert cfg.select == () and cfg.ignore == ()


def test_walks_up_to_pyproject(tmp_path: Path) -> None:
    pyproject = write(
        tmp_path / "pyproject.toml",
        """
[project]
name = "x"

[tool.pinaudit]
select = ["pin1", "PIN2"]
ignore = ["PIN402"]
fail-on = "warning"
exclude = ["vendor", "docs/**/*.txt"]
build-args = { PYTHON = "3.12", N = 3 }
context = { "docker/*.Dockerfile" = "." }
pypi-index = "https://mirror.example/simple"
debian-snapshot = 2024-03-01

[tool.pinaudit.severity]
PIN402 = "info"

[tool.pinaudit.per-file-ignores]
"tests/**" = ["PIN1"]
""",
    )
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    cfg = load_config(deep)
    assert cfg.source == pyproject
    assert cfg.root == tmp_path
    assert cfg.select == ("PIN1", "PIN2")
    assert cfg.ignore == ("PIN402",)
    assert cfg.fail_on is Severity.WARNING
    assert cfg.severity == {"PIN402": Severity.INFO}
    assert cfg.per_file_ignores == {"tests/**": ("PIN1",)}
    assert cfg.build_args == {"PYTHON": "3.12", "N": "3"}
    assert cfg.pypi_index == "https://mirror.example/simple"
    assert cfg.debian_snapshot == "2024-03-01"
    assert cfg.context_for(tmp_path / "docker" / "web.Dockerfile") == tmp_path.resolve()
    assert cfg.context_for(tmp_path / "Dockerfile") is None


def test_pyproject_without_section_is_skipped(tmp_path: Path) -> None:
    outer = write(tmp_path / ".pinaudit.toml", 'fail-on = "info"\n')
    write(tmp_path / "proj" / "pyproject.toml", '[project]\nname = "x"\n')
    cfg = load_config(tmp_path / "proj")
    assert cfg.source == outer
    assert cfg.fail_on is Severity.INFO


def test_nearest_file_wins(tmp_path: Path) -> None:
    write(tmp_path / ".pinaudit.toml", 'fail-on = "info"\n')
    inner = write(tmp_path / "proj" / "pyproject.toml", '[tool.pinaudit]\nfail-on = "warning"\n')
    cfg = load_config(tmp_path / "proj")
    assert cfg.source == inner and cfg.fail_on is Severity.WARNING


def test_dot_pinaudit_toml_wins_over_pyproject_in_same_folder(tmp_path: Path) -> None:
    dot = write(tmp_path / ".pinaudit.toml", 'fail-on = "info"\n')
    write(tmp_path / "pyproject.toml", '[tool.pinaudit]\nfail-on = "warning"\n')
    cfg = load_config(tmp_path)
    assert cfg.source == dot and cfg.fail_on is Severity.INFO


def test_explicit_file(tmp_path: Path) -> None:
    write(tmp_path / ".pinaudit.toml", 'fail-on = "info"\n')
    other = write(tmp_path / "ci" / "strict.toml", 'fail-on = "warning"\n')
    cfg = load_config(tmp_path, Path("ci/strict.toml"))
    assert cfg.source == other and cfg.root == other.parent and cfg.fail_on is Severity.WARNING
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path, Path("missing.toml"))


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool.pinaudit]\nfail_on = "warning"\n')
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    msg = str(err.value)
    assert "'fail_on'" in msg and str(path) in msg
    assert "did you mean 'fail-on'" in msg


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('fail-on = "fatal"', "fail-on"),
        ('select = "PIN1"', "select"),
        ('ignore = ["DL3008"]', "ignore"),
        ('severity = { PIN101 = "loud" }', "severity.PIN101"),
        ("build-args = { X = true }", "build-args.X"),
        ("pypi-index = 3", "pypi-index"),
        ('per-file-ignores = { "a/*" = "PIN1" }', "per-file-ignores.a/*"),
        ('warn-unused-ignores = "yes"', "warn-unused-ignores"),
    ],
)
def test_bad_value_names_key_and_file(tmp_path: Path, body: str, key: str) -> None:
    path = write(tmp_path / ".pinaudit.toml", body + "\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert str(path) in str(err.value)
    assert repr(key) in str(err.value)


def test_section_header_in_dot_file_is_explained(tmp_path: Path) -> None:
    write(tmp_path / ".pinaudit.toml", '[tool.pinaudit]\nfail-on = "info"\n')
    with pytest.raises(ConfigError, match="top level"):
        load_config(tmp_path)


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / ".pinaudit.toml", 'select = ["PIN1"]\nfail-on = \n')
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert str(path) in str(err.value) and "line 2" in str(err.value)


def test_merged_command_line_wins(tmp_path: Path) -> None:
    cfg = Config(
        select=("PIN1",),
        ignore=("PIN102",),
        fail_on=Severity.WARNING,
        build_args={"A": "1", "B": "2"},
        severity={"PIN402": Severity.INFO},
        root=tmp_path,
    )
    m = cfg.merged(select=["pin2"], ignore=["PIN203"], fail_on="info", build_args={"B": "3"}, pypi_index=None)
    assert m.select == ("PIN2",)  # --select replaces
    assert m.ignore == ("PIN102", "PIN203")  # --ignore extends
    assert m.fail_on is Severity.INFO
    assert m.build_args == {"A": "1", "B": "3"}
    assert m.severity == {"PIN402": Severity.INFO}
    assert m.pypi_index is None
    assert cfg.merged() == cfg
    with pytest.raises(TypeError):
        cfg.merged(colour="red")


def test_enabled_and_severity_for() -> None:
    cfg = Config(
        select=("PIN1", "PIN4"), ignore=("PIN402",), severity={"PIN1": Severity.WARNING, "PIN101": Severity.INFO}
    )
    assert cfg.enabled("PIN101") and cfg.enabled("pin401")
    assert not cfg.enabled("PIN402") and not cfg.enabled("PIN201")
    assert cfg.severity_for("PIN101") is Severity.INFO  # exact beats prefix
    assert cfg.severity_for("PIN102") is Severity.WARNING
    assert cfg.severity_for("PIN201") is None


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("vendor", "vendor/Dockerfile", True),
        ("vendor", "a/vendor/x/Dockerfile", True),
        ("vendor/", "a/vendor/Dockerfile", True),
        ("docker/*.Dockerfile", "docker/web.Dockerfile", True),
        ("docker/*.Dockerfile", "x/docker/web.Dockerfile", False),  # has a '/': anchored
        ("docker/*", "docker/sub/Dockerfile", True),  # the folder docker/sub matches
        ("*.txt", "reqs/requirements.txt", True),
        ("tests/**", "tests/a/b/Dockerfile", True),
        ("**/fixtures/*.txt", "a/fixtures/r.txt", True),
        ("**/fixtures/*.txt", "fixtures/r.txt", True),
        ("Dockerfile.[ab]", "Dockerfile.a", True),
        ("Dockerfile.[!ab]", "Dockerfile.a", False),
        ("Dockerfile", "Dockerfile.dev", False),
        ("./build/*", "build/Dockerfile", True),
    ],
)
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


def test_exclude_relative_to_config_root(tmp_path: Path) -> None:
    cfg = Config(exclude=("vendor", "/build/*"), root=tmp_path)
    assert cfg.is_excluded(tmp_path / "vendor" / "Dockerfile")
    assert cfg.is_excluded("Dockerfile", cwd=tmp_path / "app" / "vendor")
    assert cfg.is_excluded(tmp_path / "build" / "Dockerfile")
    assert not cfg.is_excluded(tmp_path / "app" / "build" / "Dockerfile")
    assert not cfg.is_excluded(tmp_path / "Dockerfile")
    assert not cfg.is_excluded(tmp_path.parent / "elsewhere" / "vendor" / "Dockerfile")
