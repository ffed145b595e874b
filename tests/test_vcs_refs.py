"""The one policy for VCS and URL references (SPEC §5): class and name, for pip and npm alike."""

from __future__ import annotations

import pytest

from pinaudit.model import Pin
from pinaudit.vcs_refs import classify_ref, is_reference, reference, url_names_commit

SHA = "0123456789abcdef0123456789abcdef01234567"
IMM, EXACT, UNP = Pin.IMMUTABLE, Pin.EXACT, Pin.UNPINNED

# (reference as written, syntax, name written with it) -> (kind, class, name it installs, version)
TABLE = [
    # pip VCS: ref after '@' in the path, named by egg=, then by the repository
    (f"git+https://example.com/org/repo.git@{SHA}#egg=foo", "pip", None, ("vcs", IMM, "foo", SHA)),
    ("git+https://example.com/acme/sphinx-ext.git@0.6-alpha#egg=sphinx-ext", "pip", None,
     ("vcs", EXACT, "sphinx-ext", "0.6-alpha")),
    ("git+https://example.com/acme/tool.git@v1.2.0", "pip", None, ("vcs", EXACT, "tool", "v1.2.0")),
    ("git+https://example.com/acme/tool.git@refs/tags/v1.2.0", "pip", None,
     ("vcs", EXACT, "tool", "refs/tags/v1.2.0")),
    ("git+https://example.com/acme/tool.git@3f78685", "pip", None, ("vcs", EXACT, "tool", "3f78685")),
    ("git+https://example.com/acme/tool.git@main", "pip", None, ("vcs", UNP, "tool", None)),
    ("git+https://example.com/acme/tool.git@HEAD", "pip", None, ("vcs", UNP, "tool", None)),
    ("git+https://example.com/acme/tool.git@2.x", "pip", None, ("vcs", UNP, "tool", None)),
    ("git+https://example.com/acme/tool.git@v1", "pip", None, ("vcs", UNP, "tool", None)),  # a major tag moves
    ("git+https://example.com/org/proj.git@release/2.x", "pip", None, ("vcs", UNP, "proj", None)),
    ("git+https://example.com/acme/tool.git", "pip", None, ("vcs", UNP, "tool", None)),
    # the '@' of git@host is the user part, not a ref
    ("git+ssh://git@example.com/acme/tool.git", "pip", None, ("vcs", UNP, "tool", None)),
    (f"git+ssh://git@example.com/acme/tool.git@{SHA}", "pip", "renamed", ("vcs", IMM, "renamed", SHA)),
    ("git+git@example.com:acme/tool.git@v2.0.1", "pip", None, ("vcs", EXACT, "tool", "v2.0.1")),
    ("hg+https://example.com/acme/tool@" + "a" * 40, "pip", None, ("vcs", IMM, "tool", "a" * 40)),
    ("svn+https://example.com/svn/tool@1234", "pip", None, ("vcs", EXACT, "tool", "1234")),
    ("svn+https://example.com/svn/tool/trunk@r1234", "pip", None, ("vcs", EXACT, "tool", "r1234")),
    ("svn+https://example.com/svn/tool/branches/stable", "pip", None, ("vcs", UNP, "tool", None)),
    # pip direct URLs: a hash is immutable, a versioned file name pins the name
    ("https://example.com/acme/acme-2.1.0.zip", "pip", None, ("url", EXACT, "acme", "2.1.0")),
    ("https://example.com/w/acme-2.1.0-py3-none-any.whl", "pip", None, ("url", EXACT, "acme", "2.1.0")),
    ("https://example.com/w/acme-2.1.0.tar.gz#sha256=" + "a" * 64, "pip", None, ("url", IMM, "acme", "2.1.0")),
    ("https://example.com/w/acme-2.1.0.tar.gz", "pip", "acme", ("url", EXACT, "acme", "2.1.0")),
    ("https://example.com/dist/mylib-1.0.tar.gz#egg=mylib", "pip", None, ("url", EXACT, "mylib", "1.0")),
    ("https://example.com/acme/tool/archive/main.zip", "pip", None, ("url", UNP, "tool", None)),
    ("https://example.com/acme/tool/archive/refs/tags/v1.4.0.tar.gz", "pip", None,
     ("url", EXACT, "tool", "1.4.0")),
    (f"https://example.com/acme/tool/archive/{SHA}.zip", "pip", None, ("url", IMM, "tool", None)),
    ("https://example.com/download/latest", "pip", None, ("url", UNP, None, None)),
    # npm git: ref after '#', named by the repository
    ("git+https://example.com/acme/widget.git#main", "npm", None, ("vcs", UNP, "widget", None)),
    ("github:acme/widget", "npm", None, ("vcs", UNP, "widget", None)),
    ("acme/widget#v1.2.0", "npm", None, ("vcs", EXACT, "widget", "v1.2.0")),
    (f"https://github.com/acme/widget#{SHA}", "npm", None, ("vcs", IMM, "widget", SHA)),
    ("https://github.com/acme/widget", "npm", None, ("vcs", UNP, "widget", None)),
    ("git://example.com/acme/gadget.git#v2.3.0", "npm", None, ("vcs", EXACT, "gadget", "v2.3.0")),
    ("gitlab:acme/widget#semver:^5.0", "npm", None, ("vcs", UNP, "widget", None)),
    ("bitbucket:acme/widget#semver:1.2.3", "npm", None, ("vcs", EXACT, "widget", "1.2.3")),
    ("git+ssh://git@example.com:acme/widget.git#v1.0.27", "npm", None, ("vcs", EXACT, "widget", "v1.0.27")),
    ("git+https://dev@example.com/acme/widget.git#4f9c2e1", "npm", None, ("vcs", EXACT, "widget", "4f9c2e1")),
    ("git@example.com:acme/widget.git#v1.0.0", "npm", None, ("vcs", EXACT, "widget", "v1.0.0")),
    (f"github:acme/monorepo#{SHA}::path:packages/core", "npm", None, ("vcs", IMM, "monorepo", SHA)),
    ("github:acme/widget#v1.2.0", "npm", "alias", ("vcs", EXACT, "alias", "v1.2.0")),
    # npm tarball URLs
    ("https://example.com/widget/-/widget-2.0.1.tgz", "npm", None, ("url", EXACT, "widget", "2.0.1")),
    ("https://example.com/widget-v2.0.1.tar.gz", "npm", None, ("url", EXACT, "widget", "2.0.1")),
    ("https://example.com/tool.tgz", "npm", None, ("url", UNP, None, None)),
]


