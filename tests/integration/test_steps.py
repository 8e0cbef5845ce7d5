"""ExecStartPre/Post, ExecReload (oya reload), ExecStop/StopPost, Type=forking with and without PIDFile=,
RuntimeDirectory= and its kin, Alias=: real commands, run in order, seen from outside."""
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import uuid
from pathlib import Path

import psutil
import pytest

from conftest import OYA, unit, wait_for


def log_cmd(log, word):
    return f"/bin/sh -c 'echo {word} $$MAINPID >> {log}'"


def lines(path):
    return path.read_text().split("\n")[:-1] if path.exists() else []


def test_every_step_runs_in_order(oya, tmp_path):
    log = tmp_path / "log"
    extra = "\n".join([
        f"ExecStartPre={log_cmd(log, 'pre1')}",
        f"ExecStartPre=-/bin/false",
        f"ExecStartPost={log_cmd(log, 'post')}",
        f"ExecReload={log_cmd(log, 'reload')}",
        f"ExecStop={log_cmd(log, 'stop')}",
        f"ExecStopPost={log_cmd(log, 'stoppost')}",
    ])
    o = oya({"s": unit("/bin/sleep infinity", extra)})
    rec = o.wait_state("s", "active", "running")
    main = rec["main_pid"]
    wait_for(lambda: len(lines(log)) == 2, what="pre and post")
    assert lines(log) == ["pre1", f"post {main}"]  # $MAINPID is set once there is a main process
    r = o.cli("reload", "s")
    assert r.returncode == 0 and "reloaded" in r.stdout, r.stdout + r.stderr
    assert lines(log)[-1] == f"reload {main}"
    r = o.cli("stop", "s")
    assert r.returncode == 0
    assert lines(log)[2:] == [f"reload {main}", f"stop {main}", "stoppost"]
    assert not psutil.pid_exists(main)


def test_failing_start_pre_fails_the_start(oya, tmp_path):
    post = tmp_path / "stoppost"
    o = oya({"s": unit("/bin/sleep infinity", f"ExecStartPre=/bin/sh -c 'exit 3'\nExecStopPost=/bin/touch {post}")})
    rec = o.wait_state("s", "failed")
    assert rec["result"] == "exit-code"
    assert rec["main_pid"] == 0
    wait_for(post.exists, what="ExecStopPost= after the failed start")
    r = o.cli("start", "s")
    assert r.returncode == 1
    assert "exit-code" in r.stderr


def test_reload_without_exec_reload_is_refused(oya):
    o = oya({"s": unit("/bin/sleep infinity")})
    o.wait_state("s", "active", "running")
    r = o.cli("reload", "s")
    assert r.returncode != 0
    assert "s cannot be reloaded: it has no ExecReload=" in r.stderr


def test_failing_reload_keeps_the_service(oya):
    o = oya({"s": unit("/bin/sleep infinity", "ExecReload=/bin/false")})
    rec = o.wait_state("s", "active", "running")
    r = o.cli("reload", "s")
    assert r.returncode == 1
    assert "reload failed (Result: exit-code)" in r.stderr
    assert o.record("s")["main_pid"] == rec["main_pid"]


def test_kill_hup_reload_reaches_the_main_process(oya, tmp_path):
    got = tmp_path / "got"
    script = f"trap 'echo HUP >> {got}' HUP; while :; do sleep 0.1; done"
    o = oya({"s": unit(f"/bin/sh -c \"{script}\"", "ExecReload=/bin/kill -HUP $MAINPID")})
    o.wait_state("s", "active", "running")
    assert o.cli("reload", "s").returncode == 0
    wait_for(lambda: lines(got) == ["HUP"], what="SIGHUP in the main process")


def test_stop_command_that_hangs_is_killed(oya, tmp_path):
    o = oya({"s": unit("/bin/sleep infinity", "ExecStop=/bin/sleep 60\nTimeoutStopSec=1s")})
    rec = o.wait_state("s", "active", "running")
    r = o.cli("stop", "s", timeout=30)
    assert r.returncode == 0
    assert not psutil.pid_exists(rec["main_pid"])
    assert [p for p in o.descendants() if p.name() == "sleep"] == []


