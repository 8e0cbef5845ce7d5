"""Where oya runs without the capabilities a container drops: privileged settings do what systemd 252
does then (go on with a warning, "assuming containerized execution"), and every step of a start that
fails is reported by its name and systemd's exit code."""
import os
import shutil
import subprocess

import psutil
import pytest

from conftest import unit, wait_for

# oya as root without what Docker's default capability set lacks (and so without CAP_SYS_RESOURCE,
# CAP_SYS_ADMIN, CAP_SYS_NICE)
DOCKER_CAPS = ("chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,net_raw,sys_chroot,"
               "mknod,audit_write,setfcap")
AS_IN_DOCKER = ["setpriv", "--inh-caps=-all", "--bounding-set=-all," + ",".join("+" + c for c in DOCKER_CAPS.split(","))]


def setpriv_works():
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return "needs root and setpriv (util-linux)"
    r = subprocess.run(AS_IN_DOCKER + ["true"], capture_output=True, text=True)
    return None if r.returncode == 0 else f"setpriv cannot drop capabilities here: {r.stderr.strip()}"


needs_setpriv = pytest.mark.skipif(setpriv_works() is not None, reason=str(setpriv_works()))


@needs_setpriv
def test_oom_score_adjust_without_cap_sys_resource_goes_on(oya, tmp_path):
    """postgresql@'s and rabbitmq's units lower their OOM score; in a container that cannot, systemd
    starts them anyway, and so does oya, saying so once."""
    o = oya({"db": unit("/bin/sleep infinity", "OOMScoreAdjust=-900")}, wrap=AS_IN_DOCKER)
    rec = o.wait_state("db", "active", "running")
    wait_for(lambda: "could not set the OOM score adjustment" in o.err(), what="the warning")
    assert "going on without it" in o.err()
    assert open(f"/proc/{rec['main_pid']}/oom_score_adj").read().strip() == "0"


@needs_setpriv
def test_private_tmp_without_cap_sys_admin_goes_on(oya, tmp_path):
    o = oya({"m": unit("/bin/sleep infinity", "PrivateTmp=yes")}, wrap=AS_IN_DOCKER)
    o.wait_state("m", "active", "running")
    wait_for(lambda: "could not set up the private /tmp" in o.err(), what="the warning")


@needs_setpriv
def test_ambient_capabilities_outside_the_bounding_set_are_left_out(oya, tmp_path):
    """mariadb's unit asks for CAP_IPC_LOCK, which Docker does not give: as systemd (since 246), the
    service runs with the ambient capabilities the bounding set holds, and oya says so."""
    o = oya({"db": unit("/bin/sleep infinity", "User=nobody\nAmbientCapabilities=CAP_IPC_LOCK CAP_NET_BIND_SERVICE")},
            wrap=AS_IN_DOCKER)
    rec = o.wait_state("db", "active", "running")
    status = dict(line.split(":", 1) for line in open(f"/proc/{rec['main_pid']}/status").read().splitlines())
    assert int(status["CapAmb"], 16) == 1 << 10  # CAP_NET_BIND_SERVICE; CAP_IPC_LOCK (14) is not there
    wait_for(lambda: "could not raise every ambient capability" in o.err(), what="the warning")


@needs_setpriv
def test_daemon_of_a_user_service_is_found_without_cap_sys_ptrace(oya, unpriv_user):
    """In Docker, root has no CAP_SYS_PTRACE and cannot read another user's environment (INVOCATION_ID):
    a daemon a User= service starts later in a session of its own (rabbitmq's epmd) is still the service's,
    by its user, when one running service runs as that user; status shows it, stop ends it."""
    o = oya({"mq": unit("/bin/sh -c '/usr/bin/setsid -f /bin/sleep 1000; exec /bin/sleep infinity'",
                        f"User={unpriv_user.pw_name}")}, wrap=AS_IN_DOCKER)
    rec = o.wait_state("mq", "active", "running")
    daemon = wait_for(lambda: [p for p in psutil.Process(o.pid).children() if p.cmdline() == ["/bin/sleep", "1000"]],
                      what="the daemon, adopted by oya")[0]
    assert daemon.pid == os.getsid(daemon.pid) and daemon.uids().real == unpriv_user.pw_uid
    # root as in Docker cannot read the daemon's environment: no INVOCATION_ID to go by
    r = subprocess.run(AS_IN_DOCKER + ["cat", f"/proc/{daemon.pid}/environ"], capture_output=True, timeout=30)
    assert r.returncode != 0 and b"Permission denied" in r.stderr
    wait_for(lambda: daemon.pid in [p["pid"] for p in o.record("mq")["processes"]], what="the daemon in status")
    assert o.cli("stop", "mq").returncode == 0
    assert not daemon.is_running() or daemon.status() == psutil.STATUS_ZOMBIE


