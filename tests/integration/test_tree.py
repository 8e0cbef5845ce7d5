"""`oya tree` against psmisc `pstree`, byte for byte, on a frozen subtree of real processes."""
import os
import pwd
import shutil
import signal
import subprocess

import psutil
import pytest

from conftest import OYA, die_with_parent, wait_for
from test_ps import run_on_pty

ENV = dict(os.environ, LC_ALL="C.UTF-8")
ENV.pop("COLUMNS", None)

SCRIPT = r"""
sleep 2000 & sleep 2000 & sleep 2000 &
sh -c 'sleep 2001; :' & sh -c 'sleep 2001; :' &
sh -c 'sh -c "sh -c \"sleep 2002; :\"; :"; :' &
/usr/bin/python3 -c 'import threading, time
for _ in range(3): threading.Thread(target=time.sleep, args=(1e6,), daemon=True).start()
time.sleep(1e6)' &
/usr/bin/python3 -c 'import ctypes, time; ctypes.CDLL(None).prctl(15, b"back\\sl\tash\xc3\xa9", 0, 0, 0); time.sleep(1e6)' &
/usr/bin/python3 -c 'import time; time.sleep(1e6)' "a long argument that goes on and on" "(paren)" "tab	in" "ünï" x y z 0123456789012345678901234567890123456789012345678901234567890123456789 &
OTHER
touch READY
wait
"""


@pytest.fixture(scope="module")
def tree_root(tmp_path_factory):
    d = tmp_path_factory.mktemp("tree")
    other = "setpriv --reuid=65534 --regid=65534 --clear-groups sleep 2003 &" if os.geteuid() == 0 else ""
    script = d / "tree.sh"
    script.write_text(SCRIPT.replace("OTHER", other).replace("READY", str(d / "ready")))
    p = subprocess.Popen(["/bin/sh", str(script)], start_new_session=True, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: (d / "ready").exists(), what="the tree")
        root = psutil.Process(p.pid)
        expected = 14 + (1 if other else 0)
        wait_for(lambda: len(root.children(recursive=True)) == expected, what="every process")

        def settled():
            try:  # a short-lived child (the touch) may end between the listing and the reading
                kids = root.children(recursive=True)
                names = [c.name() for c in kids]
                threads = max((c.num_threads() for c in kids if c.name() == "python3"), default=0)
            except psutil.NoSuchProcess:
                return False
            return (names.count("sleep") == (7 if other else 6) and any(n.startswith("back") for n in names)
                    and threads == 4)
        wait_for(settled, what="the processes to exec")
        yield p.pid
    finally:
        os.killpg(p.pid, signal.SIGKILL)  # the whole process group this fixture made, setup failed or not
        p.wait(timeout=10)


def both(args, env=ENV):
    a = subprocess.run(["pstree", *args], capture_output=True, env=env, timeout=60)
    b = subprocess.run([OYA, "tree", *args], capture_output=True, env=env, timeout=60)
    return a, b


OPTIONS = ["", "-p", "-a", "-ap", "-n", "-np", "-u", "-up", "-T", "-t", "-c", "-l", "-A", "-U", "-g", "-al",
           "-apl", "-nu", "-Tp", "-cn", "-aU", "-pU", "-gc"]


@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: o or "(none)")
@pytest.mark.parametrize("columns", [None, "30", "60", "100", "250"])
def test_same_as_pstree(tree_root, opts, columns):
    env = dict(ENV)
    if columns:
        env["COLUMNS"] = columns
    args = ([opts] if opts else []) + [str(tree_root)]
    a, b = both(args, env)
    assert b.returncode == a.returncode
    assert b.stdout == a.stdout, f"pstree {' '.join(args)} COLUMNS={columns}\n--- pstree\n" \
        f"{a.stdout.decode(errors='replace')}\n--- oya tree\n{b.stdout.decode(errors='replace')}"


def test_merging_is_really_exercised(tree_root):
    out = subprocess.run([OYA, "tree", str(tree_root)], capture_output=True, text=True, env=ENV).stdout
    sleeps = 4 if os.geteuid() == 0 else 3  # the other user's sleep merges too, as uids count only with -u
    assert f"{sleeps}*[sleep]" in out and "2*[sh---sleep]" in out and "3*[{python3}]" in out
    assert "back\\\\sl\\011ash\\303\\251" in out


@pytest.mark.parametrize("opts", ["", "-p", "-a", "-A"])
def test_on_a_terminal(tree_root, opts):
    args = ([opts] if opts else []) + [str(tree_root)]
    for cols in (80, 50):
        a = run_on_pty(["pstree", *args], cols, ENV)
        b = run_on_pty([OYA, "tree", *args], cols, ENV)
        assert b == a
        if not opts:
            assert "─" in b  # Unicode line drawing by default on a UTF-8 terminal


@pytest.mark.skipif(os.geteuid() != 0, reason="needs a process of another user")
def test_user_argument(tree_root):
    a, b = both(["nobody"])
    assert (b.returncode, b.stdout) == (a.returncode, a.stdout)
    a, b = both(["-p", "nobody"])
    assert (b.returncode, b.stdout) == (a.returncode, a.stdout)


def test_bad_arguments():
    for args in (["nosuchuserhere"], ["-Q"]):
        a, b = both(args)
        assert b.returncode == a.returncode != 0
    a, b = both(["nosuchuserhere"])
    assert b.stderr == a.stderr


def test_missing_pid_prints_nothing():
    a, b = both(["999999"])
    assert (b.returncode, b.stdout) == (a.returncode, a.stdout)


