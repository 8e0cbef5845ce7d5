"""What a service is started with: file descriptors, credentials, limits, environment, and how a
failure to start is reported."""
import os
import pwd
import grp
import re
import shutil
import subprocess

import psutil
import pytest

from conftest import OYA, unit, wait_for

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="changing credentials needs root")


def test_service_gets_exactly_fds_0_1_2(oya, tmp_path):
    # oya itself is started holding an extra inherited descriptor: it must not reach the service
    leak_r, leak_w = os.pipe()
    os.set_inheritable(leak_w, True)
    try:
        o = oya({"fds": unit("/bin/sleep infinity"),
                 "lister": unit("/bin/ls -l /proc/self/fd", "Type=oneshot")}, pass_fds=(leak_w,))
    finally:
        os.close(leak_w)
        os.close(leak_r)
    pid = o.wait_state("fds", "active", "running")["main_pid"]
    # seen from outside: exactly the main process's fds
    assert sorted(os.listdir(f"/proc/{pid}/fd"), key=int) == ["0", "1", "2"]
    assert os.readlink(f"/proc/{pid}/fd/0") == "/dev/null"
    # stdout and stderr: a pipe each to oya, so the log tells them apart
    assert os.readlink(f"/proc/{pid}/fd/1").startswith("pipe:") and os.readlink(f"/proc/{pid}/fd/2").startswith("pipe:")
    assert os.readlink(f"/proc/{pid}/fd/1") != os.readlink(f"/proc/{pid}/fd/2")
    # seen from inside: a service that lists /proc/self/fd (ls's own handle on that directory aside)
    o.wait_state("lister", "inactive", "dead")
    wait_for(lambda: len(o.lines_of("lister")) >= 4, what="the listing")
    fds = {}
    for line in o.lines_of("lister"):
        m = re.search(r" (\d+) -> (.*)$", line)
        if m:
            fds[int(m.group(1))] = m.group(2)
    listing_dir = [fd for fd, target in fds.items() if re.fullmatch(r"/proc/\d+/fd", target)]
    assert len(listing_dir) == 1
    del fds[listing_dir[0]]
    assert sorted(fds) == [0, 1, 2]
    assert fds[0] == "/dev/null"


@needs_root
def test_user_and_group_applied(oya, tmp_path):
    nobody = pwd.getpwnam("nobody")
    group = grp.getgrnam("nogroup") if "nogroup" in [g.gr_name for g in grp.getgrall()] else grp.getgrgid(65534)
    o = oya({
        "u": unit("/bin/sleep infinity", f"User=nobody\nGroup={group.gr_name}"),
        "onlyuser": unit("/bin/sleep infinity", "User=nobody"),
        "numeric": unit("/bin/sleep infinity", "User=4321\nGroup=4322"),
    })
    for name, uid, gid in (("u", nobody.pw_uid, group.gr_gid), ("onlyuser", nobody.pw_uid, nobody.pw_gid),
                           ("numeric", 4321, 4322)):
        pid = o.wait_state(name, "active", "running")["main_pid"]
        status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status").read().splitlines())
        assert status["Uid"].split() == [str(uid)] * 4, name
        assert status["Gid"].split() == [str(gid)] * 4, name
        p = psutil.Process(pid)
        assert p.uids() == (uid, uid, uid) and p.gids() == (gid, gid, gid)
    # the user's environment is set, as systemd does
    env = psutil.Process(o.main_pid("onlyuser")).environ()
    assert env["USER"] == "nobody" and env["HOME"] == nobody.pw_dir


