"""The event loop's promises: no wakeups while idle, coloured prefixes only on a terminal, and
KillMode= variants carried out on real processes."""
import os
import pty
import select
import subprocess
import time

import psutil
import pytest

from conftest import OYA, end_adopted_orphans, unit, wait_for


def ctx_switches(pid):
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status").read().splitlines())
    return int(fields["voluntary_ctxt_switches"]) + int(fields["nonvoluntary_ctxt_switches"])


def test_idle_supervisor_never_wakes(oya):
    o = oya({"a": unit("/bin/sleep infinity"), "b": unit("/bin/sleep infinity", "Restart=always")})
    o.wait_state("a", "active", "running")
    o.wait_state("b", "active", "running")
    # once the start-up settled, oya sleeps in epoll_wait with no timeout: not one context switch
    wait_for(lambda: psutil.Process(o.pid).status() == psutil.STATUS_SLEEPING, what="oya to sleep")
    before = ctx_switches(o.pid)
    time.sleep(1.5)  # an observation window, not a synchronisation: nothing may happen in it
    assert ctx_switches(o.pid) - before == 0
    assert open(f"/proc/{o.pid}/wchan").read() in ("ep_poll", "do_epoll_wait")


def run_on_pty(tmp_path, env_extra):
    units = tmp_path / "units"
    units.mkdir()
    (units / "hello.service").write_text(unit("/bin/sh -c 'echo hello from the service; exec sleep infinity'"))
    master, slave = pty.openpty()
    env = dict(os.environ, **env_extra)
    env.pop("NO_COLOR", None) if "NO_COLOR" not in env_extra else None
    p = subprocess.Popen([OYA, "--socket", str(tmp_path / "s.sock"), "up", "--log-dir", "none", str(units)], stdout=slave,
                         stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 20
        while b"hello from the service" not in seen and time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 0.5)
            if r:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
        kids = psutil.Process(p.pid).children(recursive=True)
    finally:
        p.terminate()
        rc = p.wait(timeout=30)
        os.close(master)
    for k in kids:
        assert not k.is_running() or k.status() == psutil.STATUS_ZOMBIE
    assert end_adopted_orphans() == []
    assert rc == 0
    return seen.decode(errors="replace")


def test_prefix_coloured_on_a_terminal(tmp_path):
    out = run_on_pty(tmp_path, {})
    assert "\033[36mhello |\033[0m hello from the service" in out


def test_no_color_respected(tmp_path):
    out = run_on_pty(tmp_path, {"NO_COLOR": "1"})
    assert "hello | hello from the service" in out
    assert "\033[" not in out


def test_kill_mode_process_leaves_the_rest(oya, tmp_path):
    pidfile = tmp_path / "child"
    o = oya({"p": unit(f"/bin/sh -c 'sleep infinity & echo $$! > {pidfile}; exec sleep infinity'",
                       "KillMode=process")})
    wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), what="the child")
    child = int(pidfile.read_text())
    o.descendants()
    main = o.main_pid("p")
    assert o.cli("stop", "p").returncode == 0
    assert not psutil.pid_exists(main) or psutil.Process(main).status() == psutil.STATUS_ZOMBIE
    assert psutil.Process(child).is_running()  # only the main process was signalled, as systemd does
    # at shutdown oya still ends what it adopted: nothing outlives it
    assert o.stop() == 0
    wait_for(lambda: not psutil.pid_exists(child), what="the leftover to be ended at shutdown")


def test_kill_mode_mixed(oya, tmp_path):
    ready = tmp_path / "ready"
    log = tmp_path / "log"
    script = tmp_path / "mixed.sh"
    # the main process forwards nothing; its child records the signal it gets
    script.write_text(f"sh -c 'trap \"echo child-got-term >> {log}; exit 0\" TERM; while :; do sleep 0.1; done' &\n"
                      f"trap 'echo main-got-term >> {log}; exit 0' TERM\n"
                      f"touch {ready}\nwhile :; do sleep 0.1; done\n")
    o = oya({"m": unit(f"/bin/sh {script}", "KillMode=mixed\nTimeoutStopSec=20s")})
    wait_for(ready.exists, what="the traps")
    o.descendants()
    r = o.cli("stop", "m")
    assert r.returncode == 0, r.stderr
    lines = log.read_text().split()
    # SIGTERM went to the main process first; the child got its SIGTERM only after the main one was gone
    assert lines[0] == "main-got-term"
    assert "child-got-term" in lines


