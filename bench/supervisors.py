"""make bench, supervisor scenarios: oya side by side with runit, s6, daemontools and supervisord.

1. idle footprint (10 services, 20 idle seconds), 2. restart latency (SIGKILL, median of 20),
3. mass start (200 services, against a C fork+exec loop), 4. control latency (status round trip, hyperfine),
7. output capture (1 GiB of lines, against svlogd, s6-log and `cat > file`).

Every service is build/bench/svc, which appends "PID START_NS" (CLOCK_MONOTONIC) to its own file and pauses.
The bench is a child subreaper; every process it starts is ended by PID (the tree below each supervisor is
listed, then each PID is SIGKILLed), and every wait is bounded by a deadline.
"""
import ctypes
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, os.path.dirname(__file__))
from report import machine, put_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OYA = ROOT / "build" / "oya"
BIN = ROOT / "build" / "bench"
SVC = BIN / "svc"
REPORT = os.environ.get("BENCH_REPORT", str(ROOT / "docs" / "benchmarks.md"))
IDLE_SERVICES = int(os.environ.get("BENCH_IDLE_SERVICES", "10"))
IDLE_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "20"))
CONTROL_SERVICES = int(os.environ.get("BENCH_CONTROL_SERVICES", "200"))
RESTARTS = int(os.environ.get("BENCH_RESTARTS", "20"))
MASS = int(os.environ.get("BENCH_MASS", "200"))
MASS_RUNS = int(os.environ.get("BENCH_MASS_RUNS", "3"))
CAPTURE_BYTES = int(os.environ.get("BENCH_CAPTURE_BYTES", str(1 << 30)))
LINE = 100  # bench/lines writes 100-byte lines


def now_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def wait_until(cond, timeout, what, step=0.0005):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise TimeoutError(f"bench: gave up after {timeout}s waiting for {what}")


def starts(path):
    """[(pid, start_ns)] recorded by bench/svc in path."""
    try:
        return [tuple(map(int, l.split())) for l in Path(path).read_text().splitlines() if l]
    except FileNotFoundError:
        return []


def end_tree(proc):
    """SIGKILL a started process and everything below it, by PID, and reap them."""
    if proc is None:
        return
    try:
        kids = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        kids = []
    for p in [proc] + kids:
        try:
            os.kill(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=30)
    except Exception:
        pass
    reap_adopted()


def reap_adopted():
    """As subreaper the bench adopts what a killed supervisor leaves; end and reap those too."""
    try:
        for p in psutil.Process().children():
            if p.pid not in RUNNING:
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    except psutil.NoSuchProcess:
        pass
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            # a killed process may take a moment to become a zombie
            if not [p for p in psutil.Process().children() if p.pid not in RUNNING]:
                return
            time.sleep(0.01)


RUNNING = set()  # PIDs of processes the bench is still using (not adopted leftovers)


def launch(argv, log, **kw):
    p = subprocess.Popen([str(a) for a in argv], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True, **kw)
    RUNNING.add(p.pid)
    return p


def stop(p):
    RUNNING.discard(p.pid)
    end_tree(p)


def shebang(path, argv):
    """A run script that is not a shell: the kernel runs `argv... ./run` (bench/svc ignores the extra)."""
    path.write_text("#!" + " ".join(str(a) for a in argv) + "\n")
    path.chmod(0o755)


class Sup:
    """One supervisor: writes its configuration for named services, starts, asks status, stops."""
    name = ""
    note = ""

    def __init__(self, top):
        self.dir = Path(top) / self.name
        self.dir.mkdir()
        self.log = open(self.dir / "sup.log", "wb")
        self.proc = None

    def record(self, svc):
        return self.dir / f"{svc}.starts"

    def setup(self, services, restart=True):
        raise NotImplementedError

    def argv(self):
        raise NotImplementedError

    def status_argv(self, svc):
        raise NotImplementedError

    def start(self):
        self.proc = launch(self.argv(), self.log)
        return self.proc

    def stop(self):
        if self.proc:
            stop(self.proc)
            self.proc = None
        self.log.close()


