"""`oya ps` against procps-ng `ps`, byte for byte, on a frozen set of real processes; cross-checked with
psutil. Values that move between two reads are handled by reading ps before and after oya: only a
window in which ps printed the same twice counts."""
import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time

import psutil
import pytest

from conftest import OYA, die_with_parent
from fixture_procs import Fixture

ENV = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC")
ENV.pop("COLUMNS", None)
ENV.pop("PS_FORMAT", None)
ENV.pop("PS_PERSONALITY", None)

ALL_COLUMNS = ("pid,ppid,pgid,sid,user,uid,group,%cpu,%mem,vsz,rss,tty,stat,state,start,lstart,time,etime,"
               "etimes,comm,args,nlwp,pri,ni,wchan")


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    f = Fixture(tmp_path_factory.mktemp("fixture"))
    try:
        yield f.start()
    finally:
        f.stop()  # also when starting failed half-way


def run(argv, env=ENV):
    r = subprocess.run(argv, capture_output=True, env=env, timeout=60)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def token_at(line, i):
    """(start, stop) of the space-delimited token covering position i, or None."""
    if i >= len(line) or line[i] == " ":
        return None
    start = i
    while start > 0 and line[start - 1] != " ":
        start -= 1
    stop = i
    while stop < len(line) and line[stop] != " ":
        stop += 1
    return start, stop


def pid_of(line, header):
    """The PID on a line: the token under the last character of the (right-aligned) PID header."""
    span = token_at(line, header.index("PID") + 2)
    tok = line[span[0]:span[1]] if span else ""
    return int(tok) if tok.isdigit() else None


def fixture_lines(text, pids):
    lines = text.splitlines()
    if not lines:
        return lines
    header = lines[0]
    keep = [header]
    for line in lines[1:]:
        if pid_of(line, header) in pids:
            keep.append(line)
    return keep


def mask_moving(text):
    """%CPU and C of a process move with every clock tick of its life: mask those values (only)."""
    lines = text.split("\n")
    if not lines or not lines[0]:
        return text
    header = lines[0]
    spans = []
    for name in ("%CPU", " C "):
        at = header.find(name)
        if at >= 0:
            spans.append(at + len(name.rstrip()) - 1)
    if not spans:
        return text
    out = [header]
    for line in lines[1:]:
        for end in sorted(spans, reverse=True):  # right to left, so earlier positions stay valid
            span = token_at(line, end)
            if span:
                line = line[:span[0]] + "#" + line[span[1]:]
        out.append(line)
    return "\n".join(out)


def compare(args, pids, whole=False, env=ENV, tries=8):
    """ps, oya ps, ps again: in a window where ps printed the same twice, oya must print that too."""
    for _ in range(tries):
        rc1, a, _ = run(["ps", *args], env)
        rc2, b, err = run([OYA, "ps", *args], env)
        rc3, c, _ = run(["ps", *args], env)
        if not whole:
            a, b, c = ("\n".join(fixture_lines(t, pids)) for t in (a, b, c))
        a, b, c = (mask_moving(t) for t in (a, b, c))
        if a == c:
            assert rc2 == rc1, err
            assert b == a, f"ps {' '.join(args)}:\n--- ps\n{a}\n--- oya ps\n{b}"
            return a
    pytest.fail(f"ps {' '.join(args)} never printed the same twice in a row")


FORMS = [["aux"], ["ux"], ["a"], ["x"], ["ax"], ["-e"], ["-ef"], ["-A"], ["-f"], [], ["axu"], ["-e", "-f"]]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: " ".join(f) or "(none)")
def test_common_forms(fx, form):
    out = compare(form, set(fx.all_pids()) | {fx.pids["zombie"]})
    if form in (["aux"], ["ax"], ["-e"], ["-ef"], ["-A"], ["axu"], ["-e", "-f"]):
        assert len(out.splitlines()) >= len(fx.pids)  # the fixture is really in there


def test_every_column_exactly(fx):
    pids = ",".join(str(p) for p in fx.all_pids() + [fx.pids["zombie"]])
    compare(["-o", ALL_COLUMNS, "-p", pids], None, whole=True)
    # each column on its own, as the last column and as a middle one
    for col in ALL_COLUMNS.split(","):
        compare(["-o", f"{col}", "-p", pids], None, whole=True)
        compare(["-o", f"pid,{col},pid", "-p", pids], None, whole=True)
    for alias in ("pcpu", "pmem", "cmd", "command", "tname", "tt", "s", "sess", "euid", "euser", "egroup", "gid",
                  "rgroup", "ruser", "ruid", "start_time", "stime", "bsdtime", "bsdstart", "c", "f", "nice",
                  "opri", "priority", "psr", "sz", "tpgid", "ucmd", "ucomm", "vsize", "rssize", "thcount", "cputime"):
        compare(["-o", f"pid,{alias}", "-p", pids], None, whole=True)


