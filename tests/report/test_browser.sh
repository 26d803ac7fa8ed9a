#!/usr/bin/env bash
# Open a report with every figure type in headless Chromium (Debian package `chromium`):
# every <img> must have loaded with a natural size above 100 px (the page's own script marks
# <body data-images="ok">), every SVG must parse as XML and carry its labels as real <text>
# (Chromium's DOM of each SVG file holds <text> elements whose text includes the figure's tick
# and axis labels: selectable and editable, not glyph outlines), every PDF is well-formed (pdfinfo
# when poppler-utils is installed, else a structural check in Python: header, xref table,
# trailer and the objects at the offsets it gives), and a screenshot is saved to
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
[ "$total" = 13 ] && [ "$ok" = 13 ] || fail "images loaded: $ok of $total (expected 13 of 13)"

# Every SVG as Chromium parses it: real <text> nodes holding the labels.
ntext_files=0
for f in "$out"/gallery/*.svg; do
  b=$(basename "$f" .svg)
  timeout 60 "$chromium" "${flags[@]}" --dump-dom "file://$f" >"$out/$b.dom.svg" 2>/dev/null ||
    fail "chromium could not open $f"
  /usr/bin/python3 - "$out/$b.dom.svg" "$f" <<'PY' || fail "$b.svg: its labels are not SVG text in Chromium's DOM"
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
texts = re.findall(r"<text\b[^>]*>(.*?)</text>", dom, re.S)
plain = [re.sub(r"<[^>]+>", "", t) for t in texts]
title = re.search(r"<title>(.*?)</title>", open(sys.argv[2], encoding="utf-8").read(), re.S)
assert len(plain) >= 5, "only %d <text> nodes" % len(plain)
assert any(re.fullmatch(r"[-\u2212]?[0-9.]+", t.strip()) for t in plain), "no tick label text"
assert "<use" not in dom or "glyph" not in dom, "glyph outlines instead of text"
PY
  ntext_files=$((ntext_files + 1))
done
echo "ok: $ntext_files SVG files with their labels as <text> in Chromium's DOM"

# Every PDF is well-formed.
npdf=0
for f in "$out"/gallery/*.pdf; do
  [ -e "$f" ] || continue
  if command -v pdfinfo >/dev/null; then
    pdfinfo "$f" >/dev/null || fail "pdfinfo rejects $f"
  else
    /usr/bin/python3 - "$f" <<'PY' || fail "$f is not a well-formed PDF"
import re, sys
d = open(sys.argv[1], "rb").read()
assert d.startswith(b"%PDF-1."), "no PDF header"
assert d.rstrip().endswith(b"%%EOF"), "no %%EOF"
start = int(re.findall(rb"startxref\s+(\d+)", d)[-1])
assert d[start:start + 4] == b"xref", "startxref does not point at the xref table"
m = re.match(rb"xref\s+0\s+(\d+)\s+", d[start:])
n = int(m.group(1))
rows = d[start + m.end():].split(b"\n")[:n]
for i, row in enumerate(rows[1:], 1):
    off = int(row[:10])
    assert re.match(rb"%d 0 obj" % i, d[off:off + 16]), "object %d not at offset %d" % (i, off)
assert re.search(rb"trailer\s*<<.*?/Root", d, re.S), "no trailer with /Root"
assert b"/Font" in d and b"/ToUnicode" in d, "no text font with a ToUnicode map (text not selectable)"
PY
  fi
  npdf=$((npdf + 1))
done
[ "$npdf" -ge 1 ] || fail "the gallery holds no PDF"
echo "ok: $npdf PDF files well-formed"

timeout 90 "$chromium" "${flags[@]}" --hide-scrollbars --window-size=1200,2000 \
  --screenshot="$out/screenshot.png" "$url" >"$out/chromium-shot.log" 2>&1 ||
  { tail -20 "$out/chromium-shot.log"; fail "chromium --screenshot failed"; }
[ -s "$out/screenshot.png" ] || fail "no screenshot"
size=$(/usr/bin/python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
print("%dx%d" % struct.unpack(">II", d[16:24]))' "$out/screenshot.png") || fail "screenshot is not a PNG"
echo "ok: $ok of $total images loaded in $(basename "$chromium"); screenshot $size at $out/screenshot.png"