def test_kill_mode_none_leaves_processes_until_shutdown(oya):
    o = oya({"n": unit("/bin/sleep infinity", "KillMode=none")})
    pid = o.wait_state("n", "active", "running")["main_pid"]
    o.descendants()
    r = o.cli("stop", "n")
    assert r.returncode == 0 and "n: stopped (inactive, dead)" in r.stdout
    assert psutil.Process(pid).is_running()
    assert o.stop() == 0
    wait_for(lambda: not psutil.pid_exists(pid), what="shutdown to end it")


def test_supervisor_starts_no_thread_even_for_big_scans(oya, tmp_path):
    """With more than 512 processes the /proc scan of `oya ps` runs on several threads; the supervisor's
    own scans (status, stop) never do: it forks with raw clone3 and has no thread, ever (watched with
    strace: no clone with CLONE_THREAD)."""
    import shutil
    if not shutil.which("strace"):
        pytest.skip("strace is not installed")
    ready = tmp_path / "ready"
    o = oya({"many": unit(f"/bin/sh -c 'for i in $$(seq 600); do sleep 1000 & done; touch {ready}; wait'",
                          "KillMode=control-group")}, extra_args=["--no-cgroups"])  # the /proc scans
    wait_for(ready.exists, timeout=60, what="600 processes")
    log = tmp_path / "strace.log"
    tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=clone,clone3", "-o", str(log), "-p", str(o.pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: log.exists(), what="strace to attach")
        r = o.cli("status", "many")
        assert r.returncode == 0 and "Tasks:" in r.stdout
        o.cli("stop", "many", check=True)
    finally:
        tracer.terminate()
        tracer.wait(timeout=30)
    assert "CLONE_THREAD" not in log.read_text()


def test_supervisor_makes_no_user_lookup_at_a_start(oya, tmp_path):
    """User=, Group= and SupplementaryGroups= are looked up when the unit is loaded, never at a start (an
    LDAP server that hangs would hang the loop): a restart of such a service opens no user or group
    database (watched with strace); a user made later counts from the next daemon-reload, as the unit
    files themselves do."""
    import shutil
    if not shutil.which("strace"):
        pytest.skip("strace is not installed")
    if os.geteuid() != 0:
        pytest.skip("User= needs root")
    name = "oyal" + os.urandom(4).hex()
    o = oya({"svc": unit("/bin/sleep infinity", "User=nobody\nGroup=nogroup\nSupplementaryGroups=4711"),
             "later": unit("/bin/sleep infinity", f"User={name}")})
    first = o.wait_state("svc", "active", "running")["main_pid"]
    assert o.wait_state("later", "failed")["exec_error"] == f"User={name}: no such user in the user database"
    log = tmp_path / "strace.log"
    tracer = subprocess.Popen(["strace", "-qq", "-e", "trace=openat,open,connect", "-o", str(log), "-p", str(o.pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: log.exists(), what="strace to attach")
        o.cli("restart", "svc", check=True)
        assert o.main_pid("svc") != first
    finally:
        tracer.terminate()
        tracer.wait(timeout=30)
    seen = log.read_text()
    assert "/etc/passwd" not in seen and "/etc/group" not in seen and "nsswitch" not in seen, seen
    # the user comes into being: the next daemon-reload finds it
    subprocess.run(["useradd", "--no-create-home", "--user-group", name], check=True, capture_output=True)
    try:
        o.cli("daemon-reload", check=True)
        o.cli("start", "later", check=True)
        pid = o.wait_state("later", "active", "running")["main_pid"]
        assert psutil.Process(pid).username() == name
    finally:
        o.cli("stop", "later")
        subprocess.run(["userdel", name], capture_output=True)
