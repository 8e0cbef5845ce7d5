"""Shared by the make bench scenarios: machine facts, package versions, and writing one section of
docs/benchmarks.md in place (each scenario owns the section whose heading starts with its title)."""
import datetime
import os
import platform
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OYA = os.path.join(ROOT, "build", "oya")
REPORT = os.path.join(ROOT, "docs", "benchmarks.md")
HEAD = "# Benchmarks\n\nEvery number here was measured by `make bench` in one run, the anchors beside oya.\n\n"


def ver(pkg):
    """The installed Debian version of pkg, or '?'."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True).stdout
    except OSError:
        return "?"
    return out or "?"


def machine(pkgs=()):
    """One sentence: date, cores, kernel and the versions of pkgs."""
    vs = ", ".join(f"{p} {ver(p)}" for p in pkgs)
    return (f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores, Linux {platform.release()}"
            + (f"; {vs}" if vs else "") + ".")


def goals(rows):
    """The goals table closing a section: (goal, measured, target, met) rows."""
    out = ["", "| goal | measured | target | met |", "|---|---:|---:|:---:|"]
    for g, v, t, ok in rows:
        out.append(f"| {g} | {v:.2f} | {t} | {'yes' if ok else 'NO'} |")
    return out


def publish(report, title, lines):
    """Print a scenario's section and put it in report in place of its previous one."""
    text = "\n".join(lines)
    put_section(report, title, text)
    print(text)


def put_section(report, title, section):
    """Replace the section of report whose heading starts with '## ' + title (or append it)."""
    text = open(report).read() if os.path.exists(report) else HEAD
    if not text.startswith("# Benchmarks"):
        text = HEAD + text
    start = text.find("## " + title)
    section = section.rstrip("\n") + "\n"
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(report, "w") as f:
        f.write(text)
