#!/usr/bin/env bash
# make bench, inspection scenario: `oya ps aux` and `oya tree -p` against procps `ps aux`, psmisc
# `pstree -p` and a minimal /proc scanner (the floor), with 5,000 sleeping processes, in one run.
# Bounded: a fixed number of runs per command; everything it starts is ended by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${BENCH_PROCS:-5000}
RUNS=${BENCH_RUNS:-20}
OUT=build/bench
REPORT=${BENCH_REPORT:-docs/benchmarks.md}
mkdir -p "$OUT"

cc -O2 -o "$OUT/scan" bench/scan.c
cc -O2 -o "$OUT/idle" bench/idle.c
make -s build/oya

IDLE=""
cleanup() {
    if [ -n "$IDLE" ]; then
        kill -KILL -- "-$IDLE" 2>/dev/null || true
        wait "$IDLE" 2>/dev/null || true
        for _ in $(seq 1 100); do   # at most 10 s for the group to be gone
            kill -0 -- "-$IDLE" 2>/dev/null || break
            sleep 0.1
        done
    fi
}
trap cleanup EXIT INT TERM

before=$(ls /proc | grep -c '^[0-9]')
"$OUT/idle" "$N" > "$OUT/idle.pid" &
IDLE=$!
for _ in $(seq 1 300); do   # at most 30 s for the processes to exist
    now=$(ls /proc | grep -c '^[0-9]')
    [ "$now" -ge $((before + N)) ] && break
    sleep 0.1
done
total=$(ls /proc | grep -c '^[0-9]')
echo "bench: $total processes in /proc ($N sleeping ones started for the run)"

hyperfine -N -w 3 -r "$RUNS" --export-json "$OUT/inspect.json" \
    'ps aux' "./build/oya ps aux" "./$OUT/scan" 'pstree -p' "./build/oya tree -p" \
    'ps -eLf' "./build/oya ps -eLf" 'ps axjf' "./build/oya ps axjf" 'ps -e --forest' "./build/oya ps -e --forest" \
    >/dev/null

peak() { # the largest max-RSS (KiB) over 5 runs
    local m=0 v
    for _ in 1 2 3 4 5; do
        v=$( { /usr/bin/time -f '%M' "$@" >/dev/null; } 2>&1 | tail -n1)
        [ "$v" -gt "$m" ] && m=$v
    done
    echo "$m"
}
rss_ps=$(peak ps aux); rss_oya=$(peak ./build/oya ps aux); rss_scan=$(peak "./$OUT/scan")
rss_pstree=$(peak pstree -p); rss_tree=$(peak ./build/oya tree -p)

/usr/bin/python3 - "$OUT/inspect.json" "$REPORT" "$total" "$rss_ps" "$rss_oya" "$rss_scan" "$rss_pstree" "$rss_tree" <<'PY'
import json, sys
sys.path.insert(0, "bench")
from report import machine, put_section
res, report, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
rss = dict(zip(["ps", "oya ps", "scan", "pstree", "oya tree"], map(int, sys.argv[4:9])))
r = {x["command"]: x for x in json.load(open(res))["results"]}
def cmd(prefix):
    return next(v for k, v in r.items() if k.startswith(prefix) or k.endswith(prefix))
ps, oya_ps, scan = cmd("ps aux"), cmd("oya ps aux"), cmd("scan")
pstree, oya_tree = cmd("pstree -p"), cmd("oya tree -p")
exact = lambda c: r[c] if c in r else next(v for k, v in r.items() if k.endswith(c))
newer = [(f, exact(f"ps {f}"), exact(f"./build/oya ps {f}")) for f in ("-eLf", "axjf", "-e --forest")]
ms = lambda x: x["mean"] * 1000
cpu = lambda x: (x["user"] + x["system"]) * 1000
rows = [
    ("procps `ps aux`", ps, rss["ps"]), ("`oya ps aux`", oya_ps, rss["oya ps"]),
    ("floor: `bench/scan` (stat + cmdline once each)", scan, rss["scan"]),
    ("psmisc `pstree -p`", pstree, rss["pstree"]), ("`oya tree -p`", oya_tree, rss["oya tree"]),
]
goals = [
    ("`oya ps aux` at least 2.5x faster than `ps aux`", ms(ps) / ms(oya_ps), ">= 2.5", ms(ps) / ms(oya_ps) >= 2.5),
    ("`oya ps aux` within 1.2x of the floor scanner", ms(oya_ps) / ms(scan), "<= 1.2", ms(oya_ps) / ms(scan) <= 1.2),
    ("`oya tree -p` at least 4x faster than `pstree -p`", ms(pstree) / ms(oya_tree), ">= 4", ms(pstree) / ms(oya_tree) >= 4),
    ("peak memory of `oya ps aux` no more than `ps aux`", rss["oya ps"] / rss["ps"], "<= 1", rss["oya ps"] <= rss["ps"]),
]
lines = []
lines.append("## Inspection: `oya ps` and `oya tree` (5,000 sleeping processes)\n")
lines.append(machine(["procps", "psmisc", "hyperfine"]) + f" {total} processes in /proc. "
             "Wall time is hyperfine's mean over the runs; CPU is user + system.\n")
lines.append("| command | wall ms (mean ± σ) | CPU ms | peak RSS KiB |")
lines.append("|---|---:|---:|---:|")
for name, x, m in rows:
    lines.append(f"| {name} | {ms(x):.1f} ± {x['stddev']*1000:.1f} | {cpu(x):.1f} | {m} |")
lines.append("")
lines.append("The thread and forest forms, measured too:\n")
lines.append("| form | procps wall ms | oya wall ms | procps / oya |")
lines.append("|---|---:|---:|---:|")
for f, p_, o_ in newer:
    lines.append(f"| `ps {f}` | {ms(p_):.1f} | {ms(o_):.1f} | {ms(p_) / ms(o_):.2f} |")
lines.append("")
lines.append("| goal | measured | target | met |")
lines.append("|---|---:|---:|:---:|")
for name, v, target, ok in goals:
    lines.append(f"| {name} | {v:.2f} | {target} | {'yes' if ok else 'NO'} |")
lines.append("")
lines.append("`oya ps` reads /proc on every core (the work is mostly the kernel formatting /proc files), so "
             "its wall time is below its CPU time; the CPU column compares the work done: `oya ps aux` does it "
             "with less CPU than procps, which also reads environ and ctty for each process. `oya ps aux` reads "
             "stat, status and cmdline for each process: status is needed for exact output (USER of processes "
             "whose /proc entry is owned by root, the L flag, RSS). `oya tree` reads on one core, a stat of "
             "/proc/PID, its stat, and the task directory only for multi-threaded processes.\n")
lines.append("Reproduce: `make bench` (or `bench/inspect.sh`; `BENCH_PROCS` and `BENCH_RUNS` change the size), "
             "which runs `hyperfine -N -w 3 -r 20 'ps aux' './build/oya ps aux' './build/bench/scan' "
             "'pstree -p' './build/oya tree -p'` and the same for `-eLf`, `axjf`, `-e --forest`, with the processes of `build/bench/idle 5000` sleeping, and "
             "`/usr/bin/time -f %M` for peak memory (the largest of five runs).\n")
section = "\n".join(lines)
print(section)
put_section(report, "Inspection:", section)
PY
