"""`oya init` and `oya up` as PID 1 of a real container, beside tini: podman (Debian's podman and runc)
runs an image imported from a tarball (busybox-static, build/oya-static and tini-static; no registry).
Exit codes of `podman run`, the time and status of `podman stop` when a grandchild ignores SIGTERM,
`podman kill -s` forwarding, and `podman exec ... oya status` against `oya up` as PID 1."""
import json
import os
import shutil
import subprocess
import tarfile
import time
import uuid

import psutil
import pytest

from conftest import ROOT, wait_for

# what podman needs on these machines: root here lacks CAP_SYS_RESOURCE, crun refuses the hybrid cgroup
# layout, and there is no network to give a container
PODMAN = ["podman", "--cgroup-manager=cgroupfs", "--runtime=runc"]
RUN_OPTS = ["--network=none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]
STATIC = os.environ.get("OYA_STATIC", str(ROOT / "build" / "oya-static"))
INITS = {"oya": ["/oya", "init", "--"], "tini": ["/tini", "--"]}


def podman(*args, timeout=60, **kw):
    return subprocess.run(PODMAN + list(args), capture_output=True, text=True, timeout=timeout, **kw)


def why_not():
    if os.geteuid() != 0:
        return "podman runs containers as root in these tests"
    for tool in ("podman", "runc", "busybox", "tini-static"):
        if not shutil.which(tool) and not os.path.exists(f"/bin/{tool}"):
            return f"{tool} is not installed (scripts/deps.sh installs it)"
    if not os.path.exists(STATIC):
        return f"{STATIC} is not built (make static)"
    return None


def reap_conmon():
    """conmon, podman's monitor, double-forks and ends with its container: this test process (a subreaper)
    adopted it, so it waits for it to end and reaps it, instead of leaving it behind."""
    def conmon_running():
        running = False
        for c in psutil.Process().children():
            try:
                if c.name() != "conmon":
                    continue
                if c.status() == psutil.STATUS_ZOMBIE:
                    os.waitpid(c.pid, 0)
                else:
                    running = True
            except (psutil.NoSuchProcess, ChildProcessError):
                pass
        return running
    wait_for(lambda: not conmon_running(), timeout=30, what="conmon to end")


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    reason = why_not()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("rootfs")
    for d in ("bin", "etc/oya", "run", "tmp", "proc", "sys", "dev"):
        (root / d).mkdir(parents=True, exist_ok=True)
    shutil.copy(shutil.which("busybox") or "/bin/busybox", root / "bin" / "busybox")
    for applet in ("sh", "sleep", "true", "echo", "kill", "cat", "touch", "test"):
        os.symlink("busybox", root / "bin" / applet)
    shutil.copy(STATIC, root / "oya")
    shutil.copy(shutil.which("tini-static"), root / "tini")
    (root / "etc" / "oya" / "web.service").write_text("[Service]\nExecStart=/bin/sleep 1000\n")
    tar = tmp_path_factory.mktemp("image") / "rootfs.tar"
    with tarfile.open(tar, "w") as t:
        t.add(root, arcname=".")
    name = f"localhost/oya-test-{uuid.uuid4().hex[:8]}:latest"
    r = podman("import", str(tar), name, timeout=120)
    if r.returncode != 0:
        pytest.skip(f"podman cannot import an image here: {r.stderr.strip()}")
    probe = podman("run", "--rm", *RUN_OPTS, name, "/bin/true")
    if probe.returncode != 0:
        podman("rmi", "-f", name)
        pytest.skip(f"podman cannot start a container here: {probe.stderr.strip()}")
    yield name
    podman("rmi", "-f", name)
    reap_conmon()


class Container:
    def __init__(self, image, argv):
        self.name = "oya-test-" + uuid.uuid4().hex[:8]
        r = podman("run", "-d", "--name", self.name, *RUN_OPTS, image, *argv)
        assert r.returncode == 0, r.stderr

    def state(self):
        return json.loads(podman("inspect", self.name).stdout)[0]["State"]

    def has(self, path):
        return podman("exec", self.name, "/bin/test", "-e", path).returncode == 0

    def remove(self):
        podman("rm", "-f", "-t", "0", self.name)


@pytest.fixture
def container(image):
    made = []

    def start(argv):
        c = Container(image, argv)
        made.append(c)
        return c
    yield start
    for c in made:
        c.remove()


@pytest.mark.parametrize("init", list(INITS))
@pytest.mark.parametrize("script,code", [("exit 0", 0), ("exit 3", 3), ("kill -TERM $$", 143), ("kill -KILL $$", 137)])
def test_run_exit_codes(image, init, script, code):
    r = podman("run", "--rm", *RUN_OPTS, image, *INITS[init], "/bin/sh", "-c", script)
    assert r.returncode == code, r.stderr


@pytest.mark.parametrize("init", list(INITS))
def test_stop_with_a_grandchild_ignoring_sigterm(container, init):
    """`podman stop`: SIGTERM to PID 1; the command dies of it, a grandchild ignores it. The container
    stops at once with 143, not after podman's 10 s (which would end it with SIGKILL, 137)."""
    c = container(INITS[init] + ["/bin/sh", "-c", "sh -c \"trap '' TERM; touch /tmp/ready; sleep 100\" & exec sleep 100"])
    wait_for(lambda: c.has("/tmp/ready"), what="the grandchild's trap")
    t0 = time.monotonic()
    r = podman("stop", "-t", "10", c.name)
    took = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert c.state()["ExitCode"] == 143
    assert took < 5, f"podman stop took {took:.1f}s"


@pytest.mark.parametrize("init", list(INITS))
def test_kill_signal_is_forwarded(container, init):
    c = container(INITS[init] + ["/bin/sh", "-c", "trap 'exit 5' USR1; touch /tmp/ready; while :; do sleep 0.1; done"])
    wait_for(lambda: c.has("/tmp/ready"), what="the trap")
    assert podman("kill", "-s", "USR1", c.name).returncode == 0
    wait_for(lambda: not c.state()["Running"], what="the container to exit")
    assert c.state()["ExitCode"] == 5


def test_oya_up_as_pid1_answers_status(container):
    c = container(["/oya", "up", "/etc/oya"])
    wait_for(lambda: "active (running)" in podman("exec", c.name, "/oya", "status", "web").stdout,
             what="web to run under oya up as PID 1")
    t0 = time.monotonic()
    assert podman("stop", "-t", "10", c.name).returncode == 0
    assert time.monotonic() - t0 < 5
    assert c.state()["ExitCode"] == 0
