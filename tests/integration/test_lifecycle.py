"""Start, stop, restart, kill; restart policies, RestartSec, the start limit, stop escalation,
double-forking daemons, orphan reaping and shutdown on SIGTERM."""
import os
import re
import signal
import time

import psutil
import pytest

from conftest import unit, wait_for


def daemon_script(tmp_path, pidfile):
    """A service that double-forks a worker into a session of its own, as classic daemons do."""
    script = tmp_path / "daemon.sh"
    script.write_text(f"( setsid sh -c 'echo $$ > {pidfile}; exec sleep infinity' & )\nexec sleep infinity\n")
    return script


def test_start_stop_restart_kill(oya, tmp_path):
    o = oya({"svc": unit("/bin/sleep infinity")})
    rec = o.wait_state("svc", "active", "running")
    first = rec["main_pid"]
    assert psutil.Process(first).ppid() == o.pid

    r = o.cli("stop", "svc")
    assert r.returncode == 0, r.stderr
    assert "svc: stopped (inactive, dead)" in r.stdout
    assert not psutil.pid_exists(first) or psutil.Process(first).status() == psutil.STATUS_ZOMBIE
    assert o.state("svc") == ("inactive", "dead")

    r = o.cli("start", "svc")
    assert r.returncode == 0, r.stderr
    second = o.main_pid("svc")
    assert re.search(rf"svc: started \(active, running\), main pid {second}$", r.stdout.strip())
    assert second != first and psutil.Process(second).ppid() == o.pid

    r = o.cli("restart", "svc")
    assert r.returncode == 0, r.stderr
    third = o.main_pid("svc")
    assert third not in (0, second)
    assert "svc: restarted (active, running)" in r.stdout
    wait_for(lambda: not psutil.pid_exists(second), what="the old instance to go")

    # kill sends the signal to every process of the service; sleep dies of SIGTERM, which is clean,
    # and Restart=no leaves the service inactive
    r = o.cli("kill", "-s", "TERM", "svc")
    assert r.returncode == 0, r.stderr
    assert "svc: sent SIGTERM to 1 process" in r.stdout
    rec = o.wait_state("svc", "inactive", "dead")
    assert rec["exit"] == "code=killed, signal=SIGTERM"

    # unknown names and names with .service
    assert o.cli("start", "nosuch").returncode == 4
    assert o.cli("start", "svc.service").returncode == 0
    assert o.cli("kill", "-s", "NOSIG", "svc").returncode != 0


@pytest.mark.parametrize("policy,action,restarts", [
    ("no", "exit 0", False), ("no", "exit 1", False), ("no", "kill -KILL $$$$", False),
    ("always", "exit 0", True), ("always", "exit 1", True), ("always", "kill -KILL $$$$", True),
    ("on-success", "exit 0", True), ("on-success", "exit 1", False),
    ("on-success", "kill -TERM $$$$", True), ("on-success", "kill -KILL $$$$", False),
    ("on-failure", "exit 0", False), ("on-failure", "exit 1", True),
    ("on-failure", "kill -KILL $$$$", True), ("on-failure", "kill -TERM $$$$", False),
    ("on-abnormal", "exit 1", False), ("on-abnormal", "kill -KILL $$$$", True),
    ("on-abnormal", "exit 0", False),
    ("on-abort", "exit 1", False), ("on-abort", "kill -ABRT $$$$", True), ("on-abort", "exit 0", False),
])
def test_restart_policy(oya, tmp_path, policy, action, restarts):
    log = tmp_path / "starts"
    o = oya({"p": unit(f"/bin/sh -c 'echo x >> {log}; {action}'",
                       f"Restart={policy}\nRestartSec=50ms\nLimitCORE=0")})
    if restarts:
        wait_for(lambda: log.exists() and len(log.read_text().split()) >= 2, what="a restart")
    else:
        # no restart is decided when the service settles in inactive or failed (never auto-restart)
        wait_for(lambda: o.state("p")[0] in ("inactive", "failed"), what="p to settle")
        assert len(log.read_text().split()) == 1
        rec = o.record("p")
        assert rec["restarts"] == 0
        expected = "inactive" if action == "exit 0" or "TERM" in action else "failed"
        assert rec["active"] == expected, rec


