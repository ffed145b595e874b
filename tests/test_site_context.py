"""The typed site context (pinaudit/site_context.py): exact values for every field over small inputs.

Build positions (stages, layers, base images through ``FROM stage`` chains, ARG-expanded FROM,
``--platform``, the Python version and suite a tag implies), parsed requirements, pip's index
configuration (flags, ``ENV PIP_*``, ``VAR=x`` prefixes, requirements-file options, every
constraint of ``-c`` files), apt's target suite, npm sections and lockfiles, image references
taken apart, and the SiteSource every site is marked with.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pinaudit.analyzers import ScanOptions, SourceFile
from pinaudit.analyzers import compose as compose_analyzer
from pinaudit.analyzers import dockerfile as dockerfile_analyzer
from pinaudit.analyzers import package_json as package_json_analyzer
from pinaudit.analyzers import requirements as requirements_analyzer
from pinaudit.analyzers import workflow as workflow_analyzer
from pinaudit.analyzers.build_context import FileDict
from pinaudit.images import image_ref, parse_image
from pinaudit.model import Ecosystem, FileResult, InstallSite
from pinaudit.site_context import (
    BuildPosition,
    ConstraintFile,
    ImageReference,
    PipIndex,
    RequirementParts,
    SiteSource,
    python_of,
    suite_of,
)

DIGEST = "sha256:" + "a" * 64


def dockerfile(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> FileResult:
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    source = SourceFile(path, "Dockerfile", text, "dockerfile")
    context = FileDict(files or {}, tmp_path)
    return dockerfile_analyzer.analyze(source, ScanOptions(cwd=tmp_path), context=context)


def by_package(result: FileResult) -> dict[str, InstallSite]:
    return {s.package: s for s in result.sites if s.package}


# ---- build position ---------------------------------------------------------------------------


def test_build_position_through_a_stage_chain(tmp_path: Path) -> None:
    result = dockerfile(tmp_path, """\
ARG PY=3.12.4
FROM --platform=linux/arm64 python:${PY}-bookworm AS base
RUN pip install flask==3.0.3
FROM base AS build
RUN apt-get install -y curl
FROM build
RUN npm install -g left-pad@1.3.0
""")
    sites = by_package(result)
    base = ImageReference(None, "python", "3.12.4-bookworm", None, "linux/arm64")
    assert sites["python"].build == BuildPosition(0, "base", 1, base, "linux/arm64", "3.12", "bookworm", 2)
    assert sites["flask"].build == BuildPosition(0, "base", 2, base, "linux/arm64", "3.12", "bookworm", 3)
    assert sites["curl"].build == BuildPosition(1, "build", 4, base, "linux/arm64", "3.12", "bookworm", 5)
    assert sites["left-pad"].build == BuildPosition(2, None, 6, base, "linux/arm64", "3.12", "bookworm", 7)


def test_build_position_of_each_stage_and_unknown_bases(tmp_path: Path) -> None:
    result = dockerfile(tmp_path, """\
ARG BASE
FROM ubuntu:22.04 AS one
RUN apt-get install -y curl
FROM scratch AS two
COPY --from=one /x /x
FROM $BASE
RUN apt-get install -y git
FROM debian:12-slim
RUN apt-get install -y jq
FROM python:3.11-slim
RUN apt-get install -y make
""")
    sites = by_package(result)
    assert sites["curl"].build == BuildPosition(
        0, "one", 2, ImageReference(None, "ubuntu", "22.04"), None, None, "jammy", 3)
    assert sites["git"].build == BuildPosition(2, None, 6, None, None, None, None, 7)
    assert sites["jq"].build == BuildPosition(
        3, None, 8, ImageReference(None, "debian", "12-slim"), None, None, "bookworm", 9)
    assert sites["make"].build == BuildPosition(
        4, None, 10, ImageReference(None, "python", "3.11-slim"), None, "3.11", None, 11)


def test_requirements_file_sites_get_the_runs_position(tmp_path: Path) -> None:
    result = dockerfile(tmp_path, """\
