"""A frozen set of real processes for the differential tests of `oya ps` and `oya tree`.

Sleeping, stopped (SIGSTOP), traced (stopped under ptrace), zombie, multi-threaded with named threads,
long and odd command lines (spaces, parentheses, tabs, newlines, UTF-8, invalid UTF-8), a comm with a
newline and parentheses, another user's process and a uid without a name, niced and real-time ones, a
deleted executable, session leaders on two pseudo-terminals in their foreground process groups. Every
process is started here and ended by PID in stop()."""
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
        self.masters = []
        self.traced = None

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
        threads = ("import ctypes, threading, time, sys\n"
                   "def named(i):\n"
                   "    ctypes.CDLL(None).prctl(15, b'worker-%d' % i, 0, 0, 0)\n"
                   "    time.sleep(1e6)\n"
                   "[threading.Thread(target=named, args=(i,), daemon=True).start() for i in range(4)]\n"
                   "time.sleep(0.2)\nopen(sys.argv[1], 'w').close()\ntime.sleep(1e6)\n")
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
            self._start("realtime", ["chrt", "-f", "10", "sleep", "1012"])
        self._start("session_leader", ["sleep", "1008"], start_new_session=True)
        # a program whose file is gone: exe shows "(deleted)"
        gone = self.tmp / "gone-sleep"
        gone.write_bytes(open("/bin/sleep", "rb").read())
        gone.chmod(0o755)
        self._start("deleted_exe", [str(gone), "1013"])
        # session leaders on two ptys, in their foreground process groups (STAT "Ss+", TTY "pts/N")
        for role, arg in (("on_tty", "1009"), ("on_tty2", "1014")):
            master, slave = pty.openpty()
            self.masters.append(master)
            p = subprocess.Popen(["sleep", arg], stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                                 preexec_fn=lambda: __import__("fcntl").ioctl(0, __import__("termios").TIOCSCTTY, 0))
            os.close(slave)
            self.procs.append(p)
            self.pids[role] = p.pid
        # traced: stopped at its exec under ptrace (STAT "t"); this process is its tracer
        libc = ctypes.CDLL(None, use_errno=True)
        traced = subprocess.Popen(["sleep", "1015"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, preexec_fn=lambda: libc.ptrace(0, 0, None, None))
        self.traced, self.traced_popen = traced.pid, traced  # kept: a dropped Popen would poll it
        self.pids["traced"] = traced.pid
        _wait_for(lambda: (ready / "threads").exists() and (ready / "weird").exists(), what="fixture readiness")
        _wait_for(lambda: psutil.Process(self.traced).status() == psutil.STATUS_TRACING_STOP, what="the ptrace stop")
        gone.unlink()
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
        if self.traced:
            try:
                os.kill(self.traced, signal.SIGKILL)
                while True:  # the tracer sees the stops before the end
                    pid, status = os.waitpid(self.traced, 0)
                    if os.WIFEXITED(status) or os.WIFSIGNALED(status):
                        break
            except (ProcessLookupError, ChildProcessError):
                pass
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
        for m in self.masters:
            os.close(m)
