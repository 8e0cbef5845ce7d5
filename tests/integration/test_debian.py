"""Real daemons from their own Debian unit files, unmodified: nginx (Type=forking, PIDFile=, ExecStartPre=,
ExecReload=, ExecStop=), redis-server (Type=notify, User=, RuntimeDirectory=, sandboxing keys) and
postgresql's template (Type=forking, OOMScoreAdjust=, ReloadPropagatedFrom=, PartOf=, RequiresMountsFor=,
AssertPathExists=), with oya as PID 1 of a PID namespace. scripts/deps.sh installs them; their postinst
starts nothing (policy-rc.d)."""
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from conftest import OYA, wait_for

NGINX = Path("/lib/systemd/system/nginx.service")
REDIS = Path("/lib/systemd/system/redis-server.service")
PG = Path("/lib/systemd/system/postgresql.service")
PG_AT = Path("/lib/systemd/system/postgresql@.service")
# the capabilities Docker leaves root by default (no CAP_SYS_RESOURCE: OOMScoreAdjust= cannot be set)
DOCKER_CAPS = ("chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,net_raw,sys_chroot,"
               "mknod,audit_write,setfcap")
AS_IN_DOCKER = ["setpriv", "--inh-caps=-all", "--bounding-set=-all," + ",".join("+" + c for c in DOCKER_CAPS.split(","))]


def port_busy(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def why_skip():
    if os.geteuid() != 0:
        return "the daemons' units need root (User=redis, /run)"
    for f in (NGINX, REDIS):
        if not f.exists():
            return f"{f} is missing: scripts/deps.sh installs nginx and redis-server"
    for port in (80, 6379):
        if port_busy(port):
            return f"port {port} is already in use on this machine"
    r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"], capture_output=True)
    if r.returncode != 0:
        return f"unshare --pid fails here: {r.stderr.decode()}"
    return None


pytestmark = pytest.mark.skipif(why_skip() is not None, reason=str(why_skip()))


class Pid1:
    """oya up as PID 1 of a new PID namespace, with the shipped unit files."""

    def __init__(self, tmp_path, units, wrap=()):
        self.sock = tmp_path / "oya.sock"
        self.log = open(tmp_path / "oya.out", "wb")
        self.out = tmp_path / "oya.out"
        self.proc = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", *wrap, OYA, "--socket",
                                      str(self.sock), "up", "--log-dir", str(tmp_path / "logs"), "--syslog=none",
                                      *map(str, units)],
                                     stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL, env=dict(os.environ, NO_COLOR="1"))
        self.pid = None

        def pid1():
            kids = psutil.Process(self.proc.pid).children()
            if kids and kids[0].name() == "oya":  # (setpriv, when it wraps oya, execs it)
                self.pid = kids[0].pid
            return self.pid and self.sock.exists()
        wait_for(pid1, what="oya as PID 1")

    def cli(self, *args):
        """oya inside the namespace (as `docker exec` would run it): PIDs are the namespace's."""
        return subprocess.run(["nsenter", "-t", str(self.pid), "-p", "-m", OYA, "--socket", str(self.sock), *args],
                              capture_output=True, text=True, timeout=120, env=dict(os.environ, NO_COLOR="1"))

    def wait_active(self, name):
        wait_for(lambda: self.cli("status", name).returncode == 0, timeout=30, what=f"{name} to be active")

    def below(self):
        return psutil.Process(self.pid).children(recursive=True)

    def close(self):
        if self.proc.poll() is None:
            if self.pid:
                os.kill(self.pid, signal.SIGKILL)  # ends everything in the namespace
            self.proc.wait(timeout=30)
        self.log.close()


@pytest.fixture
def pid1(tmp_path):
    made = []

    def start(units, wrap=()):
        p = Pid1(tmp_path, units, wrap)
        made.append(p)
        return p
    yield start
    for p in made:
        p.close()


def ns_pid_of(path):
    return int(Path(path).read_text().strip())


