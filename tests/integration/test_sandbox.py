"""The file-system sandboxing of systemd.exec(5) that Debian's units ship (ProtectSystem= in 46 of them,
ProtectHome= in 40): ProtectSystem=, ProtectHome=, ReadWritePaths=, ReadOnlyPaths=, InaccessiblePaths=, in
the service's own mount namespace, checked by what a real process of the service can write and see. Nothing
of it may reach the machine, and nothing read-only may become writable."""
import os
import subprocess

import pytest

from conftest import unit, wait_for
from test_privilege import AS_IN_DOCKER, needs_setpriv

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mount namespaces need root")

# a oneshot that says, for each path given, whether it can create a file there, and what it sees in it
PROBE = ("/bin/sh -c 'for f in {paths}; do if touch $$f/.oya-probe 2>/dev/null; then echo \"$$f rw\"; "
         "rm -f $$f/.oya-probe; elif [ -d $$f ] && [ -r $$f ] && [ -n \"$$(ls -A $$f 2>/dev/null)\" ]; "
         "then echo \"$$f ro\"; elif [ -d $$f ]; then echo \"$$f empty\"; else echo \"$$f gone\"; fi; done'")


def probe(o, name):
    o.wait_state(name, "inactive", "dead")
    lines = [line.split(": ", 1)[-1] for line in o.cli("logs", name).stdout.splitlines()]
    return dict(line.rsplit(" ", 1) for line in lines if line.rsplit(" ", 1)[-1] in ("rw", "ro", "empty", "gone"))


def mounts():
    return open("/proc/self/mountinfo").read()


@needs_root
def test_protect_system_and_home_and_the_paths(oya, tmp_path):
    """strict: all read-only but /dev, /proc, /sys, the ReadWritePaths= and the service's own directories;
    ProtectControlGroups=: /sys/fs/cgroup read-only;
    full: /usr, /boot, /efi, /etc; yes: without /etc. ProtectHome=yes hides /root, read-only keeps it
    readable. A ReadOnlyPaths= inside a ReadWritePaths= is read-only, an InaccessiblePaths= empty; a symlink
    names where it leads; a '-' path may be missing."""
    rw, ro, hidden, target = (tmp_path / n for n in ("rw", "rw/ro", "hidden", "target"))
    for d in (rw, ro, hidden, target):
        d.mkdir(parents=True)
        (d / "x").write_text("x")
    (tmp_path / "link").symlink_to(target)
    before = mounts()
    paths = f"/etc /usr /var/lib/oya-sb /tmp /dev/shm /root {rw} {ro} {hidden} {target}"
    o = oya({"strict": unit(PROBE.format(paths=paths),
                            f"Type=oneshot\nProtectSystem=strict\nProtectHome=yes\nStateDirectory=oya-sb\n"
                            f"ReadWritePaths={rw} -/nonexistent/path\nReadOnlyPaths={ro} "
                            f"{tmp_path}/link\nInaccessiblePaths={hidden}"),
             "full": unit(PROBE.format(paths=f"/etc /usr /var/lib/oya-sb {rw}"),
                          "Type=oneshot\nProtectSystem=full\nProtectHome=read-only\nStateDirectory=oya-sb"),
             "yes": unit(PROBE.format(paths="/etc /usr"), "Type=oneshot\nProtectSystem=yes"),
             "home": unit(PROBE.format(paths="/root"), "Type=oneshot\nProtectHome=read-only"),
             "tmp": unit(PROBE.format(paths="/tmp /var/tmp /etc"), "Type=oneshot\nProtectSystem=strict\nPrivateTmp=yes"),
             "cg": unit(f"/bin/sh -c 'mkdir /sys/fs/cgroup/oya-sb-probe{os.getpid()} || echo cgroups read-only'",
                        "Type=oneshot\nProtectControlGroups=yes")})
    try:
        # /tmp is read-only too without PrivateTmp=, as in systemd; what the test made below it is named
        assert probe(o, "strict") == {"/etc": "ro", "/usr": "ro", "/var/lib/oya-sb": "rw", "/tmp": "ro",
                                      "/dev/shm": "rw", "/root": "empty", str(rw): "rw", str(ro): "ro",
                                      str(hidden): "empty", str(target): "ro"}
        assert probe(o, "full") == {"/etc": "ro", "/usr": "ro", "/var/lib/oya-sb": "rw", str(rw): "rw"}
        assert probe(o, "yes") == {"/etc": "rw", "/usr": "ro"}
        assert probe(o, "home")["/root"] in ("ro", "empty")  # root's home may be empty on a CI machine
        # PrivateTmp='s fresh /tmp and /var/tmp are writable under strict
        assert probe(o, "tmp") == {"/tmp": "rw", "/var/tmp": "rw", "/etc": "ro"}
        o.wait_state("cg", "inactive", "dead")
        assert "cgroups read-only" in o.cli("logs", "cg").stdout
    finally:
        subprocess.run(["rm", "-rf", "/var/lib/oya-sb"])
        if os.path.isdir(f"/sys/fs/cgroup/oya-sb-probe{os.getpid()}"):
            os.rmdir(f"/sys/fs/cgroup/oya-sb-probe{os.getpid()}")
    # none of it reached the machine
    assert mounts() == before
    for d in (rw, ro, hidden, target):
        (d / "y").write_text("y")


