"""Condition*=/Assert*= of systemd 252, ExecCondition=, RequiresMountsFor= and DefaultDependencies=.
`oya condition` is compared with `systemd-analyze condition` (systemd 252, package systemd) on this
machine, expression by expression: both must say the same of every one. Then the same checks gate real
service starts."""
import os
import platform
import random
import shutil
import socket
import subprocess

import pytest

from conftest import OYA, unit

ANALYZE = shutil.which("systemd-analyze")


def outcome(cmd, expr, env):
    return subprocess.run([*cmd, expr], capture_output=True, text=True, env=env, timeout=30).returncode


def differences(exprs, env):
    assert ANALYZE, "systemd-analyze (package systemd) is missing: scripts/deps.sh installs it"
    bad = []
    for e in exprs:
        want = outcome([ANALYZE, "condition"], e, env)
        got = outcome([OYA, "condition"], e, env)
        if want != got:
            bad.append(f"{e}: systemd-analyze {'holds' if want == 0 else 'fails'}, oya {'holds' if got == 0 else 'fails'}")
    return bad


@pytest.fixture
def tree(tmp_path):
    d = tmp_path / "d"
    (d / "full").mkdir(parents=True)
    (d / "empty").mkdir()
    (d / "full" / "x").write_text("")
    (d / "emptyfile").write_text("")
    (d / "file").write_text("hi\n")
    (d / "file").chmod(0o755)
    (d / "dangling").symlink_to("/nonexistent")
    (d / "link").symlink_to("file")
    g = d / "g"
    (g / "sub1").mkdir(parents=True)
    (g / ".hid").mkdir()
    (g / "sub1" / "a.conf").write_text("")
    (g / "b.txt").write_text("")
    (g / "we*ird").write_text("")
    return d


