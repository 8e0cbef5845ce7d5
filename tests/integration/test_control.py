"""The control socket (permissions, malformed requests) and what status and list show, checked
against psutil's view of the same processes."""
import json
import os
import re
import socket
import stat
import subprocess
import tempfile

import psutil
import pytest

from conftest import OYA, raw_request, unit, wait_for


def test_socket_mode_and_peer_check(oya, tmp_path):
    sockdir = tempfile.mkdtemp(prefix="oya-test-", dir="/tmp")
    os.chmod(sockdir, 0o755)
    o = oya({"s": unit("/bin/sleep infinity")}, sock=os.path.join(sockdir, "oya.sock"))
    mode = stat.S_IMODE(os.stat(o.sock).st_mode)
    assert mode == 0o600
    if os.geteuid() != 0:
        pytest.skip("connecting as another uid needs root")
    # the file mode keeps other users out ...
    probe = [OYA, "--socket", str(o.sock), "status"]
    r = subprocess.run(probe, capture_output=True, text=True, user=65534, timeout=30)
    assert r.returncode != 0 and "Permission denied" in r.stderr
    # ... and with the mode opened up, SO_PEERCRED still refuses them
    os.chmod(o.sock, 0o666)
    r = subprocess.run(probe, capture_output=True, text=True, user=65534, timeout=30)
    assert r.returncode == 1
    assert "permission denied: uid 65534 may not control this oya" in r.stderr
    assert o.cli("status").returncode == 0
    o.cleanup()
    os.rmdir(sockdir)  # oya removed its socket on exit


@pytest.mark.parametrize("request_bytes,error", [
    (b"bogus\n", "unknown request 'bogus'"),
    (b"\n", "empty request"),
    (b"start\n", "name at least one service"),
    (b"status\tnosuch\n", "no such service 'nosuch'; `oya list`"),
    (b"stop\tticker\n", "no such service 'ticker'; did you mean 'tikcer'?"),
    (b"kill\tNOSIG\ts\n", "'NOSIG' is not a signal"),
    (b"kill\ts\n", "kill needs a signal and at least one service"),
    (b"list\textra\n", "unknown request 'list'"),
    (b"st\x00atus\n", "NUL byte"),
    (b"\xff\xfe\n", "unknown request '??'"),
    (b"x" * 70000, "request too long"),
], ids=["unknown", "empty", "start-no-name", "unknown-name", "close-name", "bad-signal", "kill-no-name", "extra-args",
        "nul-byte", "binary", "too-long"])
def test_malformed_requests_get_errors(oya, request_bytes, error):
    o = oya({"s": unit("/bin/sleep infinity"), "tikcer": unit("/bin/sleep infinity")})
    reply = raw_request(o.sock, request_bytes)
    first = reply.splitlines()[0]
    assert first.startswith("error\t"), reply
    assert error in first
    assert reply.endswith("end\n")
    assert o.request("ping\n") == "ok\nend\n"  # the supervisor is still there


def test_half_requests_and_hangups(oya):
    o = oya({"s": unit("/bin/sleep infinity")})
    # a request without its newline, then the writer closes: an error reply, no hang
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(str(o.sock))
    s.sendall(b"status")
    s.shutdown(socket.SHUT_WR)
    assert s.recv(4096).decode().startswith("error\tincomplete request")
    s.close()
    # connect and hang up at once, many times
    for _ in range(50):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(str(o.sock))
        c.close()
    # a client waiting for a stop that hangs up early
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(str(o.sock))
    c.sendall(b"restart\ts\n")
    c.close()
    wait_for(lambda: o.state("s") == ("active", "running"), what="s to come back")
    assert o.request("ping\n") == "ok\nend\n"


def service_tree(main_pid, oya_pid, invocation):
    """psutil's view of a service: the main process, its descendants, and processes adopted by oya
    that carry the service's INVOCATION_ID."""
    procs = {}
    main = psutil.Process(main_pid)
    for p in [main] + main.children(recursive=True):
        procs[p.pid] = p
    for p in psutil.Process(oya_pid).children():
        try:
            if p.environ().get("INVOCATION_ID") == invocation:
                procs[p.pid] = p
                for c in p.children(recursive=True):
                    procs[c.pid] = c
        except psutil.NoSuchProcess:
            pass
    return procs