FROM python:3.11-slim-bookworm AS app
COPY requirements.txt .
RUN pip install -r requirements.txt
""", {"requirements.txt": "flask==3.0.3\n"})
    flask = by_package(result)["flask"]
    assert flask.via is not None and flask.location.path == "requirements.txt"
    assert flask.build == BuildPosition(
        0, "app", 2, ImageReference(None, "python", "3.11-slim-bookworm"), None, "3.11", "bookworm", 3)
    assert flask.source_kind is SiteSource.REQUIREMENTS


@pytest.mark.parametrize(("ref", "python", "suite"), [
    ("python:3.11-slim", "3.11", None),
    ("python:3.12.4-bookworm", "3.12", "bookworm"),
    ("python:3.12-slim-bookworm", "3.12", "bookworm"),
    ("python:3.12-alpine3.20", "3.12", "alpine3.20"),
    ("ubuntu:22.04", None, "jammy"),
    ("ubuntu:noble", None, "noble"),
    ("debian:12", None, "bookworm"),
    ("debian:bookworm-20240513-slim", None, "bookworm"),
    ("node:20-bullseye-slim", None, "bullseye"),
    ("alpine:3.20.3", None, "alpine3.20"),
    ("ghcr.io/org/python:3.10", "3.10", None),
    ("python:latest", None, None),
    ("python", None, None),
])
def test_what_a_tag_says(ref: str, python: str | None, suite: str | None) -> None:
    parts = parse_image(ref).parts
    assert (python_of(parts), suite_of(parts)) == (python, suite)


# ---- image references -------------------------------------------------------------------------


@pytest.mark.parametrize(("ref", "parts"), [
    ("python:3.12", ImageReference(None, "python", "3.12")),
    ("docker.io/library/python:3.12", ImageReference(None, "library/python", "3.12")),
    ("bitnami/redis:7.2", ImageReference(None, "bitnami/redis", "7.2")),
    ("localhost:5000/app", ImageReference("localhost:5000", "app")),
    (f"registry.example:5000/org/app:1.2@{DIGEST}", ImageReference("registry.example:5000", "org/app", "1.2", DIGEST)),
    (f"ghcr.io/org/app@{DIGEST}", ImageReference("ghcr.io", "org/app", None, DIGEST)),
    ("ghcr.io/org/app@sha256:short", ImageReference("ghcr.io", "org/app")),
])
def test_image_reference_parts(ref: str, parts: ImageReference) -> None:
    assert parse_image(ref).parts == parts
    assert image_ref(parts).parts == parts


def test_image_sites_carry_their_reference(tmp_path: Path) -> None:
    result = dockerfile(tmp_path, f"""\
FROM --platform=linux/amd64 registry.example:5000/base/python:3.12@{DIGEST} AS a
COPY --from=ghcr.io/org/tools:1.0 /bin/t /bin/t
RUN --mount=type=bind,from=alpine:3.20,target=/m true
""")
    sites = {s.source_kind: s for s in result.sites if s.ecosystem is Ecosystem.IMAGE}
    assert sites[SiteSource.FROM].image == ImageReference(
        "registry.example:5000", "base/python", "3.12", DIGEST, "linux/amd64")
    assert sites[SiteSource.COPY_FROM].image == ImageReference("ghcr.io", "org/tools", "1.0")
    assert sites[SiteSource.MOUNT_FROM].image == ImageReference(None, "alpine", "3.20")


def test_compose_and_workflow_images(tmp_path: Path) -> None:
    text = "services:\n  web:\n    image: ghcr.io/org/web:2.1\n    platform: linux/arm64\n"
    path = tmp_path / "compose.yaml"
    path.write_text(text)
    result = compose_analyzer.analyze(SourceFile(path, "compose.yaml", text, "compose"), ScanOptions(cwd=tmp_path))
    (site,) = result.sites
    assert site.source_kind is SiteSource.COMPOSE
    assert site.image == ImageReference("ghcr.io", "org/web", "2.1", None, "linux/arm64")
    wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container: node:20\n    steps:\n      - run: 'true'\n"
    wpath = tmp_path / "ci.yml"
    wpath.write_text(wf)
    result = workflow_analyzer.analyze(SourceFile(wpath, "ci.yml", wf, "workflow"), ScanOptions(cwd=tmp_path))
    (site,) = result.sites
    assert site.source_kind is SiteSource.WORKFLOW and site.image == ImageReference(None, "node", "20")


# ---- pip: requirements and index configuration ----------------------------------------------------


def test_command_line_requirements_taken_apart(tmp_path: Path) -> None:
    result = dockerfile(tmp_path, """\
FROM python:3.12
RUN pip install "pandas[excel,perf]>=2,<3; python_version>='3.9'" requests==2.32.3 \\
    "acme @ https://x.example/acme-1.0.zip" ./local