def test_every_condition_agrees_with_systemd_analyze(tree):
    d, g = str(tree), str(tree / "g")
    host, rel = socket.gethostname(), platform.release()
    paths = ["/etc", "/nonexist", f"{d}/full", f"{d}/empty", f"{d}/file", f"{d}/emptyfile", f"{d}/dangling",
             f"{d}/link", "/proc", "/sys", "/dev/null", "/etc/hostname", "/", "/proc/sys"]
    exprs = []
    for k in ("PathExists", "PathIsDirectory", "PathIsSymbolicLink", "PathIsMountPoint", "PathIsReadWrite",
              "PathIsEncrypted", "DirectoryNotEmpty", "FileNotEmpty", "FileIsExecutable"):
        for p in paths:
            exprs += [f"Condition{k}={p}", f"Condition{k}=!{p}"]
    exprs += [f"ConditionPathExistsGlob={g}/{p}" for p in (
        "*/a.conf", "*/b.conf", "sub?/*.conf", "sub[0-9]/a.*", "sub[!1]/a.*", "*hid", ".h*", "{x,sub1}/a.conf",
        "{x,y}/a.conf", "we\\*ird", "b.[tx]xt", "[b].txt", "B.txt", "/sub1//a.conf", "sub1/")]
    exprs += [
        "ConditionNeedsUpdate=/etc", "ConditionNeedsUpdate=/var", "ConditionNeedsUpdate=/proc",
        "ConditionFirstBoot=yes", "ConditionFirstBoot=no", "ConditionFirstBoot=maybe",
        "ConditionKernelCommandLine=quiet", "ConditionKernelCommandLine=console", "ConditionKernelCommandLine=ro",
        "ConditionKernelCommandLine=nonsense_word_xyz", "ConditionKernelCommandLine=a=b",
        f"ConditionKernelVersion={rel}", "ConditionKernelVersion=>=4", "ConditionKernelVersion=<4",
        "ConditionKernelVersion=[0-9]*", "ConditionKernelVersion=1.*", "ConditionKernelVersion=>4 <100",
        "ConditionKernelVersion=>4 >100", f"ConditionKernelVersion=={rel}", f"ConditionKernelVersion=!={rel}",
        "ConditionKernelVersion=$=[0-9]*", "ConditionKernelVersion=!$=[0-9]*", "ConditionKernelVersion=*-*",
        "ConditionCredential=foo", "ConditionCredential=a/b",
        "ConditionArchitecture=x86-64", "ConditionArchitecture=arm64", "ConditionArchitecture=native",
        "ConditionArchitecture=foo",
        "ConditionFirmware=uefi", "ConditionFirmware=device-tree", "ConditionFirmware=nonsense",
        "ConditionFirmware=smbios-field(board_name = x)", "ConditionFirmware=device-tree-compatible(x)",
        "ConditionVirtualization=yes", "ConditionVirtualization=no", "ConditionVirtualization=vm",
        "ConditionVirtualization=container", "ConditionVirtualization=docker", "ConditionVirtualization=kvm",
        "ConditionVirtualization=podman", "ConditionVirtualization=qemu", "ConditionVirtualization=private-users",
        f"ConditionHost={host}", f"ConditionHost={host.upper()}", "ConditionHost=nothere", "ConditionHost=*",
        "ConditionHost=?*", "ConditionHost=0123456789abcdef0123456789abcdef",
        "ConditionACPower=true", "ConditionACPower=false", "ConditionACPower=maybe",
        *[f"ConditionSecurity={s}" for s in ("selinux", "apparmor", "smack", "ima", "tomoyo", "audit",
                                              "uefi-secureboot", "tpm2", "cvm", "nonsense")],
        *[f"ConditionCapability={c}" for c in ("CAP_SYS_ADMIN", "cap_chown", "CAP_FOO", "CAP_BPF",
                                                "CAP_CHECKPOINT_RESTORE", "CAP_SYS_RESOURCE")],
        *[f"ConditionControlGroupController={c}" for c in ("v1", "v2", "memory", "cpu", "io", "cpu memory",
                                                            "pids", "blkio", "cpuacct", "nonsense",
                                                            "nonsense memory", "bpf-firewall")],
        *[f"ConditionMemory={m}" for m in ("1K", ">=1E", "<1E", "1.5G", ">1T", "x", "<=100", "=1", "!=1")],
        *[f"ConditionCPUs={c}" for c in ("1", ">1", "<=2", "2", "==2", "!=2", "$=2", ">1000", "x", "<1")],
        *[f"ConditionCPUFeature={f}" for f in (
            "fpu", "sse2", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "aes", "rdrand", "rdseed", "bmi1", "bmi2",
            "adx", "sha_ni", "lm", "lahf_lm", "abm", "constant_tsc", "syscall", "rdtscp", "osxsave", "xsave",
            "movbe", "popcnt", "f16c", "cx16", "pni", "avx512f", "pclmulqdq", "fma", "x2apic", "nonsense")],
        *[f"ConditionOSRelease={o}" for o in (
            "ID=debian", "ID!=debian", "VERSION_ID>=11", "VERSION_ID>11.5", "VERSION_ID<12", "ID$=deb*",
            "ID=deb*", "NOPE=x", "NOPE!=x", "ID", "FOO=", "ID=debian VERSION_ID=12", "ID=debian VERSION_ID=11",
            "ID!$=deb*", "VERSION_CODENAME=bookworm")],
        *[f"ConditionUser={u}" for u in ("0", "root", "nobody", "65534", "@system", "nosuchuser")],
        *[f"ConditionGroup={g}" for g in ("0", "root", "nogroup", "nosuch")],
        *[f"ConditionEnvironment={e}" for e in ("HOME", "OYA_CT=a b", "OYA_CT=a", "OYA_C", "NOPE_X")],
        *[f"Condition{r}Pressure={v}" for r in ("Memory", "CPU", "IO")
          for v in ("0%", "100%", "50%/10sec", "50%/1min", "5", "5%/2min", "0.5%", "-.slice:50%")],
    ]
    env = dict(os.environ, OYA_CT="a b")
    bad = differences(exprs, env)
    assert not bad, f"{len(bad)} of {len(exprs)} differ:\n" + "\n".join(bad)


def test_version_order_agrees_with_systemd_analyze():
    # versions near the running kernel's release, each compared four ways: the UAPI version order
    rel = platform.release()
    rnd = random.Random(12)
    alphabet = "0123456789.-~^_abzAZ"
    versions = set()
    while len(versions) < 60:
        s = list(rel)
        for _ in range(rnd.randint(1, 3)):
            i = rnd.randrange(len(s) + 1)
            op = rnd.choice("ids")
            if op == "i":
                s.insert(i, rnd.choice(alphabet))
            elif i < len(s):
                if op == "d":
                    del s[i]
                else:
                    s[i] = rnd.choice(alphabet)
        v = "".join(s)
        if v and v[0] not in "<>=!$":
            versions.add(v)
    exprs = [f"ConditionKernelVersion={op}{v}" for v in sorted(versions) for op in ("<", ">", "<=", ">=")]
    bad = differences(exprs, dict(os.environ))
    assert not bad, "\n".join(bad)


