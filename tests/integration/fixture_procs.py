"""A frozen set of real processes for the differential tests of `oya ps` and `oya tree`.

Sleeping, stopped (SIGSTOP), zombie, multi-threaded, long and odd command lines (spaces, parentheses,
tabs, newlines, UTF-8, invalid UTF-8), a comm with a newline and parentheses, another user's process,
niced ones, a session leader on a pseudo-terminal in its foreground process group. Every process is
started here and ended by PID in stop()."""
import ctypes
import os
import pty
import signal
import subprocess
import sys
import time

import psutil

PYTHON = "/usr/bin/python3"


def _wait_for(cond, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class Fixture:
    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = []   # Popen objects
        self.pids = {}    # role -> pid
        self.extra = []   # pids of processes not started through Popen (children of fixture processes)
        self.master = None

    def _start(self, role, argv, **kw):
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, **kw)
        self.procs.append(p)
        self.pids[role] = p.pid
        return p

    def start(self):
        ready = self.tmp / "ready"
        ready.mkdir()
        self._start("sleeping", ["sleep", "1000"])
        stopped = self._start("stopped", ["sleep", "1001"])
        # the parent sh execs sleep, so the subshell that exits at once stays a zombie child of it
        self._start("zombie_parent", ["/bin/sh", "-c", "(exit 0) & exec sleep 1002"])
        threads = (f"import threading, time, sys\n"
                   f"[threading.Thread(target=time.sleep, args=(1e6,), daemon=True).start() for _ in range(4)]\n"
                   f"open(sys.argv[1], 'w').close()\ntime.sleep(1e6)\n")
        self._start("threads", [PYTHON, "-c", threads, str(ready / "threads")])
        odd_args = ["with spaces", "(paren)", "tab\there", "new\nline", "ünïcödé ✓", "x" * 3000, "", "end"]
        self._start("odd_args", [PYTHON, "-c", "import time; time.sleep(1e6)"] + odd_args)
        self._start("invalid_utf8", [b"/bin/sleep", b"1003", b"\xff\xfe bytes"])
        weird = ("import ctypes, sys, time\n"
                 "ctypes.CDLL(None).prctl(15, b'we(i)rd\\nna) me', 0, 0, 0)\n"
                 "open(sys.argv[1], 'w').close()\ntime.sleep(1e6)\n")
        self._start("weird_comm", [PYTHON, "-c", weird, str(ready / "weird")])
        self._start("niced", ["nice", "-n", "7", "sleep", "1004"])
        if os.geteuid() == 0:
            self._start("negative_nice", ["nice", "-n", "-5", "sleep", "1005"])
            self._start("other_user", ["sleep", "1006"], user=65534, group=65534)
            self._start("long_user", ["sleep", "1007"], user=self._long_user())
            self._start("unknown_uid", ["sleep", "1010"], user=4321, group=4321)  # no passwd entry
        self._start("session_leader", ["sleep", "1008"], start_new_session=True)
        # a session leader on a pty, in its foreground process group (STAT "Ss+", TTY "pts/N")
        master, slave = pty.openpty()
        self.master = master
        p = subprocess.Popen(["sleep", "1009"], stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                             preexec_fn=lambda: __import__("fcntl").ioctl(0, __import__("termios").TIOCSCTTY, 0))
        os.close(slave)
        self.procs.append(p)
        self.pids["on_tty"] = p.pid
        _wait_for(lambda: (ready / "threads").exists() and (ready / "weird").exists(), what="fixture readiness")
        stopped.send_signal(signal.SIGSTOP)
        _wait_for(lambda: psutil.Process(stopped.pid).status() == psutil.STATUS_STOPPED, what="SIGSTOP")
        zp = psutil.Process(self.pids["zombie_parent"])
        _wait_for(lambda: zp.name() == "sleep" and any(c.status() == psutil.STATUS_ZOMBIE for c in zp.children()),
                  what="the zombie")
        self.pids["zombie"] = [c.pid for c in zp.children()][0]
        _wait_for(lambda: psutil.Process(self.pids["weird_comm"]).name().startswith("we(i)rd"), what="comm change")
        return self

    def _long_user(self):
        """A user whose name is longer than ps's 8-character USER column (created if missing)."""
        name = "oyalongusername"
        import pwd
        try:
            return pwd.getpwnam(name).pw_uid
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                           check=True, capture_output=True)
            return pwd.getpwnam(name).pw_uid

    def all_pids(self):
        out = []
        for v in self.pids.values():
            out.append(v)
        return sorted(set(out))

    def stop(self):
        for p in self.procs:
            try:
                p.send_signal(signal.SIGCONT)
                p.kill()
            except ProcessLookupError:
                pass
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.master is not None:
            os.close(self.master)