def test_supplementary_groups_and_unset_environment(oya):
    # SupplementaryGroups= adds groups (names or numbers) to the user's, also without User=;
    # UnsetEnvironment= is the last step: NAME drops it, NAME=VALUE only that assignment
    o = oya({
        "g": unit("/bin/sleep infinity", "User=nobody\nSupplementaryGroups=nogroup 4711\n"
                                         "Environment=KEEP=1 DROP=x EXACT=a\nUnsetEnvironment=DROP EXACT=b HOME"),
        "root": unit("/bin/sleep infinity", "SupplementaryGroups=4712\nEnvironment=EXACT=b\nUnsetEnvironment=EXACT=b"),
        "bad": unit("/bin/sleep infinity", "SupplementaryGroups=no-such-group-here"),
    })
    pid = o.wait_state("g", "active", "running")["main_pid"]
    status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status").read().splitlines())
    groups = set(status["Groups"].split())
    assert {str(grp.getgrnam("nogroup").gr_gid), "4711"} <= groups
    env = psutil.Process(pid).environ()
    assert env["KEEP"] == "1" and env["EXACT"] == "a" and "DROP" not in env and "HOME" not in env
    pid = o.wait_state("root", "active", "running")["main_pid"]
    status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status").read().splitlines())
    assert "4712" in status["Groups"].split() and status["Uid"].split()[0] == "0"
    assert "EXACT" not in psutil.Process(pid).environ()
    rec = o.wait_state("bad", "failed")
    assert "SupplementaryGroups=no-such-group-here: no such group" in rec["exec_error"], rec["exec_error"]


def test_limits_applied(oya):
    o = oya({"lim": unit("/bin/sleep infinity",
                         "LimitNOFILE=1234:2345\nLimitCORE=infinity\nLimitNPROC=500\nLimitSTACK=4M\n"
                         "LimitMEMLOCK=64K:128K\nLimitCPU=1h")})
    pid = o.wait_state("lim", "active", "running")["main_pid"]
    limits = {}
    for line in open(f"/proc/{pid}/limits").read().splitlines()[1:]:
        name = line[:26].strip()
        soft, hard = line[26:].split()[:2]
        limits[name] = (soft, hard)
    assert limits["Max open files"] == ("1234", "2345")
    assert limits["Max core file size"] == ("unlimited", "unlimited")
    assert limits["Max processes"] == ("500", "500")
    assert limits["Max stack size"] == (str(4 << 20), str(4 << 20))
    assert limits["Max locked memory"] == (str(64 << 10), str(128 << 10))
    assert limits["Max cpu time"] == ("3600", "3600")
    p = psutil.Process(pid)
    assert p.rlimit(psutil.RLIMIT_NOFILE) == (1234, 2345)


def test_environment_and_expansion(oya, tmp_path):
    envfile = tmp_path / "env"
    envfile.write_text("# a comment\nFROM_FILE=file value\nexport OVERRIDE=from file\n"
                       "QUOTED=\"a \\\"q\\\" b\"\n; another comment\nSINGLE='x  y'\n")
    out = tmp_path / "out"
    o = oya({"env": unit(
        f"/bin/sh -c 'for a in \"$$@\"; do echo \"[$$a]\"; done > {out}.tmp; env >> {out}.tmp; mv {out}.tmp {out}; "
        "exec sleep infinity' sh $WORDS ${ONE} pre${ONE}post $$HOME ${FROM_FILE} $OVERRIDE ${UNSET}",
        f"Environment=\"WORDS=a b  c\" ONE='x y'\nEnvironment=OVERRIDE=from-unit PLAIN=1\n"
        f"EnvironmentFile={envfile}\nEnvironmentFile=-/nonexistent/optional.env")})
    wait_for(out.exists, what="the service's output")
    lines = out.read_text().splitlines()
    args = [line for line in lines if line.startswith("[")]
    assert args == ["[a]", "[b]", "[c]", "[x y]", "[prex ypost]", "[$HOME]", "[file value]", "[from]", "[file]",
                    "[]"]
    env = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("["))
    assert env["WORDS"] == "a b  c"
    assert env["PLAIN"] == "1"
    assert env["OVERRIDE"] == "from file"  # EnvironmentFile overrides Environment, as in systemd
    assert env["QUOTED"] == 'a "q" b'
    assert env["SINGLE"] == "x  y"
    assert len(env["INVOCATION_ID"]) == 32
    assert o.record("env")["invocation"] == env["INVOCATION_ID"]