def test_restart_sec_is_waited(oya, tmp_path):
    log = tmp_path / "times"
    o = oya({"r": unit(f"/bin/sh -c 'cat /proc/uptime >> {log}; exit 1'", "Restart=on-failure\nRestartSec=1200ms")})
    wait_for(lambda: log.exists() and len(log.read_text().splitlines()) >= 2, what="a restart")
    t = [float(line.split()[0]) for line in log.read_text().splitlines()]
    assert t[1] - t[0] >= 1.2 - 0.02  # /proc/uptime has 10ms resolution
    rec = o.record("r")
    assert rec["restarts"] >= 1


def test_runtime_max_sec_stops_a_service_that_ran_long_enough(oya, tmp_path):
    """RuntimeMaxSec=: active that long, the service is stopped (ExecStop=, then KillSignal=) and fails with
    Result: timeout; with Restart=always it starts again, a fresh process each time (a periodic restart)."""
    log = tmp_path / "log"
    o = oya({"once": unit(f"/bin/sh -c 'cat /proc/uptime >> {log}; exec sleep infinity'",
                          f"RuntimeMaxSec=1s\nExecStop=/bin/sh -c 'cat /proc/uptime >> {log}; kill $MAINPID'"),
             "again": unit("/bin/sleep infinity", "RuntimeMaxSec=300ms\nRestart=always\nRestartSec=0",
                           "StartLimitIntervalSec=0")})
    rec = o.wait_state("once", "failed")
    assert rec["result"] == "timeout"
    t = [float(line.split()[0]) for line in log.read_text().splitlines()]
    assert len(t) == 2 and t[1] - t[0] >= 1.0 - 0.02, t  # /proc/uptime has 10ms resolution
    r = o.cli("status", "once")
    assert "Active: failed (Result: timeout)" in r.stdout, r.stdout
    assert "ran for RuntimeMaxSec=; stopping: ExecStop=" in o.cli("logs", "once").stdout
    running = lambda: (lambda r: r if r["main_pid"] else None)(o.record("again"))
    first = wait_for(running, what="again running")
    rec = wait_for(lambda: (lambda r: r if r and r["restarts"] >= first["restarts"] + 2 else None)(running()),
                   what="two more restarts after RuntimeMaxSec=")
    assert rec["main_pid"] != first["main_pid"] and rec["result"] == "success"


def test_start_limit(oya, tmp_path):
    log = tmp_path / "starts"
    o = oya({"crash": unit(f"/bin/sh -c 'echo x >> {log}; exit 2'",
                           "Restart=always\nRestartSec=0", "StartLimitIntervalSec=30s\nStartLimitBurst=4")})
    rec = o.wait_state("crash", "failed")
    assert rec["result"] == "start-limit-hit"
    assert len(log.read_text().split()) == 4
    r = o.cli("status", "crash")
    assert r.returncode == 3
    assert "Active: failed (Result: start-limit-hit)" in r.stdout
    # an explicit start clears the failure, as reset-failed would
    r = o.cli("start", "crash")
    wait_for(lambda: len(log.read_text().split()) >= 5, what="a new start")


def test_stop_timeout_escalates_to_sigkill(oya, tmp_path):
    ready = tmp_path / "ready"
    o = oya({"stubborn": unit(f"/bin/sh -c 'trap \"\" TERM; touch {ready}; while :; do sleep 0.2; done'",
                              "TimeoutStopSec=1s")})
    wait_for(ready.exists, what="the trap to be set")
    pid = o.main_pid("stubborn")
    t0 = time.monotonic()
    r = o.cli("stop", "stubborn")
    elapsed = time.monotonic() - t0
    assert r.returncode == 0
    assert "Result: timeout" in r.stdout
    assert elapsed >= 1.0
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    rec = o.record("stubborn")
    assert (rec["active"], rec["result"]) == ("failed", "timeout")
    assert rec["exit"] == "code=killed, signal=SIGKILL"
    assert "stop timed out; sending SIGKILL" in o.err()


