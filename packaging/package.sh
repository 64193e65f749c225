#!/usr/bin/env bash
# Build one installer format with cargo-packager: deb, appimage (Linux), app, dmg (macOS),
# nsis, wix (Windows). `PROFILE=debug` packages the debug build instead of the release one.
# Formats whose tools cargo-packager downloads while packaging (AppImage: linuxdeploy; NSIS;
# WiX) say so plainly when the download is impossible, instead of ending on a network error.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
format="${1:?usage: packaging/package.sh deb|appimage|app|dmg|nsis|wix}"
profile="${PROFILE:-release}"
flag=()
[ "$profile" = release ] && flag=(--release)
if ! cargo packager --version >/dev/null 2>&1; then
  cargo install cargo-packager --version 0.11.8 --locked
fi
cargo build "${flag[@]}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if cargo packager "${flag[@]}" --formats "$format" 2>&1 | tee "$log"; then
  ls -1 "target/$profile" | grep -iE '\.(deb|appimage|dmg|exe|msi)$|\.app$' || true
  exit 0
fi
case "$format" in
  appimage) tool="linuxdeploy and its AppImage plugin (from github.com)" ;;
  nsis) tool="NSIS and its plugins (from github.com and sourceforge.net)" ;;
  wix) tool="the WiX Toolset (from github.com)" ;;
  *) tool="" ;;
esac
if [ -n "$tool" ] && grep -qiE 'download|request|dns|connect|resolve|network' "$log"; then
  echo >&2
  echo "mediadesk: the $format package needs $tool, which cargo-packager downloads while packaging," >&2
  echo "and this machine cannot reach it. Package $format on a machine that can reach it; the .deb" >&2
  echo "builds offline (packaging/package.sh deb)." >&2
fi
exit 1
