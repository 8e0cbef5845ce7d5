#!/bin/sh
# Run each libFuzzer harness for SECONDS on its corpus: build/fuzz/corpus/NAME (what earlier runs found,
# kept between runs) seeded from tests/fuzz/corpus/NAME, and for the unit parser the machine's unit files
# and the demo's. A crash, leak, timeout (10 s for one input) or memory blow-up (2 GiB) fails the run and
# leaves the input in build/fuzz/findings; the exec count of each harness is printed.
set -eu
seconds=$1
shift
mkdir -p build/fuzz/findings
# the unit parser's dictionary: every key oya knows, as it would be written, and the section names
./build/oya verify --keys | awk -F '\t' '{ printf "\"%s=\"\n", $2 }' | sort -u > build/fuzz/fuzz_unit.dict
cat >> build/fuzz/fuzz_unit.dict <<'DICT'
"[Unit]"
"[Service]"
"[Install]"
"%i"
"%n"
"${"
"$$"
"\\"
"\x0a "
DICT
for bin in "$@"; do
    name=$(basename "$bin")
    corpus=build/fuzz/corpus/$name
    mkdir -p "$corpus"
    [ -d "tests/fuzz/corpus/$name" ] && cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
    if [ "$name" = fuzz_unit ]; then
        for f in /lib/systemd/system/*.service /usr/lib/systemd/system/*.service examples/demo/*.service; do
            [ -f "$f" ] && cp -n "$f" "$corpus/$(basename "$f")" 2>/dev/null || true
        done
    fi
    dict=
    [ -f "build/fuzz/$name.dict" ] && dict="-dict=build/fuzz/$name.dict"
    log=build/fuzz/$name.log
    # ps and pstree say what is wrong with each command line on stderr: not into the log (libFuzzer keeps
    # its own messages and the sanitizers' reports)
    quiet=
    case $name in fuzz_ps | fuzz_tree) quiet=-close_fd_mask=2 ;; esac
    if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $quiet \
            -artifact_prefix=build/fuzz/findings/"$name"- $dict "$corpus" > "$log" 2>&1; then
        tail -40 "$log" >&2
        echo "fuzz: $name failed; the input is in build/fuzz/findings/" >&2
        exit 1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $name: $execs runs in ${seconds}s, no finding"
done
