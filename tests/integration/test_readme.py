"""The README's tour, run as written against `make run`'s demo (examples/demo): every `$ oya ...` line of
its "A short tour" section is taken from README.md itself, run, and must succeed; where the README shows
output, the same lines (labels, names, messages) must come out. A change to the README or the demo that
breaks the tour fails here."""
import re
import shlex
import subprocess
from pathlib import Path

from conftest import OYA, wait_for

ROOT = Path(__file__).resolve().parents[2]


def tour():
    """The tour's shell lines with the output the README shows under each: [(command, [shown lines])]."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## A short tour", 1)[1].split("\n## ", 1)[0]
    steps = []
    for line in section.splitlines():
        if line.startswith("    $ "):
            steps.append((line[6:], []))
        elif line.startswith("    ") and steps and line.strip():
            steps[-1][1].append(line[4:])
    return steps


def commands(line):
    """`a; b  # comment` -> [argv of a, argv of b]"""
    line = re.sub(r"\s+#.*$", "", line)
    return [shlex.split(part) for part in line.split(";") if part.strip()]


def test_the_tour_runs_as_written(tmp_path):
    steps = tour()
    assert steps and steps[0][0] == "oya up examples/demo", steps[:1]
    # oya up on the demo itself, as `make run` starts it (its own socket and log directory)
    sock = tmp_path / "tour.sock"
    out = open(tmp_path / "up.out", "wb")
    p = subprocess.Popen([OYA, "--socket", str(sock), "up", "--log-dir", str(tmp_path / "logs"), "examples/demo"],
                         cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    try:
        wait_for(sock.exists, what="the control socket")
        wait_for(lambda: "flaky: exited (code=exited, status=3); restarting in 2s" in
                 (tmp_path / "up.out").read_text(), timeout=30, what="flaky's first crash, as the tour shows")
        got = (tmp_path / "up.out").read_text()
        for line in steps[0][1]:  # each shown line, PIDs and socket path aside
            pattern = re.escape(line).replace(r"4711", r"\d+").replace(re.escape("/run/oya/oya.sock"), ".*")
            assert re.search(pattern.replace(r"\ \ \ ", r"\s+"), got), (line, got)

        def run(argv, timeout=60):
            assert argv[0] == "oya", argv
            return subprocess.run([OYA, "--socket", str(sock), *argv[1:]], cwd=ROOT, capture_output=True,
                                  text=True, timeout=timeout, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
        for line, output in steps[1:]:
            for argv in commands(line):
                if argv[:3] == ["oya", "logs", "-f"]:  # follows until stopped: the first lines are enough
                    f = subprocess.Popen([OYA, "--socket", str(sock), *argv[1:]], cwd=ROOT, text=True,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                    first = f.stdout.readline()
                    f.kill()
                    f.wait()
                    assert first.strip(), line
                    continue
                r = run(argv)
                # condition: 0 or 1 by this machine; every other command succeeds here
                ok = (0, 1) if argv[1] == "condition" else (0,)
                assert r.returncode in ok, (line, r.returncode, r.stdout, r.stderr)
            for shown in output:  # the lines the README shows under the command, labels and names
                label = re.match(r"\s*([A-Za-z ]+:|NAME\s+LOAD|● \w+ - [\w-]+)", shown)
                if label and not shown.strip().startswith("..."):
                    want = re.sub(r"\s+", " ", label.group(1)).strip()
                    have = re.sub(r"\s+", " ", r.stdout)
                    assert want in have, (line, shown, r.stdout)
    finally:
        p.terminate()
        assert p.wait(timeout=60) == 0
        out.close()