def test_double_forked_daemon_is_tracked_and_stopped(oya, tmp_path):
    pidfile = tmp_path / "worker.pid"
    o = oya({"d": unit(f"/bin/sh {daemon_script(tmp_path, pidfile)}")})
    wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), what="the worker")
    worker = int(pidfile.read_text())
    w = psutil.Process(worker)
    # it left the service's session and was re-parented to oya, the subreaper
    wait_for(lambda: w.ppid() == o.pid, what="re-parenting to oya")
    assert os.getsid(worker) != os.getsid(o.main_pid("d"))
    o.descendants()
    rec = o.record("d")
    assert worker in [p["pid"] for p in rec["processes"]]
    r = o.cli("stop", "d")
    assert r.returncode == 0
    wait_for(lambda: not psutil.pid_exists(worker), what="the worker to be stopped")


def test_main_exit_stops_leftovers(oya, tmp_path):
    """KillMode=control-group: when the main process exits, what it left behind is stopped too."""
    pidfile = tmp_path / "child.pid"
    o = oya({"m": unit(f"/bin/sh -c 'sleep infinity & echo $$! > {pidfile}; sleep 0.3; exit 0'")})
    wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), what="the child")
    child = int(pidfile.read_text())
    o.descendants()
    o.wait_state("m", "inactive", "dead")
    wait_for(lambda: not psutil.pid_exists(child), what="the leftover child to be stopped")


def test_no_zombies_after_1000_orphans(oya, tmp_path):
    done = tmp_path / "done"
    o = oya({"orphans": unit(f"/bin/sh -c 'i=0; while [ $$i -lt 1000 ]; do ( /bin/true & ); i=$$((i+1)); done; "
                             f"touch {done}; exec sleep infinity'")})
    wait_for(done.exists, timeout=120, what="1000 orphans to be made")

    def no_zombies():
        kids = psutil.Process(o.pid).children(recursive=True)
        return not [k for k in kids if k.status() == psutil.STATUS_ZOMBIE]
    wait_for(no_zombies, what="every orphan to be reaped")
    assert o.state("orphans") == ("active", "running")


def test_sigterm_leaves_no_process(oya, tmp_path):
    pidfile = tmp_path / "w.pid"
    o = oya({
        "a": unit("/bin/sleep infinity"),
        "b": unit(f"/bin/sh {daemon_script(tmp_path, pidfile)}"),
        "c": unit("/bin/sh -c 'trap \"\" TERM; sleep infinity & wait'", "TimeoutStopSec=1s"),
    })
    for n in "abc":
        o.wait_state(n, "active", "running")
    wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), what="the daemon")
    procs = o.descendants()
    assert len(procs) >= 5
    assert o.stop() == 0
    for p in procs:
        assert not p.is_running() or p.status() == psutil.STATUS_ZOMBIE, f"{p.pid} survived"
    assert "all services stopped" in o.err()


def test_sigint_twice_kills_at_once(oya, tmp_path):
    ready = tmp_path / "ready"
    o = oya({"s": unit(f"/bin/sh -c 'trap \"\" TERM INT; touch {ready}; while :; do sleep 1; done'",
                       "TimeoutStopSec=infinity")})
    wait_for(ready.exists, what="the trap")
    o.descendants()
    o.proc.send_signal(signal.SIGINT)
    wait_for(lambda: "stopping 1 service (" in o.err(), what="the first SIGINT to be seen")
    o.proc.send_signal(signal.SIGINT)
    assert o.proc.wait(timeout=30) == 0
    assert "killing every service now" in o.err()


