"""PIN701-PIN707: conda command lines, environment files, --file spec files and conda-lock files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import dockerfile, scan_files

CONDA = ("PIN701", "PIN702", "PIN703", "PIN704", "PIN705", "PIN706", "PIN202", "PIN203", "PIN001")

ENV = """name: demo
channels:
  - conda-forge
  - bioconda
dependencies:
  - python=3.11
  - numpy
  - scipy==1.11.4
  - pandas=2.1.4=py311h7c2b0e4_0
  - conda-forge::xarray>=2023.1
  - "matplotlib-base 3.8.2 py311h54ef318_0"
  - nodejs=20.*
  - pip
  - pip:
    - requests
    - flask==3.0.0
    - "httpx==0.27.0 --hash=sha256:71d5465162c13681bff01ad59b2cc68dd838ea1f10e51574bac27103f00c91a5"
"""


def found(files: dict[str, str], root: Path, codes: tuple[str, ...] = CONDA) -> list[tuple[str, int, str | None, str]]:
    return [(f.rule, f.location.span.line, f.package, f.severity.label) for f in scan_files(root, files)
            if f.rule in codes]


def test_environment_file_entries_at_their_lines(tmp_path: Path) -> None:
    assert found({"environment.yml": ENV}, tmp_path) == [
        ("PIN702", 6, "python", "warning"),  # python=3.11 is 3.11.*
        ("PIN701", 7, "numpy", "error"),  # a bare name
        ("PIN703", 8, "scipy", "warning"),  # exact version, the build floats
        ("PIN701", 10, "xarray", "error"),  # a range, channel:: picks no version
        ("PIN702", 12, "nodejs", "warning"),
        ("PIN701", 13, "pip", "error"),
        ("PIN202", 15, "requests", "error"),  # pip: entries are requirements
        # one entry has --hash: conda hands the list to pip as one file, in hash-checking mode
        ("PIN203", 16, "flask", "error"),
    ]


def test_environment_file_columns_and_spec_span(tmp_path: Path) -> None:
    findings = {f.package: f for f in scan_files(tmp_path, {"environment.yml": ENV}) if f.rule.startswith("PIN7")}
    python = findings["python"].location.span
    assert (python.line, python.column, python.end_column) == (6, 5, 16)
    assert findings["python"].site is not None and findings["python"].site.spec_span is not None
    assert findings["python"].site.spec_span.column == 11  # `=3.11`
    requests = next(f for f in scan_files(tmp_path, {"environment.yml": ENV}) if f.package == "requests")
    assert (requests.location.span.line, requests.location.span.column) == (15, 7)


def test_pip_pragma_and_quoted_entry(tmp_path: Path) -> None:
    text = "dependencies:\n  - pip:\n    - 'django>=4'  # pinaudit: ignore=PIN202\n    - \"celery\"\n"
    assert found({"environment.yml": text}, tmp_path) == [("PIN202", 4, "celery", "error")]


def test_pip_entries_follow_their_includes(tmp_path: Path) -> None:
    files = {"env/environment.yml": "dependencies:\n  - pip:\n    - -r requirements.txt\n",
             "env/requirements.txt": "requests\n"}
    assert found(files, tmp_path) == [("PIN202", 1, "requests", "error")]


def test_malformed_yaml_is_pin001_with_position(tmp_path: Path) -> None:
    assert found({"environment.yml": "dependencies:\n  - numpy\n  - [broken\n"}, tmp_path) == [
        ("PIN001", 4, None, "error")]
    assert found({"environment.yml": "dependencies: numpy\n"}, tmp_path) == [("PIN001", 1, None, "error")]


def test_not_an_environment_file_is_said(tmp_path: Path) -> None:
    from pinaudit.app import scan
    from pinaudit.config import Config

    (tmp_path / "environment.yml").write_text("stage: production\nreplicas: 3\n")
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "environment-prod.yaml").write_text("name=jack\n")
    result = scan([tmp_path], Config(), cwd=tmp_path)
    assert result.report.findings == ()
    assert sorted(s.split(":")[0] for s in result.report.skipped if "not a conda environment file" in s) == [
        "ci/environment-prod.yaml", "environment.yml"]


LOCK = """version: 1
metadata:
  platforms: [linux-64]
  sources: [environment.yml]
