"""`oya ps` against procps-ng's ps over generated forms: every format specifier `ps L` lists (alone, as a
middle column, in groups), every specifier as a sort key both ways, every option letter of each syntax
alone and mixed, the environment variables, errors and exit statuses, widths on and off a terminal, as
root and as an unprivileged user, and under a hidepid=2 proc mount. Stdout, stderr and the exit status
must be the same. The fixture (fixture_procs.py) has a process of every kind ps distinguishes; forms that
select more than the fixture are compared on the fixture's lines (the rest of the machine moves).

Left out, with the reason: `m`/`-m` with WCHAN (`lm`, `-lm`: procps 4.0.2 reads a value it never fetched
and crashes), `--info` (it prints how procps was
compiled), the values of pss and uss (they count pages shared with the reader, and the reader differs)."""
import os
import random
import shutil
import subprocess

import pytest

from conftest import OYA
from fixture_procs import Fixture
from test_ps import ENV, fixture_lines, run_on_pty

MOVING = ("%CPU", "C", "CP", "%CUC", "%CUU", "PSS", "USS")
READER_DEPENDENT = ("pss", "uss")


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    f = Fixture(tmp_path_factory.mktemp("forms"))
    try:
        yield f.start()
    finally:
        f.stop()


def pid_list(fx):
    return ",".join(str(p) for p in sorted(set(fx.all_pids()) | {fx.pids["zombie"]}))


def specifiers(moving=True):
    """What procps's ps itself lists (`ps L`), so the forms follow the tool, not a copy of its table;
    without the ones whose values move (masked alone, but a wide neighbour shifts where they stand)."""
    out = subprocess.run(["ps", "L"], capture_output=True, text=True, env=ENV, timeout=30, check=True).stdout
    rows = [line.split() for line in out.splitlines() if line.strip()]
    return [r[0] for r in rows if moving or r[1] not in MOVING]


def mask(text):
    """Blank the values of the columns whose values move with every tick (or with the reader)."""
    lines = text.split("\n")
    if not lines or not lines[0]:
        return text
    head = lines[0]
    cols = []
    for name in MOVING:
        at = 0
        while True:
            at = head.find(name, at)
            if at < 0:
                break
            end = at + len(name)
            if (at == 0 or head[at - 1] == " ") and (end == len(head) or head[end] == " "):
                cols.append(end - 1)
            at = end
    if not cols:
        return text
    out = [head]
    for line in lines[1:]:
        for end in sorted(cols, reverse=True):
            if end < len(line) and line[end] != " ":
                start, stop = end, end
                while start > 0 and line[start - 1] != " ":
                    start -= 1
                while stop < len(line) and line[stop] != " ":
                    stop += 1
                line = line[:start] + "#" + line[stop:]
        out.append(line)
    return "\n".join(out)


def run(argv, env, user=None):
    r = subprocess.run(argv, capture_output=True, env=env, timeout=60, user=user)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def differences(forms, keep, env=ENV, user=None, prefix=()):
    """Run each form with ps, oya ps, ps; where ps printed the same twice, oya must print that too.
    Returns the forms that differ, with both outputs."""
    bad = []
    for form in forms:
        args = [*prefix, *form]
        for _ in range(6):
            results = []
            for tool in (["ps"], [OYA, "ps"], ["ps"]):
                rc, out, err = run(tool + args, env, user)
                if keep is not None and out.split("\n", 1)[0].find("PID") >= 0:
                    out = "\n".join(fixture_lines(out, keep))
                results.append((rc, mask(out), err))
            if results[0] == results[2]:
                if results[1] != results[0]:
                    bad.append((" ".join(form), results[0], results[1]))
                break
        else:
            bad.append((" ".join(form), "ps never printed the same twice", None))
    return bad


def report(bad, total):
    lines = [f"{len(bad)} of {total} forms differ:"]
    for form, a, b in bad[:8]:
        lines.append(f"--- ps {form}\n{a}\n+++ oya ps {form}\n{b}")
    return "\n".join(lines)


def groups(seed, size=7):
    """Every specifier whose value stays put, shuffled into groups: each stands among others somewhere."""
    specs = specifiers(moving=False)
    random.Random(seed).shuffle(specs)
    return [specs[i:i + size] for i in range(0, len(specs), size)]


