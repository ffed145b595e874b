"""PIN201: pip install on a command line without an exact pin."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import dockerfile

CATCHES = [
    ("FROM python:3.12\nRUN pip install requests\n", [("PIN201", 2, "requests")]),
    (
        "FROM python:3.12\nRUN pip3 install 'django>=4.2' celery~=5.3\n",
        [("PIN201", 2, "django"), ("PIN201", 2, "celery")],
    ),
    # unquoted > is a redirection: pip sees 'foo'
    ("FROM python:3.12\nRUN pip install foo>=1\n", [("PIN201", 2, "foo")]),
    ("FROM python:3.12\nRUN python -m pip install -U pip\n", [("PIN201", 2, "pip")]),
    (
        "FROM python:3.12\nRUN python3.11 -m pip install --upgrade setuptools wheel\n",
        [("PIN201", 2, "setuptools"), ("PIN201", 2, "wheel")],
    ),
    ("FROM python:3.12\nRUN pip3.12 install numpy==1.*\n", [("PIN201", 2, "numpy")]),
    ("FROM python:3.12\nRUN uv pip install --system httpx\n", [("PIN201", 2, "httpx")]),
    ("FROM python:3.12\nRUN pipx install black\n", [("PIN201", 2, "black")]),
    (
        "FROM python:3.12\nRUN pip install --no-cache-dir \\\n    -i https://example.com/simple \\\n    flask\n",
        [("PIN201", 4, "flask")],
    ),
    ("FROM python:3.12\nRUN pip install git+https://example.com/org/repo.git@main\n", [("PIN201", 2, None)]),
]
CLEAN = [
    "FROM python:3.12\nRUN pip install requests==2.32.3 --require-hashes\n",
    "FROM python:3.12\nRUN pip install -U pip==24.1.2\n",
    "FROM python:3.12\nRUN pip install --no-cache-dir -t /opt/lib 'urllib3===2.2.2'\n",
    "FROM python:3.12\nRUN pip uninstall -y requests\n",
    "FROM python:3.12\nRUN pip download requests\n",
    "FROM python:3.12\nRUN echo pip install requests\n",
]


@pytest.mark.parametrize(("text", "expected"), CATCHES)
def test_catches(tmp_path, text, expected):
    found = dockerfile(tmp_path, text, "PIN201")
    # VCS/URL requirements may be named by the URL: compare packages only where the table names one
    assert len(found) == len(expected)
    assert [(c, ln, p if e[2] is not None else None) for (c, ln, p), e in zip(found, expected, strict=True)] == expected


@pytest.mark.parametrize("text", CLEAN)
def test_catches_not(tmp_path, text):
    assert dockerfile(tmp_path, text, "PIN201") == []


def test_constraints_file_on_command_line_pins(tmp_path):
    text = "FROM python:3.12\nCOPY constraints.txt .\nRUN pip install -c constraints.txt requests\n"
    assert dockerfile(tmp_path, text, "PIN201", **{"constraints.txt": "requests==2.32.3\n"}) == []


def test_uv_pip_spellings_of_requirements_and_constraints(tmp_path: Path) -> None:
    """uv's own option names (issue 15): --python-preference takes a value, --requirements is -r
    and --constraints is -c; none of their values is a package."""
    text = (
        "FROM python:3.12-slim\n"
        "COPY requirements.txt c.txt ./\n"
        "RUN uv pip install --system --python-preference system --requirements requirements.txt\n"
        "RUN uv pip install --system --constraints c.txt requests\n"
        "RUN uv pip install --python-preference only-system httpx\n"
    )
    files = {"requirements.txt": "flask==3.0.3\n", "c.txt": "requests==2.32.3\n"}
    found = dockerfile(tmp_path, text, "PIN201", **files)
    assert found == [("PIN201", 5, "httpx")]
