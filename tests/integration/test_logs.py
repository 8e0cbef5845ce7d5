"""The services' logs (issue 13, first part): every line a service writes, and what oya says of it, is a
record with its time, stream, priority and PID, kept in memory and in rotated files; `oya logs` shows them
as journalctl -u would, `oya status NAME` ends with the last lines."""
import json
import os
import subprocess
import time

import pytest

from conftest import OYA, unit, wait_for


def logs(o, *args):
    r = o.cli("logs", *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_crash_message_shows_in_status_and_logs(oya, tmp_path):
    o = oya({"crash": unit("/bin/sh -c 'echo starting up; echo \"FATAL: cannot bind :8080\" >&2; exit 1'")})
    o.wait_state("crash", "failed")
    st = o.cli("status", "crash").stdout
    assert "FATAL: cannot bind :8080" in st and "starting up" in st
    tail = st.splitlines()[-1]  # the last line of status is the log's last record: oya's own
    assert tail.endswith("failed (Result: exit-code; code=exited, status=1/FAILURE)") and " oya[" in tail
    # the service's last words come before oya's line about its exit, with its PID
    assert f"crash[{o.record('crash')['last_pid']}]: FATAL: cannot bind :8080" in st.splitlines()[-2] + \
        st.splitlines()[-3]
    text = logs(o, "crash", "-o", "cat").splitlines()
    # stdout and stderr come through pipes of their own: in order each, but not against each other
    assert text[0] == f"started, main pid {o.record('crash')['last_pid']}"
    assert sorted(text[1:3]) == ["FATAL: cannot bind :8080", "starting up"]
    assert text[3:] == ["failed (Result: exit-code; code=exited, status=1/FAILURE)"]
    recs = [json.loads(line) for line in logs(o, "crash", "-o", "json").splitlines()]
    streams = {r["MESSAGE"]: r["OYA_STREAM"] for r in recs}
    assert streams["FATAL: cannot bind :8080"] == "err" and streams["starting up"] == "out"
    assert all(r["_SYSTEMD_UNIT" if r["OYA_STREAM"] != "oya" else "UNIT"] == "crash.service" for r in recs)
    assert o.cli("status", "-n", "0", "crash").stdout.find("FATAL") < 0
    data = json.loads(o.cli("status", "--json", "-n", "1", "crash").stdout)
    assert [r["stream"] for r in data["services"][0]["log"]] == ["oya"]


def test_priorities_from_prefix_and_syslog_level(oya):
    o = oya({
        "p": unit("/bin/sh -c 'echo \"<3>disk on fire\"; echo plain; exec sleep infinity'", "SyslogLevel=warning"),
        "raw": unit("/bin/sh -c 'echo \"<3>kept as written\"; exec sleep infinity'", "SyslogLevelPrefix=no"),
    })
    wait_for(lambda: "plain" in logs(o, "p", "-o", "cat"), what="the lines")
    recs = {r["MESSAGE"]: int(r["PRIORITY"]) for r in map(json.loads, logs(o, "p", "-o", "json").splitlines())}
    assert recs["disk on fire"] == 3 and recs["plain"] == 4
    assert logs(o, "p", "-p", "err", "-o", "cat") == "disk on fire\n"
    assert logs(o, "p", "-p", "warning..warning", "-o", "cat") == "plain\n"
    wait_for(lambda: "kept" in logs(o, "raw", "-o", "cat"), what="the raw line")
    assert "<3>kept as written" in logs(o, "raw", "-o", "cat")


def test_filters_and_formats(oya):
    o = oya({"a": unit("/bin/sh -c 'for i in 1 2 3 4 5; do echo line$$i; done; exec sleep infinity'"),
             "b": unit("/bin/sh -c 'echo from-b; exec sleep infinity'")})
    wait_for(lambda: "line5" in logs(o, "a", "-o", "cat") and "from-b" in logs(o, "b", "-o", "cat"),
             what="the lines")
    assert logs(o, "a", "-n", "2", "-o", "cat") == "line4\nline5\n"
    assert logs(o, "-u", "a.service", "-n", "1", "-o", "cat") == "line5\n"
    both = logs(o, "a", "b", "-o", "cat").splitlines()
    assert "from-b" in both and "line1" in both  # merged by time
    assert logs(o, "a", "--since", "+1h") == ""
    assert logs(o, "a", "--until", "-1h") == ""
    assert "line3" in logs(o, "a", "--since", "-1h", "--until", "now")
    assert "line3" in logs(o, "a", "--since", "today")
    short = logs(o, "a", "-n", "1").strip()
    host = os.uname().nodename
    assert short.endswith(f" {host} a[{o.main_pid('a')}]: line5"), short
    precise = logs(o, "a", "-n", "1", "-o", "short-precise").strip()
    assert len(precise.split()[2]) == len("12:00:00.000000")
    for bad in (["-p", "loud"], ["--since", "sometime"], ["-o", "xml"], ["nosuch"]):
        assert o.cli("logs", "a", *bad).returncode != 0


def test_rotation_keeps_the_count_and_files_outlive_oya(oya, tmp_path):
    logdir = tmp_path / "logdir"
    o = oya({"chatty": unit("/bin/sh -c 'i=0; while [ $$i -lt 400 ]; do echo message number $$i; i=$$((i+1)); done; "
                            "exec sleep infinity'")},
            extra_args=["--log-dir", str(logdir), "--log-size", "4K", "--log-files", "2"])
    wait_for(lambda: "message number 399" in logs(o, "chatty", "-n", "1", "-o", "cat"), what="the last line")
    names = sorted(os.listdir(logdir))
    assert names == ["chatty.log", "chatty.log.1", "chatty.log.2"], names
    for n in names:
        assert (logdir / n).stat().st_size <= 4096
    assert o.stop() == 0
    # with no oya running, the files are read directly: the newest lines, in order
    r = subprocess.run([OYA, "logs", "-D", str(logdir), "chatty", "-n", "4", "-o", "cat"], capture_output=True,
                       text=True, timeout=30)
    assert r.stdout.splitlines() == ["message number 398", "message number 399", "stopping", "stopped"], r.stdout
    lines = (logdir / "chatty.log").read_text().splitlines()
    assert lines[-1].split(" ", 4)[1:3] == ["oya", "6"] and lines[-1].endswith("stopped")


def test_memory_only_and_odd_bytes(oya, tmp_path):
    script = tmp_path / "odd.py"
    script.write_text("import sys, time\n"
                      "w = sys.stdout.buffer\n"
                      "w.write(b'nul\\x00inside\\n'); w.write(b'bad utf8 \\xff\\xfe\\n'); w.write(b'cr\\rhere\\n')\n"
                      "w.write(b'x' * 10000 + b'\\n'); w.write(b'y' * 1000000); w.write(b'\\nno newline at the end')\n"
                      "w.flush()\n")
    o = oya({"odd": unit(f"/usr/bin/python3 {script}")}, extra_args=["--log-dir", "none", "--log-memory", "4M"])
    o.wait_state("odd", "inactive", "dead")
    r = o.cli("logs", "odd", "-o", "json")
    msgs = [json.loads(line)["MESSAGE"] for line in r.stdout.splitlines()]
    assert "nul\\x00inside" in msgs
    assert "cr\rhere" in msgs
    assert any(m.startswith("bad utf8") for m in msgs)
    mark = " [line cut: it goes on in the next one]"
    long = [m.removesuffix(mark) for m in msgs if m and set(m.removesuffix(mark)) == {"x"}]
    assert sum(len(m) for m in long) == 10000  # cut in pieces, nothing lost
    assert [m.endswith(mark) for m in msgs if m.startswith("xxx")] == [True, True, False]  # each piece but the last
    assert "no newline at the end" in msgs  # the partial line at exit is kept
    ys = [m.removesuffix(mark) for m in msgs if m.startswith("yyy")]
    assert sum(len(m) for m in ys) == 1000000 and len(ys) == 245  # a 1 MB line without newline, in pieces
    assert not (tmp_path / "logs").exists()


def test_lifecycle_in_order(oya, tmp_path):
    flag = tmp_path / "once"
    o = oya({"r": unit(f"/bin/sh -c 'if [ -e {flag} ]; then echo second; exec sleep infinity; fi; "
                       f"touch {flag}; echo first; exit 3'", "Restart=on-failure\nRestartSec=200ms")})
    wait_for(lambda: "second" in logs(o, "r", "-o", "cat"), what="the second run")
    text = logs(o, "r", "-o", "cat").splitlines()
    order = [next(i for i, t in enumerate(text) if t.startswith(w)) for w in
             ("started", "first", "exited (code=exited, status=3)", "second")]
    assert order == sorted(order), text
    assert any("restarting in 200ms" in t for t in text)


def test_a_flood_arrives_whole_and_in_order(oya, tmp_path):
    n = 1000000
    o = oya({"flood": unit(f"/usr/bin/seq {n}")}, extra_args=["--log-size", "64M"])
    o.wait_state("flood", "inactive", "dead", timeout=120)
    lines = [line.split(" ", 4)[4] for line in (tmp_path / "oya0" / "logs" / "flood.log").read_text().splitlines()
             if line.split(" ", 2)[1] == "out"]
    assert lines == [str(i) for i in range(1, n + 1)]


def test_follow_sees_lines_as_they_come_and_ends_with_oya(oya, tmp_path):
    import select
    go = tmp_path / "go"
    o = oya({"w": unit(f"/bin/sh -c 'echo before; while [ ! -e {go} ]; do sleep 0.05; done; echo after; "
                       "exec sleep infinity'")})
    wait_for(lambda: "before" in logs(o, "w", "-o", "cat"), what="the first line")
    f = subprocess.Popen([OYA, "--socket", str(o.sock), "logs", "-f", "w", "-o", "cat"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    pending = bytearray()
    try:
        def next_line(timeout=20.0):
            while b"\n" not in pending:
                r, _, _ = select.select([f.stdout], [], [], timeout)
                assert r, "no line came"
                chunk = os.read(f.stdout.fileno(), 65536)
                assert chunk, "the follower ended"
                pending.extend(chunk)
            line, _, rest = bytes(pending).partition(b"\n")
            pending[:] = rest
            return line.decode()
        assert next_line().startswith("started, main pid")
        assert next_line() == "before"
        go.write_text("")
        assert next_line() == "after"  # pushed as it was logged
        # another client is served meanwhile: the follower holds no one up
        assert o.cli("status", "w").returncode == 0
        assert o.stop() == 0
        rest = bytes(pending) + f.stdout.read()
        assert b"stopping" in rest and b"stopped" in rest
        assert f.wait(timeout=30) == 0  # oya gone: the follower ends
    finally:
        if f.poll() is None:
            f.kill()
            f.wait()


def test_foreground_marks_stderr_and_puts_times_in_front(oya):
    import re
    o = oya({"s": unit("/bin/sh -c 'echo to-out; echo to-err >&2; exec sleep infinity'")},
            extra_args=["--timestamps"])
    wait_for(lambda: "to-err" in o.out() and "to-out" in o.out(), what="both lines")
    lines = o.out().splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}"
    assert any(re.fullmatch(stamp + r" s \| to-out", line) for line in lines), lines
    assert any(re.fullmatch(stamp + r" s ! to-err", line) for line in lines), lines


def test_syslog_messages_go_to_the_senders_service(oya, tmp_path):
    # a daemon's syslog(3) lines, sent to the socket oya serves (/dev/log as PID 1; here --syslog=PATH)
    sock = tmp_path / "devlog"
    sender = tmp_path / "send.py"
    sender.write_text("import socket, sys, time\n"
                      "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
                      "s.sendto(b'<11>Nov 30 12:43:00 mydaemon[77]: cannot open the spool', sys.argv[1])\n"
                      "s.sendto(b'<14>1 2026-11-30T12:43:00Z - app - - - rfc 5424 works', sys.argv[1])\n"
                      "time.sleep(1e6)\n")
    o = oya({"d": unit(f"/usr/bin/python3 {sender} {sock}"),
             "quick": unit(f"/bin/sh -c 'logger -u {sock} -t quick gone before it is read; exec sleep infinity'")},
            extra_args=[f"--syslog={sock}"])
    wait_for(lambda: "rfc 5424" in logs(o, "d", "-o", "cat"), what="the messages")
    recs = {r["MESSAGE"]: r for r in map(json.loads, logs(o, "d", "-o", "json").splitlines())}
    r = recs["mydaemon: cannot open the spool"]
    assert (r["OYA_STREAM"], r["PRIORITY"], int(r["_PID"])) == ("syslog", "3", o.main_pid("d"))
    assert recs["app: rfc 5424 works"]["PRIORITY"] == "6"
    # logger exits before oya reads its message: its tag names the service
    wait_for(lambda: "gone before it is read" in logs(o, "quick", "-o", "cat"), what="logger's message")
    subprocess.run(["logger", "-u", str(sock), "-t", "stranger", "from no service"], check=True, timeout=30)
    wait_for(lambda: "oya: syslog: stranger: from no service" in o.err(), what="the stranger on stderr")
    assert logs(o, "@oya", "-o", "cat") == "stranger: from no service\n"  # oya's own log
    assert "stranger: from no service" in logs(o, "-o", "cat")  # and among all
    assert o.stop() == 0
    assert not sock.exists()  # removed at exit
    own = tmp_path / "oya0" / "logs" / "@oya.log"
    assert own.read_text().endswith("stranger: from no service\n")


def test_unwritable_log_directory_keeps_memory_and_comes_back(oya, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the directory should be\n")
    logdir = blocker / "logs"
    o = oya({"m": unit("/bin/sh -c 'echo one; exec sleep infinity'")}, extra_args=["--log-dir", str(logdir)])
    wait_for(lambda: "one" in logs(o, "m", "-o", "cat"), what="the line, from memory")
    assert o.err().count("keeping it in memory only") == 1
    st = o.cli("status", "m").stdout
    assert f"Log: memory only: cannot write {logdir} (Not a directory);" in st and "records not on disk" in st
    blocker.unlink()  # the directory can be made now: the next start writes the file again
    assert o.cli("restart", "m").returncode == 0
    wait_for(lambda: (logdir / "m.log").exists() and "one" in (logdir / "m.log").read_text(), what="the file")
    assert "log file written again; " in o.err()
    assert "Log:" not in o.cli("status", "m").stdout
    # the file itself says where the gap is
    assert "records before this one are in memory only" in (logdir / "m.log").read_text()


def test_a_removed_log_directory_is_made_again(oya, tmp_path):
    import shutil
    go = tmp_path / "go"
    logdir = tmp_path / "ld"
    o = oya({"r": unit(f"/bin/sh -c 'echo first; while [ ! -e {go} ]; do sleep 0.05; done; echo second; "
                       "exec sleep infinity'")}, extra_args=["--log-dir", str(logdir)])
    wait_for(lambda: (logdir / "r.log").exists() and "first" in (logdir / "r.log").read_text(), what="the file")
    shutil.rmtree(logdir)
    go.write_text("")
    wait_for(lambda: (logdir / "r.log").exists() and "second" in (logdir / "r.log").read_text(),
             what="the file made again")