def fmt_bytes(n):
    for suffix, factor in (("E", 1 << 60), ("P", 1 << 50), ("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20),
                           ("K", 1 << 10)):
        if n >= factor:
            return f"{n // factor}.{(n // (factor >> 10)) * 10 // 1024 % 10}{suffix}"
    return f"{n}B"


def test_status_matches_psutil(oya, tmp_path):
    ready = tmp_path / "ready"
    script = tmp_path / "tree.sh"
    script.write_text(
        "sleep infinity &\n"
        "sleep infinity &\n"
        "( setsid sleep infinity & )\n"
        "/usr/bin/python3 -c 'import sys, threading, time\n"
        "for _ in range(3): threading.Thread(target=time.sleep, args=(1e6,), daemon=True).start()\n"
        "open(sys.argv[1], \"w\").close()\n"
        "time.sleep(1e6)' " + str(ready) + " &\n"
        "wait\n")
    o = oya({"tree": unit(f"/bin/sh {script}", "", "Description=A small process tree")})
    wait_for(ready.exists, what="the tree to be built")
    o.descendants()
    rec = o.record("tree")
    procs = service_tree(rec["main_pid"], o.pid, rec["invocation"])
    assert len(procs) == 5
    assert sorted(p["pid"] for p in rec["processes"]) == sorted(procs)
    for p in rec["processes"]:
        assert p["ppid"] == procs[p["pid"]].ppid()
        assert p["command"] == " ".join(procs[p["pid"]].cmdline())
    assert rec["tasks"] == sum(p.num_threads() for p in procs.values())
    assert rec["tasks"] == 8  # python has its main thread and three more
    assert rec["memory_bytes"] == sum(p.memory_info().rss for p in procs.values())
    cpu = sum(p.cpu_times().user + p.cpu_times().system for p in procs.values())
    assert abs(rec["cpu_usec"] / 1e6 - cpu) < 0.05

    r = o.cli("status", "-n", "0", "tree")
    assert r.returncode == 0
    text = r.stdout
    main = psutil.Process(rec["main_pid"])
    assert text.splitlines()[0] == "● tree - A small process tree"
    assert re.search(r"^     Loaded: loaded \(.*/tree\.service\)$", text, re.M)
    assert re.search(r"^     Active: active \(running\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+; .* ago$", text, re.M)
    assert f"   Main PID: {main.pid} ({main.name()})\n" in text
    assert f"      Tasks: {rec['tasks']}\n" in text
    mem = re.search(r"^     Memory: (\S+)$", text, re.M).group(1)
    assert mem == fmt_bytes(sum(p.memory_info().rss for p in procs.values()))
    assert re.search(r"^        CPU: \S+$", text, re.M)
    tree_lines = re.split(r"  Processes:\n|     CGroup: \S+\n", text)[1].split("\n\n")[0].splitlines()  # the log lines follow
    shown = [int(re.search(r"[─](\d+) ", line).group(1)) for line in tree_lines]
    assert sorted(shown) == sorted(procs)
    assert tree_lines[0] == f"             ├─{main.pid} /bin/sh {script}"
    for line in tree_lines:
        pid = int(re.search(r"[─](\d+) ", line).group(1))
        assert line.endswith(" ".join(procs[pid].cmdline()).replace("\n", "\\n"))


def test_list_matches_psutil(oya, tmp_path):
    o = oya({"alpha": unit("/bin/sleep infinity", "", "Description=First"),
             "beta": unit("/bin/sh -c 'exit 0'", "", "Description=Second"),
             "gamma-long-name": unit("/bin/sleep infinity", "Restart=always", "Description=Third")})
    o.wait_state("alpha", "active", "running")
    o.wait_state("beta", "inactive", "dead")
    o.wait_state("gamma-long-name", "active", "running")
    r = o.cli("list")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    header = lines[0]
    assert header.split() == ["NAME", "LOAD", "ACTIVE", "SUB", "MAIN", "PID", "UPTIME", "RESTARTS", "DESCRIPTION"]
    cols = [header.index(h) for h in ("NAME", "LOAD", "ACTIVE", "SUB", "MAIN PID", "UPTIME", "RESTARTS",
                                       "DESCRIPTION")]
    rows = {}
    for line in lines[1:4]:
        cells = [line[a:b].strip() for a, b in zip(cols, cols[1:] + [None])]
        rows[cells[0]] = cells
    assert lines[-1] == "3 services listed."
    kids = {p.pid: p for p in psutil.Process(o.pid).children()}
    for name in ("alpha", "gamma-long-name"):
        c = rows[name]
        assert c[1:4] == ["loaded", "active", "running"]
        pid = int(c[4])
        assert pid in kids and kids[pid].name() == "sleep"
        assert re.fullmatch(r"(\d+min )?\d+s|0", c[5])
        assert c[6] == "0"
    assert rows["beta"][1:6] == ["loaded", "inactive", "dead", "-", "-"]
    assert rows["alpha"][7] == "First"

    r = o.cli("list", "--state=running", "--no-legend")
    assert [line.split()[0] for line in r.stdout.splitlines()] == ["alpha", "gamma-long-name"]
    r = o.cli("list", "--state=dead", "--json")
    data = json.loads(r.stdout)
    assert [d["name"] for d in data] == ["beta"] and data[0]["main_pid"] == 0

    r = o.cli("status")
    assert r.returncode == 0
    assert f"        PID: {o.pid}\n" in r.stdout
    assert re.search(r"○ beta\s+inactive \(dead\)", r.stdout)
    data = json.loads(o.cli("status", "--json").stdout)
    assert data["oya"]["pid"] == o.pid and len(data["services"]) == 3


def test_bad_unit_does_not_stop_the_others(oya, tmp_path):
    o = oya({"good": unit("/bin/sleep infinity"),
             "bad": "[Service]\nExecStart=/bin/true\nRestart=sometimes\n",
             "warn": "[Service]\nExecStart=/bin/sleep infinity\nFrobnicate=yes\n"})
    o.wait_state("good", "active", "running")
    o.wait_state("warn", "active", "running")
    err = o.err()
    bad = str(o.units / "bad.service")
    assert (f"oya: {bad}:3: Restart=sometimes: unknown policy; accepted: no, always, on-success, on-failure, "
            "on-abnormal, on-abort") in err
    assert f"oya: {bad}: not loaded; the other services go on" in err
    assert f"oya: {o.units / 'warn.service'}:3: unknown key Frobnicate in [Service], ignored" in err
    # as systemctl: the unit is known (LOAD bad-setting) and inactive, so status exits 3, not 4 (no such unit)
    r = o.cli("status", "bad")
    assert r.returncode == 3 and "Loaded: bad-setting" in r.stdout, r.stdout
    assert o.cli("status", "nonexistent").returncode == 4


def test_verify(tmp_path):
    good = tmp_path / "good.service"
    good.write_text("[Unit]\nDescription=ok\n[Service]\nExecStart=/bin/true\nTimeoutStopSec=1min 30s\n")
    bad = tmp_path / "bad.service"
    bad.write_text("[Service]\nExecStart=/bin/true\nRestartSec=soon\nType=notify-later\nBogus=1\n")
    r = subprocess.run([OYA, "verify", str(good)], capture_output=True, text=True, timeout=30)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = subprocess.run([OYA, "verify", str(good), str(bad)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"oya: {bad}:3: RestartSec=soon: not a time span; use e.g. 500ms, 5s, 1min 30s, 2h or infinity",
        f"oya: {bad}:4: Type=notify-later: unknown type; accepted: simple, exec, forking, oneshot, notify, "
        "notify-reload, dbus",
        f"oya: {bad}:5: unknown key Bogus in [Service], ignored",
    ]


def test_oneshot_and_remain_after_exit(oya, tmp_path):
    log = tmp_path / "log"
    o = oya({"one": unit(f"/bin/sh -c 'echo first >> {log}'",
                         f"Type=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c 'echo second >> {log}'"),
             "plain": unit("/bin/true", "Type=oneshot")})
    o.wait_state("one", "active", "exited")
    assert log.read_text().split() == ["first", "second"]
    o.wait_state("plain", "inactive", "dead")
    r = o.cli("stop", "one")
    assert "one: stopped (inactive, dead)" in r.stdout
    r = o.cli("start", "plain")
    assert r.returncode == 0 and "plain: started (inactive, dead)" in r.stdout


def test_exec_type_waits_for_exec(oya):
    o = oya({"e": unit("/bin/sleep infinity", "Type=exec"), "f": unit("/nonexistent", "Type=exec")})
    o.wait_state("e", "active", "running")
    o.wait_state("f", "failed")
    r = o.cli("restart", "f")
    assert r.returncode == 1


def test_output_is_prefixed_by_line(oya, tmp_path):
    o = oya({"talk": unit("/bin/sh -c 'printf \"one\\\\ntw\"; sleep 0.2; printf \"o\\\\nthree\\\\n\"; echo err >&2; "
                          "exec sleep infinity'"),
             "x": unit("/bin/sh -c 'echo hello; exec sleep infinity'")})
    wait_for(lambda: "three" in "".join(o.lines_of("talk")), what="the last partial line")
    assert o.lines_of("talk")[:2] == ["one", "two"]
    assert "err" in o.lines_of("talk")
    assert "x    | hello" in o.out()


def test_ps_and_tree_name_the_owning_service(oya, tmp_path):
    pidfile = tmp_path / "worker.pid"
    script = tmp_path / "d.sh"
    script.write_text(f"( setsid sh -c 'echo $$ > {pidfile}; exec sleep infinity' & )\nexec sleep infinity\n")
    o = oya({"web": unit("/bin/sh -c 'sleep infinity & exec sleep infinity'"),
             "daemon": unit(f"/bin/sh {script}")})
    web = o.wait_state("web", "active", "running")["main_pid"]
    daemon = o.wait_state("daemon", "active", "running")["main_pid"]
    wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), what="the daemon's worker")
    worker = int(pidfile.read_text())
    o.descendants()
    web_child = [c.pid for c in psutil.Process(web).children()][0]
    env = dict(os.environ, OYA_SOCKET=str(o.sock))
    ps = subprocess.run([OYA, "ps", "-eo", "pid,service,comm"], capture_output=True, text=True, env=env)
    assert ps.returncode == 0
    lines = ps.stdout.splitlines()
    at = lines[0].index("SERVICE")
    owner = {int(line.split()[0]): line[at:at + 10].strip() for line in lines[1:]}
    assert owner[web] == owner[web_child] == "web"
    assert owner[daemon] == owner[worker] == "daemon"  # double-forked out of its session, still found
    assert owner[o.pid] == "" and owner[1] == ""  # blank when no service owns it
    # --services puts the column before the command
    ps = subprocess.run([OYA, "ps", "--services", "-p", f"{web},{worker}"], capture_output=True, text=True, env=env)
    assert ps.stdout.splitlines()[0].split() == ["PID", "TTY", "TIME", "SERVICE", "CMD"]
    # (listed in PID order, as procps does: the worker's PID may be below web's once PIDs wrapped around)
    assert {int(line.split()[0]): line.split()[3] for line in ps.stdout.splitlines()[1:]} == \
        {web: "web", worker: "daemon"}
    # without a supervisor to ask, the column is there and says "-"
    ps = subprocess.run([OYA, "ps", "-o", "pid,service", "-p", str(web)], capture_output=True, text=True,
                        env=dict(os.environ, OYA_SOCKET=str(tmp_path / "none.sock")))
    assert ps.stdout.splitlines() == ["  PID SERVICE", f"{web:5d} "]
    # tree --services groups every process under its service, like systemd-cgls
    tree = subprocess.run([OYA, "tree", "--services"], capture_output=True, text=True, env=env)
    assert tree.returncode == 0
    lines = tree.stdout.splitlines()
    assert lines[0] == f"oya (pid {o.pid}, {o.sock})"
    assert lines[1] == "├─daemon (active, running)"
    i_web = lines.index("└─web (active, running)")
    daemon_part, web_part = "\n".join(lines[2:i_web]), "\n".join(lines[i_web + 1:])
    assert f"─{daemon} sleep infinity" in daemon_part and f"─{worker} sleep infinity" in daemon_part
    assert f"─{web} sleep infinity" in web_part and f"─{web_child} sleep infinity" in web_part
    assert all(line.startswith("│ ") for line in lines[2:i_web])
