"""What the end of a service sets off, as systemd 252+ has it: FailureAction=/SuccessAction= (exit oya with a
status), StartLimitAction=, OnFailure=/OnSuccess=, `oya up --failure-action=` and `--exit-when-idle`; and the
restart backoff of RestartSteps=/RestartMaxDelaySec=. oya's exit status is the table in
docs/supervision.md."""
import os
import shutil
import subprocess
import time

import pytest

from conftest import OYA, unit, wait_for

SLEEPER = unit("/bin/sleep 1000")


def run_up(tmp_path, units, *args, timeout=60, wrap=()):
    """oya up on these units until it exits by itself: (exit status, stderr)."""
    d = tmp_path / "units"
    d.mkdir(exist_ok=True)
    for name, text in units.items():
        (d / f"{name}.service").write_text(text)
    r = subprocess.run([*wrap, OYA, "--socket", str(tmp_path / "oya.sock"), "up", "--log-dir", "none", *args, str(d)],
                       capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return r.returncode, r.stderr


def test_failure_action_exit_propagates_the_status(tmp_path):
    """FailureAction=exit: the others are stopped and oya exits with the main process's exit code."""
    rc, err = run_up(tmp_path, {"crit": unit("/bin/sh -c 'sleep 0.2; exit 3'", unit_extra="FailureAction=exit"),
                                "other": SLEEPER})
    assert rc == 3, err
    assert "crit: FailureAction=exit: stopping every service, then exiting" in err
    assert "other: stopped" in err


def test_failure_action_exit_status_and_signal(tmp_path):
    """FailureActionExitStatus= overrides; a main process killed by signal N gives 128+N."""
    rc, err = run_up(tmp_path, {"crit": unit("/bin/sh -c 'exit 3'",
                                             unit_extra="FailureAction=exit\nFailureActionExitStatus=42")})
    assert rc == 42, err
    rc, err = run_up(tmp_path, {"crit": unit("/bin/sh -c 'kill -SEGV $$$$'", unit_extra="FailureAction=exit-force")})
    assert rc == 128 + 11, err


def test_success_action_exit(tmp_path):
    """SuccessAction=exit: a job that ends well ends oya, with SuccessActionExitStatus= or 0."""
    rc, err = run_up(tmp_path, {"job": unit("/bin/true", "Type=oneshot",
                                            unit_extra="SuccessAction=exit\nSuccessActionExitStatus=5"),
                                "other": SLEEPER})
    assert rc == 5, err
    rc, err = run_up(tmp_path, {"job": unit("/bin/true", "Type=oneshot", unit_extra="SuccessAction=exit")})
    assert rc == 0, err


def test_restarts_first_then_the_start_limit_action(tmp_path):
    """With Restart=, a failure is not final: the action comes once the start limit is hit (StartLimitAction=
    and then FailureAction= as in systemd; --failure-action= for units that set none)."""
    flaky = unit("/bin/sh -c 'exit 4'", "Restart=on-failure\nRestartSec=10ms\nStartLimitBurst=3")
    t = time.monotonic()
    rc, err = run_up(tmp_path, {"flaky": flaky, "other": SLEEPER}, "--failure-action=exit")
    assert rc == 4, err
    assert err.count("flaky: started") == 3 and "Result: start-limit-hit" in err
    assert "flaky: --failure-action=exit: stopping every service" in err
    assert time.monotonic() - t < 30


def test_failure_action_none_keeps_oya_up(oya):
    """A unit's FailureAction=none overrules --failure-action=exit."""
    o = oya({"x": unit("/bin/false", unit_extra="FailureAction=none"), "other": SLEEPER},
            extra_args=["--failure-action=exit"])
    o.wait_state("x", "failed")
    assert o.proc.poll() is None
    o.wait_state("other", "active", "running")


def test_container_exits_when_a_service_fails_for_good(tmp_path):
    """The container case: oya is PID 1 (unshare --pid --fork --mount-proc) with --failure-action=exit; a
    service failing for good makes the whole container exit with its status."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare")
    units = {"db": unit("/bin/sh -c 'sleep 0.3; exit 9'", "Restart=on-failure\nRestartSec=10ms\nStartLimitBurst=2"),
             "web": SLEEPER}
    rc, err = run_up(tmp_path, units, "--failure-action=exit", wrap=("unshare", "--pid", "--fork", "--mount-proc"))
    assert rc == 9, err
    assert "web: stopped" in err


def test_on_failure_starts_a_template_instance(oya, tmp_path):
    """OnFailure=notify@%n.service starts the template's instance for the failed unit (%n is its full name)."""
    mark = tmp_path / "notified"
    o = oya({"x": unit("/bin/sh -c 'exit 2'", unit_extra="OnFailure=notify@%n.service"),
             "notify@": unit(f"/bin/sh -c 'echo %i >> {mark}'", "Type=oneshot")})
    wait_for(lambda: mark.exists() and mark.read_text() == "x.service\n", what="notify@x.service.service to run")
    assert "x: OnFailure: starting notify@x.service" in o.err()
    assert o.proc.poll() is None


def test_on_success_starts_a_unit(oya, tmp_path):
    """OnSuccess= starts its units when the service ends well (inactive, not failed); not when it fails."""
    mark = tmp_path / "after"
    o = oya({"ok": unit("/bin/sh -c 'sleep 0.5'", "Type=oneshot", unit_extra="OnSuccess=after.service"),
             "bad": unit("/bin/sh -c 'sleep 0.5; exit 1'", "Type=oneshot", unit_extra="OnSuccess=after2.service"),
             "after": unit(f"/bin/sh -c 'echo ran >> {mark}'", "Type=oneshot"),
             "after2": unit(f"/bin/sh -c 'echo wrong >> {mark}'", "Type=oneshot")})
    o.wait_state("bad", "failed")
    # each ran once at oya's start; ok's success starts after again, bad's failure does not start after2
    wait_for(lambda: mark.exists() and mark.read_text().count("ran") == 2, what="after.service to run again")
    o.wait_state("ok", "inactive", "dead")
    assert mark.read_text().count("wrong") == 1
    assert "ok: OnSuccess: starting after" in o.err()


def test_exit_when_idle(tmp_path):
    """--exit-when-idle: once nothing is active, starting or waiting to restart; 0 when every service ended
    well, else the status of the first that failed."""
    rc, err = run_up(tmp_path, {"a": unit("/bin/true", "Type=oneshot"),
                                "b": unit("/bin/sh -c 'sleep 0.2; exit 0'")}, "--exit-when-idle")
    assert rc == 0, err
    assert "--exit-when-idle" in err
    rc, err = run_up(tmp_path, {"a": unit("/bin/sh -c 'exit 6'", "Type=oneshot"),
                                "b": unit("/bin/sh -c 'sleep 0.3; exit 7'"),
                                "c": unit("/bin/sh -c 'exit 1'", "Restart=on-failure\nRestartSec=20ms\n"
                                          "StartLimitBurst=2")}, "--exit-when-idle")
    assert rc == 6, err  # a failed first


def test_restart_backoff_grows_and_is_capped(oya, tmp_path):
    """RestartSteps=3, RestartSec=100ms, RestartMaxDelaySec=800ms: 100, 200, 400, then 800 ms (geometric, as
    systemd 254); status shows when the next try comes. Measured loosely: each gap grows, none far past 800."""
    times = tmp_path / "times"
    o = oya({"w": unit(f"/bin/sh -c 'date +%%s.%%N >> {times}; exit 1'",
                       "Restart=always\nRestartSec=100ms\nRestartSteps=3\nRestartMaxDelaySec=800ms\n"
                       "StartLimitIntervalSec=0")})
    wait_for(lambda: times.exists() and len(times.read_text().split()) >= 6, timeout=30, what="six runs")
    t = [float(x) for x in times.read_text().split()]
    gaps = [b - a for a, b in zip(t, t[1:])][:5]
    assert gaps[0] < gaps[1] < gaps[2] < gaps[3], gaps
    assert 0.08 < gaps[0] < 0.5 and 0.7 < gaps[3] < 2.0 and 0.7 < gaps[4] < 2.0, gaps
    text = o.cli("status", "w").stdout
    assert "    Restart: next in " in text and "(try " in text, text
    assert "restarting in 400ms (try 3)" in o.err()
