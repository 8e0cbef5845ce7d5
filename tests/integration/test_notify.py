"""Type=notify: the sd_notify socket (abstract and path forms), READY/STATUS/RELOADING/STOPPING/ERRNO,
MAINPID, NotifyAccess, EXTEND_TIMEOUT_USEC, the watchdog and TimeoutStartSec, with real processes
sending real datagrams."""
import os
import sys

import psutil

from conftest import unit, wait_for

# A tiny sd_notify client. Each argument is one step:
#   send:TEXT (\n in TEXT is a newline)   child-send:TEXT (sent by a forked child, which then exits)
#   sleep:SECONDS   mainpid-child (fork a sleeping child, name it MAINPID, exit)   pause   exit:N
#   setuid:UID (drop to that user and its group, as a daemon started as root does)
#   worker-send:UID:TEXT (a forked child drops to that user, sends TEXT, and exits)
NOTIFIER = r"""
import os, socket, sys, time, signal
def send(text):
    addr = os.environ.get("NOTIFY_SOCKET")
    if not addr:
        return  # as sd_notify: no socket, nothing to tell
    if addr.startswith("@"):
        addr = "\0" + addr[1:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(text.replace("\\n", "\n").encode(), addr)
    s.close()
def drop(uid):
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
for step in sys.argv[1:]:
    kind, _, arg = step.partition(":")
    if kind == "send":
        send(arg)
    elif kind == "child-send":
        pid = os.fork()
        if pid == 0:
            send(arg)
            # stay a moment, as systemd-notify must: a sender that is gone cannot be told apart from a stranger
            time.sleep(0.5)
            os._exit(0)
        os.waitpid(pid, 0)
    elif kind == "sleep":
        time.sleep(float(arg))
    elif kind == "mainpid-child":
        pid = os.fork()
        if pid == 0:
            os.setsid()
            signal.pause()
            os._exit(0)
        send(f"MAINPID={pid}\nREADY=1")
        time.sleep(1)
        sys.exit(0)
    elif kind == "pause":
        while True:
            signal.pause()
    elif kind == "exit":
        sys.exit(int(arg))
    elif kind == "setuid":
        drop(int(arg))
    elif kind == "worker-send":
        uid, _, text = arg.partition(":")
        pid = os.fork()
        if pid == 0:
            drop(int(uid))
            send(text)
            time.sleep(0.5)
            os._exit(0)
        os.waitpid(pid, 0)
"""


def notifier(tmp_path, *steps):
    script = tmp_path / "notifier.py"
    script.write_text(NOTIFIER)
    return f"{sys.executable} {script} " + " ".join(f"'{s}'" for s in steps)


def test_ready_status_and_errno(oya, tmp_path):
    cmd = notifier(tmp_path, "send:STATUS=warming up", "sleep:0.5", "send:READY=1\\nSTATUS=Ready to serve",
                   "sleep:0.2", "send:ERRNO=28", "pause")
    o = oya({"n": unit(cmd, "Type=notify")})
    rec = o.record("n")
    assert (rec["active"], rec["sub"]) == ("activating", "start")  # exec alone is not ready
    rec = o.wait_state("n", "active", "running")
    assert rec["status_text"] == "Ready to serve"
    assert rec["type"] == "notify"
    assert psutil.Process(rec["main_pid"]).cmdline()[1].endswith("notifier.py")
    wait_for(lambda: o.record("n")["status_errno"] == 28, what="ERRNO=28")
    r = o.cli("status", "n")
    assert 'Status: "Ready to serve"' in r.stdout
    assert "Error: 28 (No space left on device)" in r.stdout
    assert r.returncode == 0


def test_notify_socket_is_only_for_services_that_notify(oya, tmp_path):
    env = tmp_path / "env"
    o = oya({"n": unit(notifier(tmp_path, "send:READY=1", "pause"), "Type=notify"),
             "s": unit(f"/bin/sh -c 'env > {env}; exec sleep infinity'")})
    o.wait_state("n", "active", "running")
    wait_for(env.exists, what="the simple service's environment")
    wait_for(lambda: "PATH=" in env.read_text(), what="the environment dump")
    assert "NOTIFY_SOCKET=" not in env.read_text()


