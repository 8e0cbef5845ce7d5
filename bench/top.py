"""make bench, top: CPU per refresh with 5,000 processes (build/bench/idle), oya top beside procps top and
htop, measured the same way for each: the CPU time (user + system) a viewer spends per frame.

- batch, one frame: `oya top -b -n 1` and `top -b -n 1` (each run's CPU from getrusage of the child;
  median of several runs). htop has no batch mode.
- live on a terminal: each viewer runs in a tmux pane for a fixed time at a 0.5 s delay; its CPU time over
  that time divided by the frames it drew in it (oya top and procps top: the delay; htop: `-d 5`).

oya top here runs with no oya to ask (the processes alone), as top and htop see them. Every process is
started here and ended by PID (tmux by its own server socket)."""
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

ROOT, OYA, REPORT = report.ROOT, report.OYA, report.REPORT
IDLE = os.path.join(ROOT, "build", "bench", "idle")
N = int(os.environ.get("BENCH_PROCS", "5000"))
RUNS = 7
LIVE_SECS = 6.0


def child_cpu(cmd):
    """CPU seconds one run of cmd takes (its own and its children's)"""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=120,
                   env=dict(os.environ, OYA_SOCKET="/nonexistent/oya.sock"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cpu_of(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def live(cmd, delay):
    """CPU seconds per frame of a viewer drawing every delay seconds in a tmux pane"""
    sock = f"oyabench{os.getpid()}-{cmd[0].rsplit('/', 1)[-1]}"
    subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-s", "v", "-x", "200", "-y", "50", *cmd], check=True,
                   env=dict(os.environ, OYA_SOCKET="/nonexistent/oya.sock", TERM="xterm"))
    try:
        pid = int(subprocess.run(["tmux", "-L", sock, "display-message", "-p", "-t", "v", "#{pane_pid}"],
                                 capture_output=True, text=True, check=True).stdout)
        time.sleep(1.5)  # past its start-up and first frames
        c0, t0 = cpu_of(pid), time.monotonic()
        time.sleep(LIVE_SECS)
        c1, t1 = cpu_of(pid), time.monotonic()
        return (c1 - c0) / ((t1 - t0) / delay)
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)


def main():
    idle = subprocess.Popen([IDLE, str(N)], stdout=subprocess.PIPE, text=True)
    try:
        idle.stdout.readline()
        deadline = time.monotonic() + 120
        while len(os.listdir("/proc")) < N and time.monotonic() < deadline:
            time.sleep(0.1)
        nprocs = sum(1 for d in os.listdir("/proc") if d.isdigit())
        batch = {}
        for name, cmd in (("oya top", [OYA, "top", "-b", "-n", "1"]), ("procps top", ["top", "-b", "-n", "1"])):
            child_cpu(cmd)  # warm
            batch[name] = statistics.median(child_cpu(cmd) for _ in range(RUNS)) * 1000
        frame = {}
        if shutil.which("tmux"):
            frame["oya top"] = live([OYA, "top", "-d", "0.5"], 0.5) * 1000
            frame["procps top"] = live(["top", "-d", "0.5"], 0.5) * 1000
            if shutil.which("htop"):
                frame["htop"] = live(["htop", "-d", "5"], 0.5) * 1000
    finally:
        os.killpg(idle.pid, signal.SIGKILL)
        idle.wait()
    out = [f"## Top: CPU per refresh with {N:,} processes\n",
           report.machine(["procps", "htop", "tmux"]) + f" {nprocs:,} processes in all (`build/bench/idle {N}`). "
           "Batch: one `-b -n 1` run's CPU time (user + system, getrusage), median of "
           f"{RUNS}. Live: each viewer in a 200x50 tmux pane redrawing every 0.5 s (htop `-d 5`); its CPU time "
           f"over {LIVE_SECS:.0f} s divided by the frames in that time. oya top asks no oya here (processes "
           "alone), as top and htop see them; with an oya running, its processes' services come from one "
           "status request per frame.",
           "", "| viewer | batch frame, CPU ms | live frame, CPU ms |", "|---|---:|---:|"]
    for name in ("oya top", "procps top", "htop"):
        if name in batch or name in frame:
            b = f"{batch[name]:.1f}" if name in batch else "(no batch mode)"
            f = f"{frame[name]:.1f}" if name in frame else "-"
            out.append(f"| {name} | {b} | {f} |")
    goals = [("oya top -b -n 1 / procps top -b -n 1 (CPU)", batch["oya top"] / batch["procps top"], "<= 0.5",
              batch["oya top"] / batch["procps top"] <= 0.5)]
    if "procps top" in frame:
        r = frame["oya top"] / frame["procps top"]
        goals.append(("oya top / procps top, live frame (CPU)", r, "<= 0.5", r <= 0.5))
    out += report.goals(goals)
    out += ["", "Reproduce: `make bench` (or `python3 bench/top.py`; `BENCH_PROCS` changes the count)."]
    report.publish(REPORT, "Top:", out)


if __name__ == "__main__":
    main()
