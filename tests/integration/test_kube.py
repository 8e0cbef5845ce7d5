"""The Pod manifests of docs/containers.md, run for real with `podman kube play` (Debian's podman and runc,
a local image imported from a tarball: busybox-static and build/oya-static). The probe example: the pod
starts, its liveness probe (podman's healthcheck) and readiness command pass while the services run and
fail once one is down. The --failure-action=exit example: a critical service failing for good makes the
container exit with that service's status."""
import json
import os
import re
import shutil
import subprocess
import tarfile
import uuid

import pytest

from conftest import ROOT, wait_for
from test_podman import PODMAN, STATIC, reap_conmon, why_not

DOC = ROOT / "docs" / "containers.md"
# a database that runs until told to fail (by a file), exiting 9 as the doc's example says
DB = "[Service]\nExecStart=/bin/sh -c 'while [ ! -e /tmp/fail ]; do sleep 0.1; done; exit 9'\n"


def podman(*args, timeout=120):
    # root here cannot raise RLIMIT_NOFILE past its hard limit (no CAP_SYS_RESOURCE): kube play takes the
    # limits from containers.conf, as `podman run --ulimit` would
    return subprocess.run(PODMAN + list(args), capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, CONTAINERS_CONF=str(CONF)))


CONF = None


def manifests():
    text = DOC.read_text()
    return [m for m in re.findall(r"```yaml\n(.*?)```", text, re.S) if "kind: Pod" in m]


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    global CONF
    reason = why_not() or (None if shutil.which("catatonit") or os.path.exists("/usr/libexec/podman/catatonit")
                           else "catatonit (the pods' pause process) is not installed (scripts/deps.sh installs it)")
    if reason:
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("kube")
    CONF = work / "containers.conf"
    CONF.write_text('[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n')
    root = work / "rootfs"
    for d in ("bin", "etc/oya", "run", "tmp", "proc", "sys", "dev"):
        (root / d).mkdir(parents=True, exist_ok=True)
    shutil.copy(shutil.which("busybox") or "/bin/busybox", root / "bin" / "busybox")
    for applet in ("sh", "sleep", "true", "test", "touch"):
        os.symlink("busybox", root / "bin" / applet)
    shutil.copy(STATIC, root / "oya")
    for name in ("web", "worker"):
        (root / "etc" / "oya" / f"{name}.service").write_text("[Service]\nExecStart=/bin/sleep 100000\n")
    (root / "etc" / "oya" / "db.service").write_text(DB)
    tar = work / "rootfs.tar"
    with tarfile.open(tar, "w") as t:
        t.add(root, arcname=".")
    name = f"localhost/oya-kube-{uuid.uuid4().hex[:8]}:latest"
    r = podman("import", str(tar), name)
    if r.returncode != 0:
        pytest.skip(f"podman cannot import an image here: {r.stderr.strip()}")
    yield name, work
    podman("rmi", "-f", name)
    reap_conmon()


def play(image, work, manifest, **changes):
    """kube play the doc's manifest with the local image and a pod name of its own; -> (pod, container)"""
    name, _ = image
    pod = "oya-" + uuid.uuid4().hex[:8]
    text = manifest.replace("registry.example/shop:1", name)
    text = re.sub(r"(?m)^  name: .*$", f"  name: {pod}", text, count=1)
    for key, value in changes.items():
        text = re.sub(rf"(?m)^  {key}: .*$", f"  {key}: {value}", text)
    path = work / f"{pod}.yaml"
    path.write_text(text)
    r = podman("kube", "play", "--network", "none", str(path), timeout=180)
    assert r.returncode == 0, r.stderr
    container = f"{pod}-{re.search(r'(?m)^  - name: (.*)$', text).group(1)}"
    return pod, container, path


def test_probes_of_the_doc_pod(image):
    manifest = next(m for m in manifests() if "livenessProbe" in m)
    pod, ctr, path = play(image, image[1], manifest)
    try:
        readiness = re.search(r"readinessProbe:.*?command: (\[.*?\])", manifest, re.S).group(1)
        ready = json.loads(readiness)

        def probe_ok():
            return podman("exec", ctr, *ready).returncode == 0
        wait_for(probe_ok, timeout=60, what="the readiness probe to pass")
        assert podman("healthcheck", "run", ctr).returncode == 0  # the liveness probe, as podman runs it
        assert podman("exec", ctr, "/oya", "stop", "web").returncode == 0
        assert podman("exec", ctr, *ready).returncode == 3  # web is down: not ready
        assert podman("healthcheck", "run", ctr).returncode != 0
    finally:
        podman("pod", "rm", "-f", "-t", "0", pod)


def test_critical_failure_exits_the_container(image):
    manifest = next(m for m in manifests() if "--failure-action=exit" in m)
    pod, ctr, path = play(image, image[1], manifest, restartPolicy="Never")
    try:
        def running():
            return podman("exec", ctr, "/oya", "status", "db").returncode == 0
        try:
            wait_for(running, timeout=60, what="db to run")
        except AssertionError:
            r = podman("exec", ctr, "/oya", "status", "db")
            raise AssertionError(f"{r.stdout}{r.stderr}; {podman('ps', '-a').stdout}; {podman('logs', ctr).stderr}")
        assert podman("exec", ctr, "/bin/touch", "/tmp/fail").returncode == 0

        def exited():
            st = json.loads(podman("inspect", ctr).stdout)[0]["State"]
            return st if st["Status"] == "exited" else None
        st = wait_for(exited, timeout=60, what="the container to exit")
        assert st["ExitCode"] == 9, st
        logs = podman("logs", ctr).stdout + podman("logs", ctr).stderr
        assert "db: --failure-action=exit: stopping every service" in logs, logs
    finally:
        podman("pod", "rm", "-f", "-t", "0", pod)
