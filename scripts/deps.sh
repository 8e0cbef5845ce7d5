#!/bin/sh
# Install the Debian packages that building and testing oya needs, and only the missing ones.
# Idempotent: a second run installs nothing and does not touch the network.
set -eu

PKGS="gcc make libc6-dev libcmocka-dev musl-tools python3 python3-pytest python3-psutil procps psmisc util-linux passwd"
# the libFuzzer harnesses of tests/fuzz (make fuzz; make check runs each for a few seconds)
PKGS="$PKGS clang libclang-rt-14-dev"
# real daemons started from their own unit files by the tests (tests/integration/test_debian.py)
PKGS="$PKGS nginx redis-server postgresql"
# systemd-analyze, what `oya condition` is compared with (tests/integration/test_conditions.py); systemd is
# not started, only its tools are used
PKGS="$PKGS systemd"
# a private system bus and a service that takes a name on it (tests/integration/test_dbus.py, Type=dbus)
PKGS="$PKGS dbus-daemon python3-dbus"
# the anchors `oya init` is compared with (tests/integration/test_init.py)
PKGS="$PKGS tini dumb-init"
# a real container runtime for oya-static as PID 1 (tests/integration/test_podman.py): podman with runc,
# and busybox-static for the image's shell
PKGS="$PKGS podman runc busybox-static catatonit" # catatonit: the pause process of `podman kube play` pods
# the interactive `oya top` is driven in a tmux pane (tests/integration/test_top.py)
PKGS="$PKGS tmux"
# `scripts/deps.sh --bench` adds what `make bench` measures against and with
if [ "${1:-}" = "--bench" ]; then
    PKGS="$PKGS hyperfine time runit s6 daemontools supervisor forkstat htop"
fi

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages:$missing; run as root (or: sudo apt-get install$missing)" >&2
    exit 1
fi

echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Packages such as supervisor start their daemon from postinst; nothing here may start a service on the
# machine, so while installing, a policy-rc.d (if there is none) tells invoke-rc.d to start nothing.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
