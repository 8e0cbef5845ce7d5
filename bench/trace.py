"""make bench, trace: a storm of short processes (build/bench/storm: fork, exec /bin/true, exit, waitpid,
one after another) timed alone, with `oya trace` attached (the kernel's process events connector), and with
forkstat attached (`-e fork,exec,exit`), in interleaved rounds. Each reader writes to a file in /dev/shm.
Reported: the storm's slowdown with each reader, each reader's own CPU time per storm process, and the
storm's forks each reader missed (oya also counts what the kernel dropped, by the per-CPU sequence numbers;
forkstat only prints a 'nobufs' line). Every process is started here and ended by PID."""
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

ROOT, OYA, REPORT = report.ROOT, report.OYA, report.REPORT
STORM = os.path.join(ROOT, "build", "bench", "storm")
N = int(os.environ.get("BENCH_STORM", "20000"))
ROUNDS = int(os.environ.get("BENCH_STORM_ROUNDS", "3"))


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(cond, what, timeout=20):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench trace: timed out waiting for {what}")
        time.sleep(0.01)


def one(reader, d):
    """One storm with reader None, "oya" or "forkstat": (storm seconds, reader CPU s, forks missed, lost said)"""
    out = os.path.join(d, f"{reader}.out")
    err = os.path.join(d, f"{reader}.err")
    proc = None
    if reader:
        cmd = [OYA, "--socket", os.path.join(d, "none.sock"), "trace", "--source=kernel"] if reader == "oya" else \
            ["forkstat", "-e", "fork,exec,exit"]
        with open(out, "wb") as o, open(err, "wb") as e:
            proc = subprocess.Popen(cmd, stdout=o, stderr=e, stdin=subprocess.DEVNULL)
        if reader == "oya":
            wait_for(lambda: "source:" in open(err).read(), "oya trace to start")
        else:
            # subscribed once it waits in recvfrom (45) on its socket (its header may sit in its stdio buffer)
            wait_for(lambda: open(f"/proc/{proc.pid}/syscall").read().startswith("45 "), "forkstat to listen")
    storm = subprocess.Popen([STORM, str(N)], stdout=subprocess.PIPE, text=True)
    secs = float(storm.communicate()[0])
    cpu, missed, lost = 0.0, 0, 0
    if proc:
        # the reader drains what is left; it is done once its CPU time stops growing
        last = -1.0
        while True:
            time.sleep(0.2)
            now = cpu_seconds(proc.pid)
            if now == last:
                break
            last = now
        cpu = last
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        text = open(out, errors="replace").read()
        if reader == "oya":
            forks = len(re.findall(rf"^\S+ - {storm.pid} fork \d+$", text, re.M))
            m = re.search(r"(\d+) lost", open(err).read())
            lost = int(m.group(1)) if m else 0
        else:
            forks = len(re.findall(rf"^\S+ fork\s+{storm.pid} parent", text, re.M))
            lost = len(re.findall(r" nobufs ", text))
        missed = N - forks
    return secs, cpu, missed, lost


def main():
    if not os.path.exists(STORM):
        raise SystemExit("bench trace: build/bench/storm is missing (make bench builds it)")
    readers = [None, "oya"] + (["forkstat"] if shutil.which("forkstat") else [])
    res = {r: [] for r in readers}
    d = tempfile.mkdtemp(prefix="oya-bench-trace-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        for _ in range(ROUNDS):
            for r in readers:
                res[r].append(one(r, d))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    base = statistics.median(x[0] for x in res[None])
    out = [f"## Trace: a storm of {N:,} short processes with a process events reader attached\n",
           report.machine(["forkstat"]) + f" build/bench/storm forks, execs /bin/true and waits {N:,} times in a "
           f"row; {ROUNDS} interleaved rounds, medians (the slowdown: of each round's ratio to the bare storm). The readers write to files in /dev/shm: `oya trace "
           "--source=kernel` (every process of the machine, each with its service) and `forkstat -e "
           "fork,exec,exit`. Missed: the storm's forks absent from the reader's output.",
           "", "| reader | storm s | slowdown | reader CPU us per storm process | forks missed | lost said |",
           "|---|---:|---:|---:|---:|---:|",
           f"| none | {base:.2f} | | | | |"]
    slow = {}
    for r in readers[1:]:
        secs = statistics.median(x[0] for x in res[r])
        # each round's storm against the bare storm of the same round: the machine's drift cancels out
        slow[r] = statistics.median(x[0] / b[0] for x, b in zip(res[r], res[None])) - 1
        cpu = statistics.median(x[1] for x in res[r]) / N * 1e6
        missed = max(x[2] for x in res[r])
        lost = max(x[3] for x in res[r])
        out.append(f"| {r} | {secs:.2f} | {slow[r] * 100:+.1f} % | {cpu:.1f} | {missed} | {lost} |")
    goals = [("the storm's slowdown with oya trace attached", slow["oya"] * 100, "<= 5 %", slow["oya"] <= 0.05)]
    out += ["", "| goal | measured | target | met |", "|---|---:|---:|:---:|"]
    for g, v, t, ok in goals:
        out.append(f"| {g} | {v:.1f} % | {t} | {'yes' if ok else 'NO'} |")
    out += ["", "Reproduce: `make bench` (or `python3 bench/trace.py`; `BENCH_STORM` and `BENCH_STORM_ROUNDS` "
            "change the size)."]
    report.publish(REPORT, "Trace:", out)


if __name__ == "__main__":
    main()
