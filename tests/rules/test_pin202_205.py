"""PIN202-PIN205: requirements files, hashes, local installs, missing files, followed from a Dockerfile."""

from __future__ import annotations

from tests.helpers import hits, scan_files


def test_requirements_file_followed_from_dockerfile(tmp_path):
    files = {
        "Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY requirements/ /app/requirements/\n"
        "RUN pip install -r requirements/prod.txt\n",
        "requirements/prod.txt": "django==4.2.16\ncelery>=5\n",
    }
    found = hits(scan_files(tmp_path, files))
    assert ("PIN202", 2, "celery") in found
    assert ("PIN203", 1, "django") in found
    # each entry once, at its own file and line, though the file is scanned and installed
    paths = [f.location.path for f in scan_files(tmp_path, files) if f.rule == "PIN202"]
    assert paths == ["requirements/prod.txt"]


def test_missing_requirements_file(tmp_path):
    files = {"Dockerfile": "FROM python:3.12\nCOPY . /app\nRUN pip install \\\n    -r /app/requirements/prod.txt\n"}
    assert hits(scan_files(tmp_path, files), "PIN205") == [("PIN205", 4, None)]


def test_hash_mode_entry_without_hash_is_error(tmp_path):
    files = {"requirements.txt": "requests==2.32.3 \\\n    --hash=sha256:" + "a" * 64 + "\nidna==3.7\n"}
    found = [f for f in scan_files(tmp_path, files) if f.rule == "PIN203"]
    assert [(f.location.span.line, f.package, f.severity.label) for f in found] == [(3, "idna", "error")]


def test_local_install_is_info(tmp_path):
    files = {"Dockerfile": "FROM python:3.12\nCOPY . /app\nRUN pip install -e /app\n"}
    found = [f for f in scan_files(tmp_path, files) if f.rule == "PIN204"]
    assert [(f.location.span.line, f.severity.label) for f in found] == [(3, "info")]


def test_in_file_with_compiled_sibling_is_not_judged(tmp_path):
    files = {"requirements.in": "django>=4\n", "requirements.txt": "django==4.2.16 --hash=sha256:" + "b" * 64 + "\n"}
    assert hits(scan_files(tmp_path, files), "PIN202") == []


def test_in_file_without_sibling_is_judged(tmp_path):
    assert hits(scan_files(tmp_path, {"requirements.in": "django>=4\n"}), "PIN202") == [("PIN202", 1, "django")]


def test_local_entry_in_hash_mode_is_error(tmp_path):
    files = {"requirements.txt": "requests==2.32.3 --hash=sha256:" + "a" * 64 + "\n-e ./lib\n"}
    found = [f for f in scan_files(tmp_path, files) if f.rule == "PIN204"]
    assert [(f.location.span.line, f.severity.label) for f in found] == [(2, "error")]


def test_no_deps_local_install_is_not_reported(tmp_path):
    # PIN204's own advice is "a hashed lock file, then --no-deps": following it must silence it
    files = {"Dockerfile": "FROM python:3.12\nCOPY . /app\n"
             "RUN pip install --no-deps /app\n"
             "RUN pip install --no-dependencies -e /app\n"
             "RUN pip install /app\n"}
    assert hits(scan_files(tmp_path, files), "PIN204") == [("PIN204", 5, "/app")]


def test_no_deps_exact_pin_says_only_its_files_float(tmp_path):
    files = {"Dockerfile": "FROM python:3.12\nRUN pip install --no-deps flask==3.0.3\nRUN pip install flask==3.0.3\n"}
    found = [f for f in scan_files(tmp_path, files) if f.rule == "PIN203"]
    assert [(f.location.span.line, f.severity.label) for f in found] == [(2, "warning"), (3, "warning")]
    assert "--no-deps: nothing else resolves" in found[0].message
    assert "its own dependencies resolve at build time" in found[1].message


def test_constraints_file_on_its_own(tmp_path):
    # nothing is installed from it: ranges are constraints that do not pin (PIN202, worded so),
    # and exact ones are not asked for a --hash pip would not enforce there (no PIN203)
    files = {
        "constraints.txt": "django<5.3\nrequests==2.32.3\n",
        "requirements/common_constraints.txt": "celery>=5\n",
        "requirements.txt": "flask==3.0.3\n",
    }
    found = scan_files(tmp_path, files)
    assert sorted((f.rule, f.location.path, f.location.span.line) for f in found) == [
        ("PIN202", "constraints.txt", 1),
        ("PIN202", "requirements/common_constraints.txt", 1),
        ("PIN203", "requirements.txt", 1),
    ]
    assert [f.message for f in found if f.location.path == "constraints.txt"] == [
        "constraint 'django' is not pinned to an exact version: 'django<5.3'"
    ]


