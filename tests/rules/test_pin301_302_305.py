"""PIN301 (npm-family install unpinned), PIN302 (install that may rewrite the lockfile), PIN305."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile, hits, lay_out, scan_files

CATCHES = [
    ("FROM node:20\nRUN npm install -g typescript\n", [("PIN301", 2, "typescript")]),
    ("FROM node:20\nRUN npm i express@^4\n", [("PIN301", 2, "express")]),
    ("FROM node:20\nRUN yarn global add @angular/cli@latest\n", [("PIN301", 2, "@angular/cli")]),
    ("FROM node:20\nRUN pnpm add -g pm2\n", [("PIN301", 2, "pm2")]),
    ("FROM node:20\nRUN npx create-react-app app\n", [("PIN301", 2, "create-react-app")]),
    ("FROM node:20\nRUN corepack prepare pnpm@latest --activate\n", [("PIN301", 2, "pnpm")]),
    ("FROM node:20\nCOPY package.json .\nRUN npm install\n", [("PIN302", 3, None)]),
    ("FROM node:20\nRUN yarn install\n", [("PIN302", 2, None)]),
    ("FROM node:20\nRUN pnpm install\n", [("PIN302", 2, None)]),
    ("FROM node:20\nRUN npm install -g npm@10.8.2\n", [("PIN305", 2, "npm")]),
]
CLEAN = [
    "FROM node:20\nRUN npm ci\n",
    "FROM node:20\nRUN npm run ci\n",
    "FROM node:20\nRUN yarn install --frozen-lockfile\n",
    "FROM node:20\nRUN yarn install --immutable\n",
    "FROM node:20\nRUN pnpm install --frozen-lockfile\n",
    "FROM node:20\nRUN corepack enable && corepack prepare pnpm@9.12.1 --activate\n",
    "FROM node:20\nCMD npm install\n",
]
RULES = ("PIN301", "PIN302", "PIN305")


@pytest.mark.parametrize(("text", "expected"), CATCHES)
def test_catches(tmp_path, text, expected):
    assert [h for h in dockerfile(tmp_path, text) if h[0] in RULES] == expected


@pytest.mark.parametrize("text", CLEAN)
def test_catches_not(tmp_path, text):
    assert [h for h in dockerfile(tmp_path, text) if h[0] in ("PIN301", "PIN302")] == []


PACKAGE_JSON = '{"dependencies": {"expo": "51.0.0"}, "devDependencies": {"prisma": "5.0.0"}}\n'


@pytest.mark.parametrize(
    ("install", "expected"),
    [
        # npx runs what the project installed into node_modules: nothing is fetched
        ("RUN npm ci", []),
        ("RUN yarn install --frozen-lockfile", []),
        ("RUN pnpm install --frozen-lockfile", []),
        # devDependencies left out: npx fetches prisma from the registry
        ("RUN npm ci --omit=dev", [("PIN301", 6, "prisma")]),
        ("RUN npm ci --only=production", [("PIN301", 6, "prisma")]),
        ("RUN npm ci --only production", [("PIN301", 6, "prisma")]),  # a value flag, not a package
        ("RUN NODE_ENV=production npm ci", [("PIN301", 6, "prisma")]),
        ("RUN pnpm install --frozen-lockfile --prod", [("PIN301", 6, "prisma")]),
        # nothing installed in this stage: both fetched
        ("RUN true", [("PIN301", 5, "expo"), ("PIN301", 6, "prisma")]),
    ],
)
def test_npx_runs_what_the_project_installed(tmp_path, install, expected):
    text = (
        "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\n"
        f"{install}\nRUN npx expo export\nRUN npx prisma generate\n"
    )
    found = dockerfile(tmp_path, text, **{"package.json": PACKAGE_JSON, "package-lock.json": "{}"})
    assert [h for h in found if h[0] == "PIN301"] == expected


def test_npx_after_an_explicit_local_install_and_across_stages(tmp_path):
    text = (
        "FROM node:20 AS test\nRUN npm install --save-dev cypress@13.6.0 && npx cypress verify\n"
        "RUN npx cypress@14 run\n"  # another version: fetched
        "FROM test AS again\nRUN npx cypress verify\n"  # built on `test`: its node_modules came along
        "FROM node:20\nRUN npx cypress verify\n"  # a fresh stage: fetched
    )
    assert [h for h in dockerfile(tmp_path, text) if h[0] == "PIN301"] == [
        ("PIN301", 3, "cypress"), ("PIN301", 7, "cypress")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # pnpm freezes the lockfile by default where CI is set (ci-info: anything but "" or "false")
        ("FROM node:20\nENV CI=1\nRUN pnpm install\n", []),
        ("FROM node:20\nENV CI=true\nRUN pnpm install\n", []),
        ("FROM node:20\nARG CI=true\nRUN pnpm install\n", []),
        ("FROM node:20\nRUN CI=1 pnpm install\n", []),
        ("FROM node:20\nRUN env CI=true pnpm i\n", []),
        # ... but not when told otherwise, or when CI is unset, false or unknown
        ("FROM node:20\nENV CI=1\nRUN pnpm install --no-frozen-lockfile\n", [("PIN302", 3, None)]),
        ("FROM node:20\nENV CI=1\nRUN pnpm install --frozen-lockfile=false\n", [("PIN302", 3, None)]),
        ("FROM node:20\nENV CI=false\nRUN pnpm install\n", [("PIN302", 3, None)]),
        ("FROM node:20\nARG CI\nRUN pnpm install\n", [("PIN302", 3, None)]),
        ("FROM node:20\nRUN CI= pnpm install\n", [("PIN302", 2, None)]),
        ("FROM node:20 AS a\nENV CI=1\nFROM node:20\nRUN pnpm install\n", [("PIN302", 4, None)]),
        # pnpm only: npm and yarn 1 ignore CI
        ("FROM node:20\nENV CI=1\nRUN npm install\n", [("PIN302", 3, None)]),
        ("FROM node:20\nENV CI=1\nRUN yarn install\n", [("PIN302", 3, None)]),
    ],
)
def test_pnpm_install_is_frozen_under_ci(tmp_path, text, expected):
    assert [h for h in dockerfile(tmp_path, text) if h[0] == "PIN302"] == expected


def test_pnpm_install_in_a_workflow_runs_under_ci(tmp_path):
    wf = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pnpm install\n"  # the runner sets CI=true
        "      - run: pnpm install --no-frozen-lockfile\n"
        "      - run: pnpm install\n        env:\n          CI: 'false'\n"
        "      - run: yarn install\n"
    )
    found = hits(scan_files(tmp_path, {".github/workflows/ci.yml": wf}), "PIN302")
    assert found == [("PIN302", 7, None), ("PIN302", 8, None), ("PIN302", 11, None)]


def test_pnpm_install_message_says_ci_would_freeze_it(tmp_path):
    [f] = [f for f in scan_files(tmp_path, {"Dockerfile": "FROM node:20\nRUN pnpm install\n"}) if f.rule == "PIN302"]
    assert "only where CI is set" in f.message


_WF_HEAD = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        # an earlier step installed the project: npx runs node_modules/.bin, fetching nothing
        ("      - run: npm ci\n      - run: npx expo export\n      - run: npx prisma generate\n", []),
        ("      - run: pnpm install --frozen-lockfile && npx prisma generate\n", []),
        # devDependencies left out: prisma is fetched
        ("      - run: npm ci --omit=dev\n      - run: npx prisma generate\n", [("PIN301", 8, "prisma")]),
        # nothing installed before: both fetched; a package the project does not declare: fetched
        ("      - run: npx expo export\n      - run: npm ci\n      - run: npx cowsay hi\n",
         [("PIN301", 7, "expo"), ("PIN301", 9, "cowsay")]),
    ],
)
def test_npx_in_a_workflow_runs_what_an_earlier_step_installed(tmp_path, steps, expected):
    files = {".github/workflows/ci.yml": _WF_HEAD + steps, "package.json": PACKAGE_JSON, "package-lock.json": "{}"}
    found = hits(scan_files(tmp_path, files), "PIN301")
    assert [h for h in found if h[1] >= 7] == expected


def test_npx_in_a_workflow_each_job_has_its_own_checkout(tmp_path):
    wf = (_WF_HEAD + "      - run: npm ci\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: npx prisma generate\n")
    files = {".github/workflows/ci.yml": wf, "package.json": PACKAGE_JSON, "package-lock.json": "{}"}
    assert hits(scan_files(tmp_path, files), "PIN301") == [("PIN301", 11, "prisma")]


def test_npx_in_a_script_after_the_project_install(tmp_path):
    script = "#!/bin/sh\nnpm ci\nnpx prisma generate\nnpx cowsay hi\n"
    files = {"build.sh": script, "package.json": PACKAGE_JSON, "package-lock.json": "{}"}
    assert hits(scan_files(tmp_path, files), "PIN301") == [("PIN301", 4, "cowsay")]


def test_npx_in_a_husky_hook_runs_what_the_project_declares(tmp_path):
    # husky's hooks are put in place by the project's own install: what package.json declares is
    # in node_modules when they run; anything else is fetched
    hook = "#!/usr/bin/env sh\nnpx prisma validate\nnpx cowsay hi\n"
    for where, expected in ((".husky/pre-commit", [("PIN301", 3, "cowsay")]),
                            # the same lines in another script, with no install before them, fetch both
                            ("hooks/pre-commit", [("PIN301", 2, "prisma"), ("PIN301", 3, "cowsay")])):
        root = tmp_path / where.split("/")[0]
        lay_out(root, {where: hook, "package.json": PACKAGE_JSON})
        (root / where).chmod(0o755)  # an extensionless script is discovered when executable, as git keeps hooks
        assert hits(scan_files(root, {}), "PIN301") == expected