""")
    sites = {s.requirement.raw: s.requirement for s in result.sites if s.requirement is not None}
    assert sites == {
        "pandas[excel,perf]>=2,<3; python_version>='3.9'": RequirementParts(
            "pandas[excel,perf]>=2,<3; python_version>='3.9'", "pandas", "<3,>=2", ("excel", "perf"),
            'python_version >= "3.9"'),
        "requests==2.32.3": RequirementParts("requests==2.32.3", "requests", "==2.32.3"),
        "acme @ https://x.example/acme-1.0.zip": RequirementParts(
            "acme @ https://x.example/acme-1.0.zip", "acme", url="https://x.example/acme-1.0.zip"),
        "./local": RequirementParts("./local", None, url="./local"),
    }


def test_pip_index_from_flags_env_and_prefixes(tmp_path: Path) -> None:
    result = dockerfile(tmp_path, """\
FROM python:3.12
ENV PIP_INDEX_URL=https://env.example/simple PIP_EXTRA_INDEX_URL="https://e1.example/simple https://e2.example/simple"
RUN pip install flask==3.0.3
RUN pip install -i https://own.example/simple --extra-index-url https://more.example/simple -f /wheels --pre \\
    click==8.1.7
RUN PIP_NO_INDEX=1 PIP_FIND_LINKS=/w pip install rich==13.7.1
RUN env PIP_PRE=true pip install --no-index idna==3.7
""")
    sites = by_package(result)
    assert sites["flask"].pip_index == PipIndex(
        "https://env.example/simple", ("https://e1.example/simple", "https://e2.example/simple"))
    assert sites["click"].pip_index == PipIndex(
        "https://own.example/simple",
        ("https://e1.example/simple", "https://e2.example/simple", "https://more.example/simple"),
        ("/wheels",), pre=True)
    assert sites["rich"].pip_index == PipIndex(
        "https://env.example/simple", ("https://e1.example/simple", "https://e2.example/simple"), ("/w",),
        no_index=True)
    assert sites["idna"].pip_index == PipIndex(
        "https://env.example/simple", ("https://e1.example/simple", "https://e2.example/simple"),
        no_index=True, pre=True)


def test_every_constraint_of_a_c_file_survives(tmp_path: Path) -> None:
    result = dockerfile(tmp_path, """\
FROM python:3.12
COPY constraints.txt .
RUN pip install -c constraints.txt -c missing.txt flask
""", {"constraints.txt": "urllib3>=1.26,<3\nidna==3.7\nrequests~=2.31 ; python_version>'3.8'\n"})
    flask = by_package(result)["flask"]
    assert flask.pip_index is not None
    assert flask.pip_index.constraint_files == (
        ConstraintFile("constraints.txt", (
            RequirementParts("urllib3>=1.26,<3", "urllib3", "<3,>=1.26"),
            RequirementParts("idna==3.7", "idna", "==3.7"),
            RequirementParts("requests~=2.31 ; python_version>'3.8'", "requests", "~=2.31",
                             marker='python_version > "3.8"'),
        )),
        ConstraintFile("missing.txt", None),
    )


def test_requirements_file_options_and_its_constraints(tmp_path: Path) -> None:
    result = dockerfile(tmp_path, """\
FROM python:3.12
COPY . .
RUN pip install --extra-index-url https://cmd.example/simple -r requirements.txt
""", {
        "requirements.txt": "--index-url https://file.example/simple\n--find-links ./wheels\n--pre\n"
                            "-c pins.txt\nflask[async]==3.0.3\n",
        "pins.txt": "click<9\n",
    })
    flask = by_package(result)["flask"]
    assert flask.requirement == RequirementParts("flask[async]==3.0.3", "flask", "==3.0.3", ("async",))
    assert flask.pip_index == PipIndex(
        "https://file.example/simple", ("https://cmd.example/simple",), ("./wheels",), pre=True,
        constraint_files=(ConstraintFile("pins.txt", (RequirementParts("click<9", "click", "<9"),)),))


def test_a_requirements_file_on_its_own(tmp_path: Path) -> None:
    text = "-i https://corp.example/simple\nrequests>=2\n"
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    result = requirements_analyzer.analyze(SourceFile(path, "requirements.txt", text, "requirements"),
                                           ScanOptions(cwd=tmp_path))
    (site,) = result.sites
    assert site.source_kind is SiteSource.REQUIREMENTS and site.build is None
    assert site.requirement == RequirementParts("requests>=2", "requests", ">=2")
    assert site.pip_index == PipIndex("https://corp.example/simple")
    cpath = tmp_path / "constraints.txt"
    cpath.write_text("requests>=2\n")
    result = requirements_analyzer.analyze(SourceFile(cpath, "constraints.txt", "requests>=2\n", "requirements"),
                                           ScanOptions(cwd=tmp_path))
    assert [s.source_kind for s in result.sites] == [SiteSource.CONSTRAINTS]


# ---- apt and npm --------------------------------------------------------------------------------


def test_apt_target_suite(tmp_path: Path) -> None:
    result = dockerfile(tmp_path, """\