@needs_setpriv
def test_nice_without_cap_sys_nice_fails_by_name(oya):
    o = oya({"n": unit("/bin/sleep infinity", "Nice=-5")}, wrap=AS_IN_DOCKER)
    rec = o.wait_state("n", "failed")
    assert "status=201/NICE" in rec["exec_error"], rec["exec_error"]


@pytest.mark.parametrize("setting,status", [
    ("CPUAffinity=1000", "215/CPUAFFINITY"),
    ("WorkingDirectory=/nonexistent/dir", "200/CHDIR"),
    ("StandardOutput=file:/nonexistent/dir/out", "209/STDOUT"),
])
def test_failed_steps_are_named(oya, setting, status):
    """Every step of a start reports its own failure (the ones added last were once "garbled")."""
    o = oya({"s": unit("/bin/sleep infinity", setting)})
    rec = o.wait_state("s", "failed")
    assert f"status={status}" in rec["exec_error"] and "garbled" not in rec["exec_error"], rec["exec_error"]


def test_forking_start_that_failed_fails_at_once(oya, tmp_path):
    """postgresql@'s unit: Type=forking, `ExecStart=-...`, TimeoutStartSec=0. When the start command fails
    and leaves no process and no PID file, the start fails at once (Result: protocol), as systemd's does,
    instead of waiting forever."""
    body = f"Type=forking\nPIDFile={tmp_path}/never.pid\nTimeoutStartSec=0\n"
    o = oya({"pg": unit("-/bin/false", body)})
    rec = o.wait_state("pg", "failed", timeout=20)
    assert rec["result"] == "protocol"
    r = o.cli("start", "pg", timeout=20)
    assert r.returncode != 0


class ReadOnlyOya:
    """oya up (default socket, no XDG_RUNTIME_DIR) in a mount namespace of the test's own where the given
    directories are read-only, as in a container with a read-only root filesystem."""

    def __init__(self, tmp_path, read_only):
        from conftest import OYA
        if os.geteuid() != 0 or subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode != 0:
            pytest.skip("needs root and mount namespaces")
        units = tmp_path / "units"
        units.mkdir()
        (units / "web.service").write_text(unit("/bin/sleep infinity"))
        self.err_path = tmp_path / "err"
        self.env = {k: v for k, v in os.environ.items() if k not in ("OYA_SOCKET", "XDG_RUNTIME_DIR")}
        ro = " && ".join(f"mount --bind {d} {d} && mount -o remount,bind,ro {d}" for d in read_only)
        self.proc = subprocess.Popen(["unshare", "--mount", "sh", "-c", f"{ro} && exec {OYA} up {units}"],
                                     stdout=subprocess.DEVNULL, stderr=open(self.err_path, "wb"),
                                     stdin=subprocess.DEVNULL, env=self.env)

    def err(self):
        return self.err_path.read_text()

    def wait_said(self, text):
        wait_for(lambda: text in self.err() or self.proc.poll() is not None, what=text)
        assert self.proc.poll() is None, self.err()

    def stop(self):
        from conftest import end_adopted_orphans
        self.proc.send_signal(15)
        try:
            assert self.proc.wait(timeout=30) == 0, self.err()
        finally:
            end_adopted_orphans()


