"""oya explain PID: one process in plain words, read against what the test made it be: a zombie (its
parent, and who reaps it otherwise), a stopped process, a sleeping one (where in the kernel), and the main
process of an oya service (its service, a subreaper among its ancestors)."""
import json
import os
import signal
import subprocess
import time

import psutil

from conftest import OYA, unit, wait_for


def explain(pid, sock=None, *more):
    args = [OYA] + (["--socket", str(sock)] if sock else []) + ["explain", str(pid), *more]
    r = subprocess.run(args, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_zombie_names_its_parent_and_its_reaper():
    code = ("import os, sys, time\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    os._exit(7)\n"
            "print(pid, flush=True)\n"
            "time.sleep(60)\n")
    parent = subprocess.Popen(["/usr/bin/python3", "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        wait_for(lambda: psutil.Process(child).status() == psutil.STATUS_ZOMBIE, what="the zombie")
        text = explain(child)
        assert "State:     Z: a zombie" in text
        assert f"PID {parent.pid} (its parent) has to collect that with wait()" in text
        assert "exit status 7" in text
        assert "else to PID 1 of its namespace" in text
        assert f"<- {parent.pid} python3" in text
        j = json.loads(explain(child, None, "--json"))
        assert (j["pid"], j["state"], j["exit_status"], j["exit_signal"]) == (child, "Z", 7, 0)
        assert j["reaper"] == parent.pid and j["ppid"] == parent.pid and j["service"] is None
        assert [a["pid"] for a in j["ancestry"][:2]] == [child, parent.pid]
    finally:
        parent.kill()
        parent.wait()


def test_stopped_and_sleeping_processes():
    p = subprocess.Popen(["/bin/sleep", "60"])
    try:
        wait_for(lambda: psutil.Process(p.pid).status() == psutil.STATUS_SLEEPING, what="sleep")
        text = explain(p.pid)
        assert "State:     S: sleeping" in text and "(in the kernel at " in text
        assert "Command:   /bin/sleep 60" in text and "Program:   /usr/bin/sleep" in text
        os.kill(p.pid, signal.SIGSTOP)
        wait_for(lambda: psutil.Process(p.pid).status() == psutil.STATUS_STOPPED, what="the stop")
        assert "State:     T: stopped by a signal" in explain(p.pid)
    finally:
        p.kill()
        p.wait()


def test_a_traced_process_names_its_tracer():
    """A tracer (here a small python that PTRACE_ATTACHes and waits) stops its tracee: state t, and the
    tracer's PID."""
    if os.geteuid() != 0:
        import pytest
        pytest.skip("attaching to a process needs root here (Yama ptrace_scope)")
    p = subprocess.Popen(["/bin/sleep", "60"])
    code = ("import ctypes, os, sys, time\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "pid = int(sys.argv[1])\n"
            "assert libc.ptrace(16, pid, None, None) == 0, ctypes.get_errno()  # PTRACE_ATTACH\n"
            "os.waitpid(pid, os.WUNTRACED | 0x40000000)  # __WALL: the attach stop\n"
            "print('attached', flush=True)\n"
            "sys.stdin.read()\n")
    tracer = subprocess.Popen(["/usr/bin/python3", "-c", code, str(p.pid)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert tracer.stdout.readline().strip() == "attached"
        wait_for(lambda: open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()[0] == "t", what="t")
        text = explain(p.pid)
        assert "State:     t: stopped by its tracer" in text, text
        assert f"traced by PID {tracer.pid}" in text, text
        j = json.loads(explain(p.pid, None, "--json"))
        assert j["state"] == "t" and j["tracer_pid"] == tracer.pid
    finally:
        tracer.kill()  # the tracee is detached when its tracer ends
        tracer.wait()
        p.kill()
        p.wait()


def test_the_main_process_of_a_service(oya):
    o = oya({"web": unit("/bin/sleep infinity")})
    pid = o.wait_state("web", "active", "running")["main_pid"]
    text = explain(pid, o.sock)
    assert text.splitlines()[0] == f"PID {pid} (sleep), of the oya service web (its main process)"
    assert f"<- {o.pid} oya [oya: a subreaper]" in text
    assert "Signals ignored: PIPE" in text  # IgnoreSIGPIPE=yes, as systemd
    j = json.loads(explain(pid, o.sock, "--json"))
    assert j["service"] == "web" and j["main_process"] and "PIPE" in j["signals_ignored"]
    assert j["command"] == "/bin/sleep infinity" and j["open_fds"] == 3
    assert any(a["pid"] == o.pid and a["oya"] for a in j["ancestry"])
    r = subprocess.run([OYA, "explain", "999999999"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "no process 999999999" in r.stderr