def test_command_line_constraints_apply_to_the_requirements_file(tmp_path):
    # SPEC PIN202: "unless a constraints file given with -c pins it" — also when the -c sits on
    # the command line next to the -r
    files = {
        "Dockerfile": "FROM python:3.12\nCOPY requirements.txt constraints.txt /app/\n"
        "RUN pip install -r /app/requirements.txt -c /app/constraints.txt\n",
        "requirements.txt": "requests\ncelery>=5\n",
        "constraints.txt": "requests==2.31.0\n",
    }
    found = [(f.rule, f.location.path, f.location.span.line, f.package) for f in scan_files(tmp_path, files)]
    assert ("PIN203", "requirements.txt", 1, "requests") in found
    assert ("PIN202", "requirements.txt", 2, "celery") in found
    assert not [h for h in found if h[0] == "PIN202" and h[3] == "requests"]


def test_requirements_file_from_another_stage_says_so(tmp_path):
    files = {"Dockerfile": "FROM python:3.12 AS deps\nRUN echo\nFROM python:3.12\n"
             "COPY --from=deps /out/requirements.txt /app/\nRUN pip install -r /app/requirements.txt\n"
             "RUN --mount=type=bind,from=deps,source=/out,target=/m pip install -r /m/req.txt\n"
             "RUN pip install -r /app/other.txt\n"}
    found = [(f.location.span.line, f.message.split(": ", 1)[1]) for f in scan_files(tmp_path, files)
             if f.rule == "PIN205"]
    assert [line for line, _ in found] == [5, 6, 7]
    assert "comes from deps (--from)" in found[0][1] and "comes from deps (--from)" in found[1][1]
    assert "cannot be found in the build context" in found[2][1]


# issue 15: a hand-kept input compiled into a pinned file beside it is judged like a `.in`

_COMPILED = (
    "#\n# This file is autogenerated by pip-compile\n#\n"
    "django==4.2.7\n    # via -r base_requirements.txt\n"
    "requests==2.31.0\n    # via\n    #   -r base_requirements.txt\n    #   other\n"
    "sqlparse==0.4.4\n    # via django\n"
)


def test_hand_kept_input_named_by_via_annotations_is_not_judged(tmp_path):
    files = {"base_requirements.txt": "django>=4.2\nrequests\n", "requirements.txt": _COMPILED,
             "dev-requirements.txt": "flask\n"}
    found = [(f.location.path, f.rule, f.location.span.line, f.package) for f in scan_files(tmp_path, files)
             if f.rule == "PIN202"]
    assert found == [("dev-requirements.txt", "PIN202", 1, "flask")]


def test_hand_kept_input_whose_every_name_is_pinned_beside_it_is_not_judged(tmp_path):
    files = {"requirements-base.txt": "Django>=4.2\nrequests[socks]\n",
             "requirements.txt": "django==4.2.7\nrequests==2.31.0\npysocks==1.7.1\n"}
    assert hits(scan_files(tmp_path, files), "PIN202") == []


def test_input_is_judged_when_the_pinned_file_is_no_compilation_of_it(tmp_path):
    cases = [
        # one name is not pinned beside it, and nothing says it was compiled from it
        {"base_requirements.txt": "django>=4.2\nflask\n", "requirements.txt": "django==4.2.7\n"},
        # the other file is not fully pinned: it is no compiled output
        {"base_requirements.txt": "django>=4.2\n", "requirements.txt": "django==4.2.7\ncelery>=5\n"},
        # the other file includes it: installing requirements.txt installs the ranges
        {"base_requirements.txt": "django>=4.2\n", "requirements.txt": "-r base_requirements.txt\ndjango==4.2.7\n"},
    ]
    for i, files in enumerate(cases):
        found = [(f.location.path, f.location.span.line, f.package)
                 for f in scan_files(tmp_path / str(i), files) if f.rule == "PIN202"]
        assert ("base_requirements.txt", 1, "django") in found, files


def test_hand_kept_input_installed_by_a_build_is_judged(tmp_path):
    files = {"base_requirements.txt": "django>=4.2\n", "requirements.txt": "django==4.2.7\n",
             "Dockerfile": "FROM python:3.12\nCOPY base_requirements.txt .\nRUN pip install -r base_requirements.txt\n"}
    found = [(f.location.path, f.location.span.line, f.package) for f in scan_files(tmp_path, files)
             if f.rule == "PIN202"]
    assert ("base_requirements.txt", 1, "django") in found


def test_a_requirements_file_is_looked_for_where_an_earlier_cd_went(tmp_path):
    # `cd docs && pip install -r requirements.txt`: docs/requirements.txt, audited at its own lines
    step = ("jobs:\n  b:\n    runs-on: x\n    steps:\n      - run: |\n"
            "          cd docs\n          pip install -r requirements.txt\n")
    found = scan_files(tmp_path, {".github/workflows/ci.yml": step, "docs/requirements.txt": "sphinx\n"})
    assert [(f.rule, f.location.path, f.location.span.line) for f in found if f.rule in ("PIN202", "PIN205")] == [
        ("PIN202", "docs/requirements.txt", 1)]
    # a cd we cannot follow (a variable) leaves only the usual places: not found there, said so
    step2 = step.replace("cd docs", "cd $DIR")
    found = scan_files(tmp_path / "var", {".github/workflows/ci.yml": step2, "docs/requirements.txt": "sphinx\n"})
    assert [(f.rule, f.location.path) for f in found if f.rule == "PIN205"] == [("PIN205", ".github/workflows/ci.yml")]
