"""oya top: batch and JSON frames read against ps (states) and psutil (CPU over an interval, RSS), with and
without a running oya; the interactive screen driven in tmux as a person would (expand a service, sort,
filter, restart a service, resize, help, quit) and the terminal left as it was found."""
import json
import os
import shutil
import subprocess
import time

import psutil
import pytest

from conftest import OYA, unit, wait_for

BUSY = unit("/bin/sh -c 'while :; do :; done'")
IDLE = unit("/bin/sleep infinity")


def frames(sock, *args):
    r = subprocess.run([OYA, "--socket", str(sock), "top", "--json", *args], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def test_json_frames_agree_with_ps_and_psutil(oya):
    o = oya({"busy": BUSY, "idle": IDLE})
    busy = o.wait_state("busy", "active", "running")["main_pid"]
    idle = o.wait_state("idle", "active", "running")["main_pid"]
    bp = psutil.Process(busy)
    bp.cpu_percent(None)
    f = frames(o.sock, "-n", "2", "-d", "0.5")
    measured = bp.cpu_percent(None)  # over about the same half second
    assert len(f) == 2 and f[0]["oya"] and f[1]["interval_sec"] > 0.3
    svcs = {s["name"]: s for s in f[1]["services"]}
    b, i = svcs["busy"], svcs["idle"]
    assert b["main_pid"] == busy and b["active"] == "active" and b["sub"] == "running" and b["tasks"] == 1
    assert [p["pid"] for p in b["processes"]] == [busy] and [p["pid"] for p in i["processes"]] == [idle]
    assert abs(b["cpu_percent"] - measured) < 25 and b["cpu_percent"] > 60, (b, measured)
    assert i["cpu_percent"] < 5
    # memory: the exact resident size psutil reads (statm)
    assert abs(i["processes"][0]["rss_bytes"] - psutil.Process(idle).memory_info().rss) <= 64 * 1024
    # states, as ps shows them
    for p in b["processes"] + i["processes"]:
        ps = subprocess.run(["ps", "-o", "stat=", "-p", str(p["pid"])], capture_output=True, text=True).stdout.strip()
        assert p["state"] == ps[0], (p, ps)
    assert i["processes"][0]["wchan"] not in ("", "-") and i["processes"][0]["command"] == "/bin/sleep infinity"
    # the header: tasks by state add up, the CPU split adds up to 100
    t = f[1]["tasks"]
    assert t["total"] >= sum(t[k] for k in "RSDZTtI") - 0 and t["R"] >= 1
    assert abs(sum(f[1]["cpu"].values()) - 100) < 1
    assert f[1]["memory_kib"]["total"] == psutil.virtual_memory().total // 1024
    # the processes of no service: counted; listed one by one with --all
    assert f[1]["other"]["count"] > 0 and f[1]["other"]["processes"] == []
    every = frames(o.sock, "-n", "1", "--all")[0]
    assert os.getpid() in [p["pid"] for p in every["other"]["processes"]]


def test_text_frames_and_no_oya(oya, tmp_path):
    o = oya({"idle": IDLE})
    idle = o.wait_state("idle", "active", "running")["main_pid"]
    r = subprocess.run([OYA, "--socket", str(o.sock), "top", "-b", "-n", "1"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("oya top - ") and "load average:" in lines[0]
    assert lines[1].startswith("Tasks: ") and lines[2].startswith("CPU: ") and lines[3].startswith("Memory: ")
    assert any(line.startswith("- idle ") and f" {idle} " in line for line in lines), r.stdout
    assert any(line.split()[:2] == [str(idle), "S"] and line.endswith("/bin/sleep infinity") for line in lines)
    assert any(line.startswith("+ (no service) ") for line in lines)
    # no oya: the processes alone, and why there are no services
    r = subprocess.run([OYA, "--socket", str(tmp_path / "none.sock"), "top", "-b", "-n", "1"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and "Services: none (no running oya" in r.stdout, r.stdout + r.stderr
    r = subprocess.run([OYA, "top", "-n", "1"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "not a terminal" in r.stderr


def tmux(*args, check=True):
    return subprocess.run(["tmux", "-L", "oyatest", *args], capture_output=True, text=True, timeout=30, check=check)


def screen():
    return tmux("capture-pane", "-p", "-t", "top").stdout


@pytest.mark.skipif(not shutil.which("tmux"), reason="tmux is not installed")
def test_interactive_in_tmux(oya, tmp_path):
    o = oya({"busy": BUSY, "idle": IDLE})
    idle = o.wait_state("idle", "active", "running")["main_pid"]
    busy = o.wait_state("busy", "active", "running")["main_pid"]
    before, after, done = tmp_path / "before", tmp_path / "after", tmp_path / "done"
    tmux("new-session", "-d", "-s", "top", "-x", "120", "-y", "30", "/bin/sh")
    try:
        shell = int(tmux("display-message", "-p", "-t", "top", "#{pane_pid}").stdout)
        tmux("send-keys", "-t", "top", f"stty -g > {before}; {OYA} --socket {o.sock} top -d 0.3; "
             f"stty -g > {after}; touch {done}", "Enter")
        wait_for(lambda: "+ busy " in screen() and "+ idle " in screen(), what="the services on screen")
        assert "%CPU*" in screen()  # sorted by CPU: busy first, selected
        tmux("send-keys", "-t", "top", "Enter")
        wait_for(lambda: f" {busy} R " in screen() or f" {busy} S " in screen(), what="busy's process, expanded")
        tmux("send-keys", "-t", "top", "N")  # by name
        wait_for(lambda: "SERVICE*" in screen(), what="the sort by name")
        rows = [line for line in screen().splitlines() if line[:2] in ("+ ", "- ")]
        assert rows[0].startswith("- busy") and rows[1].startswith("+ idle"), rows
        tmux("send-keys", "-t", "top", "/", "idle", "Enter")
        wait_for(lambda: "busy" not in screen() and "+ idle " in screen(), what="the filter to keep idle alone")
        tmux("send-keys", "-t", "top", "r")  # restart the selected service: idle
        wait_for(lambda: o.record("idle")["main_pid"] not in (0, idle), what="idle to be restarted")
        wait_for(lambda: "restart idle: done" in screen(), what="the restart said done")
        tmux("send-keys", "-t", "top", "h")
        wait_for(lambda: "oya top: keys" in screen(), what="the help")
        tmux("send-keys", "-t", "top", "x")
        wait_for(lambda: "oya top: keys" not in screen(), what="the help to close")
        tmux("resize-window", "-t", "top", "-x", "70", "-y", "15", check=False)
        wait_for(lambda: all(len(line) <= 70 for line in screen().splitlines()) and "+ idle" in screen(),
                 what="a redraw at the new size")
        tmux("send-keys", "-t", "top", "q")
        wait_for(lambda: done.exists(), what="oya top to quit")
        assert before.read_text() == after.read_text()  # the terminal's modes as they were
        assert "oya top - " not in screen()  # the alternate screen left
        psutil.Process(shell)  # the shell goes on
    finally:
        tmux("kill-server", check=False)
