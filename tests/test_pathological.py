"""Pathological inputs (issue 5): each is bounded in time and memory and ends in findings or a
clear diagnostic, never a traceback or a RecursionError escaping.

Every case runs ``analyze_target`` in a fresh interpreter, so its peak RSS is its own (not pytest's)
and a hang or a native crash fails one test instead of the whole session. Bounds are generous on
purpose (CI runs on 2 shared cores): they catch quadratic blow-ups and unbounded expansion, not
jitter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pinaudit import parallel
from pinaudit.app import scan
from pinaudit.config import Config

ROOT = Path(__file__).resolve().parents[1]

TIME_LIMIT = 20.0  # seconds of analysis for one file
MEMORY_LIMIT_MB = 400.0  # peak RSS of the whole child interpreter

_RUNNER = r"""
import json, resource, sys, time
from pathlib import Path
from pinaudit.analyzers import ScanOptions
from pinaudit.work import analyze_target
from pinaudit.discover import Target

kind, path = sys.argv[1], Path(sys.argv[2])
start = time.perf_counter()
result = analyze_target(Target(path, kind, explicit=False), ScanOptions(cwd=path.parent, repo_root=path.parent))
def peak_mb():
    # VmHWM is this interpreter's own peak; ru_maxrss survives execve on Linux and would report
    # the (large) pytest process that started us
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "maxrss_mb": peak_mb(),
    "sites": len(result.sites),
    "packages": sorted({s.package for s in result.sites if s.package})[:5],
    "diagnostics": [d.message for d in result.diagnostics],
}))
"""


def analyze_in_child(kind: str, path: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", _RUNNER, kind, str(path)], capture_output=True, text=True,
                          timeout=TIME_LIMIT * 3, check=False)
    assert proc.returncode == 0, f"analysis crashed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    out: dict[str, Any] = json.loads(proc.stdout)
    assert out["seconds"] < TIME_LIMIT, out
    assert out["maxrss_mb"] < MEMORY_LIMIT_MB, out
    for message in out["diagnostics"]:
        assert message.strip(), out
        assert "internal error" not in message, out
    return out


def test_50_mb_file_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    with path.open("wb") as fh:  # sparse: the limit is decided from the size, before any read
        fh.truncate(50 * 1024 * 1024)
    out = analyze_in_child("dockerfile", path)
    assert out["seconds"] < 1.0
    assert out["sites"] == 0
    assert out["diagnostics"] == ["file is 50.0 MiB, over the 5 MiB limit; not audited"]


def test_50_mb_file_in_a_tree_becomes_pin001(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"requests\n" * (50 * 1024 * 1024 // 9))
    report = scan([tmp_path], Config(), cwd=tmp_path).report
    assert [(f.rule, f.message) for f in report.findings] == [
        ("PIN001", "file is 50.0 MiB, over the 5 MiB limit; not audited")
    ]


def test_one_megabyte_single_line_dockerfile(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("RUN apt-get install -y " + " ".join(f"p{i}" for i in range(140_000)) + "\n")
    out = analyze_in_child("dockerfile", path)
    # BuildKit refuses physical lines over 64 KiB; so do we, with its message
    assert out["sites"] == 0
    assert len(out["diagnostics"]) == 1 and "max allowed size" in out["diagnostics"][0]


def test_one_megabyte_single_word_dockerfile(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("RUN " + "A" * (1 << 20) + "\n")
    out = analyze_in_child("dockerfile", path)
    assert len(out["diagnostics"]) == 1 and "max allowed size" in out["diagnostics"][0]


def test_one_megabyte_single_line_requirements(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("x" * (1 << 20) + "\n")
    out = analyze_in_child("requirements", path)
    assert out["sites"] == 1


def test_one_megabyte_requirement_with_many_specifiers(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("pkg" + ",".join(f">={i}" for i in range(150_000)) + "\n")
    out = analyze_in_child("requirements", path)
    assert out["sites"] + len(out["diagnostics"]) >= 1


def test_ten_thousand_run_lines(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12.7@sha256:" + "a" * 64 + "\n" + "RUN apt-get install -y curl\n" * 10_000)
    out = analyze_in_child("dockerfile", path)
    assert out["sites"] == 10_001
    assert out["diagnostics"] == []


def _nested_sh_c(depth: int) -> str:
    cmd = "apt-get install -y curl"
    for _ in range(depth):
        cmd = 'sh -c "' + cmd.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'
    return cmd


def test_sh_c_nesting_as_deep_as_a_line_allows(tmp_path: Path) -> None:
    # quoting doubles per level, so 14 levels (33 KB) is what fits in a 64 KiB Dockerfile line;
    # the depth limit itself is reached through heredoc-fed shells and substitutions below
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12\nRUN " + _nested_sh_c(14) + "\n")
    out = analyze_in_child("dockerfile", path)
    assert "curl" in out["packages"]


def test_hundred_deep_shell_nesting_hits_the_depth_limit(tmp_path: Path) -> None:
    body = "apt-get install -y curl\n"
    for i in range(100, 0, -1):
        body = f"sh <<'EOF{i}X'\n{body}EOF{i}X\n"
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12\nRUN <<'EOF0'\n" + body + "EOF0\n")
    out = analyze_in_child("dockerfile", path)
    assert any("nested more than" in m for m in out["diagnostics"]), out


def test_hundred_deep_sh_c_through_command_substitution(tmp_path: Path) -> None:
    cmd = "apt-get install -y curl"
    for _ in range(100):
        cmd = f'sh -c "$({cmd})"'
    path = tmp_path / "install.sh"
    path.write_text("#!/bin/sh\n" + cmd + "\n")
    out = analyze_in_child("shell", path)
    assert "curl" in out["packages"] or out["diagnostics"]


def test_deep_subshells(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12\nRUN " + "( " * 5000 + "apt-get install -y curl" + " )" * 5000 + "\n")
    out = analyze_in_child("dockerfile", path)
    assert any("nested too deeply" in m for m in out["diagnostics"]), out


def test_requirements_include_chain_of_1000(tmp_path: Path) -> None:
    for i in range(1000):
        nxt = f"-r requirements{i + 1}.txt\n" if i < 999 else ""
        (tmp_path / f"requirements{i}.txt").write_text(f"{nxt}pkg{i}\n")
    out = analyze_in_child("requirements", tmp_path / "requirements0.txt")
    assert out["sites"] >= 100
    assert any("nested deeper than" in m for m in out["diagnostics"]), out


def test_requirements_include_cycle(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r requirements-b.txt\nalpha\n")
    (tmp_path / "requirements-b.txt").write_text("-r requirements.txt\nbeta\n")
    out = analyze_in_child("requirements", tmp_path / "requirements.txt")
    assert {"alpha", "beta"} <= set(out["packages"])


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    '{"dependencies": {"a": "1.0.0"}, "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"dependencies": ' + '{"a": ' * 50_000 + '"1"' + "}" * 50_000 + "}",
    "[" * 100_000,  # and never closed
], ids=["arrays", "arrays-in-member", "objects", "unclosed"])
def test_deeply_nested_json_package_json(tmp_path: Path, text: str) -> None:
    path = tmp_path / "package.json"
    path.write_text(text)
    out = analyze_in_child("package.json", path)
    assert len(out["diagnostics"]) >= 1, out


def _billion_laughs(root_key: str) -> str:
    lines = ['x-a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    prev = "a"
    for i in range(1, 10):
        name = chr(ord("a") + i)
        lines.append(f"x-{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n" + root_key.replace("BOMB", f"*{prev}")


def test_yaml_billion_laughs_in_compose(tmp_path: Path) -> None:
    path = tmp_path / "docker-compose.yml"
    path.write_text(_billion_laughs(
        "services:\n  web:\n    image: nginx:1.27\n    environment: BOMB\n    labels: BOMB\n    command: BOMB\n"
        "  bomb: BOMB\n"
    ))
    out = analyze_in_child("compose", path)
    assert out["seconds"] < 5


def test_yaml_billion_laughs_as_services(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    lines = ["x-a: &a {image: nginx}"]
    prev = "a"
    for i in range(1, 10):
        name = chr(ord("a") + i)
        lines.append(f"x-{name}: &{name} {{" + ", ".join(f"s{j}: *{prev}" for j in range(9)) + "}")
        prev = name
    lines.append(f"services: *{prev}")
    path.write_text("\n".join(lines) + "\n")
    out = analyze_in_child("compose", path)
    assert out["seconds"] < 5


def test_yaml_billion_laughs_in_workflow(tmp_path: Path) -> None:
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    path = wf / "ci.yml"
    path.write_text(_billion_laughs("jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: BOMB\n"))
    out = analyze_in_child("workflow", path)
    assert out["seconds"] < 5


def test_yaml_billion_laughs_in_pnpm_lockfile(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"left-pad": "1.3.0"}}\n')
    (tmp_path / "pnpm-lock.yaml").write_text(_billion_laughs(
        "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies: BOMB\npackages: BOMB\n"
    ))
    out = analyze_in_child("package.json", tmp_path / "package.json")
    assert out["seconds"] < 5


def test_exec_form_array_of_100000_items(tmp_path: Path) -> None:
    items = ["apt-get", "install", "-y", *(f"p{i}" for i in range(100_000))]
    path = tmp_path / "Dockerfile"
    # one item per physical line: BuildKit's 64 KiB limit is per physical line, not per instruction
    path.write_text("FROM debian:12\nRUN [" + ", \\\n".join(json.dumps(x) for x in items) + "]\n")
    out = analyze_in_child("dockerfile", path)
    assert out["sites"] == 100_001
    assert out["diagnostics"] == []


def test_exec_form_array_on_one_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12\nCMD " + json.dumps([f"p{i}" for i in range(100_000)]) + "\n")
    out = analyze_in_child("dockerfile", path)
    assert len(out["diagnostics"]) == 1 and "max allowed size" in out["diagnostics"][0]


def test_many_continuation_lines(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12\nRUN apt-get install -y \\\n" + "".join(f"  p{i} \\\n" for i in range(20_000))
                    + "  last\n")
    out = analyze_in_child("dockerfile", path)
    assert out["sites"] == 20_002


def test_many_heredocs(tmp_path: Path) -> None:
    body = "".join(f"RUN <<EOF{i}\napt-get install -y p{i}\nEOF{i}\n" for i in range(1000))
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12\n" + body)
    out = analyze_in_child("dockerfile", path)
    assert out["sites"] == 1001


def test_long_pipeline_and_and_chain(tmp_path: Path) -> None:
    path = tmp_path / "install.sh"
    path.write_text("#!/bin/sh\n" + " && ".join(f"apt-get install -y p{i}" for i in range(2000)) + "\n")
    out = analyze_in_child("shell", path)
    assert out["sites"] == 2000


def test_function_call_tree_is_bounded(tmp_path: Path) -> None:
    # f0 calls f1 twice, f1 calls f2 twice, ... 2**40 walks if every call were followed
    lines = [f"f{i}() {{ f{i + 1}; f{i + 1}; apk add p{i}; }}" for i in range(40)]
    path = tmp_path / "install.sh"
    path.write_text("#!/bin/sh\n" + "\n".join([*lines, "f40() { apk add leaf; }", "f0"]) + "\n")
    out = analyze_in_child("shell", path)
    assert out["seconds"] < 5 and out["sites"] >= 41


def test_deeply_chained_function_calls(tmp_path: Path) -> None:
    lines = [f"f{i}() {{ f{i + 1}; }}" for i in range(3000)]
    path = tmp_path / "install.sh"
    path.write_text("#!/bin/sh\n" + "\n".join([*lines, "f3000() { apk add leaf; }", "f0"]) + "\n")
    analyze_in_child("shell", path)  # bounded: a depth limit or the call budget, never a crash


def test_binary_and_invalid_utf8(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"FROM x\n\0\0\0binary")
    (tmp_path / "requirements.txt").write_bytes(b"requests==1.0\n\xff\xfe\n")
    report = scan([tmp_path], Config(), cwd=tmp_path).report
    messages = sorted(f.message for f in report.findings if f.rule == "PIN001")
    assert messages == ["binary file (contains NUL bytes); not audited",
                        "not valid UTF-8 (byte 0xff); not audited"]


# --------------------------------------------------------------------------------------------
# parallel scanning when processes misbehave: the scan completes, in order, as a serial one


def _tree(root: Path, n: int = 150) -> list[Path]:
    paths = []
    for i in range(n):
        d = root / f"svc{i:03d}"
        d.mkdir()
        if i % 3 == 0:
            (d / "requirements.txt").write_text(f"pkg{i}>=1\nother=={i}.0\n")
            paths.append(d / "requirements.txt")
        else:
            (d / "Dockerfile").write_text(f"FROM python:3.{i % 13}\nRUN pip install p{i} && apt-get install -y c{i}\n")
            paths.append(d / "Dockerfile")
    return paths


def _work(root: Path) -> list[Any]:
    from pinaudit.analyzers import ScanOptions
    from pinaudit.discover import discover

    options = ScanOptions(cwd=root)
    return [(t, options, None) for t in discover([root])]


def _serial(work: list[Any]) -> list[Any]:
    from pinaudit.work import analyze_target

    return [analyze_target(t, o, k) for t, o, k in work]


def test_parallel_results_are_in_input_order(tmp_path: Path) -> None:
    from pinaudit.work import NullProgress

    _tree(tmp_path)
    work = _work(tmp_path)
    assert list(parallel.analyze_parallel(work, jobs=2, progress=NullProgress())) == _serial(work)
    # the results came from worker processes, not from a silent serial fallback
    assert parallel.last_fallback is None


def test_parallel_falls_back_to_serial_without_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pinaudit.work import NullProgress

    def no_pool(*args: object, **kwargs: object) -> None:
        raise OSError(38, "Function not implemented")  # what a sandbox without /dev/shm gives

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    _tree(tmp_path, 70)
    work = _work(tmp_path)
    assert list(parallel.analyze_parallel(work, jobs=2, progress=NullProgress())) == _serial(work)


_real_analyze_chunk = parallel._analyze_chunk


def _dies_on_svc100(chunk: Any) -> Any:
    if any("svc100" in str(t.path) for t, _o, _k in chunk):
        os._exit(9)  # as an OOM kill or a native crash would end the worker
    return _real_analyze_chunk(chunk)


_DYING_WORKER = """
import sys
from pathlib import Path
from pinaudit import parallel
from pinaudit.work import NullProgress
import tests.test_pathological as tp
parallel._analyze_chunk = tp._dies_on_svc100
assert parallel._context().get_start_method() == "fork", parallel._context().get_start_method()
tp._tree(Path(sys.argv[1]))
work = tp._work(Path(sys.argv[1]))
assert list(parallel.analyze_parallel(work, jobs=2, progress=NullProgress())) == tp._serial(work)
print("same as serial")
"""


def test_parallel_survives_a_worker_dying(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pinaudit.work import NullProgress

    if parallel._context().get_start_method() != "fork":
        # The patched worker function only reaches forked workers, and this process cannot fork
        # safely (another thread is alive: the differential tests load BuildKit's Go runtime).
        # A fresh interpreter can.
        if sys.platform.startswith("linux"):
            proc = subprocess.run([sys.executable, "-c", _DYING_WORKER, str(tmp_path)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0 and "same as serial" in proc.stdout, proc.stdout + proc.stderr
            return
        pytest.skip("the patched worker function only reaches workers that are forked")
    # module-level, so the pool can pickle it by name; forked workers see the patched module
    monkeypatch.setattr(parallel, "_analyze_chunk", _dies_on_svc100)
    _tree(tmp_path)
    work = _work(tmp_path)
    assert list(parallel.analyze_parallel(work, jobs=2, progress=NullProgress())) == _serial(work)


def test_parallel_scan_matches_serial_scan(tmp_path: Path) -> None:
    _tree(tmp_path, 120)
    one = scan([tmp_path], Config(), cwd=tmp_path, jobs=1)
    two = scan([tmp_path], Config(), cwd=tmp_path, jobs=2)
    assert one.report == two.report and one.results == two.results
    assert len(one.report.findings) > 200
