"""pinaudit.parse.shell: tree-sitter-bash -> simple commands, wrappers stripped, words expanded."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pinaudit.parse.lines import LineIndex
from pinaudit.parse.shell import MAX_DEPTH, Command, ShellResult, Word, analyze, analyze_simple
from pinaudit.parse.text import MappedText
from tests.helpers import mapped_at, mapped_pieces


def run(text: str, env: dict[str, str | None] | None = None) -> ShellResult:
    return analyze(MappedText.whole(text), env)


def argvs(text: str, env: dict[str, str | None] | None = None) -> list[list[str | None]]:
    return [[w.value for w in c.argv] for c in run(text, env).commands]


def find(result: ShellResult, name: str) -> Command:
    for c in result.commands:
        if c.name == name:
            return c
    raise AssertionError(f"no {name} in {[c.name for c in result.commands]}")


def word(cmd: Command, value: str) -> Word:
    for w in cmd.argv:
        if w.value == value:
            return w
    raise AssertionError(f"no word {value!r} in {[w.value for w in cmd.argv]}")


# ---- control flow: every simple command, in execution order ----------------------------------

FLOW = [
    ("a && b || c; d", [["a"], ["b"], ["c"], ["d"]]),
    ("a\nb\n\nc", [["a"], ["b"], ["c"]]),
    ("a | b | c", [["a"], ["b"], ["c"]]),
    ("(cd x && make)", [["cd", "x"], ["make"]]),
    ("{ a; b; }", [["a"], ["b"]]),
    ("if x; then y; elif z; then w; else v; fi", [["x"], ["y"], ["z"], ["w"], ["v"]]),
    ("for i in 1; do pip install q; done", [["pip", "install", "q"]]),
    ("while read l; do echo $l; done < f", [["read", "l"], ["echo", None]]),
    ("until false; do b; done", [["false"], ["b"]]),
    ("case $x in a) q ;; b|c) r ;; esac", [["q"], ["r"]]),
    ("f() { pip install q; }; f", [["pip", "install", "q"]]),  # the call runs the body
    ("function g { npm i x; }", [["npm", "i", "x"]]),
    ("echo $(id -u) `hostname`", [["id", "-u"], ["hostname"], ["echo", None, None]]),
    ("diff <(sort a) <(sort b)", [["sort", "a"], ["sort", "b"], ["diff", None, None]]),
    ("! grep -q x f", [["grep", "-q", "x", "f"]]),
    ("time make all", [["make", "all"]]),
    ("make > log 2>&1", [["make"]]),
    ("[ -f x ] && [[ -d y ]] && z", [["z"]]),
    ('[ "$(uname -m)" = x86_64 ] && z', [["uname", "-m"], ["z"]]),
    ("X=$(curl -s u)", [["curl", "-s", "u"]]),
    ("export V=$(cat f)", [["cat", "f"]]),
    ("a &\nb", [["a"], ["b"]]),
    ("# apt-get install x\nls # pip install y", [["ls"]]),
    ('echo "apt-get install x"', [["echo", "apt-get install x"]]),
]


@pytest.mark.parametrize(("text", "expected"), FLOW)
def test_control_flow(text: str, expected: list[list[str | None]]) -> None:
    assert argvs(text) == expected


# ---- words: quote removal, escapes, redirections --------------------------------------------

WORDS = [
    ('pip install "a b" c', ["pip", "install", "a b", "c"]),
    ("echo 'x y' $'a\\tb' $'\\x41\\u00e9'", ["echo", "x y", "a\tb", "Aé"]),
    ('echo foo"bar"\'baz\' a\\ b "q\\"r" "\\$x"', ["echo", "foobarbaz", "a b", 'q"r', "$x"]),
    ("echo 'a\\b' \"c\\d\"", ["echo", "a\\b", "c\\d"]),
    ("pip install foo>=1", ["pip", "install", "foo"]),
    ("pip install foo>=1 bar<2 baz", ["pip", "install", "foo", "bar", "baz"]),
    ("pip install \"foo>=1\" 'bar<2'", ["pip", "install", "foo>=1", "bar<2"]),
    ("pip install x 2>/dev/null y", ["pip", "install", "x", "y"]),
    ('echo ""', ["echo", ""]),
    ('echo $"translated"', ["echo", "translated"]),
    ("echo ~/x *.txt {a,b}", ["echo", "~/x", "*.txt", "{a,b}"]),
]


@pytest.mark.parametrize(("text", "expected"), WORDS)
def test_word_values(text: str, expected: list[str | None]) -> None:
    assert argvs(text)[-1] == expected


def test_quoted_flag_and_raw() -> None:
    c = run("pip install \"foo>=1\" bar 'x'").commands[0]
    assert [w.quoted for w in c.argv] == [False, False, True, False, True]
    assert c.argv[2].raw == '"foo>=1"'


def test_redirect_targets_are_recorded_not_argv() -> None:
    c = run("pip install foo>=1 2>>err.log").commands[0]
    assert [(op, w.value) for op, w in c.redirects] == [(">", "=1"), ("2>>", "err.log")]
    c = run("curl -fsSL u > /tmp/i.sh").commands[0]
    assert [(op, w.value) for op, w in c.redirects] == [(">", "/tmp/i.sh")]


# ---- variables ----------------------------------------------------------------------------

VARS: list[tuple[str, dict[str, str | None], list[str | None]]] = [
    ('PKGS="curl git"; apt-get install $PKGS', {}, ["apt-get", "install", "curl", "git"]),
    ('PKGS="curl git"; apt-get install "$PKGS"', {}, ["apt-get", "install", "curl git"]),
    ("export V=1.2; pip install x==$V", {}, ["pip", "install", "x==1.2"]),
    ("V=1.2 && pip install x==${V}", {}, ["pip", "install", "x==1.2"]),
    ("pip install x==$V", {"V": "3"}, ["pip", "install", "x==3"]),
    ("pip install x==$V", {"V": None}, ["pip", "install", None]),
    ("pip install x==$NEVER_SET", {}, ["pip", "install", None]),
    ("pip install x==${V:-9}", {"V": "3"}, ["pip", "install", "x==3"]),
    ("pip install x==${V:-9}", {"V": ""}, ["pip", "install", "x==9"]),
    ("pip install x==${V-9}", {"V": ""}, ["pip", "install", "x=="]),
    ("pip install x==${V:-9}", {}, ["pip", "install", None]),  # never guess the default
    ("echo ${V:+on} ${E:+on}", {"V": "1", "E": ""}, ["echo", "on"]),
    ("echo ${V#1.} ${V%%.*} ${V/./-} ${V//./_} ${#V} ${V:2:1}", {"V": "1.2.3"},
     ["echo", "2.3", "1", "1-2.3", "1_2_3", "5", "2"]),
    ("echo ${V^^} ${V,,}", {"V": "aB"}, ["echo", "AB", "ab"]),
    ("echo ${!V} ${V[0]}", {"V": "x"}, ["echo", None, None]),
    ("A=1; A+=2; echo $A", {}, ["echo", "12"]),
    ("echo $EMPTY end", {"EMPTY": ""}, ["echo", "end"]),
    ('echo "$EMPTY" end', {"EMPTY": ""}, ["echo", "", "end"]),
    ("echo a$X\"b\"", {"X": "1 2"}, ["echo", "a1", "2b"]),
    ("X=1 echo $X", {}, ["echo", None]),  # a prefix assignment does not reach the expansion
    ("unset V; echo $V", {"V": "1"}, ["echo", None]),
    ("read V; echo $V", {"V": "1"}, ["echo", None]),
    ("echo ${X:=5}; echo $X", {"X": ""}, ["echo", "5"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "env", "expected"), VARS)
def test_variables(text: str, env: dict[str, str | None], expected: list[str | None]) -> None:
    assert argvs(text, env)[-1] == expected


def test_unknown_vars_listed_and_split_words_share_the_span() -> None:
    c = run("apt-get install $A ${B:-x}", {"A": None}).commands[0]
    assert c.argv[2].unknown_vars == ("A",)
    assert c.argv[3].unknown_vars == ("B",)
    r = run('P="curl git"; apt-get install $P')
    c = r.commands[-1]
    assert c.argv[2].span == c.argv[3].span == c.argv[2].span
    assert (c.argv[3].span.column, c.argv[3].span.end_column) == (31, 33)


def test_branches_merge_and_scopes() -> None:
    assert argvs("if x; then A=1; else A=2; fi; echo $A")[-1] == ["echo", None]
    assert argvs("if x; then A=1; else A=1; fi; echo $A")[-1] == ["echo", "1"]
    assert argvs("if x; then A=1; fi; echo $A")[-1] == ["echo", None]
    assert argvs("(A=1); echo $A")[-1] == ["echo", None]
    assert argvs("{ A=1; }; echo $A")[-1] == ["echo", "1"]
    assert argvs("A=1 | cat; echo $A")[-1] == ["echo", None]  # pipeline stages are subshells


def test_for_loop_walks_each_value() -> None:
    assert argvs("for p in curl git; do apt-get install $p; done") == [
        ["apt-get", "install", "curl"],
        ["apt-get", "install", "git"],
    ]
    assert argvs("for p in $(cat f); do pip install $p; done")[-1] == ["pip", "install", None]
    assert argvs("P='a b'; for p in $P; do pip install $p; done")[-2:] == [
        ["pip", "install", "a"],
        ["pip", "install", "b"],
    ]


# ---- wrappers -----------------------------------------------------------------------------

WRAPPERS = [
    ("sudo apt-get install x", ["apt-get", "install", "x"], ("sudo",)),
    ("sudo -E -H -u root -- pip install x", ["pip", "install", "x"], ("sudo",)),
    ("sudo -Eu root pip install x", ["pip", "install", "x"], ("sudo",)),
    ("env -i -u HOME A=1 B=2 npm i x", ["npm", "i", "x"], ("env",)),
    ("DEBIAN_FRONTEND=noninteractive apt-get install x", ["apt-get", "install", "x"], ("DEBIAN_FRONTEND=",)),
    ("exec pip install x", ["pip", "install", "x"], ("exec",)),
    ("nohup pip install x", ["pip", "install", "x"], ("nohup",)),
    ("time -p pip install x", ["pip", "install", "x"], ("time",)),
    ("command pip install x", ["pip", "install", "x"], ("command",)),
    ("nice -n 10 pip install x", ["pip", "install", "x"], ("nice",)),
    ("timeout -s KILL --foreground 5m pip install x", ["pip", "install", "x"], ("timeout",)),
    ("stdbuf -oL -e 0 pip install x", ["pip", "install", "x"], ("stdbuf",)),
    ("chroot /mnt pip install x", ["pip", "install", "x"], ("chroot",)),
    # the items xargs reads (stdin here) are one unknown word, in place of {} with -I
    ("xargs -n 1 -P4 -I{} pip install {}", ["pip", "install", None], ("xargs",)),
    ("xargs -r -d '\\n' apt-get install -y", ["apt-get", "install", "-y", None], ("xargs",)),
    ("gosu app pip install x", ["pip", "install", "x"], ("gosu",)),
    ("su-exec app:app pip install x", ["pip", "install", "x"], ("su-exec",)),
    ("tini -s -- pip install x", ["pip", "install", "x"], ("tini",)),
    ("doas -u app pip install x", ["pip", "install", "x"], ("doas",)),
    ("fakeroot pip install x", ["pip", "install", "x"], ("fakeroot",)),
    ("runuser -u app -- pip install x", ["pip", "install", "x"], ("runuser",)),
    ("eatmydata apt-get install x", ["apt-get", "install", "x"], ("eatmydata",)),
    ("sudo env A=1 nice pip install x", ["pip", "install", "x"], ("sudo", "env", "nice")),
    ("/usr/bin/sudo /usr/bin/pip3 install x", ["/usr/bin/pip3", "install", "x"], ("sudo",)),
]


@pytest.mark.parametrize(("text", "expected", "via"), WRAPPERS)
def test_wrappers_stripped(text: str, expected: list[str], via: tuple[str, ...]) -> None:
    cmds = run(text).commands
    assert [w.value for w in cmds[-1].argv] == expected
    assert cmds[-1].via == via


@pytest.mark.parametrize("text", ["sudo -v", "env", "command -v pip", "xargs", "time", "exec > log"])
def test_wrapper_alone_is_the_program(text: str) -> None:
    cmds = run(text).commands
    assert all(c.argv for c in cmds)
    if cmds:
        assert cmds[0].argv[0].value == text.split()[0]


def test_assignments_recorded() -> None:
    c = run("PIP_REQUIRE_HASHES=1 env A=$X pip install x", {"X": None}).commands[0]
    assert c.assignments == (("PIP_REQUIRE_HASHES", "1"), ("A", None)) or c.assignments[0] == (
        "PIP_REQUIRE_HASHES",
        "1",
    )


# ---- nested shells --------------------------------------------------------------------------

NESTED = [
    ("sh -c 'apt-get install -y curl'", ["apt-get", "install", "-y", "curl"], ("sh -c",)),
    ('bash -lc "pip install x"', ["pip", "install", "x"], ("bash -c",)),
    ("bash -euxo pipefail -c 'npm i x'", ["npm", "i", "x"], ("bash -c",)),
    ("su -c 'npm i -g yarn' node", ["npm", "i", "-g", "yarn"], ("su -c",)),
    ("su node -c 'npm i -g yarn'", ["npm", "i", "-g", "yarn"], ("su -c",)),
    ("su - node -s /bin/bash -c 'npm i x'", ["npm", "i", "x"], ("su -c",)),
    ("runuser -l app -c 'pip install x'", ["pip", "install", "x"], ("runuser -c",)),
    ("sudo sh -c 'apk add x'", ["apk", "add", "x"], ("sudo", "sh -c")),
    ("sudo -u app bash -c 'sudo pip install x'", ["pip", "install", "x"], ("sudo", "bash -c", "sudo")),
    ("dash -c 'apk add x'", ["apk", "add", "x"], ("dash -c",)),
    ("ash -c 'apk add x'", ["apk", "add", "x"], ("ash -c",)),
    ("zsh -c 'apk add x'", ["apk", "add", "x"], ("zsh -c",)),
    ("busybox sh -c 'apk add x'", ["apk", "add", "x"], ("busybox", "sh -c")),
    ("/bin/sh -c 'apk add x'", ["apk", "add", "x"], ("sh -c",)),
    ("sh -c 'sh -c \"pip install x\"'", ["pip", "install", "x"], ("sh -c", "sh -c")),
    ('eval "pip install x"', ["pip", "install", "x"], ("eval",)),
    ("bash <<EOF\npip install x\nEOF", ["pip", "install", "x"], ("bash <<",)),
    ("sh -s <<'EOF'\npip install x\nEOF", ["pip", "install", "x"], ("sh <<",)),
    ("bash <<-EOF\n\t\tpip install x\n\tEOF", ["pip", "install", "x"], ("bash <<",)),
    ("bash <<< 'pip install x'", ["pip", "install", "x"], ("bash <<",)),
    ("cat <<EOF | sh\npip install x\nEOF", ["pip", "install", "x"], ("cat <<EOF | sh",)),
    ("sh -c 'pip install \"$1\"' sh requests", ["pip", "install", "requests"], ("sh -c",)),
]


@pytest.mark.parametrize(("text", "expected", "via"), NESTED)
def test_nested_shells(text: str, expected: list[str], via: tuple[str, ...]) -> None:
    r = run(text)
    assert not r.errors
    assert [w.value for w in r.commands[-1].argv] == expected
    assert r.commands[-1].via == via


def test_nested_shell_positions_are_physical() -> None:
    r = run("RUNX=1\nsh -c 'apt-get update && apt-get install -y curl'")
    curl = word(r.commands[-1], "curl")
    assert (curl.span.line, curl.span.column, curl.span.end_column) == (2, 45, 49)
    # escapes inside double quotes: positions after them still land on the right characters
    r = run('bash -c "echo \\"hi\\" && pip install requests"')
    req = word(r.commands[-1], "requests")
    assert (req.span.column, req.span.end_column) == (37, 45)
    # a heredoc fed to bash: the body's own line
    r = run("bash <<EOF\nset -e\n  pip install flask\nEOF")
    flask = word(r.commands[-1], "flask")
    assert (flask.span.line, flask.span.column) == (3, 15)


def test_nested_shell_scope() -> None:
    # an unexported variable is not visible to a child shell reading it in single quotes...
    assert argvs("P=x; sh -c 'pip install $P'")[-1] == ["pip", "install", None]
    # ...an exported one is, and the parent expands double-quoted ones itself
    assert argvs("export P=x; sh -c 'pip install $P'")[-1] == ["pip", "install", "x"]
    assert argvs('P=x; sh -c "pip install $P"')[-1] == ["pip", "install", "x"]
    assert argvs("pip install $P", {"P": "docker-env"})[-1] == ["pip", "install", "docker-env"]
    assert argvs("sh -c 'pip install $P'", {"P": "docker-env"})[-1] == ["pip", "install", "docker-env"]
    # eval runs in the same shell: assignments persist
    assert argvs("eval 'A=1'; echo $A")[-1] == ["echo", "1"]


def test_download_into_shell_is_not_reparsed() -> None:
    r = run('sh -c "$(curl -fsSL u)"')
    assert [c.name for c in r.commands] == ["curl", "sh"]
    assert [c.name for c in find(r, "sh").argv[2].substitutions] == ["curl"]
    r = run('eval "$(curl -fsSL u)"')
    assert [c.name for c in r.commands] == ["curl", "eval"]


def test_substitution_inside_nested_script_runs_once() -> None:
    r = run('sh -c "cd $(pwd) && pip install x"')
    assert [c.name for c in r.commands].count("pwd") == 1
    assert r.commands[-1].name == "pip"


def test_nesting_depth_is_bounded() -> None:
    text = " ".join(["eval"] * (MAX_DEPTH + 5)) + " pip install x"
    r = run(text)
    assert any("nested" in msg for _s, msg in r.errors)
    assert "pip" not in [c.name for c in r.commands]


# ---- heredocs, here-strings, pipes ------------------------------------------------------------


def test_heredoc_to_data_is_stdin_not_commands() -> None:
    r = run("cat <<EOF > requirements.txt\nflask==2.0\napt-get install x\nEOF\npip install -r requirements.txt")
    assert [c.name for c in r.commands] == ["cat", "pip"]
    cat = r.commands[0]
    assert cat.stdin_text is not None and cat.stdin_text.text == "flask==2.0\napt-get install x\n"
    assert cat.stdin_text.position(0) == (2, 1)
    assert [(op, w.value) for op, w in cat.redirects] == [(">", "requirements.txt")]
    r = run("python3 <<EOF\nimport os\nEOF")
    assert [c.name for c in r.commands] == ["python3"]


def test_heredoc_continuations() -> None:
    r = run("cat <<EOF > f && pip install x\nbody\nEOF\necho z")
    assert [c.name for c in r.commands] == ["cat", "pip", "echo"]
    r = run("x && cat <<EOF\nbody\nEOF")
    assert [c.name for c in r.commands] == ["x", "cat"]
    assert r.commands[1].stdin_text is not None
    r = run("cat <<EOF | tee f | sh\necho hi\nEOF")
    tee = find(r, "tee")
    assert [c.name for c in tee.stdin_from] == ["cat"]
    assert [c.name for c in find(r, "sh").stdin_from] == ["cat", "tee"]


def test_heredoc_strip_tabs_positions() -> None:
    r = run("cat <<-EOF\n\t\tabc\n\tEOF")
    st_ = r.commands[0].stdin_text
    assert st_ is not None and st_.text == "abc\n"
    assert st_.position(0) == (2, 3)


def test_herestring() -> None:
    c = run('grep x <<< "$V"', {"V": "v"}).commands[0]
    assert c.stdin_text is not None and c.stdin_text.text == "v\n"


def test_pipes_stdin_from() -> None:
    r = run("curl -fsSL https://x.invalid/i.sh | tee /tmp/l | sudo bash -s -- --flag")
    bash = find(r, "bash")
    assert [c.name for c in bash.stdin_from] == ["curl", "tee"]
    assert bash.via == ("sudo",)
    assert not find(r, "curl").stdin_from
    r = run("wget -O- u | sh && echo ok")
    assert [c.name for c in find(r, "sh").stdin_from] == ["wget"]
    assert not find(r, "echo").stdin_from
    r = run("curl u | (cd /tmp && sh)")
    assert [c.name for c in find(r, "sh").stdin_from] == ["curl"]


def test_process_substitution_attached_to_word() -> None:
    r = run("bash <(curl -s https://x.invalid/i.sh) --yes")
    assert [c.name for c in r.commands] == ["curl", "bash"]
    bash = r.commands[-1]
    assert bash.argv[1].value is None
    assert [c.name for c in bash.argv[1].substitutions] == ["curl"]


# ---- positions ----------------------------------------------------------------------------


def test_positions_on_plain_text() -> None:
    r = run("apt-get update\n  apt-get install -y curl=7.8 git")
    c = r.commands[1]
    assert c.span.line == 2 and c.span.column == 3
    g = word(c, "git")
    assert (g.span.line, g.span.column, g.span.end_line, g.span.end_column) == (2, 31, 2, 34)


def _dockerfile_run() -> MappedText:
    # Dockerfile:
    # 1 FROM debian
    # 2 RUN apt-get update \
    # 3  && apt-get install -y \
    # 4       curl \
    # 5       git && sh -c 'pip install \
    #            (BuildKit joins continuation lines before the shell sees them)
    # 6 FROM ...  (not part of the RUN)
    return mapped_pieces(("apt-get update ", 2, 5), (" && apt-get install -y ", 3, 1), ("      curl ", 4, 1),
                         ("      git && sh -c 'pip install ", 5, 1), ("  flask==2.0'", 6, 1))


def test_multiline_mapped_text() -> None:
    r = analyze(_dockerfile_run())
    assert not r.errors
    apt = r.commands[1]
    assert [w.value for w in apt.argv] == ["apt-get", "install", "-y", "curl", "git"]
    assert apt.span.line == 3 and apt.span.end_line == 5
    curl, git = word(apt, "curl"), word(apt, "git")
    assert (curl.span.line, curl.span.column, curl.span.end_column) == (4, 7, 11)
    assert (git.span.line, git.span.column, git.span.end_column) == (5, 7, 10)
    pip = r.commands[-1]
    assert pip.via == ("sh -c",)
    flask = word(pip, "flask==2.0")
    assert (flask.span.line, flask.span.column, flask.span.end_column) == (6, 3, 13)
    assert word(pip, "install").span.line == 5


def test_non_ascii_offsets() -> None:
    r = run("echo 'héllo wörld' 中文 && pip install x")
    pip = r.commands[-1]
    x = word(pip, "x")
    text = "echo 'héllo wörld' 中文 && pip install x"
    assert x.span.column == text.index(" x") + 2
    assert word(r.commands[0], "中文").span.column == text.index("中文") + 1


# ---- errors ----------------------------------------------------------------------------------


def test_syntax_errors_reported_with_partial_commands() -> None:
    r = run("apt-get install curl && if then fi\npip install x")
    assert r.errors
    names = [c.name for c in r.commands]
    assert "apt-get" in names
    span, msg = r.errors[0]
    assert span.line == 1 and "syntax error" in msg
    r = run("echo 'unterminated")
    assert r.errors


def test_empty_and_blank() -> None:
    assert run("").commands == ()
    assert run("   \n\n").commands == ()
    assert analyze(MappedText.whole("")).commands == ()


# ---- properties ------------------------------------------------------------------------------

_TOKENS = [
    *"ab $'\"\\`(){}[]|&;<>=-\n\t#*?~!é中",
    "<<EOF\n", "\nEOF\n", "sh -c ", "$(", "${X:-", "bash <<E\n", "\nE\n", "eval ", "sudo ", "<<-",
    "for i in a b; do ", "; done", "if x; then ", "; fi", "xargs ", "env X=1 ", "pip install ", "$X",
    "${#", "$'\\x41'", "\\\n", "<(", "<<<", "case $x in a) ", ";; esac",
]  # fmt: skip


def _check(text: str, env: dict[str, str | None] | None = None) -> None:
    mt = MappedText.whole(text)
    r = analyze(mt, env)
    last_line = LineIndex(text).line_count
    spans = [s for s, _m in r.errors]
    for c in r.commands:
        spans.append(c.span)
        spans.extend(w.span for w in c.argv)
    for s in spans:
        assert 1 <= s.line <= s.end_line <= last_line, (text, s)
        assert s.column >= 1 and s.end_column >= 1
    for _s, msg in r.errors:
        assert "internal" not in msg, (text, msg)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_TOKENS), max_size=50).map("".join))
def test_property_shellish_text_never_raises(text: str) -> None:
    _check(text, {"X": "a b", "Y": None})


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_property_arbitrary_text_never_raises(text: str) -> None:
    _check(text)


def test_pathological_nesting_does_not_raise() -> None:
    for text in ["$(" * 3000 + "x" + ")" * 3000, "{ " * 2000 + "ls" + "; }" * 2000, "(" * 5000]:
        r = run(text)
        assert isinstance(r, ShellResult)
    r = run(" && ".join(["a"] * 3000))
    assert len(r.commands) == 3000


def test_non_ascii_never_reaches_the_crashing_scanner() -> None:
    # tree-sitter-bash's external scanner segfaulted on '{' followed by some astral characters;
    # analyze must hand it ASCII only (values still come from the original text)
    import random

    rnd = random.Random(7)
    toks = ["{", "}", "$", "x", " ", "\U000e43cb", "é", "中", "\U0001f600", "\ud800", "'", '"']
    for _ in range(3000):
        text = "".join(rnd.choice(toks) for _ in range(rnd.randint(0, 20)))
        _check(text)
    assert argvs("echo {\U000e43cb $é")[-1] == ["echo", "{\U000e43cb", "$é"]


def test_whitespace_only_strings() -> None:
    # tree-sitter-bash folds the spaces of `" "` into the closing quote token
    assert argvs('tr "\\n" " " "a  " "$X " " $X"', {"X": "x"})[-1] == ["tr", "\\n", " ", "a  ", "x ", " x"]


def test_substitution_after_space_in_nested_script_runs_once() -> None:
    r = run('sh -c "cd $(pwd) && pip install x"; bash -c "echo a $(id -u)"')
    assert [c.name for c in r.commands].count("pwd") == 1
    assert [c.name for c in r.commands].count("id") == 1


# ---- heredoc bodies handed in by the Dockerfile front-end (placeholders) --------------------


def test_heredoc_placeholders_feed_each_command_its_body() -> None:
    """tree-sitter-bash cannot parse `<<A bash && <<B cat > f`; the placeholders can."""
    line = mapped_at("<<<__h0__ bash && <<<__h1__ cat > /b", 2, 5)
    body_a = mapped_at("pip install flask\n", 3, 1)
    body_b = mapped_at("pip install django\n", 5, 1)
    res = analyze(line, None, {"__h0__": (body_a, False), "__h1__": (body_b, False)})
    cmds = [(c.name, [w.value for w in c.argv[1:]], c.span.line) for c in res.commands]
    assert cmds == [("bash", [], 2), ("pip", ["install", "flask"], 3), ("cat", [], 2)]
    assert res.commands[2].stdin_text is body_b  # data for cat, never a command
    assert not res.errors


# ---- cmd.exe and PowerShell: simple commands ---------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "text", "expected"),
    [
        ("cmd", "pip install flask==3.0.2 && npm install -g yarn", [["pip", "install", "flask==3.0.2"],
                                                                   ["npm", "install", "-g", "yarn"]]),
        ("cmd", 'echo "pip install flask" > C:\\notes.txt', [["echo", "pip install flask"]]),
        ("cmd", "pip install %PKG% 2>&1 | findstr x", [["pip", "install", None], ["findstr", "x"]]),
        ("pwsh", "pip install flask; & npm install -g 'yarn'", [["pip", "install", "flask"],
                                                               ["npm", "install", "-g", "yarn"]]),
        ("pwsh", "pip install $env:PKG", [["pip", "install", "requests"]]),
    ],
)
def test_simple_shells(dialect: str, text: str, expected: list[list[str | None]]) -> None:
    res = analyze_simple(mapped_at(text, 3, 5), dialect, {"PKG": "requests"} if "env:" in text else None)
    assert [[w.value for w in c.argv] for c in res.commands] == expected
    assert res.commands[0].argv[0].span.line == 3


@pytest.mark.parametrize(
    "text",
    [
        'if [ "$PHP_VERSION" \\< 7.4 ]; then apt-get install -y curl; fi',
        "if [ ${V} \\> 2 ]; then apt-get install -y curl; fi",
        'if [[ "$V" \\< 7.4 ]]; then apt-get install -y curl; fi',
    ],
)
def test_escaped_string_comparison_in_tests_keeps_the_if_body(text: str) -> None:
    # tree-sitter-bash's test grammar has no `\<`/`\>`: the whole if became an ERROR and the
    # install inside it was lost (2 corpus Dockerfiles).
    result = run(text)
    assert result.errors == ()
    apt = find(result, "apt-get")
    assert [w.value for w in apt.argv] == ["apt-get", "install", "-y", "curl"]
    assert word(apt, "curl").span.column == text.index("curl") + 1


def test_escaped_angle_bracket_words_keep_their_text() -> None:
    # the parser sees `==` in their place; the words are read from the original text
    assert argvs("expr 2 \\< 3 && echo a \\> b") == [["expr", "2", "<", "3"], ["echo", "a", ">", "b"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a list with one unknown item: the known items stay judgeable, the unknown one keeps its text
        ('P="e=${UNSET} h" && apk add $P', [["apk", "add", None, "h"]]),
        ('P="e=${UNSET} h" && apk add ${P}', [["apk", "add", None, "h"]]),
        ('P="a" && P="$P ${U}x b" && apk add $P', [["apk", "add", "a", None, "b"]]),
        ('P="a"; P+=" $U" && apk add $P', [["apk", "add", "a", None]]),
        # quoted, or an operator on it: one unknown word, as before
        ('P="e=${UNSET} h" && apk add "$P"', [["apk", "add", None]]),
        ('P="e=${UNSET} h" && apk add ${P:-x}', [["apk", "add", None]]),
        # a value with no list in it is simply unknown
        ('P="${UNSET}" && apk add $P', [["apk", "add", None]]),
    ],
)
def test_partly_known_lists_split_into_their_items(text: str, expected: list[list[str | None]]) -> None:
    assert [a for a in argvs(text) if a[0] == "apk"] == expected


def test_unknown_item_of_a_list_keeps_its_text_and_names() -> None:
    result = run('PKGS="nginx=${NGINX_VERSION}-r${PKG_RELEASE} curl" && apk add $PKGS')
    apk = find(result, "apk")
    unknown = apk.argv[2]
    assert (unknown.raw, unknown.value, unknown.unknown_vars) == (
        "nginx=${NGINX_VERSION}-r${PKG_RELEASE}", None, ("NGINX_VERSION", "PKG_RELEASE"))
    assert apk.argv[3].value == "curl"
    assert unknown.span == apk.argv[3].span  # both sit at the $PKGS reference


def test_partly_known_value_is_unknown_to_the_command_it_prefixes() -> None:
    result = run('PIP_REQUIRE_HASHES="1 ${U}" pip install x')
    assert find(result, "pip").assignments == (("PIP_REQUIRE_HASHES", None),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # items from a file or another program: one unknown word, never a silently empty install
        ("xargs apt-get install -y < /tmp/p.txt", [["apt-get", "install", "-y", None]]),
        ("xargs -a p.txt -r apt-get install -y", [["apt-get", "install", "-y", None]]),
        ("cat r.txt | xargs -n1 pip install", [["cat", "r.txt"], ["pip", "install", None]]),
        # echoed items are known, each at its own place
        ("echo curl wget | xargs apt-get install -y",
         [["echo", "curl", "wget"], ["apt-get", "install", "-y", "curl", "wget"]]),
        ("printf '%s\\n' jq git | xargs -I{} apt-get install -y {}",
         [["printf", "%s\\n", "jq", "git"], ["apt-get", "install", "-y", "jq", "git"]]),
    ],
)
def test_xargs_items_are_arguments(text: str, expected: list[list[str | None]]) -> None:
    assert argvs(text) == expected


def test_xargs_unknown_items_name_their_source() -> None:
    (cmd,) = run("xargs apt-get install -y < /tmp/p.txt").commands
    assert cmd.argv[-1].raw == "<xargs items from /tmp/p.txt>"
    echoed = find(run("echo curl wget | xargs apt-get install -y"), "apt-get")
    assert [w.span.column for w in echoed.argv[3:]] == [6, 11]



@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a retry wrapper runs its arguments as a command
        ('retry() { "$@" || { sleep 5; "$@"; }; }; retry apt-get install -y curl',
         [["apt-get", "install", "-y", "curl"], ["sleep", "5"], ["apt-get", "install", "-y", "curl"]]),
        ('inst() { apt-get install -y "$@"; }; inst git wget=1.0', [["apt-get", "install", "-y", "git", "wget=1.0"]]),
        ('one() { pip install "$1"; }; one flask; one', [["pip", "install", "flask"], ["pip", "install"]]),
        # called twice: walked twice; never called: walked once with unknown arguments
        ("d() { apk add jq; }; d; d", [["apk", "add", "jq"], ["apk", "add", "jq"]]),
        ('u() { apk add "$@" jq; }', [["apk", "add", None, "jq"]]),
        # a recursive call is not followed again
        ("r() { r; apk add x; }; r", [["r"], ["apk", "add", "x"]]),
    ],
)
def test_function_calls_bind_their_arguments(text: str, expected: list[list[str | None]]) -> None:
    assert argvs(text) == expected


def test_function_arguments_keep_the_call_site_span() -> None:
    text = 'inst() { apt-get install -y "$@"; }\ninst curl'
    (cmd,) = run(text).commands
    assert cmd.argv[-1].value == "curl" and (cmd.argv[-1].span.line, cmd.argv[-1].span.column) == (2, 6)


# ---- brace expansion (issue 15): bash expands, POSIX sh keeps the word ------------------------

BRACES = [
    ("apt-get install -y lib{ssl,ffi}-dev", ["apt-get", "install", "-y", "libssl-dev", "libffi-dev"]),
    ("echo {1..3} v{01..03} {a..c} {5..1..2}", ["echo", "1", "2", "3", "v01", "v02", "v03", "a", "b", "c", "5", "3",
                                                "1"]),
    ("echo {a,{b,c}}d {a}{b,c} {,x}y", ["echo", "ad", "bd", "cd", "{a}b", "{a}c", "y", "xy"]),
    ("echo {} {a} \"x{a,b}\" '{a,b}' x\\{a,b} {a,b", ["echo", "{}", "{a}", "x{a,b}", "{a,b}", "x{a,b}", "{a,b"]),
    ("V=q; echo $V{a,b} \"$V\"{a,b}", ["echo", "qa", "qb", "qa", "qb"]),
    ("X={a,b}; echo $X", ["echo", "{a,b}"]),  # not in an assignment, not from a variable's value
    ("echo {1..100000}", ["echo", "{1..100000}"]),  # too many words: left as written
]


@pytest.mark.parametrize(("text", "expected"), BRACES)
def test_brace_expansion_under_bash(text: str, expected: list[str]) -> None:
    r = analyze(MappedText.whole(text), braces=True)
    assert [w.value for w in r.commands[-1].argv] == expected


@pytest.mark.parametrize(("text", "expected"), BRACES)
def test_no_brace_expansion_under_sh(text: str, expected: list[str]) -> None:
    r = analyze(MappedText.whole(text))
    assert "{" in "".join(w.value or "" for w in r.commands[-1].argv[1:]) or "{" not in text


def test_brace_words_point_at_the_word() -> None:
    r = analyze(MappedText.whole("x\napt-get install -y lib{ssl,ffi}-dev"), braces=True)
    spans = [(w.value, w.span.line, w.span.column, w.span.end_column) for w in r.commands[-1].argv[3:]]
    assert spans == [("libssl-dev", 2, 20, 36), ("libffi-dev", 2, 20, 36)]


def test_nested_shell_decides_its_own_braces() -> None:
    for braces in (False, True):
        r = analyze(MappedText.whole("sh -c 'echo {a,b}'; bash -c 'echo {c,d}'"), braces=braces)
        assert [[w.value for w in c.argv] for c in r.commands if c.name == "echo"] == [["echo", "{a,b}"],
                                                                                       ["echo", "c", "d"]]