def test_sighup_reloads_unit_files(oya, tmp_path):
    marker = tmp_path / "b-new"
    o = oya({"a": unit("/bin/sleep infinity"), "b": unit("/bin/sleep infinity", "", "Description=old b"),
             "keep": unit("/bin/sleep infinity", "", "Description=keeps its definition")})
    for n in ("a", "b", "keep"):
        o.wait_state(n, "active", "running")
    b_pid = o.main_pid("b")
    (o.units / "a.service").unlink()
    (o.units / "b.service").write_text(unit(f"/bin/sh -c 'touch {marker}; exec sleep infinity'", "",
                                            "Description=new b"))
    (o.units / "c.service").write_text(unit("/bin/sleep infinity", "", "Description=added"))
    (o.units / "keep.service").write_text("[Service]\nExecStart=/bin/true\nRestart=sometimes\n")
    o.descendants()
    o.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "reloaded unit files: 1 added, 1 changed, 1 removed, 0 unchanged" in o.err(), what="the reload")
    assert "keep.service: not loaded; the service keeps its previous definition" in o.err()
    rec = o.wait_state("c", "active", "running")
    assert rec["description"] == "added"
    rec = o.wait_state("a", "inactive", "dead")
    assert rec["load"] == "not-found"
    r = o.cli("start", "a")
    assert r.returncode == 1 and "the unit file of a is gone" in r.stderr
    # b has its new definition, used from its next start: it was not restarted by the reload
    rec = o.record("b")
    assert rec["description"] == "new b" and rec["main_pid"] == b_pid
    assert not marker.exists()
    assert o.cli("restart", "b").returncode == 0
    wait_for(marker.exists, what="b's new command")
    assert o.record("keep")["description"] == "keeps its definition"
    # a unit file that comes back is loaded again
    (o.units / "a.service").write_text(unit("/bin/sleep infinity"))
    o.proc.send_signal(signal.SIGHUP)
    # a is back (changed: its unit was gone); b and c are as the last reload left them
    wait_for(lambda: "0 added, 1 changed, 0 removed, 2 unchanged" in o.err(), what="the second reload")
    assert o.record("a")["load"] == "loaded"
    assert o.cli("start", "a").returncode == 0


def test_restarted_oya_stops_what_a_killed_one_left(oya, tmp_path):
    """oya is SIGKILLed: its services keep running (orphans). A new oya on the same units and socket
    stops them (found by their INVOCATION_ID) before starting the services afresh: never two copies."""
    from conftest import Oya
    from test_steps import FORKER
    script = tmp_path / "forker.py"
    script.write_text(FORKER)
    units = {"web": unit("/bin/sleep infinity"), "d": unit(f"/usr/bin/python3 {script}", "Type=forking")}
    first = oya(units)
    web = psutil.Process(first.wait_state("web", "active", "running")["main_pid"])
    daemon = psutil.Process(first.wait_state("d", "active", "running")["main_pid"])
    first.proc.kill()
    first.proc.wait(timeout=10)
    assert web.is_running() and daemon.is_running()  # left behind, as after a crash of oya
    second = Oya(first.dir, {}, sock=first.sock)  # the killed oya's socket file is still there
    try:
        wait_for(lambda: second.cli("list").returncode == 0, what="the new oya to answer")
        rec = second.wait_state("web", "active", "running")
        assert rec["main_pid"] != web.pid
        def gone(p):  # orphans of the killed oya are the test's (a subreaper): they end as its zombies
            try:
                return p.status() == psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return True
        wait_for(lambda: gone(web) and gone(daemon), what="the old processes to go")
        err = second.err()
        assert "the previous oya" in err and "stopping them before starting afresh" in err, err
        # one copy of each: the old main processes are gone and the new ones run
        assert second.wait_state("d", "active", "running")["main_pid"] != daemon.pid
    finally:
        problems = second.cleanup()
    assert not problems, problems