@pytest.fixture
def open_dir():
    """A directory every user may write to (a User=nobody service writes its findings there)."""
    d = Path(tempfile.mkdtemp(prefix="oya-test-"))
    os.chmod(d, 0o777)
    yield d
    shutil.rmtree(d)


def test_privileged_prefix_runs_as_oya(oya, open_dir):
    if os.geteuid() != 0:
        pytest.skip("User= needs root")
    pre, post = open_dir / "pre", open_dir / "post"
    o = oya({"s": unit("/bin/sleep infinity",
                       f"User=nobody\nExecStartPre=+/bin/sh -c 'id -u > {pre}'\n"
                       f"ExecStartPost=/bin/sh -c 'id -u > {post}'")})
    rec = o.wait_state("s", "active", "running")
    assert lines(pre) == ["0"]
    assert lines(post) == [str(pwd.getpwnam("nobody").pw_uid)]
    assert psutil.Process(rec["main_pid"]).uids().real == pwd.getpwnam("nobody").pw_uid


FORKER = r"""
import os, sys, time
pidfile = sys.argv[1] if len(sys.argv) > 1 else None
pid = os.fork()
if pid:
    time.sleep(0.1)  # the parent leaves before (or while) the daemon writes its PID file
    os._exit(0)
os.setsid()
if os.fork():
    os._exit(0)
time.sleep(0.3)
if pidfile:
    with open(pidfile + ".tmp", "w") as f:
        f.write(f"{os.getpid()}\n")
    os.rename(pidfile + ".tmp", pidfile)
while True:
    time.sleep(1)
"""


def test_forking_with_pidfile(oya, tmp_path):
    script = tmp_path / "forker.py"
    script.write_text(FORKER)
    pidfile = tmp_path / "d.pid"
    o = oya({"d": unit(f"/usr/bin/python3 {script} {pidfile}", f"Type=forking\nPIDFile={pidfile}")})
    rec = o.wait_state("d", "active", "running")
    daemon = psutil.Process(rec["main_pid"])
    assert int(pidfile.read_text()) == daemon.pid
    assert daemon.ppid() == o.pid  # double-forked, adopted by oya
    o.cli("stop", "d", check=True)
    assert not daemon.is_running() or daemon.status() == psutil.STATUS_ZOMBIE
    assert not pidfile.exists()  # PIDFile= is removed once the service is down


def test_forking_without_pidfile_guesses_the_main_process(oya, tmp_path):
    script = tmp_path / "forker.py"
    script.write_text(FORKER)
    o = oya({"d": unit(f"/usr/bin/python3 {script}", "Type=forking")})
    rec = o.wait_state("d", "active", "running")
    daemon = psutil.Process(rec["main_pid"])
    assert daemon.cmdline()[1] == str(script)
    daemon.kill()
    rec = o.wait_state("d", "failed")
    assert rec["result"] == "signal"


# Modelled on postfix's master: the start command forks it and returns; the master calls setsid, clears
# its environment (no INVOCATION_ID), forks a worker, and writes its PID file late, or never. Neither the
# session nor the environment finds it; it belongs to the service because oya adopted it while the start
# command ran.
MASTER = ("/bin/sh -c \"env -i /usr/bin/setsid -f /bin/sh -c '/bin/sleep 1001 & "
          "{write}exec /bin/sleep 1000' < /dev/null > /dev/null 2>&1\"")


