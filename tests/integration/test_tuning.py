"""The process settings oya applies for real, seen in /proc: Nice=, OOMScoreAdjust=, CPUAffinity=,
IOSchedulingClass=, NoNewPrivileges=, PrivateTmp=, CapabilityBoundingSet=; where output goes
(StandardOutput=, StandardError=, SyslogIdentifier=); RestartPreventExitStatus= and RestartForceExitStatus=."""
import os
import uuid

import psutil
import pytest

from conftest import unit, wait_for


def status_field(pid, name):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(name + ":"):
            return line.split()[1]
    return None


def test_process_settings(oya):
    o = oya({"t": unit("/bin/sleep infinity",
                       "Nice=5\nOOMScoreAdjust=500\nCPUAffinity=0\nIOSchedulingClass=idle\nNoNewPrivileges=yes\n"
                       "CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_KILL")})
    rec = o.wait_state("t", "active", "running")
    p = psutil.Process(rec["main_pid"])
    assert p.nice() == 5
    assert open(f"/proc/{p.pid}/oom_score_adj").read().strip() == "500"
    assert p.cpu_affinity() == [0]
    assert p.ionice().ioclass == psutil.IOPRIO_CLASS_IDLE
    assert status_field(p.pid, "NoNewPrivs") == "1"
    assert int(status_field(p.pid, "CapBnd"), 16) == (1 << 10) | (1 << 5)


def test_private_tmp(oya):
    if os.geteuid() != 0:
        pytest.skip("a mount namespace needs root")
    name = "oya-private-" + uuid.uuid4().hex[:8]
    seen = f"/run/{name}.seen"  # outside /tmp, which the service sees as its own
    try:
        o = oya({"t": unit(f"/bin/sh -c 'ls -A /tmp > {seen}.part; mv {seen}.part {seen}; echo x > /tmp/{name}; "
                           "exec sleep infinity'", "PrivateTmp=yes")})
        o.wait_state("t", "active", "running")
        wait_for(lambda: os.path.exists(seen), what="the listing")
        assert open(seen).read() == ""  # a fresh, empty /tmp
        assert not os.path.exists(f"/tmp/{name}")  # its writes stay in its own /tmp
    finally:
        for f in (seen, seen + ".part"):
            if os.path.exists(f):
                os.unlink(f)


def test_output_destinations(oya, tmp_path):
    out = tmp_path / "out.log"
    out.write_text("old\n")
    o = oya({
        "app": unit("/bin/sh -c 'echo to-out; echo to-err >&2; exec sleep infinity'",
                    f"StandardOutput=append:{out}\nStandardError=null"),
        "quiet": unit("/bin/sh -c 'echo nothing; exec sleep infinity'", "StandardOutput=null"),
        "named": unit("/bin/sh -c 'echo hello; exec sleep infinity'", "SyslogIdentifier=webfront"),
    })
    for n in ("app", "quiet", "named"):
        o.wait_state(n, "active", "running")
    wait_for(lambda: out.read_text() == "old\nto-out\n", what="the appended line")
    wait_for(lambda: o.lines_of("webfront") == ["hello"], what="the line behind SyslogIdentifier=")
    assert o.lines_of("quiet") == [] and o.lines_of("app") == []
    assert "to-err" not in o.out()


def test_restart_prevent_and_force(oya):
    o = oya({
        "prevent": unit("/bin/sh -c 'exit 3'", "Restart=always\nRestartSec=0\nRestartPreventExitStatus=3"),
        "force": unit("/bin/sh -c 'sleep 0.2; exit 4'", "Restart=no\nRestartSec=0\nRestartForceExitStatus=4\n"
                                                       "StartLimitBurst=0"),
    })
    rec = o.wait_state("prevent", "failed")
    assert rec["restarts"] == 0
    wait_for(lambda: o.record("force")["restarts"] >= 2, what="forced restarts")


def test_ambient_capabilities_survive_user(oya):
    if os.geteuid() != 0:
        pytest.skip("User= and capabilities need root")
    o = oya({"t": unit("/bin/sleep infinity", "User=nobody\nAmbientCapabilities=CAP_NET_BIND_SERVICE")})
    rec = o.wait_state("t", "active", "running")
    p = psutil.Process(rec["main_pid"])
    assert p.uids().real != 0
    assert int(status_field(p.pid, "CapAmb"), 16) == 1 << 10
    assert int(status_field(p.pid, "CapEff"), 16) == 1 << 10