def test_nginx_and_redis_from_their_own_unit_files(pid1):
    p = pid1([NGINX, REDIS])
    p.wait_active("nginx")
    p.wait_active("redis-server")

    # nginx answers, and oya knows its master process from /run/nginx.pid
    with urllib.request.urlopen("http://127.0.0.1/", timeout=10) as r:
        assert r.status == 200
    st = p.cli("status", "nginx")
    master_ns = ns_pid_of("/run/nginx.pid")
    assert f"Main PID: {master_ns} (nginx)" in st.stdout, st.stdout

    # redis answers PING; it reported READY=1 and its STATUS= over the notify socket, as User=redis
    with socket.create_connection(("127.0.0.1", 6379), timeout=10) as s:
        s.sendall(b"PING\r\n")
        assert s.recv(64) == b"+PONG\r\n"
    st = p.cli("status", "redis")  # Alias=redis.service
    assert st.returncode == 0
    assert "redis-server - Advanced key-value store" in st.stdout
    assert 'Status: "Ready to accept connections' in st.stdout
    assert f"Main PID: {ns_pid_of('/run/redis/redis-server.pid')} (redis-server)" in st.stdout
    redis = [q for q in p.below() if q.name() == "redis-server"][0]
    status = open(f"/proc/{redis.pid}/status").read()
    assert "NoNewPrivs:\t1" in status and "CapBnd:\t0000000000000000" in status  # applied for real
    # and its file-system sandbox (ProtectSystem=strict, PrivateDevices=, ...): / read-only, a /dev of its own
    mountinfo = open(f"/proc/{redis.pid}/mountinfo").read().splitlines()
    root = [line.split() for line in mountinfo if line.split()[4] == "/"][-1]
    assert root[5].split(",")[0] == "ro", root
    theirs = set(os.listdir(f"/proc/{redis.pid}/root/dev"))
    assert "null" in theirs and "urandom" in theirs and not theirs & {"kmsg", "mem", "loop0", "sda", "vda"}, theirs
    run_redis = os.stat("/run/redis")
    assert (run_redis.st_mode & 0o7777) == 0o2755 and run_redis.st_uid == psutil.Process(
        [q for q in p.below() if q.name() == "redis-server"][0].pid).uids().real

    # oya reload nginx: the master stays, its workers are replaced
    master = [q for q in p.below() if q.name() == "nginx" and "master" in " ".join(q.cmdline())][0]
    workers = {q.pid for q in master.children()}
    r = p.cli("reload", "nginx")
    assert r.returncode == 0, r.stdout + r.stderr
    wait_for(lambda: {q.pid for q in master.children()} and not ({q.pid for q in master.children()} & workers),
             timeout=30, what="new nginx workers")
    assert master.is_running()
    assert p.cli("status", "nginx").returncode == 0

    # oya stop ends every process of each
    daemons = [q for q in p.below() if q.name() in ("nginx", "redis-server")]
    assert len(daemons) >= 3
    r = p.cli("stop", "nginx", "redis")
    assert r.returncode == 0, r.stdout + r.stderr
    for q in daemons:
        assert not q.is_running() or q.status() == psutil.STATUS_ZOMBIE, f"{q.pid} {q.name()} is left"
    assert not port_busy(80) and not port_busy(6379)
    assert not Path("/run/redis").exists()  # RuntimeDirectory= goes with the service
    out = p.out.read_text()
    line = [x for x in out.splitlines() if "redis-server.service: not applied (systemd settings oya does not carry out" in x]
    assert line and "SystemCallFilter" in line[0] and "RestrictAddressFamilies" in line[0], out
    assert not any(k in line[0] for k in ("PrivateDevices", "ProtectSystem", "ProtectHome", "ReadWritePaths",
                                          "ProtectKernelTunables", "ProtectControlGroups"))  # those are applied

    # SIGTERM to PID 1: exit 0, nothing left
    os.kill(p.pid, signal.SIGTERM)
    assert p.proc.wait(timeout=60) == 0


def pg_cluster():
    """The first cluster the postgresql package made (15/main on bookworm), as the instance name 15-main"""
    confs = sorted(Path("/etc/postgresql").glob("*/*/postgresql.conf"))
    return f"{confs[0].parent.parent.name}-{confs[0].parent.name}" if confs else None


