"""Ordering and requirements between units with real processes: After=/Before= at start and (reversed) at
stop, Requires=, Wants=, BindsTo=, PartOf=, Requisite=, Conflicts=, .target units, targets oya does not
have, and an ordering cycle (reported and broken, never a hang)."""
import signal

import psutil

from conftest import unit, wait_for


def stamp(path):
    return f"date +%%s.%%N >> {path}"  # %% : a literal % in a unit file


def slow_oneshot(path, secs=0.5):
    """a oneshot that takes secs to finish, then writes when it did"""
    return unit(f"/bin/sh -c 'sleep {secs}; {stamp(path)}'", "Type=oneshot\nRemainAfterExit=yes")


def times(path):
    return [float(x) for x in path.read_text().split()] if path.exists() else []


def test_after_orders_the_start(oya, tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    o = oya({
        "a": slow_oneshot(a),
        "b": unit(f"/bin/sh -c '{stamp(b)}; exec sleep infinity'", unit_extra="After=a.service"),
        "c": unit(f"/bin/sh -c '{stamp(c)}; exec sleep infinity'"),  # unordered: starts at once
    })
    o.wait_state("b", "active", "running")
    wait_for(lambda: times(a) and times(b) and times(c), what="the stamps")
    assert times(b)[0] >= times(a)[0]
    assert times(c)[0] < times(a)[0]


def test_before_is_the_other_side(oya, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    o = oya({
        "a": unit(f"/bin/sh -c 'sleep 0.5; {stamp(a)}'", "Type=oneshot\nRemainAfterExit=yes",
                  unit_extra="Before=b.service"),
        "b": unit(f"/bin/sh -c '{stamp(b)}; exec sleep infinity'"),
    })
    o.wait_state("b", "active", "running")
    wait_for(lambda: times(b), what="b's stamp")
    assert times(b)[0] >= times(a)[0]


def test_stop_runs_in_reverse_order(oya, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    stopper = "trap '{} ; exit 0' TERM; while :; do sleep 0.05; done"
    o = oya({
        "a": unit("/bin/sh -c \"" + stopper.format(stamp(a)) + "\""),
        "b": unit("/bin/sh -c \"" + stopper.format(f"sleep 0.4; {stamp(b)}") + "\"", unit_extra="After=a.service"),
    })
    o.wait_state("a", "active", "running")
    o.wait_state("b", "active", "running")
    assert o.stop() == 0
    assert times(a)[0] >= times(b)[0]  # b (after a) went down first, although it took longer


def test_requires_pulls_in_and_fails_with_its_requirement(oya, tmp_path):
    o = oya({
        "db": unit("/bin/sleep infinity"),
        "app": unit("/bin/sleep infinity", unit_extra="Requires=db.service\nAfter=db.service"),
        "bad": unit("/bin/sh -c 'exit 1'", "Type=oneshot"),
        "needs-bad": unit("/bin/sleep infinity", unit_extra="Requires=bad.service\nAfter=bad.service"),
        "wants-bad": unit("/bin/sleep infinity", unit_extra="Wants=bad.service\nAfter=bad.service"),
        "needs-ghost": unit("/bin/sleep infinity", unit_extra="Requires=ghost.service"),
    })
    o.wait_state("app", "active", "running")
    rec = o.wait_state("needs-bad", "failed")
    assert rec["result"] == "dependency"
    o.wait_state("wants-bad", "active", "running")  # Wants= does not care
    assert o.wait_state("needs-ghost", "failed")["result"] == "dependency"
    # stopping what app requires stops app too; starting app starts it again
    o.cli("stop", "db", check=True)
    assert o.state("app")[0] == "inactive"
    r = o.cli("start", "app")
    assert r.returncode == 0
    assert o.state("db") == ("active", "running")


def test_requisite_and_conflicts(oya, tmp_path):
    o = oya({
        "base": unit("/bin/sleep infinity"),
        "req": unit("/bin/sleep infinity", unit_extra="Requisite=base.service"),
        "rival": unit("/bin/sleep infinity", unit_extra="Conflicts=base.service"),
    })
    # rival conflicts with base: whichever start came last wins; bring base up alone first
    o.cli("start", "base")
    o.wait_state("base", "active", "running")
    assert o.state("rival")[0] in ("inactive", "failed")
    o.cli("stop", "req")
    assert o.cli("start", "req").returncode == 0  # base is up: Requisite= holds
    o.cli("stop", "req", "base", check=True)
    r = o.cli("start", "req")
    assert r.returncode == 1 and o.record("req")["result"] == "dependency"  # not pulled in: refused
    assert o.cli("start", "base").returncode == 0
    assert o.cli("start", "rival").returncode == 0
    wait_for(lambda: o.state("base")[0] == "inactive", what="Conflicts= to stop base")


def test_binds_to_and_part_of(oya, tmp_path):
    o = oya({
        "core": unit("/bin/sleep infinity"),
        "bound": unit("/bin/sleep infinity", unit_extra="BindsTo=core.service\nAfter=core.service"),
        "part": unit("/bin/sleep infinity", unit_extra="PartOf=core.service"),
    })
    for n in ("core", "bound", "part"):
        o.wait_state(n, "active", "running")
    part_pid = o.main_pid("part")
    assert o.cli("restart", "core").returncode == 0
    wait_for(lambda: o.main_pid("part") not in (0, part_pid), what="PartOf= to restart part")
    psutil.Process(o.main_pid("core")).send_signal(signal.SIGKILL)  # core goes down by itself
    o.wait_state("core", "failed")
    o.wait_state("bound", "inactive")  # BindsTo=: down with it
    assert o.state("part")[0] == "active"  # PartOf= follows only stops and restarts of core


def test_targets_and_targets_oya_does_not_have(oya, tmp_path):
    o = oya({
        "web": unit("/bin/sleep infinity", unit_extra="After=network-online.target app-ready.target\n"
                                                      "Wants=network-online.target"),
    })
    o.wait_state("web", "active", "running")  # network-online.target: not there, taken as reached
    # a .target given to oya: a synchronisation point with no process
    (o.units / "app.target").write_text("[Unit]\nDescription=The app\nWants=web.service\n")
    o.proc.send_signal(signal.SIGHUP)
    rec = o.wait_state("app.target", "active")
    assert rec["type"] == "target" and rec["main_pid"] == 0


def test_ordering_cycle_is_broken(oya, tmp_path):
    o = oya({
        "x": unit("/bin/sleep infinity", unit_extra="After=y.service"),
        "y": unit("/bin/sleep infinity", unit_extra="After=z.service"),
        "z": unit("/bin/sleep infinity", unit_extra="After=x.service"),
    })
    for n in ("x", "y", "z"):
        o.wait_state(n, "active", "running")
    assert "ordering cycle: " in o.err() and "to break it" in o.err()
    assert o.stop() == 0


def test_verify_notes_targets_taken_as_reached(tmp_path):
    import subprocess
    from conftest import OYA
    (tmp_path / "web.service").write_text("[Unit]\nAfter=network-online.target app.target db.service\n"
                                          "Wants=network-online.target\n[Service]\nExecStart=/bin/true\n")
    (tmp_path / "app.target").write_text("[Unit]\nDescription=app\n")
    r = subprocess.run([OYA, "verify", str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0
    assert r.stderr == (f"oya: {tmp_path}/web.service: note: network-online.target: not given to oya, "
                        "taken as reached\n")
