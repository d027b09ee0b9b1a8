#!/bin/sh
# Install Chromium and its WebDriver (Debian's `chromium` and `chromium-driver`: /usr/bin/chromium,
# /usr/bin/chromedriver) for the real-browser test of the notebooks (tests/test_browser.py). Nothing
# downloads a browser of its own. Does nothing when both are already on PATH. Run by `make test`.
here=$(dirname "$0")
advice=$(mktemp)
trap 'rm -f "$advice"' EXIT
cat >"$advice" <<'MSG'
    Fedora:         sudo dnf install chromium chromedriver
    macOS:          brew install --cask chromium; brew install chromedriver
Without them, the browser test (tests/test_browser.py) is skipped when run directly with pytest.
MSG
sh "$here/apt-install.sh" "Chromium and chromedriver (for the browser test)" "$advice" chromium chromedriver -- chromium chromium-driver