def test_every_specifier_alone_and_in_groups(fx):
    pids = pid_list(fx)
    specs = specifiers()
    assert len(specs) > 150
    forms = [["-o", s, "-p", pids] for s in specs]
    for g in groups(17):
        forms.append(["-o", ",".join(g), "-p", pids])
    for g in groups(18, 5):
        forms.append(["o", " ".join(g), "p", pids])
    bad = differences(forms, None)
    assert not bad, report(bad, len(forms))


def test_every_sort_key_both_ways(fx):
    pids = pid_list(fx)
    forms = []
    for s in specifiers():
        if s in READER_DEPENDENT:
            continue
        forms.append(["-o", "pid,comm", f"--sort={s}", "-p", pids])
        forms.append(["-o", "pid,comm", f"--sort=-{s}", "-p", pids])
    forms += [["k", "-ppid,+pid", "o", "pid,ppid", "p", pids], ["O", "-p", "p", pids], ["O", "+r-p", "p", pids],
              ["O", "rp", "p", pids], ["--sort", "user,-vsz,comm", "-o", "pid,user,vsz", "-p", pids]]
    bad = differences(forms, None)
    assert not bad, report(bad, len(forms))


BSD_LETTERS = "a c e f g h j l m n r s u v w x H M S T X Z".split()
UNIX_LETTERS = "A a c d e f j l m w y F H L M N P T Z".split()


def test_every_option_letter_and_mixes(fx):
    pids = pid_list(fx)
    keep = set(fx.all_pids()) | {fx.pids["zombie"]}
    forms = []
    for letter in BSD_LETTERS:
        forms += [[letter, "p", pids]] + ([["a" + letter + "x"]] if letter not in "axh" else [])
    for letter in UNIX_LETTERS:
        forms += [["-" + letter, "-p", pids], ["-e" + letter] if letter not in "eA" else ["-" + letter]]
    for mix in ("-ef", "-elf", "-ely", "-eLf", "-eTf", "-ejH", "-efH", "-eF", "-ec", "-lc", "-jl", "-jf", "-fL",
                "-fT", "-lL", "-lT", "-Lm", "-Tm", "-eM", "-eP", "-lF", "-lyF", "-Fj", "-cf", "-efw", "-efww"):
        forms.append([mix, "-p", pids])
    for mix in ("aux", "axjf", "axl", "axs", "axv", "auxf", "auxww", "auxe", "axH", "axm", "axms", "ajx", "auxc",
                "auxn", "auxS", "uf", "jf", "lf", "sf", "vf", "Hf", "mf", "um", "jm", "sm", "vm", "Xm", "ul", "hh",
                "nl", "Zu", "ce", "fn", "HL"):
        forms.append([mix, "p", pids])
    # UNIX and BSD together, and the second reading as BSD ("-aux", "-f -o")
    forms += [["-aux"], ["-f", "-o", "pid,comm", "-p", pids], ["aux", "-ef"], ["-ef", "aux"], ["-e", "u"],
              ["x", "-o", "pid,stat"], ["-x"], ["-N", "-p", pids], ["--deselect", "-p", pids],
              ["-p", pids, "--forest"], ["-e", "--forest", "-o", "pid,ppid,args"], ["-H", "-e"]]
    # GNU long options
    for g in ("--forest", "--headers", "--no-headers", "--cols=60", "--width 100", "--cumulative", "--context",
              "--rows=5 --headers", "--lines 3 --headers", "--noheadings", "--heading"):
        forms.append([*g.split(), "-p", pids])
    for sel in (["--pid", pids], ["--ppid", "1"], ["--sid", str(fx.pids["session_leader"])],
                ["--user", "root"], ["--User", "root"], ["--group", "root"], ["--Group", "root"],
                ["--quick-pid", pids], ["-q", pids], ["q", pids], ["-q", pids, "-L"], ["-C", "sleep"],
                ["-g", str(fx.pids["session_leader"])], ["-G", "0"], ["-s", "1"], ["-t", "-"], ["t"], ["T"],
                ["U", "root"], ["-u", "0x0"], ["1"], ["-1"], ["+1"], [str(fx.pids["sleeping"])]):
        forms.append(sel)
    bad = differences(forms, keep)
    assert not bad, report(bad, len(forms))