@pytest.mark.parametrize(("text", "syntax", "name", "expected"), TABLE, ids=[t[0][:70] for t in TABLE])
def test_class_and_name(text: str, syntax: str, name: str | None, expected: tuple[object, ...]) -> None:
    got = reference(text, syntax, name=name)
    assert got is not None
    assert (got.kind, got.pin, got.name, got.version) == expected


@pytest.mark.parametrize(("text", "syntax"), [
    ("requests", "pip"), ("requests==2.32.3", "pip"), ("./pkg", "pip"), ("file:///srv/pkg", "pip"),
    ("dist/pkg-1.0-py3-none-any.whl", "pip"), ("proj @ file:///srv/proj", "pip"), ("widget@1.2.3", "npm"),
    ("lodash", "npm"), ("^1.2.3", "npm"), ("@scope/pkg", "npm"), ("file:../x", "npm"), ("./x.tgz", "npm"),
    ("latest", "npm"), ("npm:other@1.0.0", "npm"), ("git@0.1.5", "npm"),  # the registry package `git`
])
def test_not_a_reference(text: str, syntax: str) -> None:
    assert reference(text, syntax) is None
    assert not is_reference(text, syntax)


@pytest.mark.parametrize(("pin", "words"), [
    (IMM, "immutable"), (EXACT, "pins the name but not the bytes"), (UNP, "unpinned"),
])
def test_the_detail_names_the_class(pin: Pin, words: str) -> None:
    # findings quote the detail: it must say which of the three classes the reference is in
    for text, syntax, name, expected in TABLE:
        if expected[1] is pin:
            got = reference(text, syntax, name=name)
            assert got is not None and words in got.detail, (text, got)


@pytest.mark.parametrize(("text", "syntax"), [
    ("proj @ git+https://example.com/o/proj.git", "pip"),
    ("proj[extra] @ https://example.com/proj-1.0.zip ; python_version >= '3.8'", "pip"),
    ("widget@github:acme/widget", "npm"),
    ("@acme/widget@git+https://example.com/acme/widget.git#v1.2.0", "npm"),
])
def test_a_spec_naming_its_reference_is_a_reference(text: str, syntax: str) -> None:
    # the spec as written (what sites and findings carry) is recognised with its name
    assert is_reference(text, syntax)
    assert reference(text, syntax) is None  # but only the bare reference is classified


def test_hashed_beside_the_url_is_immutable() -> None:
    # pip: `URL --hash=sha256:...` in a requirements file
    got = reference("https://example.com/w/acme.tar.gz", "pip", hashed=True)
    assert got is not None and got.pin is IMM
    vcs = reference("git+https://example.com/acme/tool.git@main", "pip", hashed=True)
    assert vcs is not None and vcs.pin is UNP  # pip cannot hash a checkout: the ref decides


def test_classify_ref_is_the_one_ref_policy() -> None:
    assert classify_ref(None)[0] is UNP
    assert classify_ref(SHA)[0] is IMM
    assert classify_ref("0" * 64)[0] is IMM
    assert classify_ref(SHA, vcs="svn")[0] is UNP  # svn has no commit ids: a 40-character name is a branch
    assert classify_ref("v1.2.3")[0] is EXACT
    assert classify_ref("1.2.x")[0] is UNP
    assert classify_ref("deadbeef")[0] is UNP  # hex letters only: a word, not an abbreviated id
    assert classify_ref("deadbee1")[0] is EXACT


def test_url_names_commit() -> None:
    assert url_names_commit(f"https://example.com/acme/tool/raw/{SHA}/install.sh")
    assert url_names_commit(f"https://example.com/acme/tool/archive/{SHA}.tar.gz")
    assert not url_names_commit("https://example.com/acme/tool/raw/main/install.sh")
    assert not url_names_commit(f"https://example.com/install.sh?ref={SHA}")


def test_simulation_does_not_resolve_a_git_dependency_on_the_registry(tmp_path) -> None:
    from pinaudit.app import scan
    from pinaudit.config import Config
    from pinaudit.simulation.installs import group_installs
    from tests.helpers import lay_out

    text = "FROM node:20\nRUN npm install -g acme/widget#v1.2.0 left@1.2.3\nRUN npm install -g github:acme/gadget\n"
    lay_out(tmp_path, {"Dockerfile": text})
    sites = scan([tmp_path], Config(root=tmp_path), cwd=tmp_path).report.sites
    installs = group_installs([s for s in sites if s.ecosystem.value == "npm"], {"Dockerfile": "dockerfile"}, tmp_path)
    assert [(i.line, i.npm_deps, i.unsupported) for i in installs] == [
        (2, (("left", "1.2.3"),), ""),
        (3, (), "nothing an index could resolve"),
    ]
