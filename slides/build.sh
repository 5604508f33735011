#!/usr/bin/env bash
# slides/build.sh (make slides): render the deck into slides/out/:
#   deck.html  the slides for a browser, presenter view on "p"; with img/
#   deck.pdf   one page per slide, to hand out or project without a browser
# Marp from slides/package-lock.json; Debian's chromium for the PDF.
set -euo pipefail
cd "$(dirname "$0")"

. ./env.sh

mkdir -p out
rm -rf out/img
cp -r img out/img
node_modules/.bin/marp --no-stdin deck.md -o out/deck.html
node_modules/.bin/marp --no-stdin --pdf --pdf-outlines deck.md -o out/deck.pdf
echo "slides: out/deck.html and out/deck.pdf"
