#!/bin/sh
# Install the Graphviz `dot` binary (the Python `graphviz` package only writes DOT source; turning it into
# SVG/PNG needs `dot`). Does nothing when `dot` is already on PATH. Run by `make demo` and `make test`.
here=$(dirname "$0")
advice=$(mktemp)
trap 'rm -f "$advice"' EXIT
cat >"$advice" <<'MSG'
    Fedora:         sudo dnf install graphviz
    macOS:          brew install graphviz
    conda:          conda install -c conda-forge graphviz
MSG
sh "$here/apt-install.sh" "Graphviz (the 'dot' binary)" "$advice" dot -- graphviz
