#!/usr/bin/env bash
# Build the .deb with cargo-packager, unpack it into a scratch root (dpkg-deb -x) and run what
# it installs: --version, doctor, and a sandbox smoke check (a sandbox started on a free port,
# one request answered through it, stopped). `.ci/run` runs it on the debug build `cargo test`
# made; pass `release` to package the release build, as a real release does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
profile="${1:-debug}"
out="target/$profile"
rm -f "$out"/*.deb
# The one place cargo-packager is installed (pinned) and run.
PROFILE="$profile" bash packaging/package.sh deb
deb="$(ls "$out"/*.deb)"
echo "built $deb"

version="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["version"])')"
depends="$(dpkg-deb -f "$deb" Depends)"
for needed in libxkbcommon0 "libegl1 | libgl1" zenity gnome-keyring; do
  grep -qF "$needed" <<<"$depends" || { echo "the .deb does not depend on $needed: $depends"; exit 1; }
done

scratch="$(mktemp -d)"
trap 'kill "${sandbox_pid:-}" 2>/dev/null || true; rm -rf "$scratch"' EXIT
dpkg-deb -x "$deb" "$scratch/root"
bin="$scratch/root/usr/bin/mediadesk"
desktop="$(ls "$scratch"/root/usr/share/applications/*.desktop)"
grep -q '^MimeType=.*image/jpeg;.*video/mp4;.*model/gltf-binary;' "$desktop" || { echo "no MIME types in $desktop"; exit 1; }
grep -q '^Exec=.*%F' "$desktop" || { echo "$desktop does not pass the files it opens"; exit 1; }
ls "$scratch"/root/usr/share/icons/hicolor/*/apps/*.png >/dev/null

"$bin" --version | grep -qx "mediadesk $version" || { echo "--version: $("$bin" --version)"; exit 1; }

export MEDIADESK_DATA_DIR="$scratch/data" MEDIADESK_LOG_DIR="$scratch/logs"
# No display and no keyring here: doctor says so (exit 1); every check must still answer.
"$bin" doctor > "$scratch/doctor.jsonl" 2>"$scratch/doctor.txt" || true
for check in display opengl keyboard keyring "data folder" "cache folder" "log folder" store; do
  grep -q "\"check\":\"$check\"" "$scratch/doctor.jsonl" || { echo "doctor did not check $check"; cat "$scratch/doctor.txt"; exit 1; }
done
grep -q '"check":"store","ok":true' "$scratch/doctor.jsonl" || { echo "doctor: the sandbox did not answer"; cat "$scratch/doctor.txt"; exit 1; }

# The sandbox smoke check: start it, answer one request, stop it.
"$bin" sandbox --port 0 > "$scratch/sandbox.txt" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do
  grep -q '^access token: ' "$scratch/sandbox.txt" && break
  sleep 0.1
done
url="$(sed -n 's/^sandbox store listening on //p' "$scratch/sandbox.txt")"
token="$(sed -n 's/^access token: //p' "$scratch/sandbox.txt")"
[ -n "$url" ] && [ -n "$token" ] || { echo "the sandbox did not start:"; cat "$scratch/sandbox.txt"; exit 1; }
MEDIADESK_TOKEN="$token" "$bin" --endpoint "$url" shop | grep -q '"name":"mediadesk sandbox"'
kill "$sandbox_pid"
wait "$sandbox_pid" 2>/dev/null || true
sandbox_pid=""
echo "the .deb installs a mediadesk $version that answers --version, doctor and the sandbox"
