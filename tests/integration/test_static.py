"""The static build (make static): one statically linked file with every subcommand."""
import os
import struct
import subprocess

import pytest

from conftest import unit, wait_for

STATIC = os.environ.get("OYA_STATIC")
pytestmark = pytest.mark.skipif(not STATIC, reason="OYA_STATIC is not set (make check builds and sets it)")


def test_is_static_and_stripped():
    data = open(STATIC, "rb").read()
    assert data[:4] == b"\x7fELF"
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    kinds = [struct.unpack_from("<I", data, phoff + i * phentsize)[0] for i in range(phnum)]
    assert 3 not in kinds  # no PT_INTERP: no dynamic loader
    assert 2 not in kinds  # no PT_DYNAMIC: no shared library
    assert b".symtab" not in data  # stripped


def test_every_subcommand_runs(tmp_path):
    assert subprocess.run([STATIC, "init", "-s", "--", "/bin/sh", "-c", "exit 9"]).returncode == 9
    ps = subprocess.run([STATIC, "ps", "-o", "pid,comm", "-p", "1"], capture_output=True, text=True)
    assert ps.stdout.splitlines()[0].split() == ["PID", "COMMAND"]
    ref = subprocess.run(["pstree", "-p", "1"], capture_output=True)
    assert subprocess.run([STATIC, "tree", "-p", "1"], capture_output=True).returncode == ref.returncode
    (tmp_path / "u").mkdir()
    (tmp_path / "u" / "s.service").write_text(unit("/bin/sleep infinity"))
    sock = tmp_path / "s.sock"
    assert subprocess.run([STATIC, "verify", str(tmp_path / "u" / "s.service")]).returncode == 0
    up = subprocess.Popen([STATIC, "--socket", str(sock), "up", "--log-dir", str(tmp_path / "logs"), str(tmp_path / "u")], stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: subprocess.run([STATIC, "--socket", str(sock), "status", "s"],
                                        capture_output=True).returncode == 0, what="the service")
        assert subprocess.run([STATIC, "--socket", str(sock), "list"], capture_output=True).returncode == 0
    finally:
        up.terminate()
        assert up.wait(timeout=30) == 0
