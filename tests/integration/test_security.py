"""A root supervisor must not be a way in: each test is an attack by a real unprivileged user (created by
the test) through a User= service or a local client, and shows that it fails. Where the attack used to
stall the event loop, a heartbeat service that crashes every 100 ms shows the loop kept running."""
import os
import subprocess
import time

import psutil

from conftest import unit, wait_for
from test_notify import notifier

MAX_GAP = 1.0  # seconds: the longest the loop may be kept from a restart under attack


def start_victim():
    """A root process outside every service: what an attacker wants oya to signal."""
    return subprocess.Popen(["/bin/sleep", "infinity"], stdin=subprocess.DEVNULL)


def end_victim(p):
    p.kill()
    p.wait(timeout=10)


def test_pidfile_naming_a_foreign_process_is_refused(oya, unpriv_user, user_dir, heartbeat):
    """A User= forking service writes the PID of a root process into its own PID file: oya must not take
    it as the main process, and must not signal it when the service stops (CVE-2018-16888's class)."""
    victim = start_victim()
    try:
        pidfile = user_dir / "d.pid"
        body = (f"Type=forking\nUser={unpriv_user.pw_name}\nPIDFile={pidfile}\nTimeoutStartSec=3s\n")
        cmd = f"/bin/sh -c 'sleep infinity & echo {victim.pid} > {pidfile}'"
        o = oya({"d": unit(cmd, body), "beat": heartbeat.unit()})
        heartbeat.wait_running()
        since = time.time()
        wait_for(lambda: "refused" in o.err(), what="the refusal")
        assert f"names PID {victim.pid}" in o.err()
        assert o.record("d")["main_pid"] != victim.pid
        rec = o.wait_state("d", "failed", timeout=20)
        assert rec["result"] == "timeout"
        o.cli("stop", "d")
        assert victim.poll() is None, "oya signalled a process outside the service"
        assert heartbeat.longest_gap(since) < MAX_GAP
    finally:
        end_victim(victim)


def test_pidfile_naming_its_own_daemon_is_taken(oya, unpriv_user, user_dir):
    """The same User= service with an honest PID file (its own daemon) runs as before."""
    pidfile = user_dir / "d.pid"
    body = f"Type=forking\nUser={unpriv_user.pw_name}\nPIDFile={pidfile}\n"
    o = oya({"d": unit(f"/bin/sh -c 'sleep infinity & echo $! > {pidfile}'", body)})
    rec = o.wait_state("d", "active", "running")
    daemon = psutil.Process(rec["main_pid"])
    assert daemon.name() == "sleep" and daemon.uids().real == unpriv_user.pw_uid
    o.cli("stop", "d", check=True)
    assert not daemon.is_running() or daemon.status() == psutil.STATUS_ZOMBIE


def test_pidfile_symlink_to_a_root_file_is_not_trusted(oya, unpriv_user, user_dir, tmp_path):
    """A root-owned PID file reached through the service user's symlink is no more trusted than the
    user's own file."""
    victim = start_victim()
    try:
        rootfile = tmp_path / "root.pid"
        rootfile.write_text(f"{victim.pid}\n")
        link = user_dir / "d.pid"
        body = f"Type=forking\nUser={unpriv_user.pw_name}\nPIDFile={link}\nTimeoutStartSec=2s\n"
        o = oya({"d": unit(f"/bin/sh -c 'sleep infinity & ln -s {rootfile} {link}'", body)})
        rec = o.wait_state("d", "failed", timeout=20)
        assert rec["result"] == "timeout"
        assert f"names PID {victim.pid}" in o.err()
        assert victim.poll() is None
        assert rootfile.exists()  # and oya's clean-up did not follow the link to remove it
    finally:
        end_victim(victim)