def test_format_syntax(fx):
    pids = ",".join(str(p) for p in fx.all_pids())
    for fmt in ("pid,user:12,comm=COMMAND_NAME", "pid user comm", "pid,comm=,args=", "pid=,comm=", "user:3,pid",
                "pid:9,tty:2,args"):
        compare(["-o", fmt, "-p", pids], None, whole=True)
    compare(["-o", "pid", "-o", "comm", "-p", pids], None, whole=True)
    compare(["--format", "pid,args", "--pid", pids], None, whole=True)
    compare(["o", "pid,stat,comm", "p", pids], None, whole=True)


def test_selection_options(fx):
    pids = set(fx.all_pids()) | {fx.pids["zombie"]}
    compare(["-p", str(fx.pids["sleeping"])], None, whole=True)
    compare(["-p", f"{fx.pids['sleeping']} {fx.pids['threads']}"], None, whole=True)
    compare(["p", str(fx.pids["threads"])], None, whole=True)
    compare([str(fx.pids["threads"])], None, whole=True)
    compare(["--ppid", str(fx.pids["zombie_parent"])], None, whole=True)
    compare(["-C", "sleep", "-o", "pid,comm,args"], pids)
    compare(["-C", "we(i)rd\nna) m"], pids)
    compare(["-u", "root", "-o", "pid,user,comm"], pids)
    compare(["-s", str(fx.pids["session_leader"])], None, whole=True)
    compare(["-N", "-p", "1", "-o", "pid,comm"], pids)
    if os.geteuid() == 0:
        compare(["-u", "nobody", "-o", "pid,user,comm"], None, whole=True)
        compare(["-U", "65534", "-o", "pid,ruser,comm"], None, whole=True)
        compare(["U", "nobody"], None, whole=True)
    compare(["-t", "pts/" + os.readlink(f"/proc/{fx.pids['on_tty']}/fd/0").split("/")[-1]], None, whole=True)
    compare(["r", "-o", "pid,stat"], pids)


def test_sorting_and_headers(fx):
    pids = ",".join(str(p) for p in fx.all_pids())
    for spec in ("-rss", "pid", "-pid", "comm", "-comm,pid", "user,-vsz", "+start_time", "ppid,-pid", "args",
                 "-etime", "tty", "nlwp"):
        compare(["-o", "pid,ppid,rss,vsz,user,comm,nlwp", "--sort", spec, "-p", pids], None, whole=True)
    compare(["-o", "pid,rss,comm", f"--sort=-rss", "-p", pids], None, whole=True)
    compare(["k", "-pid", "o", "pid,comm", "p", pids], None, whole=True)
    compare(["--no-headers", "-o", "pid,comm", "-p", pids], None, whole=True)
    compare(["h", "o", "pid,comm", "p", pids], None, whole=True)


def test_c_locale(fx):
    env = dict(ENV, LC_ALL="C")
    pids = ",".join(str(p) for p in fx.all_pids())
    compare(["-o", "pid,comm,args", "-p", pids], None, whole=True, env=env)