def test_errors_exit_statuses_help_and_version(fx):
    pids = pid_list(fx)
    forms = [["--help"], ["--help", "all"], ["--help", "output"], ["--help=s"], ["--help:t"], ["--help", "bogus"],
             ["--version"], ["-V"], ["V"], ["L"], ["L", "x"], ["-V", "x"], ["--version", "x"], ["--info", "x"]]
    for e in ("-o", "-p", "-p 0", "-p x", "-p 1,,2", "-p ,1", "-p 1,", "-u nosuchuser", "-t nosuchtty", "-C", "-O",
              "-g", "-G", "-s", "-U", "-q", "o", "O", "p", "U", "k", "-k", "-", "--", "---", "-r", "-Q", "Q", "W",
              "-p 99999999999", "aux -ef", "-ef aux", "-o pid -O comm", "O pid", "O pr", "O+p-r", "-O pid -f",
              "-f -O pid", "k pid --sort ppid", "--sort pid --sort ppid", "--sort=nosuch", "--sort=", "-o pid:0",
              "-o pid:x", "-o pid:", "-o DefBSD", "-o DefBSD:5", "-o %p%c", "-o %Z", "-o %", "-o pid,",
              "-o ,pid", "-o pid,,comm", "-o nosuch", "-q 1 -p 1", "-q 1 --sort pid", "-q 1 -N", "-q 1 f",
              "-q 1 -q 2", "-L -T", "H m", "m -m", "H -m", "-T H -o pid", "-L --forest", "-y", "-c", "-j", "-jy",
              "-x", "h h", "--headers --no-headers", "--no-heading=x", "--forest=1", "--cols", "--cols 0",
              "--rows x", "--bogus", "--Group nosuchgroup", "--user nosuchuser", "-N -u nosuchuser", "1 2 x",
              "-p 1 -o pid -o comm= -o args=X", "-o pid=ID,comm=", "-o pid= -o comm=", "-ouser:3,pid",
              "-o fname:25=HEAD,comm", "-o pid,wchan:3,args", "-o args:5,pid", "-o user:20,ruser:2,pid",
              "-o '%p %c %a'"):
        forms.append(e.replace("'", "").split() if "%" not in e else ["-o", e.split(" ", 1)[1].strip("'")])
    forms = [f + ["-p", pids] if f and f[0] == "-o" and "-p" not in f else f for f in forms]
    bad = differences(forms, set(fx.all_pids()))
    assert not bad, report(bad, len(forms))


def test_environment_variables(fx):
    pids = pid_list(fx)
    keep = set(fx.all_pids()) | {fx.pids["zombie"]}
    cases = [({"PS_FORMAT": "pid,comm,nice"}, ["-p", pids]), ({"PS_FORMAT": "nosuch"}, ["-p", pids]),
             ({"PS_FORMAT": "pid"}, ["-f", "-p", pids]), ({"PS_FORMAT": "pid,args"}, ["-L", "-p", pids]),
             ({"PS_FORMAT": "pid"}, ["-L", "m", "-p", pids]), ({"COLUMNS": "50"}, ["u", "p", pids]),
             ({"COLUMNS": "5"}, ["p", pids]), ({"LINES": "4"}, ["--headers", "-p", pids]),
             ({"I_WANT_A_BROKEN_PS": "1"}, ["-ef"]), ({"CMD_ENV": "irix"}, ["-l", "-p", pids])]
    for personality in ("bsd", "old", "debian", "gnu", "linux", "aix", "tru64", "digital", "sunos4", "irix",
                        "sgi", "os390", "hp", "hpux", "svr4", "sco", "posix", "unix98", "default", "nonsense"):
        for form in (["-f", "-p", pids], ["-l", "-p", pids], ["-j", "-p", pids], ["j", "p", pids], ["u", "p", pids],
                     ["v", "p", pids], ["-x", "-p", pids], ["h", "p", pids], ["m", "p", pids], ["aux"]):
            cases.append(({"PS_PERSONALITY": personality}, form))
    bad = []
    for extra, form in cases:
        env = dict(ENV, **extra)
        for form_bad in differences([form], keep, env=env):
            bad.append((f"{extra} {form_bad[0]}", form_bad[1], form_bad[2]))
    assert not bad, report(bad, len(cases))