def test_read_only_run_falls_back_to_a_private_directory(tmp_path):
    """A read-only root filesystem (here /run made read-only in a mount namespace of the test's own):
    oya up still supervises, with its control socket in /tmp/oya-UID, and the client finds it there."""
    from conftest import OYA
    o = ReadOnlyOya(tmp_path, ["/run"])
    try:
        o.wait_said("the control socket is /tmp/oya-0/oya.sock instead")
        # the client, outside that namespace, finds nothing at /run/oya/oya.sock and looks further
        wait_for(lambda: "active (running)" in subprocess.run([OYA, "status", "web"], capture_output=True, text=True,
                                                               env=o.env, timeout=20).stdout,
                 what="oya status through the fallback socket")
    finally:
        o.stop()


def test_no_writable_place_supervises_without_a_socket(tmp_path):
    import psutil
    o = ReadOnlyOya(tmp_path, ["/run", "/tmp", "/dev/shm"])
    try:
        o.wait_said("supervising without one")
        wait_for(lambda: [c for c in psutil.Process(o.proc.pid).children() if c.name() == "sleep"], what="web to run")
    finally:
        o.stop()


def test_a_unit_that_fails_to_load_is_listed_with_its_error(oya):
    """As systemctl: the unit is there, LOAD bad-setting, and `oya status` shows the error with its file
    and line; starting it says why it cannot be."""
    import json
    o = oya({"good": unit("/bin/sleep infinity"), "bad": unit("/bin/sleep infinity", "Restart=sometimes")})
    o.wait_state("good", "active", "running")
    r = o.cli("list")
    line = [l for l in r.stdout.splitlines() if l.startswith("bad ")]
    assert line and "bad-setting" in line[0] and "inactive" in line[0], r.stdout
    r = o.cli("status", "bad")
    assert "Loaded: bad-setting" in r.stdout and "bad.service:" in r.stdout and "Restart=sometimes" in r.stdout, \
        r.stdout
    doc = json.loads(o.cli("status", "--json", "bad").stdout)
    assert doc["services"][0]["load"] == "bad-setting" and "Restart=sometimes" in doc["services"][0]["load_error"]
    r = o.cli("start", "bad.service")
    assert r.returncode != 0 and "did not load" in r.stderr, r.stderr


def test_sigpipe_is_ignored_unless_the_unit_says_no(oya, tmp_path):
    """IgnoreSIGPIPE= defaults to yes, as in systemd: a service writing to a closed pipe gets EPIPE."""
    probe = "/bin/sh -c 'grep ^SigIgn /proc/self/status > {}; exec sleep infinity'"
    o = oya({"dflt": unit(probe.format(tmp_path / "dflt")),
             "no": unit(probe.format(tmp_path / "no"), "IgnoreSIGPIPE=no")})
    wait_for(lambda: all((tmp_path / n).exists() and (tmp_path / n).read_text() for n in ("dflt", "no")),
             what="both probes")
    bit = 1 << (13 - 1)  # SIGPIPE
    assert int((tmp_path / "dflt").read_text().split()[1], 16) & bit
    assert not int((tmp_path / "no").read_text().split()[1], 16) & bit


def test_services_get_default_dispositions_even_for_libcs_own_signals(oya, tmp_path):
    """Ignored signals are inherited across exec. oya resets every one for a service, also the real-time
    signals glibc and musl keep for themselves (32, 33), which their signal() refuses to touch."""
    wrap = ("import ctypes, os, struct, sys\n"
            "sa = ctypes.create_string_buffer(struct.pack('QQQQ', 1, 0, 0, 0))  # SIG_IGN\n"
            "for sig in (32, 33):\n"
            "    assert ctypes.CDLL(None).syscall(13, sig, sa, None, 8) == 0  # rt_sigaction\n"
            "os.execv(sys.argv[1], sys.argv[1:])\n")
    probe = f"/bin/sh -c 'grep ^SigIgn /proc/self/status > {tmp_path / 'ign'}; exec sleep infinity'"
    oya({"probe": unit(probe)}, wrap=["/usr/bin/python3", "-c", wrap])
    wait_for(lambda: (tmp_path / "ign").exists() and (tmp_path / "ign").read_text(), what="the probe")
    assert int((tmp_path / "ign").read_text().split()[1], 16) == 1 << (13 - 1)  # SIGPIPE alone
