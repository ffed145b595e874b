"""PIN301 (npm-family install unpinned), PIN302 (install that may rewrite the lockfile), PIN305."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile

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