def test_missing_environment_file_fails_the_start(oya, tmp_path):
    o = oya({"e": unit("/bin/sleep infinity", "EnvironmentFile=/nonexistent/required.env")})
    rec = o.wait_state("e", "failed")
    assert rec["result"] == "resources"
    assert rec["exec_error"] == "EnvironmentFile=/nonexistent/required.env: No such file or directory"


@pytest.mark.parametrize("cmd,extra,error,status", [
    ("/nonexistent/prog", "", "failed to execute: No such file or directory", "203/EXEC"),
    ("no-such-program-anywhere", "", "failed to execute: No such file or directory", "203/EXEC"),
    ("{tmp}/not-executable", "", "failed to execute: Permission denied", "203/EXEC"),
    ("/bin/true", "WorkingDirectory=/nonexistent/dir", "failed to change to the working directory", "200/CHDIR"),
])
def test_exec_failure_is_reported(oya, tmp_path, cmd, extra, error, status):
    (tmp_path / "not-executable").write_text("#!/bin/sh\n")
    o = oya({"bad": unit(cmd.format(tmp=tmp_path), extra)})
    rec = o.wait_state("bad", "failed")
    assert rec["result"] == "exit-code"
    assert error in rec["exec_error"]
    assert f"status={status}" in rec["exec_error"]
    assert rec["exit"] == f"code=exited, status={status}"
    r = o.cli("status", "bad")
    assert r.returncode == 3
    assert f"Error: " in r.stdout and error in r.stdout
    r = o.cli("start", "bad")
    assert r.returncode == 1
    assert error in r.stderr


def test_unknown_user_is_reported(oya):
    o = oya({"nouser": unit("/bin/sleep infinity", "User=no-such-user-here")})
    rec = o.wait_state("nouser", "failed")
    assert rec["exec_error"] == "User=no-such-user-here: no such user in the user database"
    assert rec["result"] == "resources"


def test_optional_working_directory_and_umask(oya, tmp_path):
    out = tmp_path / "out"
    o = oya({"w": unit(f"/bin/sh -c 'pwd > {out}.tmp; umask >> {out}.tmp; mv {out}.tmp {out}; exec sleep infinity'",
                       f"WorkingDirectory={tmp_path}\nUMask=0027"),
             "w2": unit("/bin/sleep infinity", "WorkingDirectory=-/nonexistent/dir")})
    wait_for(out.exists, what="output")
    assert out.read_text().split() == [str(tmp_path), "0027"]
    o.wait_state("w2", "active", "running")


def test_a_child_blocked_before_exec_holds_up_nothing(oya, tmp_path):
    # A start's child shares oya's memory until it executes (clone3 CLONE_VM). One that blocks before
    # exec, here opening its StandardOutput= FIFO that nobody reads yet, must leave oya serving and
    # starting the rest; and what it executes at last is its own plan, untouched by the reload of its
    # unit file and by the starts that came meanwhile.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    o = oya({"blocked": unit("/bin/echo planned before the reload", f"StandardOutput=file:{fifo}"),
             "first": unit("/bin/sleep infinity")})
    o.wait_state("first", "active", "running")
    child = o.main_pid("blocked")
    # it is still oya's image, waiting in its open of the FIFO (the kernel's wait for a reader)
    wait_for(lambda: open(f"/proc/{child}/wchan").read() in ("wait_for_partner", "fifo_open"), what="the child to block in open")
    assert os.path.realpath(f"/proc/{child}/exe") == os.path.realpath(OYA)
    (o.units / "blocked.service").write_text(unit("/bin/echo changed by the reload", f"StandardOutput=file:{fifo}"))
    (o.units / "later.service").write_text(unit("/bin/sleep infinity"))
    assert o.cli("daemon-reload", check=True).returncode == 0
    assert o.cli("start", "later", check=True).returncode == 0
    o.wait_state("later", "active", "running")
    assert o.cli("status", "first").returncode == 0
    with open(fifo) as reader:  # the child's open returns: it goes on and executes
        assert reader.read() == "planned before the reload\n"
    o.wait_state("blocked", "inactive", "dead")


