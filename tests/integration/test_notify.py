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
