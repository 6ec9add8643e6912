#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (test/browser), unless /usr/bin/chromium is already there.
# Idempotent and non-interactive; run as root (CI machines are) or with sudo available. Playwright's own browser
# download is never used: playwright-core drives this binary (executablePath /usr/bin/chromium).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

SUDO=''
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO='sudo'
  else
    echo "chromium: /usr/bin/chromium is missing and this user cannot run apt-get (not root, no sudo)" >&2
    exit 1
  fi
fi

# `env` so the setting survives sudo, which resets the environment.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
