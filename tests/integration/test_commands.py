"""`oya daemon-reload`, `oya shutdown`, a terminal's hangup, and `oya kill` with kill(1)'s and systemctl's
forms: the lifecycle commands of issue 16."""
import fcntl
import os
import subprocess
import termios

import psutil

from conftest import OYA, unit, wait_for


def test_daemon_reload_tells_changed_from_unchanged(oya):
    """The reply lists what was added, changed, removed and left as it was; a file written again with the
    same text is unchanged (SIGHUP's summary said "1 updated" when nothing had changed)."""
    o = oya({"a": unit("/bin/sleep 1000"), "b": unit("/bin/sleep 1001"), "c": unit("/bin/sleep 1002")})
    for n in "abc":
        o.wait_state(n, "active", "running")
    (o.units / "a.service").write_text(unit("/bin/sleep 1000"))  # the same text again: a new mtime
    (o.units / "b.service").write_text(unit("/bin/sleep 1003"))
    (o.units / "c.service").unlink()
    (o.units / "d.service").write_text(unit("/bin/sleep 1004"))
    r = o.cli("daemon-reload", check=True)
    assert r.stdout.splitlines() == ["added     1: d", "changed   1: b", "removed   1: c", "unchanged 1: a"], r.stdout
    assert "reloaded unit files: 1 added, 1 changed, 1 removed, 1 unchanged" in o.err()
    o.wait_state("d", "active", "running")
    o.wait_state("c", "inactive")
    r = o.cli("daemon-reload", check=True)
    assert "changed   0" in r.stdout and "unchanged 3: a b d" in r.stdout, r.stdout


