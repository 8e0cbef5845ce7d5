"""cgroup v2 tracking, for real where the unified hierarchy is writable (as root on these machines: v2 at
/sys/fs/cgroup/unified beside the v1 controllers): each service in a cgroup of its own, born there; a daemon
modelled on postfix's master (a forking start, setsid, `env -i`, a worker) is tracked, shown and stopped
with nothing left; the cgroups go when their services stop and oya's subtree when oya exits;
--no-cgroups keeps the /proc tracking and says so."""
import os
import re

import psutil
import pytest

from conftest import unit, wait_for

MASTER = ("/bin/sh -c 'setsid env -i /bin/sh -c \"/bin/sleep 1000 & exec /bin/sleep 1001\" "
          ">/dev/null 2>&1 </dev/null & exit 0'")


def cgroup_of(pid):
    for line in open(f"/proc/{pid}/cgroup"):
        if line.startswith("0::"):
            return line[3:].strip()
    return None


def unified_mount():
    for line in open("/proc/self/mountinfo"):
        left, _, right = line.partition(" - ")
        if right.startswith("cgroup2 "):
            return left.split()[4]
    return None


def usable(o):
    text = o.cli("status").stdout
    m = re.search(r"^     CGroup: (.*)$", text, re.M)
    if not m or m.group(1).startswith("none"):
        pytest.skip(f"no cgroup v2 for oya here: {m.group(1) if m else 'no CGroup line'}")
    return m.group(1)


def test_a_daemon_that_escapes_its_session_is_tracked_shown_and_stopped(oya):
    o = oya({"master": unit(MASTER, "Type=forking"), "web": unit("/bin/sleep infinity")})
    o.wait_state("master", "active", "running")
    line = usable(o)
    subtree = re.search(r"services in (\S+)\)", line).group(1)
    daemon = wait_for(lambda: [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["/bin/sleep", "1001"]
                               and cgroup_of(p.pid) == f"{subtree}/master.service"], what="the daemon")[0]
    worker = [p for p in daemon.children() if p.cmdline() == ["/bin/sleep", "1000"]][0]
    assert os.getsid(daemon.pid) == daemon.pid and "INVOCATION_ID" not in daemon.environ()
    assert cgroup_of(worker.pid) == f"{subtree}/master.service"
    web = o.record("web")["main_pid"]
    assert cgroup_of(web) == f"{subtree}/web.service"  # born in its own
    text = o.cli("status", "master").stdout
    assert f"     CGroup: {subtree}/master.service" in text
    assert f"─{daemon.pid} /bin/sleep 1001" in text and f"─{worker.pid} /bin/sleep 1000" in text
    assert o.record("master")["main_pid"] == daemon.pid
    # stopped with nothing left, and its cgroup gone
    r = o.cli("stop", "master")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: not daemon.is_running() and not worker.is_running(), what="the daemon and its worker to end")
    top = unified_mount() + subtree
    wait_for(lambda: not os.path.exists(f"{top}/master.service"), what="the cgroup to go")
    # started again: a new cgroup, the same name
    assert o.cli("start", "master").returncode == 0
    wait_for(lambda: os.path.exists(f"{top}/master.service"), what="the cgroup again")
    o.stop()
    assert not os.path.exists(top), "oya's subtree is removed when it exits"


def test_a_service_killed_through_its_cgroup_restarts_there(oya):
    """`oya kill -s KILL` writes cgroup.kill; on this kernel every child clone3 then puts into that cgroup
    (CLONE_INTO_CGROUP) dies of SIGKILL at birth, and Restart=always ended in start-limit-hit. The next
    ones move themselves in: the service restarts, in its cgroup, with its worker."""
    o = oya({"w": unit("/bin/sh -c '/bin/sleep 1000 & exec /bin/sleep 1001'", "Restart=always\nRestartSec=100ms")})
    first = o.wait_state("w", "active", "running")["main_pid"]
    line = usable(o)
    subtree = re.search(r"services in (\S+)\)", line).group(1)
    r = o.cli("kill", "-s", "KILL", "w")
    assert r.returncode == 0, r.stderr
    rec = wait_for(lambda: (lambda x: x if x["main_pid"] not in (0, first) and x["sub"] == "running" else None)(
        o.record("w")), what="w to restart")
    main = psutil.Process(rec["main_pid"])
    wait_for(lambda: main.cmdline() == ["/bin/sleep", "1001"], what="the new main process to run")
    assert cgroup_of(main.pid) == f"{subtree}/w.service"
    # the first restart took (a child killed at birth would have been a second one), and its worker runs
    rec = o.record("w")
    assert rec["main_pid"] == main.pid and rec["restarts"] == 1 and rec["sub"] == "running", rec
    worker = wait_for(lambda: [c for c in main.children() if c.cmdline() == ["/bin/sleep", "1000"]],
                      what="its worker")[0]
    assert cgroup_of(worker.pid) == f"{subtree}/w.service"