class Oya(Sup):
    name = "oya"
    note = "Restart=always, RestartSec=0 (no minimum delay)"

    def setup(self, services, restart=True):
        (self.dir / "units").mkdir()
        self.sock = self.dir / "oya.sock"
        for s in services:
            (self.dir / "units" / f"{s}.service").write_text(
                f"[Service]\nExecStart={SVC} {self.record(s)}\nRestart={'always' if restart else 'no'}\n"
                "RestartSec=0\nStartLimitBurst=0\n" + os.environ.get("BENCH_OYA_EXTRA", ""))

    def argv(self):
        return [OYA, "--socket", self.sock, "up", self.dir / "units"]

    def status_argv(self, svc):
        return [OYA, "--socket", self.sock, "status", svc]


class ServiceDirs(Sup):
    """runit, s6 and daemontools: a scan directory with one directory per service holding ./run."""
    scanner = []

    def setup(self, services, restart=True):
        (self.dir / "scan").mkdir()
        for s in services:
            d = self.dir / "scan" / s
            d.mkdir()
            shebang(d / "run", [SVC, self.record(s)])

    def argv(self):
        return self.scanner + [self.dir / "scan"]


class Runit(ServiceDirs):
    name = "runit"
    note = "runsv waits 1 s before restarting a ./run that exits within 1 s of its start"
    scanner = ["runsvdir", "-P"]

    def status_argv(self, svc):
        return ["sv", "status", self.dir / "scan" / svc]


class S6(ServiceDirs):
    name = "s6"
    note = "s6-supervise paced every restart here by about 1 s, even after 1.1 s of run time"
    scanner = ["s6-svscan"]

    def status_argv(self, svc):
        return ["s6-svstat", self.dir / "scan" / svc]


class Daemontools(ServiceDirs):
    name = "daemontools"
    note = "supervise sleeps 1 s after each start of ./run"
    scanner = ["svscan"]

    def status_argv(self, svc):
        return ["svstat", self.dir / "scan" / svc]


class Supervisord(Sup):
    name = "supervisord"
    note = "autorestart=true, startsecs=0; it restarts on a tick of its 1-second loop"

    def setup(self, services, restart=True):
        self.conf = self.dir / "supervisord.conf"
        d = self.dir
        text = (f"[unix_http_server]\nfile={d}/supervisor.sock\n\n"
                f"[supervisord]\nnodaemon=true\nuser=root\nlogfile={d}/supervisord.log\npidfile={d}/supervisord.pid\n"
                f"childlogdir={d}\n\n"
                "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
                f"[supervisorctl]\nserverurl=unix://{d}/supervisor.sock\n\n")
        for s in services:
            text += (f"[program:{s}]\ncommand={SVC} {self.record(s)}\nautorestart={'true' if restart else 'false'}\n"
                     "startsecs=0\nstartretries=1000\nstdout_logfile=NONE\nstderr_logfile=NONE\n\n")
        self.conf.write_text(text)

    def argv(self):
        return ["supervisord", "-c", self.conf]

    def status_argv(self, svc):
        return ["supervisorctl", "-c", self.conf, "status", svc]


class Floor(Sup):
    """The restart floor: bench/respawn, a fork+exec+waitpid loop in C (one service only)."""
    name = "floor"
    note = "`build/bench/respawn`: fork, exec, waitpid, again"

    def setup(self, services, restart=True):
        self.svc = services[0]

    def argv(self):
        return [BIN / "respawn", SVC, self.record(self.svc)]


ALL = [Oya, Runit, S6, Daemontools, Supervisord]


def supervisor_side(sup, service_pids):
    """The processes of the supervisor itself: its tree without the services."""
    root = psutil.Process(sup.proc.pid)
    return [p for p in [root] + root.children(recursive=True) if p.pid not in service_pids]


