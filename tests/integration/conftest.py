"""Shared fixtures for oya's integration tests.

Every test runs a real `oya up` on real unit files with a private control socket. The fixture records
every process below oya while it runs and, at the end, stops oya with SIGTERM and checks that oya
exited 0 (so AddressSanitizer/LeakSanitizer found nothing) and that no process it started is left;
anything left is killed by PID and the test fails.
"""
import ctypes
import os
import resource
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
OYA = os.environ.get("OYA_BIN") or str(ROOT / "build" / "oya")


PR_SET_CHILD_SUBREAPER = 36


def die_with_parent():
    """preexec_fn: the child is killed when the test process ends, even a test run stopped by hand."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


@pytest.fixture(scope="session", autouse=True)
def subreaper():
    """Make the test process a child subreaper: whatever a test's processes orphan (even if oya itself
    crashes) is re-parented here, so cleanup can find it and end it by PID."""
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    yield
    # the last word: nothing any test started may outlive the session
    left = end_adopted_orphans()
    assert not left, f"processes left below the test session (now killed): {left}"


def end_adopted_orphans():
    """Kill and reap every process left below the test process; return their descriptions."""
    left = []
    for p in psutil.Process().children(recursive=True):
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{p.pid} {' '.join(p.cmdline())}")
            p.kill()
        except psutil.NoSuchProcess:
            pass
    for p in psutil.Process().children():
        try:
            os.waitpid(p.pid, 0)
        except ChildProcessError:
            pass
    return left


def wait_for(cond, timeout=20.0, interval=0.01, what="condition"):
    """Poll cond() until it returns something truthy, or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def raw_request(sock_path, data: bytes, timeout=10.0) -> str:
    """Send raw bytes to the control socket and read the reply until the server closes."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(str(sock_path))
        s.sendall(data)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks).decode()
    finally:
        s.close()


class Oya:
    def __init__(self, tmp_path: Path, units: dict, extra_args=(), pass_fds=(), sock=None, nofile=None,
                 stdout_pipe=False, wrap=()):
        self.dir = tmp_path
        self.units = tmp_path / "units"
        self.units.mkdir(exist_ok=True)
        for name, text in units.items():  # "name" is name.service; "name.target" a target
            (self.units / (name if name.endswith(".target") else f"{name}.service")).write_text(text)
        self.sock = Path(sock) if sock else tmp_path / "oya.sock"
        self.out_path = tmp_path / "oya.out"
        self.err_path = tmp_path / "oya.err"
        self.seen = {}  # pid -> create_time of every process seen below oya
        # stdout_pipe: oya's output goes into a pipe the test reads (self.proc.stdout), or leaves unread
        out = subprocess.PIPE if stdout_pipe else open(self.out_path, "wb")
        err = open(self.err_path, "wb")
        env = dict(os.environ, NO_COLOR="1")
        env.pop("OYA_SOCKET", None)
        self.proc = subprocess.Popen(
            [*wrap, OYA, "--socket", str(self.sock), "up",
             *(() if any(str(a).startswith("--log-dir") for a in extra_args) else ("--log-dir", str(tmp_path / "logs"))),
             *extra_args, str(self.units)],
            stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, pass_fds=pass_fds,
            preexec_fn=(lambda: resource.setrlimit(resource.RLIMIT_NOFILE, nofile)) if nofile else None)
        if not stdout_pipe:
            out.close()
        err.close()
        self.pid = self.proc.pid  # (with wrap, a command that execs oya, as setpriv does)
        wait_for(lambda: self.sock.exists() or self.proc.poll() is not None, what="the control socket")
        if self.proc.poll() is not None:
            raise AssertionError(f"oya exited early ({self.proc.returncode}): {self.err()}")

    # --- output -----------------------------------------------------------------------------------
    def out(self) -> str:
        return self.out_path.read_text(errors="replace")

    def err(self) -> str:
        return self.err_path.read_text(errors="replace")

    def lines_of(self, name):
        """The captured output lines of one service, without the 'name | ' prefix."""
        res = []
        for line in self.out().splitlines():
            prefix, sep, rest = line.partition(" | ")
            if not sep:
                prefix, sep, rest = line.partition(" ! ")  # a line of its stderr
            if sep and prefix.strip() == name:
                res.append(rest)
        return res

    # --- control ----------------------------------------------------------------------------------
    def cli(self, *args, check=False, timeout=60):
        env = dict(os.environ, NO_COLOR="1")
        r = subprocess.run([OYA, "--socket", str(self.sock), *args], capture_output=True, text=True,
                           timeout=timeout, env=env)
        if check and r.returncode != 0:
            raise AssertionError(f"oya {' '.join(args)} exited {r.returncode}: {r.stdout}{r.stderr}")
        return r

    def request(self, line: str) -> str:
        return raw_request(self.sock, line.encode())

    def record(self, name):
        """The supervisor's record of one service, as a dict (from `status --json`)."""
        import json
        r = self.cli("status", "--json", name)
        assert r.returncode in (0, 3), r.stderr
        return json.loads(r.stdout)["services"][0]

    def state(self, name):
        rec = self.record(name)
        return rec["active"], rec["sub"]

    def wait_state(self, name, active, sub=None, timeout=20.0):
        def ok():
            a, s = self.state(name)
            return a == active and (sub is None or s == sub)
        wait_for(ok, timeout=timeout, what=f"{name} to be {active} ({sub})")
        return self.record(name)

    def main_pid(self, name):
        return self.record(name)["main_pid"]

    # --- processes --------------------------------------------------------------------------------
    def descendants(self):
        try:
            kids = psutil.Process(self.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        for k in kids:
            try:
                self.seen.setdefault(k.pid, k.create_time())
            except psutil.NoSuchProcess:
                pass
        return kids

    def alive_seen(self):
        """Processes seen below oya that still exist (the same process: same create time)."""
        left = []
        for pid, ctime in self.seen.items():
            try:
                p = psutil.Process(pid)
                if p.create_time() == ctime and p.status() != psutil.STATUS_ZOMBIE:
                    left.append(p)
            except psutil.NoSuchProcess:
                pass
        return left

    def stop(self, timeout=60.0):
        """SIGTERM oya, wait for it, and return its exit code."""
        self.descendants()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise AssertionError(f"oya did not exit within {timeout}s of SIGTERM")

    def cleanup(self):
        """End everything this test started, by PID; report what had to be killed."""
        problems = []
        if self.proc.poll() is None:
            try:
                rc = self.stop()
            except AssertionError as e:
                problems.append(str(e))
                rc = None
            if rc not in (0, None):
                problems.append(f"oya exited {rc}")
        left = self.alive_seen()
        for p in left:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        if left:
            problems.append(f"processes left behind: {[p.pid for p in left]}")
        err = self.err()
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            if marker in err:
                problems.append(f"sanitizer report in oya's stderr:\n{err}")
                break
        return problems


@pytest.fixture
def oya(tmp_path):
    """Start oya on the given units: oya({'name': 'unit text'}) -> Oya. Cleaned up after the test."""
    started = []

    def start(units, **kw):
        d = tmp_path / f"oya{len(started)}"
        d.mkdir()
        o = Oya(d, units, **kw)
        started.append(o)
        return o

    yield start
    problems = []
    for o in started:
        problems += o.cleanup()
    orphans = end_adopted_orphans()
    if orphans:
        problems.append(f"processes left below the test: {orphans}")
    assert not problems, "\n".join(problems)


def unit(exec_start, service_extra="", unit_extra=""):
    """A small unit file text."""
    desc = exec_start[:30].replace("%", "%%")  # a cut "%%" must not leave a lone specifier
    return f"[Unit]\nDescription=test {desc}\n{unit_extra}\n[Service]\nExecStart={exec_start}\n{service_extra}\n"


def _make_user(made):
    import pwd
    import uuid
    name = "oyat" + uuid.uuid4().hex[:8]
    subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", "--user-group", name], check=True,
                   capture_output=True)
    made.append(name)
    return pwd.getpwnam(name)