def test_pidfile_fifo_does_not_stall_the_loop(oya, unpriv_user, user_dir, heartbeat):
    """A FIFO at the PID file's path: oya opens it without blocking and keeps serving everyone."""
    pidfile = user_dir / "d.pid"
    body = f"Type=forking\nUser={unpriv_user.pw_name}\nPIDFile={pidfile}\nTimeoutStartSec=3s\n"
    o = oya({"d": unit(f"/bin/sh -c 'sleep infinity & mkfifo {pidfile}'", body), "beat": heartbeat.unit()})
    heartbeat.wait_running()
    since = time.time()
    wait_for(pidfile.exists, what="the FIFO")
    t0 = time.monotonic()
    r = o.cli("list", timeout=10)
    assert r.returncode == 0 and time.monotonic() - t0 < MAX_GAP
    rec = o.wait_state("d", "failed", timeout=20)
    assert rec["result"] == "timeout"
    assert heartbeat.longest_gap(since) < MAX_GAP


def test_forking_daemon_dead_before_its_pidfile_fails_at_once(oya, tmp_path):
    """Nobody is left to write the PID file: the start fails now (protocol), not at TimeoutStartSec=."""
    body = f"Type=forking\nPIDFile={tmp_path}/never.pid\nTimeoutStartSec=60s\n"
    o = oya({"d": unit("/bin/sh -c 'sleep 0.2 & exit 0'", body)})
    t0 = time.monotonic()
    rec = o.wait_state("d", "failed", timeout=20)
    assert rec["result"] == "protocol"
    assert time.monotonic() - t0 < 10


def test_output_file_symlink_to_a_root_file_gains_nothing(oya, unpriv_user, user_dir, tmp_path):
    """A User= service replaces its StandardOutput=append: file with a symlink to a root-owned 0600 file:
    after a restart its output must not land there (oya opens the file as the service's user)."""
    secret = tmp_path / "secret"
    secret.write_text("root only\n")
    os.chmod(secret, 0o600)
    log = user_dir / "out.log"
    body = (f"User={unpriv_user.pw_name}\nStandardOutput=append:{log}\nStandardError=inherit\n"
            "Restart=always\nRestartSec=100ms\n")
    cmd = f"/bin/sh -c 'echo owned-by-the-service; rm -f {log}; ln -s {secret} {log}; exec sleep infinity'"
    o = oya({"s": unit(cmd, body)})
    first = o.wait_state("s", "active", "running")["main_pid"]
    wait_for(lambda: log.is_symlink(), what="the planted symlink")
    os.kill(first, 9)
    # the restart opens the file with the user's rights: EACCES, the start fails, nothing is written
    wait_for(lambda: "open the StandardOutput=/StandardError= file" in o.err(), what="the refused open")
    assert secret.read_text() == "root only\n"
    assert os.stat(secret).st_uid == 0 and (os.stat(secret).st_mode & 0o777) == 0o600


def test_output_file_is_created_as_the_service_user(oya, unpriv_user, user_dir):
    log = user_dir / "new.log"
    o = oya({"s": unit("/bin/sh -c 'echo hello; exec sleep infinity'",
                       f"User={unpriv_user.pw_name}\nStandardOutput=file:{log}\nStandardError=file:{log}\n")})
    o.wait_state("s", "active", "running")
    wait_for(lambda: log.exists() and log.read_text() == "hello\n", what="the output")
    assert os.stat(log).st_uid == unpriv_user.pw_uid


def test_environment_file_fifo_does_not_stall_the_loop(oya, unpriv_user, user_dir, heartbeat):
    """EnvironmentFile= is read by oya (as root) at each start: a FIFO the service put there is refused
    at once, not waited on."""
    env = user_dir / "env"
    os.mkfifo(env)
    os.chown(env, unpriv_user.pw_uid, unpriv_user.pw_gid)
    o = oya({"s": unit("/bin/sleep infinity", f"User={unpriv_user.pw_name}\nEnvironmentFile={env}\n"),
             "beat": heartbeat.unit()})
    heartbeat.wait_running()
    since = time.time()
    r = o.cli("start", "s", timeout=10)
    assert r.returncode != 0
    assert "not a regular file" in r.stderr + o.err()
    assert heartbeat.longest_gap(since) < MAX_GAP