NO_CLONE3 = r"""
#include <errno.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
    if (argc < 2 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
        return 126;
    execv(argv[1], argv + 1);
    return 127;
}
"""


def test_children_are_copies_where_clone3_is_refused(oya, tmp_path):
    # older container seccomp profiles answer clone3 with ENOSYS: oya then forks (a pidfd opened after),
    # and the child's steps and their reports are the same
    (tmp_path / "noclone3.c").write_text(NO_CLONE3)
    helper = tmp_path / "noclone3"
    subprocess.run(["cc", "-O2", "-o", str(helper), str(tmp_path / "noclone3.c")], check=True)
    o = oya({"svc": unit("/bin/sh -c 'echo started as $$GREETING; exec sleep infinity'", "Environment=GREETING=hello"),
             "bad": unit("/bin/true", "WorkingDirectory=/nonexistent/dir")}, wrap=[str(helper)])
    pid = o.wait_state("svc", "active", "running")["main_pid"]
    assert psutil.Process(pid).ppid() == o.pid and psutil.Process(pid).cmdline() == ["sleep", "infinity"]
    wait_for(lambda: any("started as hello" in line for line in o.lines_of("svc")), what="the service's line")
    rec = o.wait_state("bad", "failed")
    assert "failed to change to the working directory" in rec["exec_error"] and "status=200/CHDIR" in rec["exec_error"]
    o.cli("restart", "svc", check=True)
    assert o.main_pid("svc") != pid


@needs_root
def test_dynamic_user(oya, tmp_path):
    """DynamicUser=yes, as systemd: a user and group of one id from 61184-65519 that no database has, named
    by User= or after the unit; the same id again at a restart; a static user of that name is used as it
    is; NoNewPrivileges= and PrivateTmp= are implied; StateDirectory= belongs to the user."""
    state = f"oya-test-dyn-{os.getpid()}"
    o = oya({
        "dyn": unit("/bin/sleep infinity", f"DynamicUser=yes\nStateDirectory={state}"),
        "other": unit("/bin/sleep infinity", "DynamicUser=yes\nUser=oya-dyn-other"),
        "static": unit("/bin/sleep infinity", "DynamicUser=yes\nUser=nobody"),
        "grouponly": unit("/bin/sleep infinity", "DynamicUser=yes\nUser=nogroup"),
    })
    try:
        ids = {}
        for name in ("dyn", "other"):
            pid = o.wait_state(name, "active", "running")["main_pid"]
            p = psutil.Process(pid)
            uid = p.uids().real
            assert 61184 <= uid <= 65519, name
            assert p.uids() == (uid, uid, uid) and p.gids() == (uid, uid, uid)
            status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status").read().splitlines())
            assert status["Groups"].split() == [str(uid)] and status["NoNewPrivs"].strip() == "1"
            with pytest.raises(KeyError):
                pwd.getpwuid(uid)
            env = p.environ()
            assert (env["USER"], env["HOME"], env["SHELL"]) == (name if name == "dyn" else "oya-dyn-other", "/",
                                                                "/usr/sbin/nologin")
            ids[name] = uid
        assert ids["dyn"] != ids["other"]
        assert os.stat(f"/var/lib/{state}").st_uid == ids["dyn"]
        o.cli("restart", "dyn", check=True)
        assert psutil.Process(o.wait_state("dyn", "active", "running")["main_pid"]).uids().real == ids["dyn"]
        pid = o.wait_state("static", "active", "running")["main_pid"]
        assert psutil.Process(pid).uids().real == pwd.getpwnam("nobody").pw_uid
        rec = o.wait_state("grouponly", "failed")
        assert rec["exec_error"].startswith("DynamicUser=yes: there is a group nogroup but no user of that name")
    finally:
        shutil.rmtree(f"/var/lib/{state}", ignore_errors=True)