package:
- name: python
  version: 3.11.9
  manager: conda
  platform: linux-64
  url: https://conda.example/linux-64/python-3.11.9-hb806964_0_cpython.conda
  hash:
    md5: 0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d
    sha256: 1111111111111111111111111111111111111111111111111111111111111111
- name: numpy
  version: 1.26.4
  manager: conda
  platform: linux-64
- name: requests
  version: 2.32.3
  manager: pip
  platform: linux-64
"""


def test_lockfile_beside_pins_its_entries_info(tmp_path: Path) -> None:
    env = "dependencies:\n  - python=3.11\n  - numpy\n  - pip:\n    - requests\n"
    assert found({"environment.yml": env, "conda-lock.yml": LOCK}, tmp_path) == [
        ("PIN701", 2, "python", "info"), ("PIN701", 3, "numpy", "info"), ("PIN202", 5, "requests", "info")]


def test_lockfile_drift(tmp_path: Path) -> None:
    env = "dependencies:\n  - python=3.12\n  - numpy\n  - scipy\n  - pip:\n    - httpx\n"
    assert found({"environment.yml": env, "conda-lock.yml": LOCK}, tmp_path) == [
        ("PIN705", 2, "python", "error"),  # locked at 3.11.9, which =3.12 does not admit
        ("PIN701", 3, "numpy", "info"),
        ("PIN705", 4, "scipy", "error"),  # not in the lock
        ("PIN705", 6, "httpx", "error"),
    ]


def test_lockfile_of_another_file_does_not_govern(tmp_path: Path) -> None:
    files = {"environment-dev.yml": "dependencies:\n  - numpy\n", "conda-lock.yml": LOCK}
    assert found(files, tmp_path) == [("PIN701", 2, "numpy", "error")]


@pytest.mark.parametrize("lock", [
    "version: 1\npackage: 3\n", "package: [1, {name: [x]}, {name: numpy, version: {a: 1}}]\n",
    "x: &a [*a, *a]\npackage: *a\n", "package: [oops\n",
])
def test_unreadable_lockfile_is_said(tmp_path: Path, lock: str) -> None:
    files = {"environment.yml": "dependencies:\n  - numpy\n", "conda-lock.yml": lock}
    assert found(files, tmp_path) == [("PIN001", 1, None, "warning"), ("PIN701", 2, "numpy", "error")]
    diags = [f for f in scan_files(tmp_path, files) if f.rule == "PIN001"]
    assert ["conda-lock.yml beside it cannot be read" in d.message for d in diags] == [True]


COMMANDS = [
    ("FROM x\nRUN conda install -y numpy\n", [("PIN701", 2, "numpy")]),
    ("FROM x\nRUN conda install -y python=3.11\n", [("PIN702", 2, "python")]),
    ("FROM x\nRUN conda install -y 'numpy==1.26.4'\n", [("PIN703", 2, "numpy")]),
    ("FROM x\nRUN conda install -y 'numpy>=1.26'\n", [("PIN701", 2, "numpy")]),
    ("FROM x\nRUN conda install -y \"numpy[version='>=1.26']\"\n", [("PIN701", 2, "numpy")]),
    ("FROM x\nRUN conda install -c conda-forge -n base -y conda-forge::numpy\n", [("PIN701", 2, "numpy")]),
    ("FROM x\nRUN mamba install --yes \\\n    nodejs=20.* \\\n    jq\n",
     [("PIN702", 3, "nodejs"), ("PIN701", 4, "jq")]),
    ("FROM x\nRUN micromamba create -y -n env -c conda-forge python=3.12 numpy\n",
     [("PIN702", 2, "python"), ("PIN701", 2, "numpy")]),
    ("FROM x\nRUN conda update --all -y\n", [("PIN704", 2, None)]),
    ("FROM x\nRUN conda update -n base -c defaults conda -y\n", [("PIN704", 2, "conda")]),
    ("FROM x\nRUN mamba upgrade -y\n", [("PIN704", 2, None)]),
    ("FROM x\nRUN conda env create -f /tmp/env.yml\n", [("PIN706", 2, None)]),
    ("FROM x\nRUN conda install --file specs.txt\n", [("PIN706", 2, None)]),
    ("FROM x\nRUN conda-lock install -n env\n", [("PIN706", 2, None)]),  # no conda-lock.yml in the context
    ("FROM x\nRUN pixi install\n", [("PIN707", 2, None)]),  # may re-solve and rewrite pixi.lock
    ("FROM x\nRUN pixi add 'numpy>=1.26' && pixi global install ruff\n",
     [("PIN701", 2, "numpy"), ("PIN701", 2, "ruff")]),
]
CLEAN = [
    "FROM x\nRUN conda install -y numpy=1.26.4=py311h64a7726_0 'scipy==1.11.4=py311h64a7726_0'\n",
    "FROM x\nRUN conda install -y 'numpy 1.26.4 py311h64a7726_0' -p /opt/env --override-channels -c conda-forge\n",
    "FROM x\nRUN conda install -y "
    "https://conda.example/linux-64/numpy-1.26.4-py311h64a7726_0.conda#a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0\n",
    "FROM x\nRUN conda install -y ./local-1.0-0.tar.bz2\n",
    "FROM x\nRUN conda create -n copy --clone base\n",
    "FROM x\nRUN conda list && conda activate env && conda clean -afy && conda remove -y numpy\n",
    "FROM x\nRUN conda-lock lock -f environment.yml -p linux-64\n",
    "FROM x\nRUN echo conda install numpy\n",
    "FROM x\nRUN pixi install --locked && pixi install --frozen -e prod && pixi run build\n",
]


@pytest.mark.parametrize(("text", "expected"), COMMANDS)
def test_command_lines(tmp_path: Path, text: str, expected: list[tuple[str, int, str | None]]) -> None:
    assert [h for h in dockerfile(tmp_path, text) if h[0].startswith("PIN7")] == expected


@pytest.mark.parametrize("text", CLEAN)
def test_command_lines_not(tmp_path: Path, text: str) -> None:
    assert [h for h in dockerfile(tmp_path, text) if h[0].startswith("PIN7")] == []


def test_env_create_ignores_the_lock_beside_the_file(tmp_path: Path) -> None:
    text = "FROM x\nCOPY environment.yml /tmp/\nRUN conda env create -f /tmp/environment.yml\n"
    files = {"Dockerfile": text, "environment.yml": "dependencies:\n  - numpy\n", "conda-lock.yml": LOCK}
    findings = [f for f in scan_files(tmp_path, files) if f.rule.startswith("PIN7")]
    # the entry reads as it does on its own (locked: info); the command that ignores the lock is the error
    assert [(f.rule, f.location.path, f.location.span.line, f.severity.label) for f in findings] == [
        ("PIN707", "Dockerfile", 3, "error"), ("PIN701", "environment.yml", 2, "info")]


def test_env_create_follows_the_file(tmp_path: Path) -> None:
    text = "FROM x\nCOPY environment.yml /tmp/\nRUN conda env create -f /tmp/environment.yml\n"
    findings = [f for f in scan_files(tmp_path, {"Dockerfile": text, "environment.yml": "dependencies:\n  - numpy\n"})
                if f.rule == "PIN701"]
    assert [(f.location.path, f.location.span.line, f.severity.label) for f in findings] == [
        ("environment.yml", 2, "error")]
    assert findings[0].site is not None and findings[0].site.via is not None and findings[0].site.via.line == 3


def test_env_create_default_file_in_workdir(tmp_path: Path) -> None:
    text = "FROM x\nWORKDIR /app\nCOPY . .\nRUN conda env create\n"
    hits = dockerfile(tmp_path, text, "PIN702", **{"environment.yml": "dependencies:\n  - python=3.11\n"})
    assert hits == [("PIN702", 2, "python")]


def test_file_spec_list_is_judged_line_by_line(tmp_path: Path) -> None:
    text = "FROM x\nCOPY specs.txt /tmp/\nRUN conda create -n x --file /tmp/specs.txt\n"
    specs = "# conda specs\nnumpy=1.26\nscipy==1.11.4=py311_0\n\nrequests  # http\n"
    assert [h for h in dockerfile(tmp_path, text, None, **{"specs.txt": specs}) if h[0].startswith("PIN7")] == [
        ("PIN702", 2, "numpy"), ("PIN701", 5, "requests")]


EXPLICIT = """# platform: linux-64
@EXPLICIT
https://conda.example/linux-64/numpy-1.26.4-py311h64a7726_0.conda#a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0
https://conda.example/noarch/tzdata-2024a-h0c530f3_0.conda
"""


def test_explicit_and_lockfiles_are_locked(tmp_path: Path) -> None:
    text = ("FROM x\nCOPY . /src/\nWORKDIR /src\nRUN conda create -n a --file /src/conda-linux-64.lock "
            "&& micromamba create -n b -f conda-lock.yml && conda-lock install -n c\n")
    findings = scan_files(tmp_path, {"Dockerfile": text, "conda-linux-64.lock": EXPLICIT, "conda-lock.yml": LOCK})
    assert [(f.rule, f.location.path, f.location.span.line) for f in findings if f.rule != "PIN401"] == []


def test_explicit_entries_are_immutable_with_a_hash(tmp_path: Path) -> None:
    from pinaudit.app import scan
    from pinaudit.config import Config
    from pinaudit.model import Ecosystem, Pin

    (tmp_path / "Dockerfile").write_text("FROM x\nCOPY e.txt /e.txt\nRUN conda create -n a --file /e.txt\n")
    (tmp_path / "e.txt").write_text(EXPLICIT)
    sites = [s for s in scan([tmp_path], Config(), cwd=tmp_path).report.sites if s.ecosystem is Ecosystem.CONDA]
    assert [(s.package, s.pin, s.location.span.line) for s in sites if s.package] == [
        ("numpy", Pin.IMMUTABLE, 3), ("tzdata", Pin.EXACT, 4)]


def test_scripts_follow_files_beside_them(tmp_path: Path) -> None:
    files = {"ci/setup.sh": "#!/bin/sh\nconda env update -f environment.yml\n",
             "ci/environment.yml": "dependencies:\n  - numpy\n"}
    assert found(files, tmp_path, ("PIN701", "PIN706")) == [("PIN701", 2, "numpy", "error")]


def test_micromamba_reads_environment_files_with_f(tmp_path: Path) -> None:
    text = "FROM x\nCOPY env.yaml /tmp/env.yaml\nRUN micromamba install -y -n base -f /tmp/env.yaml\n"
    hits = dockerfile(tmp_path, text, None, **{"env.yaml": "channels: [conda-forge]\ndependencies:\n  - numpy\n"})
    assert [h for h in hits if h[0].startswith("PIN7")] == [("PIN701", 3, "numpy")]


def test_ecosystem_option_accepts_conda() -> None:
    from pinaudit.model import Ecosystem, parse_ecosystems
    from pinaudit.simulation.cli import ECOSYSTEMS as SIMULATE
    from pinaudit.writer.cli import ECOSYSTEMS as FIX

    assert Ecosystem("conda") is Ecosystem.CONDA
    assert parse_ecosystems("conda,pip", SIMULATE) == frozenset({"conda", "pip"})
    assert parse_ecosystems("conda", FIX) == frozenset({"conda"})


def test_template_placeholders_are_unknown_not_errors(tmp_path: Path) -> None:
    text = 'dependencies:\n  - "{{ local-package }}"\n  - ${EXTRA}\n'
    assert found({"environment.yml": text}, tmp_path) == [("PIN701", 2, "{{ local-package }}", "info"),
                                                          ("PIN701", 3, "${EXTRA}", "info")]


def test_env_create_without_a_lock_beside_is_not_pin707(tmp_path: Path) -> None:
    text = "FROM x\nCOPY environment.yml /tmp/\nRUN conda env create -f /tmp/environment.yml\n"
    files = {"environment.yml": "dependencies:\n  - numpy=1.26.4=py311h64a7726_0\n",
             "conda-lock.yml": LOCK.replace("[environment.yml]", "[environment-dev.yml]")}  # another file's lock
    assert [h for h in dockerfile(tmp_path, text, None, **files) if h[0].startswith("PIN7")] == []


def test_a_lockfile_named_alone_audits_its_environment_file(tmp_path: Path) -> None:
    from pinaudit.discover import discover

    (tmp_path / "environment.yml").write_text("dependencies:\n  - numpy\n")
    (tmp_path / "conda-lock.yml").write_text(LOCK)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "conda-lock.yml").write_text(LOCK)
    targets = discover([tmp_path / "conda-lock.yml", tmp_path / "sub" / "conda-lock.yml"])
    assert [(t.path.name, t.kind) for t in targets] == [("environment.yml", "conda-env")]


PIXI = """[workspace]
channels = ["conda-forge"]
platforms = ["linux-64"]

