"""Out of memory in the supervisor: an allocation that fails (the sanitizer build's OYA_ALLOC_FAIL=N fails
the Nth allocation after the loop starts) fails the one request, start or record that needed it. Swept
across a scenario of start, status, stop, restart, reload, daemon-reload, logs and list: oya never dies,
never leaks (ASan), answers every request (an error reply is an answer), and each service ends in a state
that status reports truthfully; once memory is back, the same oya starts and stops everything.

The test sweeps a spread of failure points (every one up to FIRST, then a stride); `python3
tests/integration/test_oom.py [JOBS]` sweeps every allocation of the scenario."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import OYA, wait_for  # noqa: E402

UNITS = {
    "a": "[Unit]\nDescription=the first\n[Service]\nExecStart=/bin/sleep 1000\nEnvironment=WHO=a\n"
         "ExecStartPre=/bin/true\nRestart=on-failure\n",
    "b": "[Unit]\nDescription=the second\nAfter=a.service\n[Service]\n"
         "ExecStart=/bin/sh -c 'echo b says hello; echo b complains >&2; exec sleep 1000'\n"
         "ExecReload=/bin/true\nTimeoutStopSec=5\nUser=nobody\n",
}
CHANGED_A = UNITS["a"].replace("WHO=a", "WHO=a2")
STEPS = [
    ("status", "a"), ("stop", "a"), ("restart", "b"), ("reload", "b"), ("logs", "-n", "5", "b"),
    ("daemon-reload",), ("start", "a"), ("list",), ("status",), ("kill", "-s", "CONT", "b"), ("status", "nosuch"),
]


def _alive(pid):
    try:
        p = psutil.Process(pid)
        return p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _cli(sock, env, *args):
    """A command after the failed allocations; told "out of memory" (they came late), it asks again"""
    for _ in range(100):
        r = subprocess.run([OYA, "--socket", sock, *args], capture_output=True, text=True, timeout=30, env=env)
        if "ran out of memory" not in r.stderr:
            break
    return r


def _records(sock, env):
    r = _cli(sock, env, "status", "--json", "a", "b")
    assert r.returncode in (0, 3), f"status after the failure: {r.returncode} {r.stdout}{r.stderr}"
    return {rec["name"]: rec for rec in json.loads(r.stdout)["services"]}


def _truthful(oya_pid, rec):
    """What status says of one service is what the processes show"""
    problems = []
    kids = {p.pid: p for p in psutil.Process(oya_pid).children(recursive=True)}
    main = rec["main_pid"]
    if rec["active"] == "active":
        if not main or not _alive(main) or main not in kids:
            problems.append(f"{rec['name']} is said active with main PID {main}, which is not a live child")
        else:
            if kids[main].name() != "sleep":  # both end in sleep (b execs it from its shell)
                problems.append(f"{rec['name']}'s main PID {main} is {kids[main].name()}")
    elif rec["active"] in ("inactive", "failed"):
        if main:
            problems.append(f"{rec['name']} is {rec['active']} with a main PID {main}")
        for pid in rec.get("pids", "").split():
            if _alive(int(pid)):
                problems.append(f"{rec['name']} is {rec['active']} and lists live process {pid}")
        if rec["active"] == "failed" and rec["result"] not in ("resources", "exit-code", "signal", "timeout",
                                                                 "start-limit-hit"):
            problems.append(f"{rec['name']} failed with result {rec['result']}")
    return problems


def run_scenario(n, k=1):
    """Run the scenario with the nth allocation failing (0: none); returns (problems, allocations counted)"""
    problems = []
    with tempfile.TemporaryDirectory(prefix="oya-oom-") as d:
        d = Path(d)
        units = d / "units"
        units.mkdir()
        for name, text in UNITS.items():
            (units / f"{name}.service").write_text(text)
        sock = str(d / "oya.sock")
        env = dict(os.environ, NO_COLOR="1")
        env.pop("OYA_ALLOC_FAIL", None)
        oenv = dict(env, OYA_ALLOC_FAIL=f"{n},{k}", ASAN_OPTIONS="detect_leaks=1:abort_on_error=0")
        err = open(d / "oya.err", "wb")
        proc = subprocess.Popen([OYA, "--socket", sock, "up", "--log-dir", str(d / "logs"), str(units)],
                                stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, env=oenv)
        err.close()
        seen = {}

        def note_children():
            try:
                for p in psutil.Process(proc.pid).children(recursive=True):
                    try:
                        seen.setdefault(p.pid, p.create_time())
                    except psutil.NoSuchProcess:
                        pass
            except psutil.NoSuchProcess:
                pass

        try:
            wait_for(lambda: os.path.exists(sock) or proc.poll() is not None, timeout=20, what="the socket")
            wait_for(lambda: proc.poll() is not None
                     or subprocess.run([OYA, "--socket", sock, "status", "a", "b"], capture_output=True,
                                       env=env, timeout=30).returncode in (0, 3), timeout=20, what="an answer")
            for i, step in enumerate(STEPS):
                note_children()
                if step == ("daemon-reload",):
                    (units / "a.service").write_text(CHANGED_A)
                try:
                    r = subprocess.run([OYA, "--socket", sock, *step], capture_output=True, text=True, timeout=30,
                                       env=env)
                except subprocess.TimeoutExpired:
                    problems.append(f"oya {' '.join(step)}: no answer in 30 s")
                    continue
                if proc.poll() is not None:
                    problems.append(f"oya died at step {i} ({' '.join(step)}): exit {proc.returncode}")
                    break
                if r.returncode not in (0, 1, 3, 4) or (r.returncode and not r.stderr.strip()
                                                     and step[0] not in ("status", "list")):
                    problems.append(f"oya {' '.join(step)} exited {r.returncode} without saying why: "
                                    f"{r.stdout}{r.stderr}")
            if proc.poll() is None:
                note_children()
                # the failure is behind us: what status says must be so, once the services settle
                def settled():
                    recs = _records(sock, env)
                    return all(r["sub"] in ("running", "dead", "failed") for r in recs.values())
                wait_for(settled, timeout=20, what="a and b to settle")
                for rec in _records(sock, env).values():
                    problems += _truthful(proc.pid, rec)
                # and the same oya still does its work
                r = _cli(sock, env, "restart", "a", "b")
                for _ in range(100):  # the failed allocations were this restart's own
                    if r.returncode == 0 or "Result: resources" not in r.stderr:
                        break
                    r = _cli(sock, env, "restart", "a", "b")
                # starts that failed for want of memory count towards the start limit, as any failed start
                # does: a service that hit it refuses to start until reset (as systemctl restart does)
                if r.returncode != 0 and "start-limit-hit" in r.stderr:
                    r = _cli(sock, env, "restart", *[n for n in ("a", "b") if f"{n}: failed to restart: failed "
                                                     f"(failed; Result: start-limit-hit" not in r.stderr])
                if r.returncode != 0:
                    problems.append(f"restart after the failure: {r.returncode} {r.stdout}{r.stderr}")
                note_children()
        except (AssertionError, subprocess.TimeoutExpired, ValueError, KeyError) as e:
            problems.append(f"{type(e).__name__}: {e}")
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait(timeout=10)
                problems.append("oya did not exit within 30 s of SIGTERM")
            for pid, ctime in seen.items():
                try:
                    p = psutil.Process(pid)
                    if p.create_time() == ctime:
                        p.kill()
                        problems.append(f"process {pid} ({p.name()}) left behind")
                except psutil.NoSuchProcess:
                    pass
        text = (d / "oya.err").read_text(errors="replace")
        if rc != 0 and not any("died at step" in p for p in problems):
            problems.append(f"oya exited {rc}")
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:", "out of memory\n"):
            if marker in text:
                problems.append(f"{marker.strip()} in oya's stderr")
        counted = 0
        for line in text.splitlines():
            if line.endswith(" allocations counted"):
                counted = int(line.split()[1])
        if problems:
            problems.append("oya's stderr:\n" + text[-6000:])
    return problems, counted


def _sweep_points(total, first=60, spread=90):
    """Every point up to first, then spread points evenly over the rest (a different offset each day)"""
    pts = list(range(1, min(first, total) + 1))
    if total > first:
        step = max(1, (total - first) // spread)
        offset = int(time.time() // 86400) % step
        pts += list(range(first + 1 + offset, total + 1, step))
    return pts


@pytest.fixture(scope="module")
def allocations():
    if b"OYA_ALLOC_FAIL" not in Path(OYA).read_bytes():
        pytest.skip("this oya is not the sanitizer build (no OYA_ALLOC_FAIL); make check builds it")
    problems, counted = run_scenario(0)
    assert not problems, "\n".join(problems)
    assert counted > 100, f"only {counted} allocations counted"
    return counted


def test_scenario_without_failure_counts_allocations(allocations):
    assert allocations > 100


@pytest.mark.parametrize("part", range(4))
def test_supervisor_survives_a_failed_allocation_anywhere(allocations, part):
    pts = _sweep_points(allocations)[part::4]
    failed = []
    for n in pts:
        problems, _ = run_scenario(n)
        if problems:
            failed.append(f"allocation {n}:\n" + "\n".join(problems))
            break
    assert not failed, "\n".join(failed)


def test_supervisor_survives_a_run_of_failures(allocations):
    """Memory short for a while (50 allocations in a row fail), at a few places"""
    failed = []
    for n in (1, allocations // 3, allocations // 2, allocations - 60):
        problems, _ = run_scenario(max(1, n), 50)
        if problems:
            failed.append(f"allocations {n}..{n + 49}:\n" + "\n".join(problems))
    assert not failed, "\n".join(failed)


if __name__ == "__main__":
    from concurrent.futures import ThreadPoolExecutor
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else os.cpu_count()
    problems, total = run_scenario(0)
    assert not problems, problems
    print(f"{total} allocations in the scenario; sweeping each", flush=True)
    bad = 0
    with ThreadPoolExecutor(jobs) as ex:
        for n, (problems, _) in zip(range(1, total + 1), ex.map(run_scenario, range(1, total + 1))):
            if problems:
                bad += 1
                print(f"allocation {n}:\n" + "\n".join(problems), flush=True)
    print(f"{total} failure points, {bad} with problems")
    sys.exit(1 if bad else 0)
