#!/usr/bin/env bash
# Installs Debian's `chromium` package for the server's browser end-to-end test (playwright-core
# drives it via executablePath /usr/bin/chromium; we never download Playwright's own browsers).
# Idempotent: exits 0 straight away when /usr/bin/chromium already exists.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: /usr/bin/chromium is missing and apt-get is not available; install Debian's chromium package by hand." >&2
  exit 1
fi

# Root runs apt-get directly; anyone else needs passwordless sudo.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "chromium: installing needs root (or passwordless sudo): run 'apt-get install chromium' as root." >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium

if [ ! -x /usr/bin/chromium ]; then
  echo "chromium: apt-get finished but /usr/bin/chromium is still missing." >&2
  exit 1
fi
echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium))"