def runtime_name():
    import uuid
    return "oya-sec-" + uuid.uuid4().hex[:8]


def test_runtime_directory_symlink_is_not_chowned(oya, unpriv_user, tmp_path):
    """RuntimeDirectory=NAME NAME/sub: the service replaces sub with a symlink to a root directory; at
    the next start oya must not chown (or chmod) what the link points at."""
    import shutil
    name = runtime_name()
    target = tmp_path / "rootdir"
    target.mkdir(mode=0o700)
    run = f"/run/{name}"
    body = (f"User={unpriv_user.pw_name}\nRuntimeDirectory={name} {name}/sub\nRuntimeDirectoryPreserve=yes\n"
            "Restart=always\nRestartSec=100ms\n")
    cmd = f"/bin/sh -c 'rm -rf {run}/sub; ln -s {target} {run}/sub; exec sleep infinity'"
    try:
        o = oya({"s": unit(cmd, body)})
        first = o.wait_state("s", "active", "running")["main_pid"]
        wait_for(lambda: os.path.islink(f"{run}/sub"), what="the planted symlink")
        os.kill(first, 9)
        wait_for(lambda: "a symlink or a file is in the way" in o.err(), what="the refused directory")
        st = os.stat(target)
        assert st.st_uid == 0 and (st.st_mode & 0o777) == 0o700
    finally:
        shutil.rmtree(run, ignore_errors=True)


def test_runtime_directory_removal_follows_no_link_and_does_not_stall(oya, unpriv_user, tmp_path, heartbeat):
    """At stop the runtime directory goes; links inside it are removed, not followed, and a directory
    of 20,000 files is removed without holding up the loop."""
    name = runtime_name()
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "precious").write_text("x")
    run = f"/run/{name}"
    fill = (f"cd {run} && mkdir many && cd many && seq 20000 | xargs touch && "
            f"ln -s {keep} {run}/link && mkdir {run}/d && ln -s {keep} {run}/d/link2 && touch {run}/ready")
    body = f"User={unpriv_user.pw_name}\nRuntimeDirectory={name}\n"
    o = oya({"s": unit(f"/bin/sh -c '{fill}; exec sleep infinity'", body), "beat": heartbeat.unit()})
    wait_for(lambda: os.path.exists(f"{run}/ready"), what="the filled directory")
    heartbeat.wait_running()
    since = time.time()
    o.cli("stop", "s", check=True)
    wait_for(lambda: not os.path.exists(run), what="the runtime directory to go")
    wait_for(lambda: not [n for n in os.listdir("/run") if n.startswith(".oya-removing-")], what="the helper")
    assert (keep / "precious").read_text() == "x"
    assert heartbeat.longest_gap(since) < MAX_GAP


def run_as(user, args, **kw):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/", "NO_COLOR": "1"}
    return subprocess.run(args, user=user.pw_uid, group=user.pw_gid, extra_groups=[], env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)


def test_default_socket_directory_made_by_another_user_is_refused(make_user, open_tmp):
    """/tmp/oya-UID made first by another local user (0777 so they can replace the socket, or 0755 so
    oya cannot use it): oya refuses it with a clear reason, as tmux does, instead of serving there."""
    from conftest import OYA
    victim, attacker = make_user(), make_user()
    units = open_tmp / "units"
    units.mkdir()
    (units / "s.service").write_text(unit("/bin/sleep infinity"))
    d = f"/tmp/oya-{victim.pw_uid}"
    for mode in (0o777, 0o755):
        os.mkdir(d)
        try:
            os.chown(d, attacker.pw_uid, attacker.pw_gid)
            os.chmod(d, mode)
            r = run_as(victim, [OYA, "up", str(units)], timeout=20)
            assert r.returncode != 0
            assert f"{d} belongs to uid {attacker.pw_uid}" in r.stderr and "0700" in r.stderr, r.stderr
            assert not os.path.exists(f"{d}/oya.sock")
        finally:
            os.rmdir(d)
    # its own private directory is taken (here: a client that finds no server, and no complaint)
    os.mkdir(d, 0o700)
    os.chown(d, victim.pw_uid, victim.pw_gid)
    try:
        r = run_as(victim, [OYA, "list"], timeout=20)
        assert "cannot connect" in r.stderr
    finally:
        os.rmdir(d)