@needs_root
def test_a_missing_path_fails_the_start_by_name(oya, tmp_path):
    o = oya({"m": unit("/bin/true", "Type=oneshot\nReadWritePaths=/nonexistent/oya-rw")})
    rec = o.wait_state("m", "failed")
    assert rec["exec_error"] == "ReadWritePaths=/nonexistent/oya-rw: No such file or directory", rec["exec_error"]


@needs_root
def test_nothing_read_only_becomes_writable(oya, tmp_path):
    """ReadWritePaths= keeps what is writable writable; a mount that is read-only on the machine stays so
    (a read-only root in a container, a read-only bind)."""
    ro = tmp_path / "ro-mount"
    ro.mkdir()
    (ro / "x").write_text("x")
    subprocess.run(["mount", "--bind", str(ro), str(ro)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], check=True)
        o = oya({"p": unit(PROBE.format(paths=str(ro)), f"Type=oneshot\nProtectSystem=strict\nReadWritePaths={ro}")})
        assert probe(o, "p") == {str(ro): "ro"}
    finally:
        subprocess.run(["umount", str(ro)], check=True)


@needs_root
def test_plus_runs_outside_the_sandbox(oya, tmp_path):
    """'+' commands get none of it, as systemd's: ExecStartPre=+ writes where the service cannot."""
    d = tmp_path / "d"
    d.mkdir()
    o = oya({"p": unit(f"/bin/sh -c 'touch {d}/main || echo main denied'",
                       f"Type=oneshot\nReadOnlyPaths={d}\nExecStartPre=+/bin/touch {d}/pre")})
    o.wait_state("p", "inactive", "dead")
    assert (d / "pre").exists() and not (d / "main").exists()
    assert "main denied" in o.cli("logs", "p").stdout


@needs_setpriv
def test_without_cap_sys_admin_it_goes_on_without_the_sandbox(oya, tmp_path):
    """In a container without CAP_SYS_ADMIN there is no mount namespace to make: as for PrivateTmp=, the
    service runs without the sandboxing, and oya says so once."""
    o = oya({"m": unit("/bin/sleep infinity", "ProtectSystem=strict\nProtectHome=yes\nPrivateDevices=yes")},
            wrap=AS_IN_DOCKER)
    o.wait_state("m", "active", "running")
    wait_for(lambda: "could not make paths read-only or inaccessible" in o.err(), what="the warning")
    wait_for(lambda: "could not set up the private /dev (PrivateDevices=)" in o.err(), what="the /dev warning")