def test_no_cgroups_tracks_by_proc_and_says_so(oya):
    o = oya({"web": unit("/bin/sleep infinity")}, extra_args=["--no-cgroups"])
    o.wait_state("web", "active", "running")
    text = o.cli("status").stdout
    assert "     CGroup: none: not used (--no-cgroups); services are tracked by /proc" in text, text
    assert "  Processes:" in o.cli("status", "web").stdout


@pytest.mark.parametrize("mount_proc", [True, False], ids=["mount-proc", "outer-proc"])
def test_pid1_in_new_pid_and_cgroup_namespaces(tmp_path, mount_proc):
    """As a container's PID 1 with a cgroup namespace of its own (the container's cgroup is its root), oya
    is alone in its cgroup: it moves itself into init.scope, as systemd does, and each service gets
    /NAME.service beside it; a service's daemon that setsid()s is in the service's cgroup. With a /proc of
    its own (--mount-proc, as a container has) and without one (/proc shows the outer namespace)."""
    import shutil
    import signal
    import subprocess
    import time
    from conftest import OYA
    top = unified_mount()
    if os.geteuid() != 0 or not top or not shutil.which("unshare") or not os.access(top, os.W_OK):
        pytest.skip("needs root, unshare and a writable cgroup2 hierarchy")
    cg = f"{top}/oyatest-{os.getpid()}"
    os.makedirs(f"{cg}/ct")
    units = tmp_path / "units"
    units.mkdir()
    (units / "web.service").write_text(unit("/bin/sh -c 'setsid /bin/sleep 1000 & exec /bin/sleep infinity'"))
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    sock = tmp_path / "oya.sock"
    inner = f"mount -t cgroup2 none {mnt} && exec {OYA} --socket {sock} up --log-dir none {units}"
    outer = f"echo $$ > {cg}/ct/cgroup.procs && exec unshare --cgroup /bin/sh -c '{inner}'"
    p = subprocess.Popen(["unshare", "--pid", "--mount", "--fork"] + (["--mount-proc"] if mount_proc else []) +
                         ["/bin/sh", "-c", outer],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        def procs(rel):
            try:
                return [int(x) for x in open(f"{cg}/ct/{rel}/cgroup.procs").read().split()]
            except OSError:
                return []
        def cmdlines():
            try:
                return sorted(" ".join(psutil.Process(q).cmdline()) for q in procs("web.service"))
            except psutil.NoSuchProcess:
                return []
        # both execs done (a fork not yet exec'd is a process of the cgroup too)
        wait_for(lambda: cmdlines() == ["/bin/sleep 1000", "/bin/sleep infinity"],
                 what="the service's two processes in /web.service")
        oya_pid = procs("init.scope")
        assert len(oya_pid) == 1 and psutil.Process(oya_pid[0]).name() == "oya"
        assert procs("") == []  # nothing left in the container's own cgroup: the no-internal-process rule
        r = subprocess.run([OYA, "--socket", str(sock), "status"], capture_output=True, text=True, timeout=30)
        assert "     CGroup: /init.scope (services in /)" in r.stdout, r.stdout
        sleeper = [q for q in procs("web.service") if psutil.Process(q).cmdline() == ["/bin/sleep", "1000"]]
        assert sleeper and os.getsid(sleeper[0]) == sleeper[0]
    finally:
        p.send_signal(signal.SIGTERM)  # unshare passes nothing on: its child, oya, is PID 1 of the namespace
        try:
            oya_pids = [int(x) for x in open(f"{cg}/ct/init.scope/cgroup.procs").read().split()]
        except OSError:
            oya_pids = []
        for q in oya_pids:
            os.kill(q, signal.SIGTERM)
        p.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for d, subs, _ in os.walk(cg, topdown=False):
                try:
                    os.rmdir(d)
                except OSError:
                    pass
            if not os.path.exists(cg):
                break
            time.sleep(0.05)
    assert not os.path.exists(cg)
    # without --mount-proc /proc shows the outer namespace: oya made a private one
    err = p.stderr.read().decode()
    assert "another PID namespace" not in err and "web: stopped" in err, err


def test_status_counts_the_cgroups_cpu_even_of_processes_gone(oya):
    """CPU is the cgroup's (cpu.stat): a subshell that burned CPU and ended still counts, as in systemctl
    status; the pressure (PSI) of the cgroup is in the JSON."""
    import json
    burn = "/bin/sh -c '(i=0; while [ $$i -lt 400000 ]; do i=$$((i+1)); done); exec /bin/sleep infinity'"
    o = oya({"burn": unit(burn)})
    o.wait_state("burn", "active", "running")
    usable(o)
    main = wait_for(lambda: [p for p in psutil.Process(o.pid).children() if p.cmdline() == ["/bin/sleep", "infinity"]],
                    what="the burner's sleep")[0]
    rec = json.loads(o.cli("status", "--json", "burn").stdout)["services"][0]
    alive = sum(sum(p.cpu_times()[:2]) for p in [main]) * 1e6
    assert rec["cgroup"].endswith("/burn.service")
    assert rec["cpu_usec"] >= 50_000 and rec["cpu_usec"] > alive + 40_000, (rec["cpu_usec"], alive)
    assert "pressure_cpu_some_avg10" in rec or not os.path.exists(f"{unified_mount()}{rec['cgroup']}/cpu.pressure")


def test_freeze_and_thaw(oya, tmp_path):
    """oya freeze stops every process of a service in place (cgroup.freeze), as systemctl freeze; status
    says (frozen); oya thaw resumes them; a frozen service still stops at once (it is thawed first)."""
    count = tmp_path / "count"
    o = oya({"tick": unit(f"/bin/sh -c 'while :; do echo x >> {count}; /bin/sleep 0.05; done'")})
    o.wait_state("tick", "active", "running")
    usable(o)
    wait_for(lambda: count.exists() and count.stat().st_size > 0, what="the ticks")
    r = o.cli("freeze", "tick")
    assert r.returncode == 0 and r.stdout.startswith("tick: frozen"), r.stdout + r.stderr
    rec = o.record("tick")
    assert rec["freezer"] == "frozen"
    pids = [p["pid"] for p in rec["processes"]]
    assert "frozen 1" in open(f"{unified_mount()}{rec['cgroup']}/cgroup.events").read()
    # each waits in the freezer's trap (inlined into get_signal on recent kernels), or a shell that vforked in
    # the wait for its child (a frozen wait: wait_for_vfork_done, inlined into kernel_clone). The kernel counts a
    # task frozen just before it leaves the CPU, and its wchan reads 0 until it has: wait for that, not once
    traps = ("do_freezer_trap", "get_signal", "wait_for_vfork_done", "kernel_clone")
    wchans = lambda: {p: open(f"/proc/{p}/wchan").read() for p in pids}
    assert pids
    try:
        wait_for(lambda: all(w in traps for w in wchans().values()), timeout=5, what="the freezer's wait")
    except AssertionError:
        raise AssertionError(f"not each in the freezer's wait: {wchans()}")
    assert "(frozen)" in o.cli("status", "tick").stdout
    size = count.stat().st_size
    r = o.cli("thaw", "tick")
    assert r.returncode == 0 and r.stdout.startswith("tick: thawed"), r.stdout + r.stderr
    wait_for(lambda: count.stat().st_size > size, what="ticks again after the thaw")
    assert o.cli("freeze", "tick").returncode == 0
    r = o.cli("stop", "tick")
    assert r.returncode == 0 and "stopped (inactive, dead)" in r.stdout
    r = o.cli("freeze", "tick")
    assert r.returncode != 0 and "freezing needs one" in r.stderr


LIMITS = """MemoryMin=1M
MemoryLow=2M
MemoryHigh=50%
MemoryMax=512M
MemorySwapMax=0
CPUWeight=200
CPUQuota=150%
CPUQuotaPeriodSec=50ms
AllowedCPUs=0-1 3
TasksMax=64
IOWeight=300
IOReadBandwidthMax=/ 10M
IOWriteIOPSMax=/ 1000
OOMPolicy=kill
"""


def test_resource_control_written_as_cgroupfs_takes_it(oya, tmp_path):
    """The files and values each resource-control key becomes, checked in a directory shaped like cgroupfs
    (--cgroup-root, for tests); a controller it lacks (cpuset here) is said once as not applied."""
    root = tmp_path / "cgroot"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpu io memory pids\n")
    o = oya({"lim": unit("/bin/sleep infinity", LIMITS)}, extra_args=["--cgroup-root", str(root)])
    o.wait_state("lim", "active", "running")
    d = root / "lim.service"
    wait_for(lambda: (d / "io.max").exists(), what="the files")
    phys = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    got = {f.name: f.read_text() for f in d.iterdir()}
    dev = os.stat("/").st_dev
    assert got == {
        "memory.min": "1048576\n", "memory.low": "2097152\n", "memory.high": f"{phys // 100 * 50}\n",
        "memory.max": "536870912\n", "memory.swap.max": "0\n", "cpu.weight": "200\n",
        "cpu.max": "75000 50000\n", "pids.max": "64\n", "io.weight": "default 300\n",
        "io.max": f"{os.major(dev)}:{os.minor(dev)} rbps=10485760\n{os.major(dev)}:{os.minor(dev)} wiops=1000\n",
        "memory.oom.group": "1\n",
    }, got
    wait_for(lambda: "lim: AllowedCPUs= not applied: the cpuset controller is not available" in o.err(),
             what="the cpuset key said as not applied")
    assert o.err().count("AllowedCPUs= not applied") == 1
    assert "  Processes:" in o.cli("status", "lim").stdout  # tracked by /proc: the test root is not cgroupfs


def test_resource_control_without_the_controller_is_said(oya):
    """On this hierarchy (v2 beside v1 controllers) no controller is free for oya: MemoryMax= is said not
    applied, naming the controller, and the service runs."""
    o = oya({"m": unit("/bin/sleep infinity", "MemoryMax=64M")})
    o.wait_state("m", "active", "running")
    usable(o)
    controllers = open(f"{unified_mount()}/cgroup.controllers").read().split()
    if "memory" in controllers:
        pytest.skip("the memory controller is available here: the limit applies (see the cgroupfs test)")
    wait_for(lambda: "m: MemoryMax= not applied: the memory controller is not available" in o.err(),
             what="MemoryMax= said as not applied")


HOG = "/usr/bin/python3 -c 'x = bytearray(1 << 30)'"


@pytest.mark.parametrize("policy,result", [("stop", "oom-kill"), ("kill", "oom-kill"), ("continue", "signal")])
def test_oom_kill_for_real(oya, policy, result):
    """A service over its MemoryMax= is killed by the kernel's OOM killer: with OOMPolicy=stop (the default)
    or kill it ends with Result: oom-kill and its log says why; with continue the main process's SIGKILL is
    a plain Result: signal (as systemd's TEST-32-OOMPOLICY). Needs the memory controller in oya's subtree."""
    top = unified_mount()
    if not top or "memory" not in open(f"{top}/cgroup.controllers").read().split():
        pytest.skip("the memory controller is not in the cgroup v2 hierarchy here (bound to v1): no OOM kill "
                    "can be caused within a service's cgroup")
    o = oya({"hog": unit(HOG, f"MemoryMax=32M\nMemorySwapMax=0\nOOMPolicy={policy}")})
    usable(o)
    wait_for(lambda: o.cli("status", "hog").stdout.count("inactive (dead)") + o.cli("status", "hog").stdout.count(
        "failed (Result") > 0, what="the hog to end")
    said = re.search(r"hog: MemoryMax= not applied: (.*)", o.err())
    if said:
        pytest.skip(f"the memory controller does not reach oya's subtree: {said.group(1)}")
    text = o.cli("status", "hog").stdout
    assert f"Result: {result}" in text, text
    # every policy logs the kill; only what it does to the service differs
    assert "a process of the service was killed by the OOM killer" in o.cli("logs", "hog").stdout


DELEGATED = """#!/bin/sh
# a delegated service's own subtree, as a container runtime makes one: a worker in a cgroup of its own
d={mount}$(sed -n 's/^0:://p' /proc/self/cgroup)
mkdir "$d/worker" || exit 71
/bin/sh -c 'echo $$ > "$1/worker/cgroup.procs" && exec /bin/sleep 1000' worker "$d" &
exec /bin/sleep 1001
"""


@pytest.mark.parametrize("delegate", [True, False])
def test_delegate_gives_the_user_its_subtree(oya, unpriv_user, open_tmp, delegate):
    """Delegate=yes: the service's cgroup and its cgroup.procs, cgroup.threads and cgroup.subtree_control
    belong to its User=, so it can make cgroups below its own and move its processes there; those are
    still the service's (status lists them, a stop ends them) and the whole subtree goes when it stops.
    Without Delegate= the unprivileged user cannot make one (exit 71)."""
    top = unified_mount()
    if not top or not os.access(top, os.W_OK):
        pytest.skip("needs a writable cgroup2 hierarchy")
    script = open_tmp / "delegated.sh"
    script.write_text(DELEGATED.format(mount=top))
    script.chmod(0o755)
    extra = f"User={unpriv_user.pw_name}\n" + ("Delegate=yes\n" if delegate else "")
    o = oya({"rt": unit(str(script), extra)})
    usable(o)
    if not delegate:
        o.wait_state("rt", "failed", "failed")
        assert "status=71" in o.cli("status", "rt").stdout
        return
    try:
        o.wait_state("rt", "active", "running")
    except AssertionError:
        raise AssertionError(o.cli("status", "rt").stdout + o.err())
    text = ""

    def both_listed():
        nonlocal text
        text = o.cli("status", "rt").stdout
        return "sleep 1000" in text and "sleep 1001" in text
    wait_for(both_listed, what="the worker in rt.service/worker listed as the service's")
    cg = re.search(r"^     CGroup: (\S+)", text, re.M).group(1)
    d = f"{top}{cg}"
    st = os.stat(d)
    assert (st.st_uid, st.st_gid) == (unpriv_user.pw_uid, unpriv_user.pw_gid)
    for f in ("cgroup.procs", "cgroup.threads", "cgroup.subtree_control"):
        assert os.stat(f"{d}/{f}").st_uid == unpriv_user.pw_uid, f
    assert os.stat(f"{d}/cgroup.events").st_uid == 0  # the rest stays root's
    worker = [int(x) for x in open(f"{d}/worker/cgroup.procs").read().split()]
    assert len(worker) == 1 and psutil.Process(worker[0]).cmdline() == ["/bin/sleep", "1000"]
    o.cli("stop", "rt", check=True)
    assert not psutil.pid_exists(worker[0]) or psutil.Process(worker[0]).status() == psutil.STATUS_ZOMBIE
    wait_for(lambda: not os.path.exists(d), what="the service's cgroup and its worker cgroup removed")


def test_daemons_born_while_two_starts_ran_belong_by_their_cgroup(oya):
    """Two Type=forking services start at once (all of a machine's enabled units do); each daemon leaves
    the session and the environment and is orphaned to oya while both starts run. Its cgroup says whose it
    is, and the other start command, exited but not reaped yet (a zombie is in no cgroup's list), is no
    orphan: no "left to neither", and each service guesses its own main process."""
    start = ("/bin/sh -c 'setsid env -i /bin/sh -c \"exec /bin/sleep {n}\" >/dev/null 2>&1 </dev/null & "
             "sleep 0.5; exit 0'")
    o = oya({"a": unit(start.format(n=2001), "Type=forking"), "b": unit(start.format(n=2002), "Type=forking")})
    for name, n in (("a", "2001"), ("b", "2002")):
        rec = o.wait_state(name, "active", "running")
        usable(o)
        assert psutil.Process(rec["main_pid"]).cmdline() == ["/bin/sleep", n], name
    assert "appeared while the starts of" not in o.err()
