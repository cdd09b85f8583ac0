#!/usr/bin/env bash
# Headless Chromium for the report's browser test (test/ui/report-browser.test.ts), from the OS
# packages (Debian's `chromium`), installed when /usr/bin/chromium is missing. CI runs as root.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
fail() {
  echo "ensure-chromium: $1" >&2
  echo "ensure-chromium: install Debian's chromium package by hand (apt-get install chromium) so that $CHROMIUM exists; the report's browser test needs it." >&2
  exit 1
}
command -v apt-get >/dev/null 2>&1 || fail "$CHROMIUM is missing and there is no apt-get here"
if [ "$(id -u)" -ne 0 ]; then
  fail "$CHROMIUM is missing and installing it needs root (run as root, as CI does)"
fi
echo "ensure-chromium: installing Debian's chromium (for the report's browser test)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || fail "apt-get update failed"
apt-get install -y -qq --no-install-recommends chromium >/dev/null || fail "apt-get install chromium failed"
[ -x "$CHROMIUM" ] || fail "the chromium package was installed but $CHROMIUM is not there"