@needs_root
def test_plus_drops_the_sandboxing_and_bang_only_the_user(oya, tmp_path):
    """As systemd: a '+' command runs with full privileges (no User=, CapabilityBoundingSet=,
    NoNewPrivileges=, PrivateTmp=), so nsd's `ExecReload=+/bin/kill -HUP $MAINPID` can signal a daemon that
    dropped to its own user; a '!' command only keeps oya's user."""
    report = (f"/bin/sh -c 'echo $0 uid=$(id -u) $(grep -E \"^(CapBnd|NoNewPrivs):\" /proc/self/status | tr -s \"\\t\" \" \") "
              f"$(test -d {tmp_path} && echo shared-tmp || echo private-tmp)'")
    o = oya({"s": unit("/bin/sh -c \"trap '' HUP; exec sleep infinity\"",
                       "User=nobody\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\nNoNewPrivileges=yes\nPrivateTmp=yes\n"
                       f"ExecStartPost=+{report} plus\nExecStartPost=!{report} bang\n"
                       f"ExecReload=+/bin/kill -HUP $MAINPID")})
    o.wait_state("s", "active", "running")
    wait_for(lambda: len([l for l in o.lines_of("s") if l.startswith(("plus", "bang"))]) == 2, what="both reports")
    lines = {l.split()[0]: l.split()[1:] for l in o.lines_of("s") if l.startswith(("plus", "bang"))}
    full = [l.split(":", 1)[1].strip() for l in open("/proc/self/status") if l.startswith("CapBnd:")][0]
    assert lines["plus"] == ["uid=0", "CapBnd:", full, "NoNewPrivs:", "0", "shared-tmp"]
    assert lines["bang"] == ["uid=0", "CapBnd:", "0000000000000400", "NoNewPrivs:", "1", "private-tmp"]
    r = o.cli("reload", "s")  # root without CAP_KILL could not signal the main process, which runs as nobody
    assert r.returncode == 0, r.stdout + r.stderr
    assert o.state("s") == ("active", "running")


def read_until(fd, want, timeout=20.0):
    """What a pseudo-terminal's master gives until want is in it (or the deadline)."""
    import select
    import time
    got, deadline = b"", time.monotonic() + timeout
    while want not in got:
        left = deadline - time.monotonic()
        assert left > 0, f"timed out waiting for {want!r}; got {got!r}"
        if select.select([fd], [], [], left)[0]:
            try:
                got += os.read(fd, 4096)
            except OSError:  # EIO: no slave open yet
                pass
    return got.decode(errors="replace")


