"""oya trace: processes being born and dying, read against what the test makes happen. With the kernel's
process events connector (root, the initial namespaces): fork -> exec -> exit of the commands a service
runs, attributed to it, with exit statuses and lifetimes, an orphan oya reaps and how long it was a
zombie, and a PID's subtree. With the running oya's own events (--source=oya, and what a non-root user
gets): spawn, exec, exit and state changes. Each trace is ended by its PID (SIGINT), and says how many
events it showed and lost."""
import json
import os
import select
import shutil
import signal
import subprocess
import time

import pytest

from conftest import OYA, unit

CYCLE = ("/bin/sh -c '(/bin/sleep 0.1 &); /bin/sleep 0.3; exit 3'", "Restart=always\nRestartSec=200ms\n",
         "StartLimitIntervalSec=0\n")


def kernel_events_usable():
    if os.geteuid() != 0:
        return "the kernel's process events need root"
    r = subprocess.run([OYA, "trace", "--source=kernel", "--help"], capture_output=True, timeout=30)
    if r.returncode != 0:
        return "oya trace --help failed"
    for ns in ("pid", "user"):
        if os.stat(f"/proc/self/ns/{ns}").st_ino != {"pid": 0xEFFFFFFC, "user": 0xEFFFFFFD}[ns]:
            return f"not in the initial {ns} namespace: the kernel sends process events only there"
    return None


needs_kernel = pytest.mark.skipif(kernel_events_usable() is not None, reason=str(kernel_events_usable()))


class Trace:
    """`oya trace --json ARGS` running; events() collects what it printed so far."""

    def __init__(self, args, sock=None, wrap=(), env=None):
        cmd = [*wrap, OYA] + (["--socket", str(sock)] if sock else []) + ["trace", "--json", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     env=env)
        self.buf = b""
        self.got = []
        self.err = b""

    def _read(self, timeout):
        r, _, _ = select.select([self.proc.stdout, self.proc.stderr], [], [], timeout)
        for f in r:
            chunk = os.read(f.fileno(), 65536)
            if f is self.proc.stderr:
                self.err += chunk
                continue
            self.buf += chunk
            *lines, self.buf = self.buf.split(b"\n")
            self.got += [json.loads(line) for line in lines if line]

    def until(self, cond, what, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            v = cond(self.got)
            if v:
                return v
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; events: {self.got[-40:]}; stderr: {self.err}")
            self._read(min(0.2, max(0.0, deadline - time.monotonic())))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=30)
        self.err += err
        self.buf += out
        self.got += [json.loads(line) for line in self.buf.split(b"\n") if line]
        self.buf = b""
        return self.proc.returncode, self.err.decode()


def a_cycle(events, svc, oya_pid):
    """The events of one run of CYCLE's service from its fork by oya to its reaping, or None."""
    mine = [e for e in events if e["service"] == svc]
    for i, e in enumerate(mine):
        if e["event"] != "fork" or e["pid"] != oya_pid:
            continue
        main = e["child"]
        run = mine[i:]
        if any(x["event"] == "reaped" and x["pid"] == main for x in run):
            return main, run
    return None


@needs_kernel
def test_kernel_source_fork_exec_exit_of_a_service_and_an_orphan(oya):
    o = oya({"cycle": unit(*CYCLE[:1], CYCLE[1] + CYCLE[2]), "other": unit("/bin/sh -c 'while :; do /bin/sleep 0.05; done'")})
    o.wait_state("cycle", "active", "running")
    t = Trace(["cycle"], o.sock)
    try:
        main, run = t.until(lambda ev: a_cycle(ev, "cycle", o.pid), "a whole run of the service, forked by oya")
        execs = {e["pid"]: e for e in run if e["event"] == "exec"}
        assert execs[main]["program"] == "/usr/bin/dash" or execs[main]["program"].endswith("sh")
        assert "/bin/sleep 0.3" in execs[main]["command"]
        # the shell forks sleep 0.3, which exits 0 after about 0.3 s; the shell then exits 3
        kids = [e["child"] for e in run if e["event"] == "fork" and e["pid"] == main]
        sleeper = [k for k in kids if k in execs and execs[k]["command"] == "/bin/sleep 0.3"]
        assert sleeper, run
        done = {e["pid"]: e for e in run if e["event"] == "exit"}
        assert done[sleeper[0]]["status"] == 0 and 250_000 <= done[sleeper[0]]["lifetime_usec"] < 5_000_000
        assert done[main]["status"] == 3
        reaped = {e["pid"]: e for e in run if e["event"] == "reaped"}
        assert reaped[main]["role"] == "main" and reaped[main]["zombie_usec"] >= 0
        # the subshell's sleep 0.1 is an orphan: oya, a subreaper, adopted it and reaped it
        orphans = [e for e in reaped.values() if e["role"] == "orphan"]
        assert orphans and all(e["service"] == "cycle" for e in orphans), run
        assert any(execs.get(e["pid"], {}).get("command") == "/bin/sleep 0.1" for e in orphans), run
        # state changes of the service come too; the other service's processes never do
        assert any(e["event"] == "state" for e in t.got)
        assert all(e["service"] == "cycle" for e in t.got if e["event"] != "lost")
    finally:
        rc, err = t.stop()
    assert rc == 0 and "source: the kernel's process events connector, and the running oya's" in err, err
    assert " events shown, 0 lost" in err, err