def test_fork_storm_during_tree(tmp_path):
    storm = subprocess.Popen(["/bin/sh", "-c", "while :; do for i in 1 2 3 4 5 6 7 8; do /bin/true & done; wait; done"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                             preexec_fn=die_with_parent)
    try:
        for _ in range(30):
            for opts in (["-p"], ["-a"], ["-pa", "-l"]):
                r = subprocess.run([OYA, "tree", *opts], capture_output=True, env=ENV, timeout=60)
                assert r.returncode == 0 and r.stderr == b""
                assert r.stdout.endswith(b"\n")
    finally:
        os.killpg(storm.pid, signal.SIGKILL)
        storm.wait(timeout=10)


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another user needs root")
def test_as_an_unprivileged_user(tree_root):
    for opts in (["-p"], ["-a"], ["-u"]):
        a = subprocess.run(["pstree", *opts, str(tree_root)], capture_output=True, env=ENV, user=65534)
        b = subprocess.run([OYA, "tree", *opts, str(tree_root)], capture_output=True, env=ENV, user=65534)
        assert (b.returncode, b.stdout) == (a.returncode, a.stdout)


@pytest.fixture(scope="module")
def as_pstree(tmp_path_factory):
    """oya called through a link named pstree: the reader's own name in the tree is the same."""
    d = tmp_path_factory.mktemp("bin")
    shutil.copy(OYA, d / "pstree")  # a copy, not a link: a sanitizer build re-executes /proc/self/exe
    return str(d / "pstree")


def same_twice(args, link, env=ENV, whole_machine=False):
    """pstree, oya, pstree: in a window where pstree printed the same twice, oya must print that too.
    A form that draws the whole machine may meet a process born in between: then another window."""
    last = None
    for _ in range(8):
        a = subprocess.run(["pstree", *args], capture_output=True, env=env, timeout=60)
        b = subprocess.run([link, *args], capture_output=True, env=env, timeout=60)
        c = subprocess.run(["pstree", *args], capture_output=True, env=env, timeout=60)
        key = lambda r: (r.returncode, r.stdout, r.stderr)
        if key(a) == key(c):
            last = key(a), key(b)
            if not whole_machine or last[0] == last[1]:
                return last
    if last:
        return last
    pytest.fail(f"pstree {' '.join(args)} never printed the same twice")


NEWER = ["-S", "-Sp", "-Z", "-Zp", "-Za", "-G", "-Gp", "-C age", "-C AGE", "-Cage -p", "-aS", "-SZ", "-cS", "-GA",
         "-AG", "-UG", "-GU", "--vt100", "--color=age", "--ns-changes", "--security-context", "--show-pgids",
         "--arg", "--asc", "--comp", "--hide", "--long", "--numeric", "--show-pids", "--thread", "--uid", "--uni"]


@pytest.mark.parametrize("opts", NEWER)
def test_newer_options(tree_root, opts, as_pstree):
    a, b = same_twice([*opts.split(), str(tree_root)], as_pstree)
    assert b == a, f"pstree {opts}\n--- pstree\n{a[1].decode(errors='replace')}\n--- oya\n{b[1].decode(errors='replace')}"


@pytest.mark.parametrize("term", [None, "xterm", "linux", "vt100", "screen", "xterm-256color", "dumb", "nosuchterm"])
def test_highlight(tree_root, term, as_pstree):
    """-h: the reader and its ancestors in the terminal's bold; -H PID: that process and its ancestors."""
    env = dict(ENV)
    env.pop("TERM", None)
    if term:
        env["TERM"] = term
    for args in (["-h", str(os.getpid())], ["-H", str(tree_root), str(os.getpid())], ["-H", str(tree_root), "-p",
                 str(tree_root)], ["-h", "-H", "1"], ["-H", "x"], ["-H"]):
        a, b = same_twice(args, as_pstree, env)
        assert b == a, f"TERM={term} pstree {' '.join(args)}\n--- pstree\n{a}\n--- oya\n{b}"


def test_show_parents_and_namespaces(tree_root, as_pstree):
    kid = psutil.Process(tree_root).children()[0].pid
    forms = [["-s", str(kid)], ["-sp", str(kid)], ["-s", "-a", str(kid)], ["-s", "999999"], ["-s"], ["-sS", str(kid)]]
    forms += [["-N", ns] for ns in ("cgroup", "ipc", "mnt", "net", "pid", "user", "uts", "time")]
    forms += [["-N", "bogus"], ["-N"], ["--ns-sort=net", "-c"]]
    for args in forms:
        a, b = same_twice(args, as_pstree, whole_machine=str(kid) not in args)
        assert b == a, f"pstree {' '.join(args)}\n--- pstree\n{a}\n--- oya\n{b}"


def test_usage_version_and_getopt_messages(as_pstree):
    for args in (["-V"], ["--version"], ["--help"], ["-?"], ["-x"], ["--a"], ["--s"], ["--ascii=1"], ["--color"],
                 ["-C", "size"], ["1", "2"], ["-p", "1x"], ["--", "-p"], ["-hh"], ["nosuchuserhere"]):
        a, b = same_twice(args, as_pstree)
        assert b == a, f"pstree {' '.join(args)}\n--- pstree\n{a}\n--- oya\n{b}"
    # the oya subcommand spells its own name nowhere a user would diff
    r = subprocess.run([OYA, "tree", "-V"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stderr.startswith("pstree (PSmisc) 23.6\n")
    # and the static (musl) build words getopt's complaints as glibc's getopt_long does
    static = os.environ.get("OYA_STATIC")
    if static and os.path.exists(static):
        for args in (["--a"], ["-x"], ["-H"], ["--color"], ["--ascii=1"], ["--help"]):
            a = subprocess.run(["pstree", *args], capture_output=True, env=ENV, timeout=30)
            b = subprocess.run([static, "tree", *args], capture_output=True, env=ENV, timeout=30)
            assert (b.returncode, b.stderr) == (a.returncode, a.stderr), args