@pytest.mark.parametrize("pidfile", [True, False], ids=["late-pidfile", "no-pidfile"])
def test_forking_daemon_that_left_session_and_environment_belongs_to_the_service(oya, tmp_path, pidfile):
    pf = tmp_path / "master.pid"
    write = f"sleep 0.3; echo $$$$ > {pf}; " if pidfile else ""  # $$$$: the shell sees $$
    extra = "Type=forking\nExecStop=/bin/true" + (f"\nPIDFile={pf}" if pidfile else "")
    o = oya({"postfix": unit(MASTER.format(write=write), extra)})
    rec = o.wait_state("postfix", "active", "running")
    master = psutil.Process(rec["main_pid"])
    assert master.cmdline() == ["/bin/sleep", "1000"]
    assert master.ppid() == o.pid and master.pid == os.getsid(master.pid)  # adopted, its own session
    assert "INVOCATION_ID" not in master.environ()
    worker = [c for c in master.children() if c.cmdline() == ["/bin/sleep", "1001"]]
    assert len(worker) == 1
    assert sorted(p["pid"] for p in rec["processes"]) == sorted([master.pid, worker[0].pid])
    status = o.cli("status", "postfix").stdout
    assert f"Main PID: {master.pid} (sleep)" in status and "unknown" not in status
    r = o.cli("stop", "postfix")
    assert r.returncode == 0 and "stopped (inactive, dead)" in r.stdout
    for p in (master, worker[0]):
        assert not p.is_running() or p.status() == psutil.STATUS_ZOMBIE
    assert "main pid unknown" not in o.err() + o.out()


def test_forking_guess_main_pid_no_takes_none(oya, tmp_path):
    script = tmp_path / "forker.py"
    script.write_text(FORKER)
    o = oya({"d": unit(f"/usr/bin/python3 {script}", "Type=forking\nGuessMainPID=no")})
    rec = o.wait_state("d", "active", "running")
    assert rec["main_pid"] == 0  # up while any of its processes is left
    assert len(rec["processes"]) == 1
    o.cli("stop", "d", check=True)


def test_forking_pidfile_never_written_times_out(oya, tmp_path):
    # a daemon lives but never writes its PID file (one that dies first fails at once: test_security.py)
    o = oya({"d": unit("/bin/sh -c 'sleep infinity &'", f"Type=forking\nPIDFile={tmp_path}/never.pid\nTimeoutStartSec=1s")})
    rec = o.wait_state("d", "failed")
    assert rec["result"] == "timeout"


def test_runtime_and_state_directories(oya, open_dir):
    if os.geteuid() != 0:
        pytest.skip("directories below /run and /var/lib need root")
    name = "oya-test-" + uuid.uuid4().hex[:8]
    env = open_dir / "env"
    body = (f"User=nobody\nRuntimeDirectory={name} {name}/sub\nRuntimeDirectoryMode=2750\n"
            f"StateDirectory={name}\n")
    o = oya({"s": unit(f"/bin/sh -c 'env > {env}; exec sleep infinity'", body)})
    try:
        o.wait_state("s", "active", "running")
        run = f"/run/{name}"
        st = os.stat(run)
        assert stat.S_IMODE(st.st_mode) == 0o2750
        assert st.st_uid == pwd.getpwnam("nobody").pw_uid
        assert os.path.isdir(f"{run}/sub")
        assert os.stat(f"/var/lib/{name}").st_uid == pwd.getpwnam("nobody").pw_uid
        wait_for(lambda: "RUNTIME_DIRECTORY=" in env.read_text() if env.exists() else False, what="env")
        text = env.read_text()
        assert f"RUNTIME_DIRECTORY={run}:{run}/sub\n" in text
        assert f"STATE_DIRECTORY=/var/lib/{name}\n" in text
        o.cli("stop", "s", check=True)
        assert not os.path.exists(run)  # RuntimeDirectory= goes with the service
        assert os.path.isdir(f"/var/lib/{name}")  # StateDirectory= stays
    finally:
        subprocess.run(["rm", "-rf", f"/run/{name}", f"/var/lib/{name}"])