@needs_root
def test_private_devices(oya, tmp_path):
    """PrivateDevices=: a /dev of its own, read-only and noexec, with the API devices (null, zero, full,
    random, urandom, tty), the machine's pts, shm, mqueue, hugepages, ptmx, the usual symlinks, no disk or
    kmsg; /dev/shm stays writable; CAP_MKNOD and CAP_SYS_RAWIO leave the bounding set."""
    out = tmp_path / "out"
    before = mounts()
    o = oya({"d": unit(f"/bin/sh -c 'ls -A /dev > {out}; echo x > /dev/null && echo null-ok; "
                       "touch /dev/oya-x 2>/dev/null || echo dev-read-only; "
                       "echo x > /dev/shm/oya-pd-probe && rm /dev/shm/oya-pd-probe && echo shm-ok; "
                       "grep CapBnd /proc/self/status'", "Type=oneshot\nPrivateDevices=yes")})
    o.wait_state("d", "inactive", "dead")
    seen = set(out.read_text().split())
    expected = {"null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts", "shm", "fd", "stdin", "stdout",
                "stderr"}
    machine = set(os.listdir("/dev"))
    expected |= {name for name in ("mqueue", "hugepages") if name in machine}
    expected |= {"core"} if os.path.exists("/proc/kcore") else set()
    expected |= {"log"} if os.path.lexists("/dev/log") else set()
    assert seen == expected, (seen, expected)
    assert mounts() == before  # the machine's /dev is as it was
    logs = o.cli("logs", "d").stdout
    assert "null-ok" in logs and "dev-read-only" in logs and "shm-ok" in logs, logs
    bounding = int(logs.split("CapBnd:")[1].split()[0], 16)
    assert not bounding & (1 << 27) and not bounding & (1 << 17)  # CAP_MKNOD, CAP_SYS_RAWIO


@needs_root
def test_protect_kernel_tunables(oya, tmp_path):
    """ProtectKernelTunables=: /proc/sys, /sys and the rest of systemd's table read-only (still readable),
    /proc/kallsyms empty; the machine's are untouched."""
    before = mounts()
    o = oya({"k": unit("/bin/sh -c 'echo 1 > /proc/sys/vm/drop_caches 2>/dev/null || echo sysctl read-only; "
                       "touch /sys/oya-probe 2>/dev/null || echo sys read-only; "
                       "echo kallsyms $$(head -c 64 /proc/kallsyms | wc -c); cat /proc/sys/kernel/ostype'",
                       "Type=oneshot\nProtectKernelTunables=yes")})
    o.wait_state("k", "inactive", "dead")
    logs = o.cli("logs", "k").stdout
    for said in ("sysctl read-only", "sys read-only", "kallsyms 0", "Linux"):
        assert said in logs, logs
    assert mounts() == before
    assert open("/proc/kallsyms").read(1)  # the machine's still reads


@needs_root
def test_protect_kernel_modules_logs_clock_and_hostname(oya, tmp_path):
    """ProtectKernelModules= (/lib/modules empty, no CAP_SYS_MODULE), ProtectKernelLogs= (/proc/kmsg reads
    nothing, no CAP_SYSLOG), ProtectClock= (no CAP_SYS_TIME, CAP_WAKE_ALARM), ProtectHostname= (a UTS
    namespace of its own: the hostname it sets is its own)."""
    host_uts = os.readlink("/proc/self/ns/uts")
    host_name = open("/proc/sys/kernel/hostname").read().strip()
    script = ("ls -A /lib/modules 2>/dev/null | wc -l | sed s/^/modules-/; "
              "timeout 5 cat /proc/kmsg | wc -c | sed s/^/kmsg-/; grep CapBnd /proc/self/status; "
              f"if [ \"$$(readlink /proc/self/ns/uts)\" != \"{host_uts}\" ]; then hostname oya-sandbox-probe; "
              "echo name-$$(hostname); fi")
    o = oya({"p": unit(f"/bin/sh -c '{script}'", "Type=oneshot\nProtectKernelModules=yes\nProtectKernelLogs=yes\n"
                                                 "ProtectClock=yes\nProtectHostname=yes")})
    o.wait_state("p", "inactive", "dead")
    logs = o.cli("logs", "p").stdout
    assert "modules-0" in logs and "kmsg-0" in logs and "name-oya-sandbox-probe" in logs, logs
    bounding = int(logs.split("CapBnd:")[1].split()[0], 16)
    for cap in (16, 34, 25, 35):  # CAP_SYS_MODULE, CAP_SYSLOG, CAP_SYS_TIME, CAP_WAKE_ALARM
        assert not bounding & (1 << cap), hex(bounding)
    assert open("/proc/sys/kernel/hostname").read().strip() == host_name