@pytest.mark.parametrize("cols", [80, 132, 40])
def test_widths_on_a_terminal(fx, cols):
    pids = pid_list(fx)
    for args in (["u", "p", pids], ["-f", "-p", pids], ["-eLf"], ["axjf"], ["-o", "pid,blocked,caught,args", "-p", pids],
                 ["s", "p", pids], ["l", "p", pids], ["-o", "%p %a", "-p", pids], ["--headers", "-p", pids]):
        for _ in range(8):
            a = run_on_pty(["ps", *args], cols, ENV)
            b = run_on_pty([OYA, "ps", *args], cols, ENV)
            c = run_on_pty(["ps", *args], cols, ENV)
            keep = set(fx.all_pids()) | {fx.pids["zombie"]}
            a, b, c = (mask("\n".join(fixture_lines(t, keep))) for t in (a, b, c))
            if a == c:
                assert b == a, f"ps {' '.join(args)} at {cols} columns:\n--- ps\n{a}\n+++ oya ps\n{b}"
                break
        else:
            pytest.fail("ps never printed the same twice")


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another user needs root")
def test_as_an_unprivileged_user(fx):
    pids = pid_list(fx)
    forms = [["-o", ",".join(g), "-p", pids] for g in groups(19)]
    forms += [["aux"], ["-eLf"], ["axjf"], ["-el"], ["s", "p", pids], ["-o", "pid,exe,cgroup,rbytes,oom,luid", "-p", pids]]
    bad = differences(forms, set(fx.all_pids()) | {fx.pids["zombie"]}, user=65534)
    assert not bad, report(bad, len(forms))


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="a private proc mount needs root")
def test_under_hidepid(fx, tmp_path):
    """In a PID namespace with its own proc mounted hidepid=2, as nobody: both see only what proc shows."""
    script = tmp_path / "inside.sh"
    forms = ["aux", "-ef", "-eLf", "axjf", "-eo pid,user,comm,args", "-elf", "-ef --forest"]
    lines = ["set -e", "mount -t proc -o hidepid=2 proc /proc", "sleep 1000 & S=$!", "setpriv --reuid=65534 --regid=65534 --clear-groups sleep 1001 & N=$!"]
    for i, f in enumerate(forms):
        lines.append(f"setpriv --reuid=65534 --regid=65534 --clear-groups ps {f} > {tmp_path}/ps{i} 2>&1 || true")
        lines.append(f"setpriv --reuid=65534 --regid=65534 --clear-groups {OYA} ps {f} > {tmp_path}/oya{i} 2>&1 || true")
    # pstree the same way, through a copy of oya named pstree (its own line reads the same then)
    shutil.copy(OYA, tmp_path / "pstree")
    tree_forms = ["", "-a", "-u", "-c", "-l", "-n", "-g"]
    for i, f in enumerate(tree_forms):
        lines.append(f"setpriv --reuid=65534 --regid=65534 --clear-groups pstree {f} > {tmp_path}/pstree{i} 2>&1 || true")
        lines.append(f"setpriv --reuid=65534 --regid=65534 --clear-groups {tmp_path}/pstree {f} > {tmp_path}/tree{i} 2>&1 "
                     "|| true")
    lines.append("kill $S $N")
    script.write_text("\n".join(lines) + "\n")
    os.chmod(tmp_path, 0o755)
    r = subprocess.run(["unshare", "--mount", "--pid", "--fork", "--mount-proc", "sh", str(script)],
                       capture_output=True, text=True, timeout=120, env=ENV)
    if r.returncode != 0 and "Operation not permitted" in r.stderr:
        pytest.skip(f"no PID namespace here: {r.stderr.strip()}")
    assert r.returncode == 0, r.stderr
    for i, f in enumerate(forms):
        a = mask((tmp_path / f"ps{i}").read_text().replace(f"{OYA} ps", "ps"))
        b = mask((tmp_path / f"oya{i}").read_text().replace(f"{OYA} ps", "ps"))
        # the reader itself is the one line that differs (its PID and its own name)
        strip = lambda t: "\n".join(l for l in t.splitlines() if not l.rstrip().endswith((" ps " + f, "ps " + f)))
        assert strip(b) == strip(a), f"ps {f} under hidepid=2:\n--- ps\n{a}\n+++ oya ps\n{b}"
    for i, f in enumerate(tree_forms):
        a, b = (tmp_path / f"pstree{i}").read_text(), (tmp_path / f"tree{i}").read_text()
        assert b == a, f"pstree {f} under hidepid=2:\n--- pstree\n{a}\n+++ oya tree\n{b}"