@pytest.mark.skipif(not PG_AT.exists() or not pg_cluster() or port_busy(5432),
                    reason="needs postgresql's units and a cluster (scripts/deps.sh installs postgresql), port 5432 free")
def test_postgresql_from_its_own_units_without_docker_dropped_capabilities(pid1):
    # as in a Docker container: root without CAP_SYS_RESOURCE, so OOMScoreAdjust=-900 cannot be set; systemd
    # goes on ("assuming containerized execution"), and so does oya, saying it once
    inst = pg_cluster()
    p = pid1([PG, PG_AT], wrap=AS_IN_DOCKER)
    assert "CapBnd:\t00000000a80425fb" in open(f"/proc/{p.pid}/status").read()
    r = p.cli("start", f"postgresql@{inst}")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "started (active, running)" in r.stdout
    q = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-h", "/run/postgresql", "-Atc", "select 6*7"],
                       capture_output=True, text=True, timeout=60)
    assert q.stdout == "42\n", q.stderr
    st = p.cli("status", f"postgresql@{inst}").stdout
    postmaster = [q for q in p.below() if q.name() == "postgres" and q.ppid() == p.pid]
    assert len(postmaster) == 1
    assert f"Main PID: {ns_pid_of(f'/run/postgresql/{inst}.pid')} (postgres)" in st, st
    assert "checkpointer" in st  # its workers are the service's processes

    # reload postgresql (a oneshot that remains active) reaches the instance: ReloadPropagatedFrom=
    r = p.cli("reload", "postgresql")
    assert r.returncode == 0, r.stdout + r.stderr
    wait_for(lambda: f"postgresql@{inst}: reloaded" in p.out.read_text(), what="the instance's reload")
    assert postmaster[0].is_running()
    out = p.out.read_text()
    assert out.count("could not set the OOM score adjustment: Permission denied; going on without it") == 1, out

    # stop postgresql stops the instance (PartOf=), and nothing of it is left
    everything = [q for q in p.below() if q.name() == "postgres"]
    r = p.cli("stop", "postgresql")
    assert r.returncode == 0, r.stdout + r.stderr
    wait_for(lambda: p.cli("status", f"postgresql@{inst}").stdout.find("inactive (dead)") >= 0,
             what="the instance to stop with postgresql")
    for q in everything:
        assert not q.is_running() or q.status() == psutil.STATUS_ZOMBIE, f"{q.pid} {q.cmdline()} is left"
    assert not port_busy(5432)
    assert "postgresql: stopped" in p.out.read_text()
    os.kill(p.pid, signal.SIGTERM)
    assert p.proc.wait(timeout=60) == 0


# The shipped units oya cannot load, and why; every other .service under /lib/systemd/system must load.
NOT_LOADED = {
    "systemd-exit.service": "no ExecStart=",  # only SuccessAction=exit-force
    "systemd-poweroff.service": "no ExecStart=",
    "systemd-reboot.service": "no ExecStart=",
}


def test_verify_every_shipped_unit():
    """oya verify over /lib/systemd/system: no crash, every diagnostic names its file (and line where there is
    one), and exactly the units in NOT_LOADED fail to load, for the reasons given."""
    files = sorted(Path("/lib/systemd/system").glob("*.service"))
    r = subprocess.run([OYA, "verify", *map(str, files)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    for line in r.stderr.splitlines():
        assert line.startswith("oya: /lib/systemd/system/"), line
    failed = {}
    for f in files:
        one = subprocess.run([OYA, "verify", str(f)], capture_output=True, text=True, timeout=30)
        assert one.returncode in (0, 1), one.stderr
        if one.returncode:
            failed[f.name] = one.stderr
    expected = {name for name in NOT_LOADED if (Path("/lib/systemd/system") / name).exists()}
    assert set(failed) == expected, {k: v.splitlines()[-1] for k, v in failed.items() if k not in expected}
    for name in expected:
        assert NOT_LOADED[name] in failed[name]
    loaded = len(files) - len(failed)
    assert loaded == len(files) - len(expected) and loaded >= 100, f"{loaded} of {len(files)} load"