def test_condition_command_usage():
    r = subprocess.run([OYA, "condition", "ConditionNonsense=1"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and 'cannot parse "ConditionNonsense=1"' in r.stderr
    r = subprocess.run([OYA, "condition", "ConditionUser=|nobody", "ConditionUser=|root", "AssertPathExists=/"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0
    assert r.stdout == ("AssertPathExists=/ succeeded.\nAsserts succeeded.\nConditionUser=|nobody failed.\n"
                        "ConditionUser=|root succeeded.\nConditions succeeded.\n")


def test_new_conditions_gate_the_start(oya, tmp_path):
    flag = tmp_path / "started"
    o = oya({
        "env": unit(f"/bin/sh -c 'touch {flag}; exec sleep infinity'",
                    unit_extra="ConditionEnvironment=OYA_TEST_NEVER_SET"),
        "cmdline": unit("/bin/sleep infinity", unit_extra="ConditionKernelCommandLine=nonsense_word_xyz"),
        "mine": unit("/bin/sleep infinity", unit_extra=f"ConditionUser=root\nConditionCapability=CAP_CHOWN\n"
                                                      f"ConditionPathExistsGlob={tmp_path}/oya*/units/*.service\n"
                                                      "ConditionKernelVersion=>=3\nConditionCPUs=>=1"),
        "old": unit("/bin/sleep infinity", unit_extra="AssertKernelVersion=<3"),
    })
    o.wait_state("mine", "active", "running")
    rec = o.record("env")
    assert (rec["active"], rec["result"]) == ("inactive", "success")
    assert rec["condition"] == "ConditionEnvironment=OYA_TEST_NEVER_SET was not met"
    assert not flag.exists()
    assert o.record("cmdline")["condition"] == "ConditionKernelCommandLine=nonsense_word_xyz was not met"
    rec = o.record("old")
    assert rec["condition_kind"] == "assert" and rec["condition"] == "AssertKernelVersion=<3 was not met"
    r = o.cli("start", "old")
    assert r.returncode == 1 and "AssertKernelVersion=<3 was not met" in r.stderr


def test_exec_condition_skips_goes_on_or_fails(oya, tmp_path):
    ran = tmp_path / "ran"
    o = oya({
        "skip": unit(f"/bin/sh -c 'touch {ran}; exec sleep infinity'",
                     "ExecCondition=/bin/true\nExecCondition=/bin/sh -c 'exit 1'\nRestart=always"),
        "go": unit("/bin/sleep infinity", "ExecCondition=/bin/true\nExecCondition=-/bin/false"),
        "fail": unit("/bin/sleep infinity", "ExecCondition=/bin/sh -c 'exit 255'"),
    })
    o.wait_state("go", "active", "running")
    o.wait_state("fail", "failed")
    assert o.record("fail")["result"] == "exit-code"
    rec = o.wait_state("skip", "inactive", "dead")
    assert rec["result"] == "success" and rec["condition"] == "ExecCondition= exited with status 1"
    assert not ran.exists()
    assert "start condition unmet, skipped" in o.cli("status", "skip").stdout
    r = o.cli("start", "skip")
    assert r.returncode == 0 and "start skipped" in r.stdout
    assert o.state("skip") == ("inactive", "dead") and not ran.exists()  # Restart=always does not retry it


def test_requires_mounts_for_needs_only_the_mounts_of_fstab(oya, tmp_path):
    """As systemd: RequiresMountsFor= requires the mount units on the path, and a path no mount unit covers
    needs nothing: lldpd names /run/lldpd, which it makes itself. (An fstab mount point on the path that is
    not mounted skips the start: tests/unit/test_unit.c, with an fstab of its own.)"""
    there = tmp_path / "data"
    there.mkdir()
    made = tmp_path / "made-by-the-daemon"
    o = oya({
        "ok": unit("/bin/sleep infinity", unit_extra=f"RequiresMountsFor={there} / /proc/self"),
        "makes-it": unit(f"/bin/sh -c 'mkdir {made}; exec sleep infinity'", unit_extra=f"RequiresMountsFor={made}"),
    })
    o.wait_state("ok", "active", "running")
    rec = o.wait_state("makes-it", "active", "running")
    assert not rec.get("condition")
    assert made.is_dir()


def test_default_dependencies_order_after_sysinit_target(oya, tmp_path):
    # sysinit.target wants setup (a target comes after what it wants); app, with the default dependencies,
    # requires sysinit.target and comes after it: it finds the flag setup leaves, and stops with the target
    flag = tmp_path / "set-up"
    o = oya({
        "sysinit.target": "[Unit]\nDescription=System Initialization\nWants=setup.service\n",
        "setup": unit(f"/bin/sh -c 'sleep 1; touch {flag}'", "Type=oneshot\nRemainAfterExit=yes",
                      unit_extra="DefaultDependencies=no"),
        "app": unit(f"/bin/sh -c 'test -e {flag} && exec sleep infinity'"),
        "early": unit(f"/bin/sh -c 'test ! -e {flag} && exec sleep infinity'", unit_extra="DefaultDependencies=no"),
    })
    o.wait_state("app", "active", "running")
    assert o.state("early")[0] == "active"  # no default dependencies: started at once, before the flag
    assert o.cli("stop", "sysinit.target").returncode == 0
    o.wait_state("app", "inactive", "dead")  # Requires=sysinit.target carries the stop
    assert o.state("early")[0] == "active"
