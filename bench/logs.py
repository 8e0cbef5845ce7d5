"""make bench, logs: one service floods its stdout with 100-byte lines (build/bench/lines); how fast its lines
reach disk with a timestamp each and rotation on, through oya's log store, beside s6-log (`t`, `n`, `s`)
and svlogd (`-tt`, `s`, `n` in its config) fed the same lines through a pipe. For oya also: every line
arrives exactly once (counted in its files), its RSS during the flood against its ring size, how long
`oya status` of another service takes meanwhile, and `oya logs -n 100` on the flooded log afterwards.

Every process is started here and ended by PID."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

ROOT, OYA, REPORT = report.ROOT, report.OYA, report.REPORT
LINES = os.path.join(ROOT, "build", "bench", "lines")
BYTES = int(os.environ.get("BENCH_LOG_BYTES", str(1 << 30)))
FILE = 64 << 20  # each tool rotates at 64 MiB and keeps enough files to hold the whole flood
KEEP = BYTES * 2 // FILE + 4


def rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def count_lines(d, prefix):
    n = 0
    for name in os.listdir(d):
        if name.startswith(prefix):
            with open(os.path.join(d, name), "rb") as f:
                while True:
                    block = f.read(1 << 20)
                    if not block:
                        break
                    n += block.count(b"\n")
    return n


def oya_run(tmp):
    units = os.path.join(tmp, "units")
    os.makedirs(units)
    with open(os.path.join(units, "flood.service"), "w") as f:
        f.write(f"[Service]\nExecStart={LINES} {BYTES}\n")
    with open(os.path.join(units, "idle.service"), "w") as f:
        f.write("[Service]\nExecStart=/bin/sleep infinity\n")
    logs, sock = os.path.join(tmp, "logs"), os.path.join(tmp, "oya.sock")
    t0 = time.monotonic()
    p = subprocess.Popen([OYA, "--socket", sock, "up", "--log-dir", logs, "--log-size", str(FILE), "--log-files",
                          str(KEEP), units], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, status_ms, done = [0], [], threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(p.pid))
            if os.path.exists(sock):
                s = time.monotonic()
                subprocess.run([OYA, "--socket", sock, "status", "idle"], capture_output=True, timeout=60)
                status_ms.append((time.monotonic() - s) * 1000)
            time.sleep(0.05)
    w = threading.Thread(target=watch)
    w.start()
    while True:
        r = subprocess.run([OYA, "--socket", sock, "status", "-n", "0", "flood"], capture_output=True, text=True)
        if "inactive (dead)" in r.stdout or "failed" in r.stdout:
            break
        time.sleep(0.05)
    wall = time.monotonic() - t0
    done.set()
    w.join()
    tail = []
    for _ in range(5):
        s = time.monotonic()
        subprocess.run([OYA, "--socket", sock, "logs", "flood", "-n", "100"], capture_output=True, timeout=60)
        tail.append((time.monotonic() - s) * 1000)
    p.terminate()
    p.wait(timeout=120)
    out = 0
    for name in os.listdir(logs):
        if name.startswith("flood.log"):
            with open(os.path.join(logs, name), "rb") as f:
                for line in f:
                    if line[28:32] == b"out ":
                        out += 1
    return wall, out, peak[0], max(status_ms) if status_ms else 0, statistics.median(tail)


def pipe_run(tmp, logger):
    d = os.path.join(tmp, "dir")
    os.makedirs(d)
    if logger == "svlogd":
        with open(os.path.join(d, "config"), "w") as f:
            f.write(f"s{FILE}\nn{KEEP}\n")
        cmd = ["svlogd", "-tt", d]
    else:
        cmd = ["s6-log", "t", f"n{KEEP}", f"s{FILE}", d]
    t0 = time.monotonic()
    prod = subprocess.Popen([LINES, str(BYTES)], stdout=subprocess.PIPE)
    log = subprocess.Popen(cmd, stdin=prod.stdout)
    prod.stdout.close()
    prod.wait()
    log.wait(timeout=600)
    wall = time.monotonic() - t0
    return wall, count_lines(d, "@") + count_lines(d, "current")


def main():
    lines = BYTES // 100
    res = {}
    for name in ("oya", "s6-log", "svlogd"):
        if name != "oya" and not shutil.which(name):
            continue
        tmp = tempfile.mkdtemp(prefix="oya-bench-logs-")
        try:
            res[name] = oya_run(tmp) if name == "oya" else pipe_run(tmp, name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    mib = BYTES / (1 << 20)
    out = [f"## Logs: {mib:.0f} MiB of 100-byte lines through the log store\n",
           report.machine(["s6", "runit"]) + f" One service writes {lines:,} lines of 100 bytes on stdout as fast as "
           "it can; each tool timestamps every line and rotates at 64 MiB, keeping enough files for all of it "
           "(oya: its log store with --log-size 64M; s6-log: `t n s`; svlogd: `-tt`, `s`/`n` in its config; "
           "those two read a pipe from the same producer). Wall time from start to the producer's end and its "
           "lines on disk.",
           "", "| tool | wall s | MiB/s | lines on disk |", "|---|---:|---:|---:|"]
    for name, r in res.items():
        out.append(f"| {name} | {r[0]:.2f} | {mib / r[0]:.0f} | {r[1]:,} |")
    w, got, peak, status_max, tail = res["oya"]
    goals = [
        ("lines lost by oya", lines - got, "0", got == lines),
        ("oya's peak RSS during the flood, KiB (ring 1 MiB per service)", peak, "<= 8192", peak <= 8192),
        ("`oya status` of another service during the flood, worst ms", status_max, "<= 10", status_max <= 10),
        ("`oya logs -n 100` on the flooded log, median ms", tail, "<= 50", tail <= 50),
    ]
    if "s6-log" in res:
        ratio = res["s6-log"][0] / w
        goals.insert(0, ("oya's throughput / s6-log's", ratio, ">= 2", ratio >= 2))
    out += report.goals(goals)
    out += ["", "Reproduce: `make bench` (or `python3 bench/logs.py`; `BENCH_LOG_BYTES` changes the size)."]
    report.publish(REPORT, "Logs:", out)


if __name__ == "__main__":
    main()