FAKE_SERVER = r"""
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
s.listen(4)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(b"ok\nrecord\tservice\nname\tweb\nactive\tinactive\nsub\tdead\nok\t1\nend\n")
    c.close()
"""


def test_client_refuses_a_server_of_another_user(unpriv_user, open_tmp):
    """A fake server, run by another user, answers `oya stop` with "stopped": the client must not
    believe it (it checks the server's peer credentials)."""
    from conftest import OYA
    d = open_tmp / "open"
    d.mkdir()
    os.chmod(d, 0o777)
    script = open_tmp / "fake.py"
    script.write_text(FAKE_SERVER)
    sock = d / "oya.sock"
    fake = subprocess.Popen(["/usr/bin/python3", str(script), str(sock)], user=unpriv_user.pw_uid,
                            group=unpriv_user.pw_gid, extra_groups=[], stdout=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    try:
        assert fake.stdout.readline().strip() == b"listening"
        r = subprocess.run([OYA, "--socket", str(sock), "stop", "web"], capture_output=True, text=True, timeout=20)
        assert r.returncode != 0
        assert f"runs as uid {unpriv_user.pw_uid}" in r.stderr and "not talking to it" in r.stderr, r.stderr
        assert "stopped" not in r.stdout
    finally:
        fake.kill()
        fake.wait(timeout=10)


SQUATTER = r"""
import socket, sys
first = int(open("/proc/sys/kernel/ns_last_pid").read())
held = []
for pid in range(first + 1, first + 3000):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.bind("\0oya/%d/notify" % pid)
        held.append(s)
    except OSError:
        s.close()
print(len(held), flush=True)
sys.stdin.read()
"""


def test_notify_socket_cannot_be_taken_first(oya, unpriv_user, open_tmp, tmp_path):
    """Another user binds the predictable abstract names of the next 3,000 PIDs: Type=notify services
    still report readiness (the name has 128 random bits)."""
    script = open_tmp / "squat.py"
    script.write_text(SQUATTER)
    squatter = subprocess.Popen(["/usr/bin/python3", str(script)], user=unpriv_user.pw_uid,
                                group=unpriv_user.pw_gid, extra_groups=[], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE)
    try:
        assert int(squatter.stdout.readline()) > 2000
        cmd = notifier(tmp_path, "send:READY=1", "pause")
        o = oya({"n": unit(cmd, "Type=notify\nTimeoutStartSec=10s")})
        o.wait_state("n", "active", "running")
    finally:
        squatter.kill()
        squatter.wait(timeout=10)


def cpu_seconds(pid):
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def connect(sock_path):
    import socket
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(str(sock_path))
    return c


def test_out_of_fds_turns_clients_away_without_spinning(oya):
    """With its fds used up by half-open clients, oya neither spins on the listener nor stops: the
    extra clients are turned away, said once, and it serves again once they go."""
    o = oya({"s": unit("/bin/sleep infinity")}, nofile=(64, 64))
    o.wait_state("s", "active", "running")
    held = []
    try:
        for _ in range(80):
            held.append(connect(o.sock))
        wait_for(lambda: "out of file descriptors" in o.err(), what="the turned-away message")
        before = cpu_seconds(o.pid)
        time.sleep(1.0)  # an observation window: a spinning loop would burn a whole second of CPU here
        assert cpu_seconds(o.pid) - before < 0.3
        assert o.err().count("out of file descriptors") <= 2
    finally:
        for c in held:
            c.close()
    wait_for(lambda: o.cli("list").returncode == 0, what="oya to serve again")


def test_silent_client_is_timed_out(oya):
    o = oya({"s": unit("/bin/sleep infinity")})
    c = connect(o.sock)
    c.settimeout(30)
    t0 = time.monotonic()
    assert c.recv(100) == b""  # closed by oya, not by us
    assert 5 < time.monotonic() - t0 < 20
    c.close()


def test_clients_are_capped(oya):
    o = oya({"s": unit("/bin/sleep infinity")})
    held = [connect(o.sock) for _ in range(256)]
    try:
        extra = connect(o.sock)
        extra.settimeout(10)
        assert b"too many clients" in extra.recv(200)
        extra.close()
    finally:
        for c in held:
            c.close()
    wait_for(lambda: o.cli("list").returncode == 0, what="oya to serve again")


def test_open_file_limit_raised_for_oya_and_given_back_to_services(oya):
    o = oya({"s": unit("/bin/sleep infinity")}, nofile=(1024, 4096))
    main = o.wait_state("s", "active", "running")["main_pid"]
    assert psutil.Process(o.pid).rlimit(psutil.RLIMIT_NOFILE) == (4096, 4096)
    assert psutil.Process(main).rlimit(psutil.RLIMIT_NOFILE) == (1024, 4096)


def test_failed_spawns_are_said_but_rate_limited(oya, tmp_path, heartbeat):
    body = f"EnvironmentFile={tmp_path}/missing\nRestart=always\nRestartSec=0\nStartLimitIntervalSec=0\n"
    o = oya({"s": unit("/bin/sleep infinity", body), "beat": heartbeat.unit()})
    heartbeat.wait_running()
    since = time.time()
    wait_for(lambda: "cannot start" in o.err(), what="the first failure")
    time.sleep(2.0)  # an observation window: the crash loop goes on meanwhile
    assert 1 <= o.err().count("oya: s: cannot start") <= 6
    assert heartbeat.longest_gap(since) < MAX_GAP


def test_half_closed_client_gets_its_reply(oya):
    """`printf 'restart s\\n' | nc -N`: the client shuts its writing side after the request and still
    gets the reply once the restart is done."""
    import socket
    o = oya({"s": unit("/bin/sleep infinity")})
    o.wait_state("s", "active", "running")
    c = connect(o.sock)
    c.settimeout(20)
    c.sendall(b"restart\ts\n")
    c.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        b = c.recv(4096)
        if not b:
            break
        reply += b
    c.close()
    assert reply.startswith(b"ok\n") and b"\nend\n" in reply


def test_json_output_is_valid_utf8_whatever_the_unit_says(oya, tmp_path):
    """A description with bytes that are not UTF-8 (and a process title a service chose) must not break
    a JSON reader of `oya status --json`: such bytes become U+FFFD."""
    import json
    from conftest import OYA
    o = oya({"placeholder": unit("/bin/sleep infinity")})
    text = b"[Unit]\nDescription=caf\xe9 \xff\xfe ok \xc3\xa9\n[Service]\nExecStart=/bin/sleep infinity\n"
    (o.units / "bad.service").write_bytes(text)
    os.kill(o.pid, 1)  # SIGHUP: load it
    status = [OYA, "--socket", str(o.sock), "status", "--json", "bad"]
    wait_for(lambda: subprocess.run(status, capture_output=True, timeout=20).returncode in (0, 3), what="the unit")
    r = subprocess.run(status, capture_output=True, timeout=20)
    doc = json.loads(r.stdout.decode("utf-8"))  # strict: raises on bytes that are not UTF-8
    assert doc["services"][0]["description"] == "caf\ufffd \ufffd\ufffd ok \u00e9"


def test_status_of_an_unknown_instance_keeps_nothing(oya):
    """`oya status NAME@X` shows what the template would make, without creating a service each time."""
    o = oya({"t@": unit("/bin/sleep infinity")})
    for i in range(50):
        r = o.cli("status", f"t@probe{i}")
        assert r.returncode == 3 and "inactive" in r.stdout, r.stdout + r.stderr
    r = o.cli("list")
    assert "probe" not in r.stdout


def test_stalled_stdout_does_not_stall_supervision(oya, heartbeat):
    """`oya up | less`, paused: nobody reads oya's standard output. The loop goes on (restarts, clients),
    output that does not fit is dropped and counted, and said once the reader is back."""
    import threading
    o = oya({"chatty": unit("/bin/sh -c 'yes 0123456789abcdef | head -c 8000000; exec sleep infinity'"),
             "beat": heartbeat.unit()}, stdout_pipe=True)
    heartbeat.wait_running()
    since = time.time()
    wait_for(lambda: not [c for c in psutil.Process(o.pid).children(True)
                          if c.name() in ("yes", "head")], what="the burst to be written")
    t0 = time.monotonic()
    assert o.cli("list", timeout=10).returncode == 0
    assert time.monotonic() - t0 < MAX_GAP
    assert heartbeat.longest_gap(since) < MAX_GAP
    got = []
    reader = threading.Thread(target=lambda: got.append(o.proc.stdout.read()), daemon=True)
    reader.start()
    wait_for(lambda: "lines of service output dropped" in o.err(), what="the dropped count")
    assert o.stop() == 0
    reader.join(timeout=20)
    assert got and b"chatty | 0123456789abcdef\n" in got[0]


def test_planted_invocations_file_kills_nothing(oya, unpriv_user, open_tmp):
    """SOCKET.invocations names what a killed oya left, to be stopped: one that is not oya's user's own
    0600 file (here: another user's) is not believed."""
    inv = "0123456789abcdef0123456789abcdef"
    victim = subprocess.Popen(["/bin/sleep", "infinity"], env={"INVOCATION_ID": inv}, stdin=subprocess.DEVNULL)
    try:
        d = open_tmp / "sock"
        d.mkdir(mode=0o777)
        os.chmod(d, 0o777)
        planted = d / "oya.sock.invocations"
        planted.write_text(f"{inv} web\n")
        os.chown(planted, unpriv_user.pw_uid, unpriv_user.pw_gid)
        o = oya({"web": unit("/bin/sleep infinity")}, sock=d / "oya.sock")
        o.wait_state("web", "active", "running")
        assert "not used" in o.err()
        assert victim.poll() is None
    finally:
        end_victim(victim)


FLOODER = r"""
import os, socket, sys, time
name = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setblocking(False)
addr = "\0" + name[1:] if name.startswith("@") else name
end = time.monotonic() + float(sys.argv[2])
sent = 0
while time.monotonic() < end:
    try:
        s.sendto(b"READY=1\nSTATUS=flood", addr)
        sent += 1
    except BlockingIOError:
        time.sleep(0.0005)
print(sent, flush=True)
"""


def test_notify_flood_from_another_user_is_cheap(oya, unpriv_user, open_tmp, tmp_path, heartbeat):
    """A local user who runs no service floods the notify socket: each datagram costs oya no more than
    its receipt (no scan, even with a NotifyAccess=all service, and one /proc read for the sending PID), and
    the loop goes on."""
    env = tmp_path / "env"
    o = oya({"all": unit(f"/bin/sh -c 'echo $NOTIFY_SOCKET > {env}; exec sleep infinity'", "NotifyAccess=all"),
             "beat": heartbeat.unit()})
    wait_for(lambda: env.exists() and env.read_text().strip(), what="NOTIFY_SOCKET")
    heartbeat.wait_running()
    script = open_tmp / "flood.py"
    script.write_text(FLOODER)
    since = time.time()
    before = cpu_seconds(o.pid)
    flood = subprocess.run(["/usr/bin/python3", str(script), env.read_text().strip(), "3"], user=unpriv_user.pw_uid,
                           group=unpriv_user.pw_gid, extra_groups=[], capture_output=True, text=True, timeout=30)
    used = cpu_seconds(o.pid) - before
    sent = int(flood.stdout)
    assert sent > 1000
    # receiving costs a few microseconds a datagram; a /proc read or scan per datagram would cost 100s
    assert used / sent < 20e-6, f"oya used {used:.2f}s of CPU for {sent} datagrams"
    assert heartbeat.longest_gap(since) < MAX_GAP
    assert "notification from PID" not in o.err()  # not even looked at


def test_stalled_stderr_does_not_stall_supervision(tmp_path, heartbeat):
    """`oya up 2>&1 | less`, paused: oya's own messages cannot be written either. The loop goes on; what
    does not fit is lost, not waited for."""
    import fcntl
    from conftest import OYA, end_adopted_orphans
    units = tmp_path / "units"
    units.mkdir()
    (units / "beat.service").write_text(heartbeat.unit())
    sock = tmp_path / "s.sock"
    r, w = os.pipe()
    fcntl.fcntl(r, 1031, 4096)  # F_SETPIPE_SZ: a small pipe, full after a few dozen of oya's lines
    p = subprocess.Popen([OYA, "--socket", str(sock), "up", "--log-dir", "none", str(units)], stdout=w, stderr=w,
                         stdin=subprocess.DEVNULL, env=dict(os.environ, NO_COLOR="1"))
    os.close(w)
    try:
        heartbeat.wait_running(n=60)  # 60 restarts: far more lines than the pipe holds
        since = time.time()
        t0 = time.monotonic()
        assert subprocess.run([OYA, "--socket", str(sock), "list"], capture_output=True, timeout=10).returncode == 0
        assert time.monotonic() - t0 < MAX_GAP
        heartbeat.wait_running(n=len(heartbeat.beats()) + 10)
        assert heartbeat.longest_gap(since) < MAX_GAP
    finally:
        p.send_signal(15)
        try:
            rc = p.wait(timeout=30)
        finally:
            os.close(r)
            end_adopted_orphans()
    assert rc == 0


def test_output_fifo_blocks_only_the_service(oya, unpriv_user, user_dir, heartbeat):
    """A FIFO at a StandardOutput=file: path: the service's own process opens it (and waits there, as
    it would under systemd), oya does not."""
    fifo = user_dir / "out"
    os.mkfifo(fifo)
    os.chown(fifo, unpriv_user.pw_uid, unpriv_user.pw_gid)
    o = oya({"s": unit("/bin/echo hello", f"User={unpriv_user.pw_name}\nStandardOutput=file:{fifo}\n"),
             "beat": heartbeat.unit()})
    heartbeat.wait_running()
    since = time.time()
    t0 = time.monotonic()
    assert o.cli("list", timeout=10).returncode == 0
    assert time.monotonic() - t0 < MAX_GAP
    heartbeat.wait_running(n=len(heartbeat.beats()) + 10)
    assert heartbeat.longest_gap(since) < MAX_GAP
    o.cli("stop", "s", check=True)  # the waiting process is stopped like any other


def test_out_of_fds_fails_the_start_not_the_output(oya, tmp_path):
    """A start whose output pipe cannot be made (oya out of fds) fails with why (209/STDOUT), instead of
    running with its output silently thrown away; oya goes on and the next start works."""
    beats = tmp_path / "beats"
    o = oya({"s": unit(f"/bin/sh -c 'echo beat >> {beats}; echo said; sleep 0.3; exit 1'",
                       "Restart=always\nRestartSec=100ms\nStartLimitIntervalSec=0")}, nofile=(64, 64))
    wait_for(lambda: beats.exists(), what="a first run")
    held = []
    try:
        for _ in range(80):
            held.append(connect(o.sock))
        wait_for(lambda: "cannot make the pipe for its output: Too many open files (status=209/STDOUT)" in o.err(),
                 what="a start failing for want of a pipe")
    finally:
        for c in held:
            c.close()
    n = len(beats.read_text().split())
    wait_for(lambda: len(beats.read_text().split()) > n + 1, what="starts working again")
    wait_for(lambda: o.cli("list").returncode == 0, what="oya to serve again")
    assert "said" in o.cli("logs", "s", "-o", "cat").stdout