def proc_costs(pids):
    """Summed PSS and RSS in KiB, CPU ticks, context switches of pids."""
    pss = rss = ticks = ctx = 0
    for pid in pids:
        try:
            for l in open(f"/proc/{pid}/smaps_rollup"):
                if l.startswith("Pss:"):
                    pss += int(l.split()[1])
                elif l.startswith("Rss:"):
                    rss += int(l.split()[1])
            stat = open(f"/proc/{pid}/stat").read()
            f = stat[stat.rindex(")") + 2:].split()
            ticks += int(f[11]) + int(f[12])
            for l in open(f"/proc/{pid}/status"):
                if l.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    ctx += int(l.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return pss, rss, ticks, ctx


def all_started(sup, services, count=1):
    return all(len(starts(sup.record(s))) >= count for s in services)


def service_pids(sup, services):
    return {pid for s in services for pid, _ in starts(sup.record(s))}


def run_side_by_side(top, name, count, body):
    """Every supervisor with the same count services at once; body(sups, services) once all run."""
    services = [f"s{i}" for i in range(count)]
    base = Path(top) / name
    base.mkdir()
    sups = [cls(base) for cls in ALL]
    try:
        for s in sups:
            s.setup(services)
            s.start()
        for s in sups:
            wait_until(lambda: all_started(s, services), 120, f"{s.name} to start {len(services)} services", 0.01)
        return body(sups, services)
    finally:
        for s in sups:
            s.stop()


def scenario_idle(top):
    """1: every supervisor with the same services, side by side; footprint over idle seconds."""
    def body(sups, services):
        time.sleep(2)  # let start-up work settle before the idle window opens
        side = {s.name: [p.pid for p in supervisor_side(s, service_pids(s, services))] for s in sups}
        before = {s.name: proc_costs(side[s.name]) for s in sups}
        time.sleep(IDLE_SECONDS)
        after = {s.name: proc_costs(side[s.name]) for s in sups}
        idle = {}
        for s in sups:
            b, a = before[s.name], after[s.name]
            idle[s.name] = dict(procs=len(side[s.name]), pss=a[0], rss=a[1], ticks=a[2] - b[2], wakeups=a[3] - b[3])
        return idle
    return run_side_by_side(top, "idle", IDLE_SERVICES, body)


def scenario_control(top):
    """4: the status round trip of one service with hyperfine, CONTROL_SERVICES services running under
    every supervisor at once."""
    def body(sups, services):
        json_out = Path(top) / "control.json"
        args = []
        for s in sups:
            args += ["-n", s.name, " ".join(f"'{a}'" for a in s.status_argv("s1"))]
        subprocess.run(["hyperfine", "-N", "-w", "3", "-r", os.environ.get("BENCH_CONTROL_RUNS", "30"),
                        "--export-json", str(json_out), "-i"] + args, check=True, stdout=subprocess.DEVNULL)
        return {r["command"]: r for r in json.load(open(json_out))["results"]}
    return run_side_by_side(top, "control", CONTROL_SERVICES, body)


def scenario_restart(top):
    """2: SIGKILL the one service, time until the new instance's main() runs; RESTARTS times each."""
    out = {}
    base = Path(top) / "restart"
    base.mkdir()
    for cls in [Floor] + ALL:
        s = cls(base)
        try:
            s.setup(["r"])
            s.start()
            rec = s.record("r")
            wait_until(lambda: starts(rec), 60, f"{s.name} to start the service", 0.01)
            lat = []
            for _ in range(RESTARTS):
                pid, t_start = starts(rec)[-1]
                # every anchor restarts at once only a service that ran for more than a second
                left = t_start + 1_100_000_000 - now_ns()
                if left > 0:
                    time.sleep(left / 1e9)
                n = len(starts(rec))
                t0 = now_ns()
                os.kill(pid, signal.SIGKILL)
                wait_until(lambda: len(starts(rec)) > n, 30, f"{s.name} to restart the service")
                lat.append((starts(rec)[-1][1] - t0) / 1e6)
            out[s.name] = lat
        finally:
            s.stop()
    return out


def scenario_mass(top):
    """3: launch the supervisor (or the C loop) and time until all MASS services' main() ran."""
    services = [f"s{i}" for i in range(MASS)]
    out = {}
    base = Path(top) / "mass"
    base.mkdir()
    for run in range(MASS_RUNS):
        d = base / f"floor{run}"
        d.mkdir()
        log = open(d / "log", "wb")
        t0 = now_ns()
        p = launch([BIN / "spawn", MASS, d, SVC], log)
        try:
            wait_until(lambda: all(starts(d / f"s{i}") for i in range(MASS)), 60, "the C loop's services", 0.001)
            out.setdefault("floor", []).append((max(starts(d / f"s{i}")[0][1] for i in range(MASS)) - t0) / 1e6)
        finally:
            stop(p)
            log.close()
        (base / str(run)).mkdir()
        for cls in ALL:
            s = cls(base / str(run))
            try:
                s.setup(services)
                t0 = now_ns()
                s.start()
                wait_until(lambda: all_started(s, services), 120, f"{s.name} to start {MASS} services", 0.001)
                out.setdefault(s.name, []).append(
                    (max(starts(s.record(x))[0][1] for x in services) - t0) / 1e6)
            finally:
                s.stop()
    return out


def count_lines(paths, prefix=None):
    n = 0
    for path in paths:
        with open(path, "rb") as f:
            if prefix is None:
                while True:
                    b = f.read(1 << 22)
                    if not b:
                        break
                    n += b.count(b"\n")
            else:
                for line in f:
                    if line.startswith(prefix):
                        n += 1
    return n


def scenario_capture(top):
    """7: 1 GiB of 100-byte lines from a service's stdout into files; seconds, MiB/s, lines lost."""
    base = Path(top) / "capture"
    base.mkdir()
    lines = CAPTURE_BYTES // LINE
    gen = f"{BIN / 'lines'} {CAPTURE_BYTES}"
    out = {}

    def pipeline(name, shell, files):
        log = open(base / f"{name}.log", "wb")
        t0 = time.monotonic()
        p = launch(["/bin/sh", "-c", shell], log)
        try:
            p.wait(timeout=600)
            secs = time.monotonic() - t0
        finally:
            stop(p)
            log.close()
        got = count_lines(files())
        out[name] = dict(secs=secs, lost=lines - got, cmd=shell.replace(str(base), "DIR").replace(str(BIN), "build/bench"))
        for f in files():
            os.unlink(f)

    pipeline("floor", f"{gen} | cat > {base}/cat.out", lambda: [base / "cat.out"])
    (base / "svlogd").mkdir()
    (base / "svlogd" / "config").write_text("s0\n")  # no rotation: every line stays in ./current
    pipeline("svlogd", f"{gen} | svlogd {base}/svlogd", lambda: [base / "svlogd" / "current"])
    pipeline("s6-log", f"{gen} | s6-log -b n100 s100000000 {base}/s6log",
             lambda: [p for p in (base / "s6log").iterdir() if p.name == "current" or p.name.startswith("@")])
    # oya: the service writes to its stdout pipe; oya frames each line behind "gen | " on its own stdout
    s = Oya(base)
    (s.dir / "units").mkdir()
    s.sock = s.dir / "oya.sock"
    (s.dir / "units" / "gen.service").write_text(f"[Service]\nExecStart={gen}\n")
    outf = open(base / "oya.out", "wb")
    t0 = time.monotonic()
    p = launch(s.argv(), outf)
    try:
        def ended():
            r = subprocess.run([str(a) for a in s.status_argv("gen")], capture_output=True)
            return r.returncode == 3  # the service ran and is no longer active
        wait_until(ended, 600, "oya's service to write its lines", 0.02)
        os.kill(p.pid, signal.SIGTERM)
        p.wait(timeout=60)
        secs = time.monotonic() - t0
    finally:
        stop(p)
        outf.close()
    got = count_lines([base / "oya.out"], prefix=b"gen | ")
    out["oya"] = dict(secs=secs, lost=lines - got, cmd="oya up DIR (ExecStart=build/bench/lines N) > DIR/oya.out")
    os.unlink(base / "oya.out")
    return out


def med(xs):
    return statistics.median(xs)


def render(idle, control, restart, mass, capture):
    L = []
    L.append("## Supervisors: oya beside runit, s6, daemontools and supervisord\n")
    L.append(machine(["runit", "s6", "daemontools", "supervisor", "hyperfine"]) +
             " Every service is `build/bench/svc FILE`: it appends its PID and CLOCK_MONOTONIC start time to FILE "
             "and pauses. runit, s6 and daemontools run it from a `run` file whose `#!` line is the command itself "
             "(no shell), supervisord from `command=`, oya from `ExecStart=`.\n")
    L.append("| supervisor | started as | one service is |")
    L.append("|---|---|---|")
    L.append("| oya | `oya --socket DIR/oya.sock up DIR/units` | `NAME.service`: `ExecStart=build/bench/svc FILE`, "
             "`Restart=always`, `RestartSec=0`, `StartLimitBurst=0` |")
    L.append("| runit | `runsvdir -P DIR/scan` | `DIR/scan/NAME/run`: `#!build/bench/svc FILE` |")
    L.append("| s6 | `s6-svscan DIR/scan` | `DIR/scan/NAME/run`: `#!build/bench/svc FILE` |")
    L.append("| daemontools | `svscan DIR/scan` | `DIR/scan/NAME/run`: `#!build/bench/svc FILE` |")
    L.append("| supervisord | `supervisord -c DIR/supervisord.conf` (nodaemon) | `[program:NAME]`: "
             "`command=build/bench/svc FILE`, `autorestart=true`, `startsecs=0` |")
    L.append("")
    L.append(f"### 1. Idle footprint ({IDLE_SERVICES} services, {IDLE_SECONDS:.0f} idle seconds)\n")
    L.append("All five run at once with the same services; the supervisor's own processes (its tree without the "
             "services) are summed. Wakeups are context switches over the idle window.\n")
    L.append("| supervisor | processes | PSS KiB | RSS KiB | CPU ticks idle | wakeups idle |")
    L.append("|---|---:|---:|---:|---:|---:|")
    for cls in ALL:
        x = idle[cls.name]
        L.append(f"| {cls.name} | {x['procs']} | {x['pss']} | {x['rss']} | {x['ticks']} | {x['wakeups']} |")
    L.append("")
    L.append(f"### 2. Restart latency (SIGKILL of the service until the new one runs, median of {RESTARTS})\n")
    L.append("Each kill comes at least 1.1 s after the instance started, past every anchor's minimum delay.\n")
    L.append("| supervisor | median ms | min ms | max ms | × floor | restart rule |")
    L.append("|---|---:|---:|---:|---:|---|")
    rf = med(restart["floor"])
    for cls in [Floor] + ALL:
        x = restart[cls.name]
        L.append(f"| {cls.name} | {med(x):.2f} | {min(x):.2f} | {max(x):.2f} | {med(x) / rf:.2f} | {cls.note} |")
    L.append("")
    L.append(f"The floor is what a SIGKILL, a waitpid wakeup, fork and exec of the service cost on this machine "
             f"({rf:.2f} ms); no supervisor restarts faster than that.")
    L.append("")
    L.append(f"### 3. Mass start ({MASS} services, from launching the supervisor until the last one runs; "
             f"median of {MASS_RUNS})\n")
    L.append("| starter | median ms | × floor |")
    L.append("|---|---:|---:|")
    fl = med(mass["floor"])
    L.append(f"| floor: `build/bench/spawn {MASS}` (fork+exec in a C loop) | {fl:.1f} | 1.00 |")
    for cls in ALL:
        L.append(f"| {cls.name} | {med(mass[cls.name]):.1f} | {med(mass[cls.name]) / fl:.2f} |")
    L.append("")
    L.append(f"### 4. Control latency (status of one service, {CONTROL_SERVICES} services running under each "
             "supervisor; hyperfine, compared by the median, which one stalled run of a noisy machine does not move)\n")
    L.append("| command | ms (median) | ms (mean ± σ) | × oya (medians) |")
    L.append("|---|---:|---:|---:|")
    o = control["oya"]["median"]
    names = {"oya": "`oya status s1`", "runit": "`sv status DIR/s1`", "s6": "`s6-svstat DIR/s1`",
             "daemontools": "`svstat DIR/s1`", "supervisord": "`supervisorctl -c CONF status s1`"}
    for cls in ALL:
        x = control[cls.name]
        L.append(f"| {names[cls.name]} | {x['median'] * 1000:.2f} | {x['mean'] * 1000:.2f} ± {x['stddev'] * 1000:.2f} | "
                 f"{x['median'] / o:.2f} |")
    L.append("")
    L.append("`oya status NAME` answers like `systemctl status`: it also walks the service's processes in /proc "
             "for Tasks, Memory, CPU and the process tree; the others print one line of state.\n")
    gib = CAPTURE_BYTES / (1 << 20)
    L.append(f"### 7. Output capture ({gib:.0f} MiB of {LINE}-byte lines, {CAPTURE_BYTES // LINE:,} lines)\n")
    L.append("| capture | seconds | MiB/s | lines lost | command |")
    L.append("|---|---:|---:|---:|---|")
    for k in ["floor", "oya", "svlogd", "s6-log"]:
        x = capture[k]
        L.append(f"| {k} | {x['secs']:.2f} | {gib / x['secs']:.0f} | {x['lost']} | `{x['cmd']}` |")
    L.append("")
    L.append("oya's time includes starting the supervisor and noticing (by polling `oya status gen` every 20 ms) "
             "that the service is done; its lines are counted behind their `gen | ` prefix.\n")
    runit_pss = idle["runit"]["pss"]
    goals = [
        ("idle: oya is one process", idle["oya"]["procs"], "1", idle["oya"]["procs"] == 1),
        ("idle: oya's PSS at most a third of runit's", idle["oya"]["pss"] / runit_pss, "<= 0.33",
         idle["oya"]["pss"] * 3 <= runit_pss),
        ("idle: oya's wakeups", idle["oya"]["wakeups"], "0", idle["oya"]["wakeups"] == 0),
        ("restart: oya against the floor", med(restart["oya"]) / rf, "<= 1.26", med(restart["oya"]) / rf <= 1.26),
        ("mass start: oya against the C loop", med(mass["oya"]) / fl, "<= 1.3", med(mass["oya"]) / fl <= 1.3),
        (f"control: `oya status` with {CONTROL_SERVICES} services running, median ms", o * 1000, "<= 2",
         o * 1000 <= 2),
        ("control: `oya status` against `s6-svstat` (medians)", o / control["s6"]["median"], "<= 1.00",
         o <= control["s6"]["median"]),
        ("capture: oya's lines lost", capture["oya"]["lost"], "0", capture["oya"]["lost"] == 0),
    ]
    L.append("| goal | measured | target | met |")
    L.append("|---|---:|---:|:---:|")
    for name, v, target, ok in goals:
        L.append(f"| {name} | {v:.2f} | {target} | {'yes' if ok else 'NO'} |")
    L.append("")
    L.append("Reproduce: `make bench` (or `python3 bench/supervisors.py` as root after `make` and "
             "`scripts/deps.sh --bench`). Sizes: BENCH_IDLE_SERVICES, BENCH_IDLE_SECONDS, BENCH_CONTROL_SERVICES, BENCH_RESTARTS, "
             "BENCH_MASS, BENCH_MASS_RUNS, BENCH_CAPTURE_BYTES, BENCH_CONTROL_RUNS. The configurations it "
             "writes (unit files, run files, supervisord.conf) are in bench/supervisors.py.\n")
    return "\n".join(L)


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_CHILD_SUBREAPER = 36
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    for tool in ["runsvdir", "s6-svscan", "svscan", "supervisord", "hyperfine", "svlogd", "s6-log"]:
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is missing; run scripts/deps.sh --bench")
    top = tempfile.mkdtemp(prefix="oya-bench-")
    try:
        t = time.monotonic()
        idle = scenario_idle(top)
        print(f"bench: idle done in {time.monotonic() - t:.0f}s", file=sys.stderr)
        t = time.monotonic()
        control = scenario_control(top)
        print(f"bench: control done in {time.monotonic() - t:.0f}s", file=sys.stderr)
        t = time.monotonic()
        restart = scenario_restart(top)
        print(f"bench: restart done in {time.monotonic() - t:.0f}s", file=sys.stderr)
        t = time.monotonic()
        mass = scenario_mass(top)
        print(f"bench: mass start done in {time.monotonic() - t:.0f}s", file=sys.stderr)
        t = time.monotonic()
        capture = scenario_capture(top)
        print(f"bench: capture done in {time.monotonic() - t:.0f}s", file=sys.stderr)
    finally:
        reap_adopted()
        shutil.rmtree(top, ignore_errors=True)
    section = render(idle, control, restart, mass, capture)
    print(section)
    put_section(REPORT, "Supervisors:", section)


if __name__ == "__main__":
    main()