def test_standard_input_tty(oya, tmp_path):
    """StandardInput=tty: TTYPath= becomes the service's controlling terminal and its standard input, output
    and error (they inherit it); TTYRows=/TTYColumns= size it. tty waits while another session holds the
    terminal and takes it once that session lets go (as systemd, woken by the close); tty-fail fails the
    start instead, 208/STDIN."""
    import time
    master, slave = os.openpty()
    path = os.ttyname(slave)
    held_master, held_slave = os.openpty()
    held = os.ttyname(held_slave)
    # a session of its own holds the second terminal as its controlling one
    holder = subprocess.Popen(["/usr/bin/python3", "-c", "import os, fcntl, termios, time, sys; os.setsid(); "
                               "fd = os.open(sys.argv[1], os.O_RDWR); fcntl.ioctl(fd, termios.TIOCSCTTY, 0); "
                               "print('held', flush=True); time.sleep(1e6)", held], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"held\n"
        shell = "/bin/sh -c 'tty; stty size; read line; echo \"got $$line\" >&2; exec sleep infinity'"
        o = oya({"t": unit(shell, f"StandardInput=tty\nTTYPath={path}\nTTYRows=30\nTTYColumns=100"),
                 "fail": unit("/bin/sleep infinity", f"StandardInput=tty-fail\nTTYPath={held}"),
                 "wait": unit("/bin/sh -c 'tty; exec sleep infinity'", f"Type=exec\nStandardInput=tty\nTTYPath={held}")})
        out = read_until(master, b"30 100")
        assert out.splitlines()[0].strip() == path and "30 100" in out, out
        os.write(master, b"hello\n")
        assert "got hello" in read_until(master, b"got hello")
        rec = o.wait_state("t", "active", "running")
        main = rec["main_pid"]
        stat = open(f"/proc/{main}/stat").read().rsplit(")", 1)[1].split()
        assert (int(stat[3]), int(stat[4])) == (main, os.stat(path).st_rdev)  # session leader, its terminal
        assert all(os.path.realpath(f"/proc/{main}/fd/{n}") == path for n in (0, 1, 2))
        rec = o.wait_state("fail", "failed")
        assert "failed to set up standard input (StandardInput=): Operation not permitted (status=208/STDIN)" \
            in rec["exec_error"], rec["exec_error"]
        # still waiting, as long as the other session has it
        assert o.state("wait") == ("activating", "start")
        holder.kill()
        holder.wait()
        o.wait_state("wait", "active", "running")
        assert read_until(held_master, held.encode()).strip() == held
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        for fd in (master, slave, held_master, held_slave):
            os.close(fd)


def test_standard_input_data_and_file(oya, tmp_path):
    """StandardInputText= (a line each, escapes and specifiers resolved) and StandardInputData= (base64) are
    what the service reads (StandardInput=data, implied); StandardInput=file:PATH is opened as the service's
    user, so a User= service cannot read through it what it could not read itself."""
    import tempfile
    out = tmp_path / "out"
    public = tempfile.mkdtemp(prefix="oya-input-")  # tmp_path's parents are root's alone: nobody reads here
    os.chmod(public, 0o755)
    secret = os.path.join(public, "secret")
    with open(secret, "w") as f:
        f.write("root only\n")
    os.chmod(secret, 0o600)
    mine = os.path.join(public, "mine")
    with open(mine, "w") as f:
        f.write("for anyone\n")
    os.chmod(mine, 0o644)
    try:
        input_units(oya, out, mine, secret)
    finally:
        shutil.rmtree(public)


def input_units(oya, out, mine, secret):
    o = oya({"d": unit(f"/bin/sh -c 'cat > {out}'", "Type=oneshot\nStandardInputText=hello\\tthere\n"
                                                    "StandardInputText=from %N\nStandardInputData=AAEC/w=="),
             "f": unit("/bin/cat", f"Type=oneshot\nStandardInput=file:{mine}\nUser=nobody"),
             "s": unit("/bin/cat", f"Type=oneshot\nStandardInput=file:{secret}\nUser=nobody")})
    o.wait_state("d", "inactive", "dead")
    assert out.read_bytes() == b"hello\tthere\nfrom d\n\x00\x01\x02\xff"
    o.wait_state("f", "inactive", "dead")
    assert "for anyone" in o.cli("logs", "f").stdout
    rec = o.wait_state("s", "failed")
    assert "failed to set up standard input (StandardInput=): Permission denied (status=208/STDIN)" \
        in rec["exec_error"], rec["exec_error"]


def test_cpu_scheduling(oya):
    """CPUSchedulingPolicy=, CPUSchedulingPriority=, CPUSchedulingResetOnFork=: the policy the service runs
    under, as sched_getscheduler reads it (radvd and e2scrub ship CPUSchedulingPolicy=idle)."""
    o = oya({"idle": unit("/bin/sleep infinity", "CPUSchedulingPolicy=idle"),
             "rt": unit("/bin/sleep infinity", "CPUSchedulingPolicy=fifo\nCPUSchedulingPriority=7\n"
                                               "CPUSchedulingResetOnFork=yes"),
             "plain": unit("/bin/sleep infinity")})
    idle = o.wait_state("idle", "active", "running")["main_pid"]
    rt = o.wait_state("rt", "active", "running")["main_pid"]
    plain = o.wait_state("plain", "active", "running")["main_pid"]
    assert os.sched_getscheduler(idle) == os.SCHED_IDLE
    assert os.sched_getscheduler(rt) == os.SCHED_FIFO | os.SCHED_RESET_ON_FORK
    assert os.sched_getparam(rt).sched_priority == 7
    assert os.sched_getscheduler(plain) == os.SCHED_OTHER