@needs_kernel
def test_kernel_source_a_pids_subtree_and_text_lines(tmp_path):
    go = tmp_path / "go"
    parent = subprocess.Popen(["/bin/sh", "-c", f"while [ ! -e {go} ]; do /bin/sleep 0.02; done; /bin/sleep 0.2; exit 5"],
                              stdout=subprocess.DEVNULL)
    outside = subprocess.Popen(["/bin/sh", "-c", "while :; do /bin/sleep 0.011; done"])
    text = subprocess.Popen([OYA, "--socket", str(tmp_path / "none.sock"), "trace", "-p", str(parent.pid)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t = Trace(["-p", str(parent.pid)], tmp_path / "none.sock")
    try:
        t.until(lambda ev: any(e["event"] == "exec" and e["command"] == "/bin/sleep 0.02" for e in ev), "the loop's sleeps")
        go.touch()
        t.until(lambda ev: any(e["event"] == "exit" and e["pid"] == parent.pid for e in ev), "the parent's exit")
        # (a command that ends within a few hundred us may be gone before its command line is read: "?")
        echo = [e for e in t.got if e["event"] == "exec" and e["command"] == "/bin/sleep 0.2"]
        assert echo and echo[0]["program"] == "/usr/bin/sleep"
        assert [e for e in t.got if e["event"] == "fork" and e["child"] == echo[0]["pid"]][0]["pid"] == parent.pid
        assert [e for e in t.got if e["pid"] == parent.pid and e["event"] == "exit"][0]["status"] == 5
        assert all(e["service"] is None for e in t.got)
        # nothing outside the subtree: only the parent forks, and the other loop's sleeps never show
        assert all(e["pid"] == parent.pid for e in t.got if e["event"] == "fork")
        assert not [e for e in t.got if e["event"] == "exec" and e["command"] == "/bin/sleep 0.011"]
    finally:
        parent.wait(timeout=30)
        outside.kill()
        outside.wait(timeout=30)
        _, err = t.stop()
        text.send_signal(signal.SIGINT)
        out, terr = text.communicate(timeout=30)
    assert "source: the kernel's process events connector" in err and "no running oya" not in err
    lines = out.splitlines()
    assert any(line.endswith(f" - {parent.pid} exit status=5") or f" - {parent.pid} exit status=5 after " in line
               for line in lines), out
    assert any(f" - {parent.pid} fork " in line for line in lines) and any(" exec /usr/bin/sleep /bin/sleep 0.2" in line
                                                                          for line in lines), out


def test_oya_source_spawn_exec_exit_and_states(oya):
    o = oya({"cycle": unit(*CYCLE[:1], CYCLE[1] + CYCLE[2])})
    o.wait_state("cycle", "active", "running")
    t = Trace(["--source=oya", "cycle"], o.sock)
    try:
        def spawned_and_reaped(ev):
            spawns = [e for e in ev if e["event"] == "spawn" and e["role"] == "main"]
            return spawns and any(e["event"] == "exit" and e["pid"] == spawns[0]["pid"] and e["role"] == "main" for e in ev)
        t.until(spawned_and_reaped, "a spawn and its exit")
        spawn = [e for e in t.got if e["event"] == "spawn"][0]
        assert spawn["service"] == "cycle" and spawn["command"] == "/bin/sh -c (/bin/sleep 0.1 &); /bin/sleep 0.3; exit 3"
        main = spawn["pid"]
        ex = [e for e in t.got if e["event"] == "exec" and e["pid"] == main][0]
        assert "/bin/sleep 0.3" in ex["command"]
        end = [e for e in t.got if e["event"] == "exit" and e["pid"] == main][0]
        assert end["status"] == 3 and end["service"] == "cycle" and end["lifetime_usec"] >= 200_000
        states = [(e["active"], e["sub"]) for e in t.got if e["event"] == "state"]
        assert ("active", "running") in states and ("activating", "auto-restart") in states, states
        # the orphan oya adopted is reaped by oya, and known as the service's by the session it was in
        t.until(lambda ev: any(e["event"] == "exit" and e.get("role") == "orphan" and e["service"] == "cycle"
                               for e in ev), "the orphan's reap")
    finally:
        rc, err = t.stop()
    assert rc == 0 and "source: the running oya's own events" in err, err


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("unshare"),
                    reason="making a user needs root, setpriv and unshare (util-linux)")
def test_a_non_root_user_gets_the_oya_source(unpriv_user, open_tmp):
    units = open_tmp / "units"
    units.mkdir()
    (units / "cycle.service").write_text(unit(*CYCLE[:1], CYCLE[1] + CYCLE[2]))
    run = open_tmp / "run"
    run.mkdir(mode=0o700)
    os.chown(run, unpriv_user.pw_uid, unpriv_user.pw_gid)
    sock = run / "oya.sock"
    as_user = ["setpriv", f"--reuid={unpriv_user.pw_uid}", f"--regid={unpriv_user.pw_gid}", "--clear-groups"]
    env = dict(os.environ, HOME=str(run), XDG_STATE_HOME=str(run))
    up = subprocess.Popen([*as_user, OYA, "--socket", str(sock), "up", "--log-dir", "none", str(units)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    t = None
    try:
        deadline = time.monotonic() + 20
        while not sock.exists():
            assert time.monotonic() < deadline and up.poll() is None, "oya up as the user did not start"
            time.sleep(0.01)
        # in a user namespace of its own (as in a rootless container) the kernel's events are not
        # offered: the trace goes to the running oya's own
        t = Trace([], sock, wrap=[*as_user, "unshare", "--user", "--map-current-user"], env=env)
        t.until(lambda ev: any(e["event"] == "exit" and e.get("role") == "main" and e["status"] == 3 for e in ev) and
                any(e["event"] == "spawn" and e["service"] == "cycle" for e in ev),
                "the service's exit and its next spawn, seen by a non-root user")
    finally:
        if t:
            rc, err = t.stop()
        up.send_signal(signal.SIGTERM)
        up.wait(timeout=30)
    assert rc == 0, err
    assert "source: the running oya's own events" in err and "not in the machine's initial user and PID" in err, err