@pytest.fixture
def make_user():
    """make_user() -> a new real unprivileged user (useradd; its pwd entry), removed after the test with
    userdel. The attackers and victims of the security tests."""
    if os.geteuid() != 0:
        pytest.skip("creating a user needs root")
    made = []
    yield lambda: _make_user(made)
    for name in made:
        subprocess.run(["userdel", name], capture_output=True)


@pytest.fixture
def unpriv_user(make_user):
    """One real unprivileged user made for this test (see make_user)."""
    return make_user()


@pytest.fixture
def open_tmp():
    """A fresh root-owned directory (0755) outside pytest's private tmp tree, which other users can enter:
    for what a test's unprivileged users must reach."""
    import shutil
    import tempfile
    top = Path(tempfile.mkdtemp(prefix="oya-sec-"))
    os.chmod(top, 0o755)
    try:
        yield top
    finally:
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def user_dir(unpriv_user, open_tmp):
    """A directory owned by the unprivileged user (mode 0755), below a root-owned one every user can
    enter: where a User= service keeps what it may change."""
    d = open_tmp / "svc"
    d.mkdir()
    os.chown(d, unpriv_user.pw_uid, unpriv_user.pw_gid)
    return d


HEARTBEAT_UNIT = """[Unit]
Description=heartbeat: crashes every 100 ms, so every restart shows the loop ran
[Service]
ExecStart=/bin/sh -c 'date +%%s.%%N >> {beats}; exit 1'
Restart=always
RestartSec=100ms
StartLimitIntervalSec=0
"""


class Heartbeat:
    """A service that crashes every 100 ms (Restart=always): each run writes the time, so the longest gap
    between two runs is the longest the supervisor's loop was kept from its work."""

    def __init__(self, path: Path):
        self.path = path

    def unit(self):
        return HEARTBEAT_UNIT.format(beats=self.path)

    def beats(self):
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text().split("\n"):
            try:
                out.append(float(line))
            except ValueError:
                pass
        return out

    def wait_running(self, n=3):
        wait_for(lambda: len(self.beats()) >= n, what="the heartbeat service to run")

    def longest_gap(self, since: float) -> float:
        """The longest gap between runs after `since` (wall clock), counting the time up to now."""
        times = [t for t in self.beats() if t >= since] + [time.time()]
        prev, gap = since, 0.0
        for t in times:
            gap = max(gap, t - prev)
            prev = t
        return gap


@pytest.fixture
def heartbeat(tmp_path):
    return Heartbeat(tmp_path / "beats")