FROM debian:12
RUN apt-get install -t bookworm-backports -y curl git/bookworm-security
RUN apt-get --target-release=bookworm-backports install -y jq && apt-get install -y make nginx/stable
""")
    sites = by_package(result)
    assert {name: s.apt_target for name, s in sites.items() if s.ecosystem is Ecosystem.APT} == {
        "curl": "bookworm-backports", "git": "bookworm-security", "jq": "bookworm-backports", "make": None,
        "nginx": "stable",
    }


def test_npm_sections_and_lockfile(tmp_path: Path) -> None:
    text = """{
  "dependencies": {"express": "^4.19.2"},
  "devDependencies": {"jest": "29.7.0"},
  "optionalDependencies": {"fsevents": "2.3.3"},
  "overrides": {"semver": "7.6.0"},
  "packageManager": "pnpm@9.1.0"
}
"""
    (tmp_path / "app").mkdir()
    path = tmp_path / "app" / "package.json"
    path.write_text(text)
    lock = ('{"name": "x", "lockfileVersion": 3, "packages": {"": {}, "node_modules/express": {"version": '
            '"4.19.2"}, "node_modules/jest": {"version": "29.7.0"}, "node_modules/fsevents": {"version": "2.3.3"}}}')
    (tmp_path / "app" / "package-lock.json").write_text(lock)
    result = package_json_analyzer.analyze(SourceFile(path, "app/package.json", text, "package.json"),
                                           ScanOptions(cwd=tmp_path))
    got = {(s.package, s.npm_section, s.lockfile, s.source_kind) for s in result.sites}
    assert got == {
        ("express", "dependencies", "app/package-lock.json", SiteSource.PACKAGE_JSON),
        ("jest", "devDependencies", "app/package-lock.json", SiteSource.PACKAGE_JSON),
        ("fsevents", "optionalDependencies", "app/package-lock.json", SiteSource.PACKAGE_JSON),
        ("semver", "overrides", "app/package-lock.json", SiteSource.PACKAGE_JSON),
        ("pnpm", "packageManager", "app/package-lock.json", SiteSource.PACKAGE_JSON),
        (None, None, "app/package-lock.json", SiteSource.PACKAGE_JSON),
    }


def test_sources_of_command_line_sites(tmp_path: Path) -> None:
    result = dockerfile(tmp_path, "FROM node:20\nADD https://x.example/a.tgz /a.tgz\nRUN npm install -g pnpm\n")
    assert [(s.ecosystem, s.source_kind) for s in result.sites] == [
        (Ecosystem.IMAGE, SiteSource.FROM), (Ecosystem.DOWNLOAD, SiteSource.ADD), (Ecosystem.NPM, SiteSource.COMMAND),
    ]


# ---- JSON and SARIF ------------------------------------------------------------------------------


def test_json_and_sarif_expose_the_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from pinaudit._cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-slim-bookworm AS app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n")
    (tmp_path / "requirements.txt").write_text("--index-url https://corp.example/simple\nrequests[socks]>=2\n")
    main(["scan", "--format", "json", "Dockerfile"])
    doc = json.loads(capsys.readouterr().out)
    (f,) = [f for f in doc["findings"] if f["rule"] == "PIN202"]
    assert f["source"] == "requirements" and f["path"] == "requirements.txt"
    assert (f["stage"], f["layer"], f["base_python"], f["base_suite"]) == ({"index": 0, "name": "app"}, 2, "3.12",
                                                                          "bookworm")
    assert f["requirement"] == {"name": "requests", "specifier": ">=2", "extras": ["socks"], "marker": None,
                                "url": None}
    assert f["pip_index"] == {"index_url": "https://corp.example/simple", "extra_index_urls": [], "find_links": [],
                              "no_index": False, "pre": False, "constraint_files": []}
    (image,) = [f for f in doc["findings"] if f["rule"] == "PIN402"]
    assert image["source"] == "from" and image["image"] == {
        "registry": None, "repository": "python", "tag": "3.12-slim-bookworm", "digest": None, "platform": None}
    main(["scan", "--format", "sarif", "Dockerfile"])
    sarif = json.loads(capsys.readouterr().out)
    (r,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "PIN202"]
    assert r["properties"]["requirement"]["extras"] == ["socks"] and r["properties"]["layer"] == 2
