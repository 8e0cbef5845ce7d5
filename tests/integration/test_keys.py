"""Every key of systemd's [Unit], [Service] and [Install] is known to oya (applied, accepted and listed as
not applied, or not supported yet): compared with what systemd 252 itself lists
(`systemd --dump-configuration-items`, package systemd). docs/units.md's list of keys is current."""
import subprocess
import sys
from pathlib import Path

from conftest import OYA

ROOT = Path(__file__).resolve().parent.parent.parent
SYSTEMD = Path("/lib/systemd/systemd")


def oya_keys():
    out = subprocess.run([OYA, "verify", "--keys"], capture_output=True, text=True, timeout=30, check=True).stdout
    return {tuple(line.split("\t")[:2]): line.split("\t")[2] for line in out.splitlines()}


def test_no_key_of_systemd_is_unknown():
    assert SYSTEMD.exists(), "systemd (the package) is missing: scripts/deps.sh installs it"
    out = subprocess.run([str(SYSTEMD), "--dump-configuration-items"], capture_output=True, text=True,
                         timeout=30).stdout
    theirs, section = set(), None
    for line in out.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and section in ("Unit", "Service", "Install"):
            theirs.add((section, line.split("=", 1)[0]))
    assert len(theirs) > 300
    ours = oya_keys()
    missing = sorted(f"{s}.{k}" for s, k in theirs if (s, k) not in ours)
    assert not missing, f"systemd keys oya would call unknown: {missing}"
    # and each key oya knows says what becomes of it
    assert set(ours.values()) <= {"applied", "not applied", "not supported yet", "ignored"}


def test_a_unit_with_every_systemd_key_loads_without_unknown_keys(tmp_path):
    # an empty value resets a key in systemd; oya must take every one of them as a key it knows
    text = "[Unit]\n" + "".join(f"{k}=\n" for (s, k) in oya_keys() if s == "Unit")
    text += "[Service]\nExecStart=/bin/true\n" + "".join(f"{k}=\n" for (s, k) in oya_keys()
                                                          if s == "Service" and k != "ExecStart")
    (tmp_path / "all.service").write_text(text)
    r = subprocess.run([OYA, "verify", str(tmp_path / "all.service")], capture_output=True, text=True, timeout=30)
    assert "unknown key" not in r.stderr, r.stderr


def test_docs_list_every_key():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "keys-doc.py"), "--check", OYA],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