def test_directories_and_specifiers_as_a_user_manager(unpriv_user, user_dir):
    # oya run by a user is what systemd's user manager is: RuntimeDirectory= and its kin, and %t %S %C %L
    # %E %h, resolve below $XDG_RUNTIME_DIR, $XDG_STATE_HOME or ~/.local/state, ~/.cache, ~/.config
    home, run = user_dir / "home", user_dir / "xdg-run"
    for d in (home, run):
        d.mkdir(mode=0o700)
        os.chown(d, unpriv_user.pw_uid, unpriv_user.pw_gid)
    units = user_dir / "units"
    units.mkdir()
    out = user_dir / "out"
    (units / "app.service").write_text(
        "[Service]\nRuntimeDirectory=app\nStateDirectory=app\nCacheDirectory=app\nLogsDirectory=app\n"
        "ConfigurationDirectory=app\n"
        f"ExecStart=/bin/sh -c 'echo t=%t S=%S C=%C L=%L E=%E h=%h u=%u >> {out}; env | sort >> {out}; "
        "exec sleep infinity'\n")
    os.chown(user_dir, unpriv_user.pw_uid, unpriv_user.pw_gid)
    env = {"HOME": str(home), "XDG_RUNTIME_DIR": str(run), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    as_user = ["setpriv", f"--reuid={unpriv_user.pw_uid}", f"--regid={unpriv_user.pw_gid}", "--init-groups"]
    r = subprocess.run(as_user + [OYA, "verify", str(units)], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    sock = user_dir / "oya.sock"
    proc = subprocess.Popen(as_user + [OYA, "--socket", str(sock), "up", str(units)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: out.exists() and "RUNTIME_DIRECTORY" in out.read_text(), what="the service's output")
        text = out.read_text()
        state, cache, config = home / ".local/state", home / ".cache", home / ".config"
        assert (f"t={run} S={state} C={cache} L={state}/log E={config} h={home} u={unpriv_user.pw_name}\n"
                in text), text
        for var, path in (("RUNTIME_DIRECTORY", run / "app"), ("STATE_DIRECTORY", state / "app"),
                          ("CACHE_DIRECTORY", cache / "app"), ("LOGS_DIRECTORY", state / "log/app"),
                          ("CONFIGURATION_DIRECTORY", config / "app")):
            assert f"{var}={path}\n" in text
            assert path.is_dir() and path.stat().st_uid == unpriv_user.pw_uid
        r = subprocess.run(as_user + [OYA, "--socket", str(sock), "stop", "app"], capture_output=True, text=True,
                           env=env, timeout=60)
        assert r.returncode == 0, r.stderr
        assert not (run / "app").exists()  # RuntimeDirectory= goes with the service
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_alias_names_the_service(oya):
    o = oya({"real": unit("/bin/sleep infinity") + "[Install]\nAlias=nick.service\n"})
    o.wait_state("real", "active", "running")
    r = o.cli("status", "nick")
    assert r.returncode == 0 and "● real" in r.stdout


def test_template_instances_on_demand(oya, tmp_path):
    out = tmp_path / "out"
    os.makedirs(out)
    tmpl = ("[Unit]\nDescription=Worker %i\n[Service]\n"
            f"ExecStart=/bin/sh -c 'echo %n %N %p %i %I > {out}/%i; exec sleep infinity'\n")
    o = oya({"plain": unit("/bin/sleep infinity"), "work@": tmpl})
    o.wait_state("plain", "active", "running")
    assert [r.split()[0] for r in o.cli("list", "--no-legend").stdout.splitlines()] == ["plain"]
    r = o.cli("start", "work@db-1")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: (out / "db-1").exists() and (out / "db-1").read_text(), what="the instance's output")
    assert (out / "db-1").read_text() == "work@db-1.service work@db-1 work db-1 db/1\n"
    rec = o.record("work@db-1")
    assert rec["description"] == "Worker db-1" and rec["active"] == "active"
    assert o.cli("start", "nosuch@x").returncode != 0
    o.cli("stop", "work@db-1", check=True)


def test_reload_propagates_to_instances_and_listed_units(oya, tmp_path):
    # as postgresql's units: `reload postgresql` (a oneshot that remains active) reaches every running
    # postgresql@ instance (ReloadPropagatedFrom=), and PropagatesReloadTo= carries it on, transitively;
    # units that are not active, or have no ExecReload=, are passed over
    log = tmp_path / "reloads"

    def rl(name):
        return f"ExecReload=/bin/sh -c 'echo {name} >> {log}'"
    o = oya({
        "pg": unit("/bin/true", "Type=oneshot\nRemainAfterExit=yes\n" + rl("pg"),
                   unit_extra="PropagatesReloadTo=extra.service"),
        "pg@": "[Unit]\nReloadPropagatedFrom=pg.service\n[Service]\nExecStart=/bin/sleep infinity\n" + rl("%i") + "\n",
        "extra": unit("/bin/sleep infinity", rl("extra"), unit_extra="PropagatesReloadTo=chain.service"),
        "chain": unit("/bin/sleep infinity", rl("chain")),
        "idle": unit("/bin/sleep infinity", rl("idle"),
                     unit_extra="ReloadPropagatedFrom=pg.service\nConditionPathExists=/nonexistent"),
        "plain": unit("/bin/sleep infinity", unit_extra="ReloadPropagatedFrom=pg.service"),
    })
    assert o.cli("start", "pg@15-main").returncode == 0
    for name in ("extra", "chain", "plain", "pg@15-main"):
        o.wait_state(name, "active", "running")
    o.wait_state("pg", "active", "exited")
    r = o.cli("reload", "pg")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: len(lines(log)) == 4, what="four reloads")
    assert sorted(lines(log)) == ["15-main", "chain", "extra", "pg"]
    for name in ("extra", "chain", "plain", "pg@15-main"):
        o.wait_state(name, "active", "running")
    assert o.state("pg") == ("active", "exited")  # a reload brings it back to where it was
    assert o.state("idle")[0] == "inactive"


def test_masked_unit_is_skipped(tmp_path):
    masked = tmp_path / "m.service"
    masked.symlink_to("/dev/null")
    r = subprocess.run([OYA, "verify", str(masked)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0
    assert r.stderr == f"oya: {masked}: masked (a link to /dev/null), skipped\n"


def test_conditions_skip_and_asserts_refuse(oya, tmp_path):
    flag = tmp_path / "flag"
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    o = oya({
        "cond": unit("/bin/sleep infinity", unit_extra=f"ConditionPathExists={flag}"),
        "neg": unit("/bin/sleep infinity", unit_extra=f"ConditionPathExists=!{flag}"),
        "trig": unit("/bin/sleep infinity", unit_extra=f"ConditionPathExists=|{flag}\n"
                                                       f"ConditionDirectoryNotEmpty=|{empty_dir}\n"
                                                       f"ConditionPathIsDirectory={empty_dir}"),
        "asrt": unit("/bin/sleep infinity", unit_extra=f"AssertFileNotEmpty={flag}"),
    })
    o.wait_state("neg", "active", "running")
    rec = o.record("cond")
    assert (rec["active"], rec["result"]) == ("inactive", "success")
    assert rec["condition"] == f"ConditionPathExists={flag} was not met"
    assert rec["main_pid"] == 0
    assert "start condition unmet, skipped" in o.cli("status", "cond").stdout
    assert o.record("trig")["condition"].startswith("none of the triggering conditions")
    assert o.record("asrt")["condition_kind"] == "assert"
    r = o.cli("start", "cond")
    assert r.returncode == 0 and "start skipped" in r.stdout
    r = o.cli("start", "asrt")
    assert r.returncode == 1 and f"AssertFileNotEmpty={flag} was not met" in r.stderr
    flag.write_text("x")  # now every condition and assert holds, and the triggering one is met
    for name in ("cond", "trig", "asrt"):
        assert o.cli("start", name).returncode == 0
        o.wait_state(name, "active", "running")
        assert o.record(name)["condition"] == ""


def test_forking_with_two_daemons_runs_until_both_are_gone(oya, tmp_path):
    # the start command leaves two daemons and no PID file: no main process can be guessed, so the service
    # is up while any of its processes is left, and goes down when the last one does
    start = "/bin/sh -c '(setsid sleep 1000 &); (setsid sleep 1001 &); sleep 0.2'"
    o = oya({"d": unit(start, "Type=forking")})
    rec = o.wait_state("d", "active", "running")
    assert rec["main_pid"] == 0
    daemons = [p for p in psutil.Process(o.pid).children() if p.name() == "sleep"]
    assert len(daemons) == 2
    daemons[0].kill()
    daemons[0].wait(timeout=10)
    assert o.state("d") == ("active", "running")
    daemons[1].kill()
    o.wait_state("d", "inactive", "dead")
