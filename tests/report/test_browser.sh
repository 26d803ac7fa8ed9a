#!/usr/bin/env bash
# Open a report with every figure type in headless Chromium (Debian package `chromium`):
# every <img> must have loaded with a natural size above 100 px (the page's own script marks
# <body data-images="ok">), every SVG must parse as XML, and a screenshot is saved to
# <build>/report-browser/screenshot.png for a human to look at.
# Usage: test_browser.sh BUILD_DIR SOURCE_DIR. Exit 77 (skip) when chromium is not installed.
set -u
build=$1
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "chromium is not installed (apt-get install chromium): skipping"
  exit 77
fi
prog="$build/report_test_figures"
if [ ! -x "$prog" ]; then
  echo "FAIL: $prog is missing; build the report tests first"
  exit 1
fi
fail() { echo "FAIL: $*"; exit 1; }

out="$build/report-browser"
rm -rf "$out"
mkdir -p "$out"
AS_REPORT_GALLERY_DIR="$out/gallery" "$prog" >"$out/gallery.log" 2>&1 ||
  { cat "$out/gallery.log"; fail "report_test_figures could not write the gallery"; }
page="$out/gallery/index.html"
[ -f "$page" ] || fail "no $page"

# Every SVG is well-formed XML (Python's expat parser, independent of cairo).
nsvg=0
for f in "$out"/gallery/*.svg; do
  /usr/bin/python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$f" ||
    fail "$f is not well-formed XML"
  nsvg=$((nsvg + 1))
done
[ "$nsvg" -ge 10 ] || fail "expected at least 10 SVG files, found $nsvg"

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --disable-dev-shm-usage --user-data-dir="$profile" --virtual-time-budget=10000)
url="file://$page"

timeout 90 "$chromium" "${flags[@]}" --dump-dom "$url" >"$out/dom.html" 2>"$out/chromium-dom.log" ||
  { tail -20 "$out/chromium-dom.log"; fail "chromium --dump-dom failed"; }
grep -q '<body[^>]*data-images="ok"' "$out/dom.html" ||
  { grep -o '<body[^>]*>' "$out/dom.html"; grep -o 'id="image-check"[^<]*<' "$out/dom.html";
    fail "not every image loaded with a natural size above 100 px"; }
total=$(grep -o 'data-images-total="[0-9]*"' "$out/dom.html" | grep -o '[0-9]*')
ok=$(grep -o 'data-images-ok="[0-9]*"' "$out/dom.html" | grep -o '[0-9]*')
[ "$total" = 10 ] && [ "$ok" = 10 ] || fail "images loaded: $ok of $total (expected 10 of 10)"

timeout 90 "$chromium" "${flags[@]}" --hide-scrollbars --window-size=1200,2000 \
  --screenshot="$out/screenshot.png" "$url" >"$out/chromium-shot.log" 2>&1 ||
  { tail -20 "$out/chromium-shot.log"; fail "chromium --screenshot failed"; }
[ -s "$out/screenshot.png" ] || fail "no screenshot"
size=$(/usr/bin/python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
print("%dx%d" % struct.unpack(">II", d[16:24]))' "$out/screenshot.png") || fail "screenshot is not a PNG"
echo "ok: $ok of $total images loaded in $(basename "$chromium"); screenshot $size at $out/screenshot.png"