[dependencies]
python = "3.11.*"
numpy = ">=1.26"
scipy = "==1.11.4"
xarray = { version = "2024.1.1", build = "pyhd8ed1ab_0" }

[pypi-dependencies]
requests = ">=2"
tool = { git = "https://example.com/x/tool", rev = "0123456789abcdef0123456789abcdef01234567" }

[feature.test.dependencies]
pytest = "*"

[feature.lint]
dependencies = { ruff = "*" }
"""
PIXI_LOCK = """version: 6
packages:
- conda: https://conda.example/linux-64/python-3.11.9-hb806964_0_cpython.conda
- conda: https://conda.example/linux-64/numpy-1.26.4-py311h64a7726_0.conda
- conda: https://conda.example/linux-64/scipy-1.11.4-py311h64a7726_0.conda
- conda: https://conda.example/noarch/xarray-2024.1.1-pyhd8ed1ab_0.conda
- conda: https://conda.example/noarch/pytest-8.3.3-pyhd8ed1ab_0.conda
- pypi: https://files.example/requests-2.32.3-py3-none-any.whl
  name: requests
  version: 2.32.3
- pypi: git+https://example.com/x/tool@0123456789abcdef0123456789abcdef01234567
  name: tool
  version: 0.1.0
"""
PIXI_CODES = ("PIN701", "PIN702", "PIN703", "PIN705", "PIN202", "PIN001")




def test_pixi_manifest_without_a_lock(tmp_path: Path) -> None:
    assert found({"pixi.toml": PIXI}, tmp_path, (*PIXI_CODES, "PIN703")) == [
        ("PIN702", 6, "python", "warning"),
        ("PIN701", 7, "numpy", "error"),
        ("PIN703", 8, "scipy", "warning"),
        ("PIN202", 12, "requests", "error"),  # PyPI dependencies are requirements
        ("PIN701", 16, "pytest", "error"),  # a feature's dependencies too
        ("PIN701", 19, "ruff", "error"),  # written inside an inline table: at that line
    ]


def test_pixi_manifest_with_its_lock(tmp_path: Path) -> None:
    assert found({"pixi.toml": PIXI, "pixi.lock": PIXI_LOCK}, tmp_path, (*PIXI_CODES, "PIN703")) == [
        ("PIN701", 6, "python", "info"),
        ("PIN701", 7, "numpy", "info"),
        ("PIN701", 8, "scipy", "info"),
        ("PIN202", 12, "requests", "info"),
        ("PIN701", 16, "pytest", "info"),
        ("PIN705", 19, "ruff", "error"),  # not in pixi.lock
    ]


def test_pixi_malformed_files(tmp_path: Path) -> None:
    assert found({"pixi.toml": "[dependencies\npython = '3.11'\n"}, tmp_path, PIXI_CODES) == [
        ("PIN001", 1, None, "error")]
    files = {"pixi.toml": '[dependencies]\nnumpy = "*"\n', "pixi.lock": "packages: 7\n"}
    assert found(files, tmp_path, PIXI_CODES) == [("PIN001", 1, None, "warning"), ("PIN701", 2, "numpy", "error")]


def test_pixi_lock_named_alone_audits_its_manifest(tmp_path: Path) -> None:
    from pinaudit.discover import discover

    (tmp_path / "pixi.toml").write_text(PIXI)
    (tmp_path / "pixi.lock").write_text(PIXI_LOCK)
    assert [(t.path.name, t.kind) for t in discover([tmp_path / "pixi.lock"])] == [("pixi.toml", "pixi")]


def test_a_file_conda_installs_is_not_also_judged_as_pip_requirements(tmp_path):
    # requirements.txt given to `micromamba install --file` is a conda spec list: judged once, as conda
    docker = ("FROM mambaorg/micromamba:1.5@sha256:" + "a" * 64 + "\nCOPY requirements.txt /tmp/\n"
              "RUN micromamba install -y --file /tmp/requirements.txt\n")
    found = scan_files(tmp_path, {"Dockerfile": docker, "requirements.txt": "autoflake\nbcftools==1.8\n"})
    assert [(f.rule, f.location.path, f.location.span.line) for f in found] == [
        ("PIN701", "requirements.txt", 1), ("PIN703", "requirements.txt", 2)]
    # the same file with no conda command: pip requirements, as its name says
    found = scan_files(tmp_path / "pip", {"requirements.txt": "autoflake\nbcftools==1.8\n"})
    assert [(f.rule, f.location.span.line) for f in found] == [("PIN202", 1), ("PIN203", 2)]
