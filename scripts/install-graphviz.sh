#!/bin/sh
# Install the Graphviz `dot` binary (the Python `graphviz` package only writes DOT source;
# turning it into SVG/PNG needs `dot`). Does nothing when `dot` is already on PATH.
set -e
command -v dot >/dev/null 2>&1 && exit 0

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi
    if [ "$SUDO" != none ]; then
        echo "Installing Graphviz (the 'dot' binary) with apt-get..."
        $SUDO apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz >/dev/null
        command -v dot >/dev/null 2>&1 && exit 0
    fi
fi

cat >&2 <<'MSG'
The Graphviz 'dot' binary is missing and could not be installed automatically.
Install it, then run the command again:
    Debian/Ubuntu:  sudo apt-get install graphviz
    Fedora:         sudo dnf install graphviz
    macOS:          brew install graphviz
    conda:          conda install -c conda-forge graphviz
MSG
exit 1
