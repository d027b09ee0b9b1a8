#!/bin/sh
# Install Debian packages with apt-get when a command they provide is missing; on any failure, print
# what to run instead. Used by install-graphviz.sh and install-chromium.sh (so by `make demo` / `make test`).
#
# Usage: sh scripts/apt-install.sh WHAT ADVICE_FILE COMMAND... -- PACKAGE...
#   WHAT         a few words for the messages ("Graphviz (the 'dot' binary)")
#   ADVICE_FILE  text printed on failure: how to install by hand on other systems
#   COMMAND...   commands that must exist afterwards (nothing is done when all exist already)
#   PACKAGE...   the Debian packages that provide them
#
# apt waits up to APT_LOCK_TIMEOUT seconds (default 300) for the dpkg lock held by another apt process
# (unattended upgrades, another install) instead of failing at once.
what=$1; advice=$2; shift 2
cmds=""
while [ $# -gt 0 ] && [ "$1" != -- ]; do cmds="$cmds $1"; shift; done
[ "${1:-}" = -- ] && shift
pkgs="$*"

all_present() {
    for c in $cmds; do command -v "$c" >/dev/null 2>&1 || return 1; done
    return 0
}
all_present && exit 0

fail() {
    echo "" >&2
    echo "$what is missing and could not be installed automatically${1:+ ($1)}." >&2
    echo "Install it, then run the command again:" >&2
    echo "    Debian/Ubuntu:  sudo apt-get install $pkgs" >&2
    [ -f "$advice" ] && cat "$advice" >&2
    exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "no apt-get on this system"
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    fail "installing needs root, and sudo is not available without a password"
fi

timeout=${APT_LOCK_TIMEOUT:-300}
echo "Installing $what with apt-get ($pkgs); waiting up to ${timeout}s for the package lock if it is busy..."
# shellcheck disable=SC2086
$SUDO apt-get -o DPkg::Lock::Timeout="$timeout" update -qq || fail "apt-get update failed"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout="$timeout" install -y -q \
    --no-install-recommends $pkgs || fail "apt-get install failed"
all_present || fail "apt-get finished, but$cmds still not all on PATH"
echo "Installed $what."
