"""Type=dbus against a real dbus-daemon (a private system bus for each test): the service is up once its
BusName= has an owner, as in systemd; a clean exit before that is a protocol failure; a name that never
comes is a start timeout; with no bus to connect to, the service runs as Type=simple with one warning;
and once nothing waits, oya holds no connection to the bus."""
import os
import shutil
import subprocess

import psutil
import pytest

from conftest import unit, wait_for

DAEMON = shutil.which("dbus-daemon")
pytestmark = pytest.mark.skipif(not DAEMON or subprocess.run(["/usr/bin/python3", "-c", "import dbus"]).returncode,
                                reason="needs dbus-daemon and python3-dbus (scripts/deps.sh installs them)")

CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={path}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""

# takes NAME once the file GO exists, then stays
TAKER = """import dbus, os, sys, time
bus = dbus.SystemBus()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.01)
bus.request_name(sys.argv[1])
time.sleep(1e6)
"""


def taker(tmp_path, name, go):
    script = tmp_path / "taker.py"
    script.write_text(TAKER)
    return f"/usr/bin/python3 {script} {name} {go}"


@pytest.fixture
def bus(tmp_path, monkeypatch):
    path = tmp_path / "system_bus_socket"
    conf = tmp_path / "bus.conf"
    conf.write_text(CONF.format(path=path))
    proc = subprocess.Popen([DAEMON, "--config-file", str(conf), "--nofork", "--nopidfile"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(path.exists, what="the bus socket")
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={path}")  # oya's, and so its services'
    yield path
    proc.terminate()
    proc.wait(timeout=30)


def owner(name):
    r = subprocess.run(["dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                        "org.freedesktop.DBus.NameHasOwner", f"string:{name}"], capture_output=True, text=True,
                       timeout=30)
    return "boolean true" in r.stdout


def on_bus(pid):
    """Whether process pid holds a connection to the bus (the bus knows each peer's PID)."""
    def call(method, *args):
        return subprocess.run(["dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.DBus",
                               "/org/freedesktop/DBus", f"org.freedesktop.DBus.{method}", *args],
                              capture_output=True, text=True, timeout=30).stdout
    names = [w.strip('"') for w in call("ListNames").split() if w.startswith('":')]
    for n in names:
        out = call("GetConnectionUnixProcessID", f"string:{n}").split()
        if out and out[-1] == str(pid):
            return True
    return False


def test_up_once_the_name_is_owned(oya, bus, tmp_path):
    go = tmp_path / "go"
    o = oya({"d": unit(taker(tmp_path, "org.oya.Test", go), "Type=dbus\nBusName=org.oya.Test")})
    o.wait_state("d", "activating", "start")
    wait_for(lambda: on_bus(o.pid), what="oya on the bus")
    assert o.state("d") == ("activating", "start") and not owner("org.oya.Test")
    go.write_text("")
    o.wait_state("d", "active", "running")
    assert owner("org.oya.Test")
    wait_for(lambda: not on_bus(o.pid), what="oya to leave the bus")  # nothing waits: no connection
    assert o.cli("stop", "d").returncode == 0


def test_name_owned_before_oya_asks(oya, bus, tmp_path):
    go = tmp_path / "go"
    go.write_text("")  # takes it at once: GetNameOwner answers, or NameOwnerChanged does
    o = oya({"d": unit(taker(tmp_path, "org.oya.Early", go), "Type=dbus\nBusName=org.oya.Early")})
    o.wait_state("d", "active", "running")


def test_clean_exit_before_the_name_is_a_protocol_failure(oya, bus):
    o = oya({"d": unit("/bin/true", "Type=dbus\nBusName=org.oya.Never")})
    rec = o.wait_state("d", "failed")
    assert rec["result"] == "protocol"


def test_name_that_never_comes_times_out(oya, bus, tmp_path):
    o = oya({"d": unit("/bin/sleep infinity", "Type=dbus\nBusName=org.oya.Late\nTimeoutStartSec=1s")})
    rec = o.wait_state("d", "failed")
    assert rec["result"] == "timeout"


def test_without_a_bus_it_runs_as_simple(oya, tmp_path, monkeypatch):
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus-here")
    o = oya({"d": unit("/bin/sleep infinity", "Type=dbus\nBusName=org.oya.Alone")})
    o.wait_state("d", "active", "running")
    wait_for(lambda: "it runs as Type=simple (BusName=org.oya.Alone is not waited for)" in o.err(),
             what="the warning")
    assert o.err().count("runs as Type=simple") == 1
    assert "no D-Bus bus to connect to (No such file or directory)" in o.err()