def test_shutdown_returns_once_everything_is_down(oya):
    """`oya shutdown` stops every service within its timeouts and returns when oya has ended (exit 0)."""
    o = oya({"a": unit("/bin/sleep 1000"), "b": unit("/bin/sh -c 'trap \"exit 0\" TERM; sleep 1000 & wait'")})
    o.wait_state("a", "active", "running")
    o.wait_state("b", "active", "running")
    kids = o.descendants()
    r = o.cli("shutdown", check=True)
    assert "oya has ended" in r.stdout
    assert o.proc.wait(timeout=30) == 0
    assert "shutdown requested: stopping 2 services" in o.err()
    assert not [p for p in kids if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_shutdown_now_kills(oya):
    """--now does not wait for TimeoutStopSec=: a service deaf to SIGTERM is SIGKILLed at once."""
    o = oya({"deaf": unit("/bin/sh -c 'trap \"\" TERM; while :; do sleep 1; done'", "TimeoutStopSec=infinity")})
    o.wait_state("deaf", "active", "running")
    o.cli("shutdown", "--now", check=True, timeout=30)
    assert o.proc.wait(timeout=30) == 0


def test_terminal_hangup_stops_everything(tmp_path):
    """In the foreground of a terminal, the terminal going away (its hangup: a SIGHUP from the kernel) stops
    every service and ends oya, as any foreground program; a kill -HUP still means reload."""
    units = tmp_path / "units"
    units.mkdir()
    (units / "s.service").write_text(unit("/bin/sleep 1000"))
    master, slave = os.openpty()

    def controlling_terminal():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    p = subprocess.Popen([OYA, "--socket", str(tmp_path / "oya.sock"), "up", "--log-dir", "none", str(units)],
                         stdin=slave, stdout=slave, stderr=subprocess.PIPE, preexec_fn=controlling_terminal)
    os.close(slave)
    try:
        sock = tmp_path / "oya.sock"
        wait_for(sock.exists, what="the socket")

        def running():
            r = subprocess.run([OYA, "--socket", str(sock), "status", "s"], capture_output=True, text=True)
            return r.returncode == 0
        wait_for(running, what="s to run")
        kids = psutil.Process(p.pid).children(recursive=True)
        p.send_signal(1)  # a user's SIGHUP: reload
        wait_for(lambda: p.poll() is None and running(), what="oya to go on after kill -HUP")
        os.close(master)  # the terminal goes away
        master = -1
        assert p.wait(timeout=30) == 0
        err = p.stderr.read().decode()
        assert "reloaded unit files" in err and "the terminal hung up: stopping 1 service\n" in err, err
        assert not [k for k in kids if k.is_running() and k.status() != psutil.STATUS_ZOMBIE]
    finally:
        if master >= 0:
            os.close(master)
        if p.poll() is None:
            p.kill()
            p.wait()


def test_kill_forms(oya):
    """oya kill -9 NAME, -KILL, -SIGKILL, --signal=, and --kill-whom=main (only the main process)."""
    o = oya({"w": unit("/bin/sh -c 'sleep 1000 & exec sleep 1001'", "Restart=no\nKillMode=process"),
             "x": unit("/bin/sleep 1000")})
    main = o.wait_state("w", "active", "running")["main_pid"]
    wait_for(lambda: psutil.Process(main).children(), what="w's background sleep")
    kids = psutil.Process(main).children()
    r = o.cli("kill", "--kill-whom=main", "-s", "USR1", "w", check=True)
    assert "sent SIGUSR1 to 1 process" in r.stdout
    o.wait_state("w", "failed")
    assert [k for k in kids if k.is_running()]  # the other process was not signalled
    for form in (["-9"], ["-KILL"], ["-SIGKILL"], ["--signal=KILL"]):
        o.cli("start", "x", check=True)
        pid = o.wait_state("x", "active", "running")["main_pid"]
        r = o.cli("kill", *form, "x", check=True)
        assert "sent" in r.stdout, (form, r.stdout, r.stderr)
        wait_for(lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE,
                 what=f"x killed by {form}")
    for k in kids:
        k.kill()
    assert o.cli("kill", "--kill-whom=nobody", "x").returncode == 2


def test_unknown_names_are_reported_and_the_others_acted_on(oya):
    """As systemctl: `oya stop nosuch ticker` stops ticker and says nosuch is unknown (exit 4); with no
    known name at all the request is refused, with a did-you-mean."""
    o = oya({"ticker": unit("/bin/sleep 1000")})
    o.wait_state("ticker", "active", "running")
    r = o.cli("stop", "nosuch", "ticker")
    assert r.returncode == 4 and "ticker: stopped" in r.stdout and "no such service 'nosuch'" in r.stderr, r
    o.wait_state("ticker", "inactive")
    r = o.cli("start", "ticker", "nosuch")
    assert r.returncode == 4 and "ticker: started" in r.stdout, r
    r = o.cli("kill", "-TERM", "nosuch", "ticker")
    assert r.returncode == 4 and "ticker: sent SIGTERM to 1 process" in r.stdout, r
    r = o.cli("stop", "tickr")
    assert r.returncode == 4 and "did you mean 'ticker'?" in r.stderr and not r.stdout, r


def test_up_detached_returns_once_services_started(tmp_path):
    """oya up -d: returns once every service has started (0) or one failed (1, naming it); oya goes on in
    the background until `oya shutdown`."""
    units = tmp_path / "units"
    units.mkdir()
    (units / "a.service").write_text(unit("/bin/sleep 1000"))
    (units / "late.service").write_text(unit("/bin/sh -c 'sleep 0.4; exec sleep 1000'", "Type=exec"))
    sock = tmp_path / "oya.sock"
    up = [OYA, "--socket", str(sock), "up", "-d", "--log-dir", str(tmp_path / "logs"), str(units)]
    r = subprocess.run(up, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "supervising 2 services in the background" in r.stdout, r
    st = subprocess.run([OYA, "--socket", str(sock), "status", "a", "late"], capture_output=True, text=True)
    assert st.returncode == 0, st.stdout  # both active already when -d returned
    assert subprocess.run([OYA, "--socket", str(sock), "shutdown"], capture_output=True, timeout=60).returncode == 0
    (units / "bad.service").write_text(unit("/nonexistent/program"))
    r = subprocess.run(up, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "failed to start: bad" in r.stderr, r
    assert subprocess.run([OYA, "--socket", str(sock), "shutdown"], capture_output=True, timeout=60).returncode == 0


def read_pty(master, until, timeout=30):
    """What a pty's master gives until `until` is in it (or the other side closed)."""
    import select
    import time
    got = b""
    deadline = time.monotonic() + timeout
    while until not in got and time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
    return got.decode(errors="replace")


def deaf(ready, timeout=4):
    """A service deaf to SIGTERM (it waits out TimeoutStopSec=), ready once ready exists"""
    return unit(f"/bin/sh -c 'trap \"\" TERM; touch {ready}; while :; do sleep 1; done'", f"TimeoutStopSec={timeout}")


def test_stop_on_a_terminal_shows_what_it_waits_for(oya, tmp_path):
    """On a terminal, `oya stop` says after a second what it waits for (state, time to SIGKILL, processes
    left) and keeps it current; the line is cleared for the final one. Not on a terminal: only the final."""
    ready = tmp_path / "ready"
    o = oya({"deaf": deaf(ready)})
    wait_for(ready.exists, what="the trap")
    master, slave = os.openpty()
    p = subprocess.Popen([OYA, "--socket", str(o.sock), "stop", "deaf"], stdin=subprocess.DEVNULL, stdout=slave,
                         stderr=slave)
    os.close(slave)
    text = read_pty(master, b"deaf: stopped")
    os.close(master)
    assert p.wait(timeout=30) == 0
    assert "waiting 1s for deaf: deactivating (stop-sigterm), SIGKILL in " in text, text
    assert "process" in text and "left" in text, text
    assert "\r\x1b[Kdeaf: stopped (failed, failed; Result: timeout)" in text, repr(text)
    ready.unlink()
    o.cli("start", "deaf", check=True)
    wait_for(ready.exists, what="the trap")
    r = o.cli("stop", "deaf")  # not a terminal
    assert "waiting" not in r.stderr and "deaf: stopped" in r.stdout


def test_ctrl_c_says_what_is_still_stopping(tmp_path):
    """The first Ctrl-C of oya up on a terminal says how to kill at once, then names what is still stopping
    every few seconds."""
    units = tmp_path / "units"
    units.mkdir()
    ready = tmp_path / "ready"
    (units / "deaf.service").write_text(deaf(ready, 6))
    master, slave = os.openpty()
    sock = tmp_path / "oya.sock"
    p = subprocess.Popen([OYA, "--socket", str(sock), "up", "--log-dir", "none", str(units)],
                         stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    try:
        read_pty(master, b"deaf: started")
        wait_for(ready.exists, what="the trap")
        p.send_signal(2)
        text = read_pty(master, b"all services stopped", timeout=30)
        assert p.wait(timeout=30) == 0
        assert "SIGINT: stopping 1 service (Ctrl-C again to kill them now)" in text, text
        assert "oya: still stopping: deaf (stop-sigterm, SIGKILL in " in text, text
    finally:
        os.close(master)
        if p.poll() is None:
            p.kill()
            p.wait()
