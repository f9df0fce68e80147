#!/bin/sh
# Installs the standalone llm-speed: no Node.js or npm needed (the archive carries its own Node).
#
#   curl -fsSL https://raw.githubusercontent.com/llm-speed/llm-speed/main/install.sh | sh
#
# It downloads SHA256SUMS and the archive for this machine from the release, checks the
# archive's SHA-256, and unpacks it into $LLM_SPEED_INSTALL_DIR (default ~/.llm-speed), replacing
# an earlier install there only once the new one is complete. It then prints the line to add to
# your PATH; it never edits a shell file.
#
# Settings (environment): LLM_SPEED_VERSION (e.g. 0.1.0; default the latest release),
# LLM_SPEED_INSTALL_DIR, LLM_SPEED_RELEASE_URL (the folder holding SHA256SUMS and the archives;
# default the GitHub release of that version).
set -eu

REPO_URL="https://github.com/llm-speed/llm-speed"
INSTALL_DIR="${LLM_SPEED_INSTALL_DIR:-$HOME/.llm-speed}"
if [ -n "${LLM_SPEED_RELEASE_URL:-}" ]; then
  BASE="${LLM_SPEED_RELEASE_URL%/}"
elif [ -n "${LLM_SPEED_VERSION:-}" ]; then
  BASE="$REPO_URL/releases/download/v${LLM_SPEED_VERSION#v}"
else
  BASE="$REPO_URL/releases/latest/download"
fi

say() { printf '%s\n' "$*"; }
fail() {
  printf 'llm-speed install: %s\n' "$1" >&2
  shift
  for hint in "$@"; do printf '  %s\n' "$hint" >&2; done
  exit 1
}

NPM_HINT="Or install with npm where Node.js 20.12 or newer is available: npm install -g llm-speed"

# --- which archive ---------------------------------------------------------------------------
os="$(uname -s 2>/dev/null || echo unknown)"
arch="$(uname -m 2>/dev/null || echo unknown)"
case "$os" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  MINGW* | MSYS* | CYGWIN* | Windows_NT) fail "this is Windows: use install.ps1 in PowerShell instead." "irm $REPO_URL/raw/main/install.ps1 | iex" ;;
  *) os="$(printf '%s' "$os" | tr '[:upper:]' '[:lower:]')" ;;
esac
case "$arch" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
esac
target="$os-$arch"
if [ "$os" = linux ] && (ldd --version 2>&1 | grep -qi musl); then
  fail "this Linux uses musl libc (Alpine?); the standalone builds need glibc." "$NPM_HINT"
fi

# --- tools -----------------------------------------------------------------------------------
if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --retry 2 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  fail "neither curl nor wget is installed; one of them is needed to download llm-speed."
fi
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
else
  fail "neither sha256sum nor shasum is installed; the download cannot be checked, so nothing was installed."
fi

# --- download and check ----------------------------------------------------------------------
# Everything is made in a temp folder first: whatever fails, nothing half-made is left behind.
work="$(mktemp -d "${TMPDIR:-/tmp}/llm-speed-install.XXXXXX")"
trap 'rm -rf "$work" "$INSTALL_DIR/.llm-speed.new"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

fetch "$BASE/SHA256SUMS" "$work/SHA256SUMS" || fail "could not download $BASE/SHA256SUMS." "Check the network, or set LLM_SPEED_VERSION to a released version."
archive="llm-speed-$target.tar.xz"
expected="$(awk -v f="$archive" '$2 == f { print $1 }' "$work/SHA256SUMS")"
if [ -z "$expected" ]; then
  available="$(awk '{ n = $2; if (sub(/^llm-speed-/, "", n) && sub(/\.(tar\.xz|zip)$/, "", n)) printf "%s ", n }' "$work/SHA256SUMS")"
  available="${available% }"
  fail "there is no standalone llm-speed for $target in this release (there are: ${available:-none})." "$NPM_HINT"
fi
say "downloading $archive"
fetch "$BASE/$archive" "$work/$archive" || fail "could not download $BASE/$archive."
actual="$(sha256 "$work/$archive")"
if [ "$actual" != "$expected" ]; then
  fail "the download's SHA-256 is $actual, but SHA256SUMS says $expected: refusing it, nothing was installed." "Try again; if it happens again, report it at $REPO_URL/issues."
fi

# --- unpack, then swap in ---------------------------------------------------------------------
command -v xz >/dev/null 2>&1 || fail "xz is needed to unpack the archive (Debian/Ubuntu: apt-get install xz-utils; macOS has it in tar)."
mkdir "$work/unpacked"
xz -dc "$work/$archive" | tar -xf - -C "$work/unpacked" || fail "could not unpack $archive; nothing was installed."
[ -x "$work/unpacked/llm-speed/bin/llm-speed" ] || fail "$archive holds no llm-speed/bin/llm-speed; nothing was installed."
printf '%s\n' "$actual" >"$work/unpacked/llm-speed/.archive-sha256"
mkdir -p "$INSTALL_DIR" || fail "cannot create $INSTALL_DIR; set LLM_SPEED_INSTALL_DIR to a folder you can write."
# The new tree is copied in beside the old one first, then they swap: an earlier install is
# replaced only by a complete one.
rm -rf "$INSTALL_DIR/.llm-speed.new" "$INSTALL_DIR/.llm-speed.old"
mv "$work/unpacked/llm-speed" "$INSTALL_DIR/.llm-speed.new" || fail "cannot write into $INSTALL_DIR; nothing was installed."
if [ -e "$INSTALL_DIR/llm-speed" ]; then mv "$INSTALL_DIR/llm-speed" "$INSTALL_DIR/.llm-speed.old"; fi
mv "$INSTALL_DIR/.llm-speed.new" "$INSTALL_DIR/llm-speed"
rm -rf "$INSTALL_DIR/.llm-speed.old"

bin="$INSTALL_DIR/llm-speed/bin"
version="$("$bin/llm-speed" --version 2>/dev/null || true)"
say "installed ${version:-llm-speed} into $INSTALL_DIR/llm-speed"
case ":$PATH:" in
  *":$bin:"*) say "it is on your PATH: run llm-speed bench" ;;
  *)
    say "add it to your PATH (this script edits no shell file), e.g. in ~/.profile or ~/.bashrc:"
    say "  export PATH=\"$bin:\$PATH\""
    ;;
esac