def run_on_pty(argv, cols, env):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    p = subprocess.Popen(argv, stdout=slave, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    data = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        elif p.poll() is not None:
            break
    p.wait(timeout=30)
    os.close(master)
    return data.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.mark.parametrize("cols", [80, 132, 40])
def test_truncation_to_terminal_width(fx, cols):
    pids = ",".join(str(p) for p in fx.all_pids())
    for args in (["u", "p", pids], ["-f", "-p", pids], ["-o", "pid,args", "-p", pids], ["-o", "args,pid", "-p", pids]):
        for _ in range(8):
            a = run_on_pty(["ps", *args], cols, ENV)
            b = run_on_pty([OYA, "ps", *args], cols, ENV)
            c = run_on_pty(["ps", *args], cols, ENV)
            if a == c:
                assert b == a
                break
        else:
            pytest.fail("ps never printed the same twice")
    env = dict(ENV, COLUMNS="60")
    compare(["-f", "-p", pids], None, whole=True, env=env)
    compare(["w", "-f", "-p", pids], None, whole=True, env=env)
    compare(["ww", "-f", "-p", pids], None, whole=True, env=env)


def test_errors_like_ps(fx):
    for args in (["-o", "nosuchcolumn"], ["-p", "x"], ["--sort", "bogus"], ["-o", "pid:0"]):
        rc1, _, e1 = run(["ps", *args])
        rc2, _, e2 = run([OYA, "ps", *args])
        assert rc1 != 0 and rc2 != 0
        assert e1.splitlines()[0] == e2.splitlines()[0]
    # nothing selected: exit 1 with just the header, as ps
    assert run(["ps", "-p", "999999"])[:2] == run([OYA, "ps", "-p", "999999"])[:2]


def test_against_psutil(fx):
    pids = fx.all_pids()
    rc, out, _ = run([OYA, "ps", "-o", "pid=,ppid=,uid=,nlwp=,rss=,vsz=,state=,ni=", "-p", ",".join(map(str, pids))])
    assert rc == 0
    for line in out.splitlines():
        pid, ppid, uid, nlwp, rss, vsz, state, ni = line.split()
        p = psutil.Process(int(pid))
        assert int(ppid) == p.ppid()
        assert int(uid) == p.uids().effective
        assert int(nlwp) == p.num_threads()
        assert int(rss) == p.memory_info().rss // 1024
        assert int(vsz) == p.memory_info().vms // 1024
        assert state == {"sleeping": "S", "stopped": "T", "zombie": "Z", "running": "R", "idle": "I", "tracing-stop": "t",
                         "disk-sleep": "D"}[p.status()]
        if ni == "-":  # a real-time policy has no nice value
            assert os.sched_getscheduler(int(pid)) not in (os.SCHED_OTHER, os.SCHED_BATCH, os.SCHED_IDLE)
        else:
            assert int(ni) == p.nice()
    rc, out, _ = run([OYA, "ps", "-o", "comm=", "-p", str(fx.pids["weird_comm"])])
    assert out.strip() == psutil.Process(fx.pids["weird_comm"]).name().replace("\n", "?")


def test_fork_storm_during_scan(tmp_path):
    """Processes that vanish mid-scan are skipped: never a crash, never a partial line."""
    storm = subprocess.Popen(["/bin/sh", "-c", "while :; do for i in 1 2 3 4 5 6 7 8; do /bin/true & done; wait; done"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                             preexec_fn=die_with_parent)
    try:
        for _ in range(30):
            rc, out, err = run([OYA, "ps", "-eo", "pid,ppid,stat,rss,wchan,args"])
            assert rc == 0, err
            assert err == ""
            lines = out.splitlines()
            assert lines[0].split() == ["PID", "PPID", "STAT", "RSS", "WCHAN", "COMMAND"]
            for line in lines[1:]:
                assert len(line.split(None, 5)) >= 5, line
            rc, out, err = run([OYA, "ps", "aux"])
            assert rc == 0 and err == ""
    finally:
        os.killpg(storm.pid, 9)
        storm.wait(timeout=10)


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another user needs root")
def test_as_an_unprivileged_user(fx):
    """What nobody may not read (other users' wchan and more) shows as ps shows it."""
    pids = ",".join(str(p) for p in fx.all_pids())
    for args in (["-o", "pid,user,stat,wchan,rss,args", "-p", pids], ["aux"], ["-ef"]):
        for _ in range(8):
            a = subprocess.run(["ps", *args], capture_output=True, env=ENV, user=65534, timeout=60)
            b = subprocess.run([OYA, "ps", *args], capture_output=True, env=ENV, user=65534, timeout=60)
            c = subprocess.run(["ps", *args], capture_output=True, env=ENV, user=65534, timeout=60)
            norm = lambda r: "\n".join(fixture_lines(mask_moving(r.stdout.decode(errors="replace")),
                                                    set(fx.all_pids())))
            if norm(a) == norm(c):
                assert norm(b) == norm(a)
                break
        else:
            pytest.fail("ps never printed the same twice")


def test_numeric_user_fallback(fx):
    if "unknown_uid" not in fx.pids:
        pytest.skip("needs root to start a process with an unknown uid")
    out = compare(["-o", "pid,user,ruser,group,comm", "-p", str(fx.pids["unknown_uid"])], None, whole=True)
    assert "4321" in out