def test_start_waits_for_ready(oya, tmp_path):
    cmd = notifier(tmp_path, "sleep:0.7", "send:READY=1", "pause")
    o = oya({"n": unit(cmd, "Type=notify")})
    o.wait_state("n", "active", "running")
    o.cli("stop", "n", check=True)
    r = o.cli("start", "n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert o.state("n") == ("active", "running")  # start returned only once READY=1 came


def test_path_form_of_the_socket(oya, tmp_path):
    sockpath = tmp_path / "notify.sock"
    envfile = tmp_path / "env"
    cmd = notifier(tmp_path, "send:READY=1", "pause")
    o = oya({"n": unit(f"/bin/sh -c 'echo $NOTIFY_SOCKET > {envfile}; exec {cmd}'", "Type=notify")},
            extra_args=("--notify-socket", str(sockpath)))
    o.wait_state("n", "active", "running")
    assert envfile.read_text().strip() == str(sockpath)
    assert oct(os.stat(sockpath).st_mode & 0o777) == "0o666"
    assert o.stop() == 0
    assert not sockpath.exists()


def test_abstract_form_is_the_default(oya, tmp_path):
    envfile = tmp_path / "env"
    cmd = notifier(tmp_path, "send:READY=1", "pause")
    o = oya({"n": unit(f"/bin/sh -c 'echo $NOTIFY_SOCKET > {envfile}; exec {cmd}'", "Type=notify")})
    o.wait_state("n", "active", "running")
    name = envfile.read_text().strip()
    assert name.startswith("@oya/notify/") and len(name) == len("@oya/notify/") + 32  # 128 random bits
    assert name != f"@oya/{o.pid}/notify"


def test_notify_access_main_ignores_children(oya, tmp_path):
    cmd = notifier(tmp_path, "child-send:READY=1", "pause")
    o = oya({"n": unit(cmd, "Type=notify\nTimeoutStartSec=1s")})
    rec = o.wait_state("n", "failed", timeout=20)
    assert rec["result"] == "timeout"
    # said once: with the service's name when the sender is still there to be looked up, else without
    assert "notification from PID" in o.err() and "NotifyAccess=main" in o.err()


def test_notify_access_all_accepts_children(oya, tmp_path):
    cmd = notifier(tmp_path, "child-send:READY=1\\nSTATUS=from a child", "pause")
    o = oya({"n": unit(cmd, "Type=notify\nNotifyAccess=all")})
    rec = o.wait_state("n", "active", "running")
    assert rec["status_text"] == "from a child"


def test_a_daemon_that_drops_to_its_own_user_is_heard(oya, tmp_path, unpriv_user):
    """unbound and named start as root, drop to a user no unit names and then say READY=1: the main
    process is heard whoever it runs as, and so is a worker of its user (NotifyAccess=all)."""
    uid = unpriv_user.pw_uid
    cmd = notifier(tmp_path, f"setuid:{uid}", "send:READY=1\\nSTATUS=dropped", "sleep:0.3",
                   "child-send:STATUS=from a worker", "pause")
    o = oya({"n": unit(cmd, "Type=notify\nNotifyAccess=all\nTimeoutStartSec=20s")})
    rec = o.wait_state("n", "active", "running", timeout=20)
    assert psutil.Process(rec["main_pid"]).uids().real == uid
    wait_for(lambda: o.record("n")["status_text"] == "from a worker", what="the worker's STATUS=")
    assert "notification from PID" not in o.err()


def test_a_worker_that_drops_to_its_own_user_is_heard(oya, tmp_path, unpriv_user):
    """squid's main process stays root; its worker drops to the proxy user and says READY=1
    (NotifyAccess=all): heard, being of the service's session."""
    cmd = notifier(tmp_path, f"worker-send:{unpriv_user.pw_uid}:READY=1\\nSTATUS=from a worker", "pause")
    o = oya({"n": unit(cmd, "Type=notify\nNotifyAccess=all\nTimeoutStartSec=20s")})
    rec = o.wait_state("n", "active", "running", timeout=20)
    assert rec["status_text"] == "from a worker"


def test_notify_access_none(oya, tmp_path):
    cmd = notifier(tmp_path, "send:READY=1", "pause")
    o = oya({"n": unit(cmd, "Type=notify\nNotifyAccess=none\nTimeoutStartSec=1s")})
    rec = o.wait_state("n", "failed", timeout=20)
    assert rec["result"] == "timeout"


def test_exit_before_ready_is_a_protocol_failure(oya, tmp_path):
    o = oya({"n": unit(notifier(tmp_path, "sleep:0.1", "exit:0"), "Type=notify")})
    rec = o.wait_state("n", "failed")
    assert rec["result"] == "protocol"


def test_mainpid_names_the_new_main_process(oya, tmp_path):
    o = oya({"n": unit(notifier(tmp_path, "mainpid-child"), "Type=notify")})
    rec = o.wait_state("n", "active", "running")
    main = psutil.Process(rec["main_pid"])
    assert main.cmdline()[-1] == "mainpid-child"  # the forked child (it shares the launcher's command line)
    launcher = main.ppid()
    assert launcher != o.pid and psutil.Process(launcher).ppid() == o.pid  # not the process oya started
    # the launcher forked it, named it in MAINPID= and exits 1 s later: oya, the subreaper, adopts the
    # new main process and the service stays up
    wait_for(lambda: main.ppid() == o.pid, what="the new main process to be adopted by oya")
    rec = o.wait_state("n", "active", "running")
    assert rec["main_pid"] == main.pid
    assert not psutil.pid_exists(launcher) or psutil.Process(launcher).status() == psutil.STATUS_ZOMBIE
    main.kill()
    rec = o.wait_state("n", "failed")
    assert rec["result"] == "signal"
    assert rec["exit"] == "code=killed, signal=SIGKILL"


def test_stopping_then_exit(oya, tmp_path):
    cmd = notifier(tmp_path, "send:READY=1", "sleep:0.3", "send:STOPPING=1", "sleep:0.5", "exit:0")
    o = oya({"n": unit(cmd, "Type=notify")})
    o.wait_state("n", "active", "running")
    wait_for(lambda: o.state("n")[1] == "stop-sigterm", what="STOPPING=1 to be seen")
    o.wait_state("n", "inactive", "dead")


def test_reloading_shows_until_ready(oya, tmp_path):
    cmd = notifier(tmp_path, "send:READY=1", "sleep:0.2", "send:RELOADING=1", "sleep:1", "send:READY=1", "pause")
    o = oya({"n": unit(cmd, "Type=notify")})
    o.wait_state("n", "reloading", "reload")
    o.wait_state("n", "active", "running")


def test_extend_timeout(oya, tmp_path):
    cmd = notifier(tmp_path, "send:EXTEND_TIMEOUT_USEC=3000000", "sleep:1.5", "send:READY=1", "pause")
    o = oya({"n": unit(cmd, "Type=notify\nTimeoutStartSec=1s")})
    rec = o.wait_state("n", "active", "running")
    assert rec["result"] == "success"


def test_watchdog_kills_a_silent_service(oya, tmp_path):
    wd = tmp_path / "wd"
    cmd = notifier(tmp_path, "send:READY=1", "pause")
    o = oya({"n": unit(f"/bin/sh -c 'echo $WATCHDOG_USEC > {wd}; exec {cmd}'",
                       "Type=notify\nWatchdogSec=1s")})
    o.wait_state("n", "active", "running")
    assert wd.read_text().strip() == "1000000"
    rec = o.wait_state("n", "failed", timeout=20)
    assert rec["result"] == "watchdog"
    assert "SIGABRT" in rec["exit"] or "ABRT" in rec["exit"]


def test_watchdog_pings_keep_it_alive(oya, tmp_path):
    steps = ["send:READY=1"] + ["sleep:0.3", "send:WATCHDOG=1"] * 8 + ["exit:0"]
    o = oya({"n": unit(notifier(tmp_path, *steps), "Type=notify\nWatchdogSec=1s")})
    o.wait_state("n", "active", "running")
    rec = o.wait_state("n", "inactive", "dead", timeout=20)  # 2.4 s of pings, then a clean exit
    assert rec["result"] == "success"


def test_notify_access_exec_hears_the_control_process(oya, tmp_path):
    """ExecStartPost= runs as the control process: NotifyAccess=exec hears it, NotifyAccess=main does not."""
    sender = notifier(tmp_path, "send:STATUS=from the post command", "sleep:0.5")
    o = oya({"e": unit("/bin/sleep infinity", f"NotifyAccess=exec\nExecStartPost={sender}"),
             "m": unit("/bin/sleep infinity", f"NotifyAccess=main\nExecStartPost={sender}")})
    wait_for(lambda: o.record("e")["status_text"] == "from the post command", what="STATUS= from ExecStartPost=")
    o.wait_state("m", "active", "running")
    assert o.record("m")["status_text"] == ""


# A Type=notify-reload daemon: READY=1 at start; on its reload signal it says RELOADING=1 (with the time, or
# without it when told to), appends the signal's name to a file, waits for the file `go` to exist, and says
# READY=1. The reload of such a unit ends at that READY=1, not when the signal was sent.
RELOADER = r"""
import os, signal, socket, sys, time
state, sig, stamp = sys.argv[1], getattr(signal, sys.argv[2]), sys.argv[3] == "stamp"
def send(text):
    addr = os.environ["NOTIFY_SOCKET"]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(text.encode(), "\0" + addr[1:] if addr.startswith("@") else addr)
    s.close()
got = []
signal.signal(sig, lambda n, f: got.append(n))
send("READY=1")
while True:
    signal.pause()
    while got:
        got.pop()
        send("RELOADING=1" + (f"\nMONOTONIC_USEC={time.monotonic_ns() // 1000}" if stamp else ""))
        with open(f"{state}/signals", "a") as f:
            f.write(signal.Signals(sig).name + "\n")
        while not os.path.exists(f"{state}/go"):
            time.sleep(0.01)
        os.unlink(f"{state}/go")
        send("READY=1")
"""


def reloader(tmp_path, sig="SIGHUP", stamp=True):
    script = tmp_path / "reloader.py"
    script.write_text(RELOADER)
    return f"{sys.executable} {script} {tmp_path} {sig} {'stamp' if stamp else 'nostamp'}"


def test_notify_reload_waits_for_the_service_to_say_it_reloaded(oya, tmp_path):
    """Type=notify-reload (systemd 253): `oya reload` sends ReloadSignal= (SIGHUP) to the main process and ends
    when it has said RELOADING=1 (MONOTONIC_USEC= after the signal) and then READY=1, as systemctl reload."""
    import subprocess
    from conftest import OYA
    (tmp_path / "u").mkdir()
    o = oya({"n": unit(reloader(tmp_path), "Type=notify-reload"),
             "u": unit(reloader(tmp_path / "u", "SIGUSR1"), "Type=notify-reload\nReloadSignal=SIGUSR1")})
    rec = o.wait_state("n", "active", "running")
    assert rec["type"] == "notify-reload"
    main = rec["main_pid"]
    signals = tmp_path / "signals"
    p = subprocess.Popen([OYA, "--socket", str(o.sock), "reload", "n"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: signals.exists() and signals.read_text() == "SIGHUP\n", what="SIGHUP in the main process")
        o.wait_state("n", "reloading", "reload-notify")
        assert p.poll() is None, "oya reload returned before READY=1"
        (tmp_path / "go").touch()
        out, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0 and out == "n: reloaded (active, running)\n", out + err
    rec = o.record("n")
    assert (rec["active"], rec["sub"], rec["main_pid"]) == ("active", "running", main)
    # ReloadSignal= picks the signal
    o.wait_state("u", "active", "running")
    (tmp_path / "u" / "go").touch()
    r = o.cli("reload", "u")
    assert r.returncode == 0 and "u: reloaded" in r.stdout, r.stdout + r.stderr
    assert (tmp_path / "u" / "signals").read_text() == "SIGUSR1\n"
    log = o.cli("logs", "n").stdout
    assert f"reloading: SIGHUP sent to pid {main}, waiting for RELOADING=1 and READY=1" in log, log


def test_notify_reload_without_a_timed_answer_times_out(oya, tmp_path):
    """RELOADING=1 without MONOTONIC_USEC= cannot be told from a reload begun before the signal: as systemd,
    the reload waits for one with it until TimeoutStartSec=, then fails; the service runs on, untouched."""
    o = oya({"n": unit(reloader(tmp_path, stamp=False), "Type=notify-reload\nTimeoutStartSec=1s")})
    rec = o.wait_state("n", "active", "running")
    (tmp_path / "go").touch()
    r = o.cli("reload", "n")
    assert r.returncode == 1 and "n: reload failed (Result: timeout)" in r.stderr, r.stdout + r.stderr
    after = o.record("n")
    assert (after["active"], after["sub"], after["main_pid"]) == ("active", "running", rec["main_pid"])
    assert (tmp_path / "signals").read_text() == "SIGHUP\n"
    assert "reload failed (Result: timeout); runs on" in o.cli("logs", "n").stdout
