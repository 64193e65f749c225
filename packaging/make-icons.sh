#!/usr/bin/env bash
# Make the app icon's PNG sizes (assets/icons/) from its SVG source (assets/mediadesk.svg).
# Run it after changing the SVG, and commit the PNGs: the app and the packages use them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$root/assets/icons"
cargo run --quiet --release --manifest-path "$root/packaging/icon-render/Cargo.toml" -- \
  "$root/assets/mediadesk.svg" "$root/assets/icons" 16 24 32 48 64 128 256 512
