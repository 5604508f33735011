#!/usr/bin/env bash
# slides/check.sh [DECK.md] [--shots DIR]: is the deck fit to project?
#
#   1. every code excerpt is still in the file it names (excerpts.mjs);
#   2. every slide renders in headless Chromium, none blank, none
#      overflowing its box, every picture loaded, nothing fetched from
#      the network (check.mjs).
#
# DECK.md defaults to slides/deck.md.  --shots DIR also saves every slide
# as DIR/slide-NN.png, to look at.
#
# slides/check.sh --self-test proves that the check can fail: it appends
# a blank slide and an overflowing one to a copy of the deck and expects
# exactly those two to be reported.
#
# Needs Debian's chromium (CHROME_PATH, default /usr/bin/chromium) and
# npm; env.sh runs `npm ci` when node_modules is missing or stale.
set -euo pipefail

deck= shots= selftest=
while [ $# -gt 0 ]; do
  case $1 in
    --self-test) selftest=1 ;;
    --shots) shots=$(realpath -m "${2:?--shots needs a directory}"); shift ;;
    -*) echo "usage: slides/check.sh [DECK.md] [--shots DIR] | --self-test" >&2; exit 2 ;;
    *) deck=$(realpath "$1") ;;
  esac
  shift
done
cd "$(dirname "$0")"
deck=${deck:-$PWD/deck.md}

. ./env.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# DECK.md: both checks; the exit status is 1 if either fails.
check() {
  local rc=0
  node excerpts.mjs "$1" || rc=1
  if ! node_modules/.bin/marp --no-stdin --template bare "$1" -o "$work/deck.html" >"$work/marp.log" 2>&1; then
    cat "$work/marp.log"
    echo "slides: Marp could not render $1"
    return 1
  fi
  rm -rf "$work/img" && cp -r img "$work/img"
  node check.mjs "$work/deck.html" ${shots:+--shots "$shots"} || rc=1
  return $rc
}

if [ -n "$selftest" ]; then
  broken=$work/broken.md
  {
    cat "$deck"
    printf '\n---\n\n---\n\n# Too much for one slide\n\n'
    for i in $(seq 1 30); do echo "- line $i of a list that goes on and on"; done
  } >"$broken"
  out=$(check "$broken" 2>&1) && rc=0 || rc=$?
  echo "$out"
  if [ "$rc" -ne 0 ] && grep -q '^slides: [0-9]* rendered, 1 blank, 1 overflowing$' <<<"$out"; then
    echo "slides: self-test passed: the check fails on a blank and an overflowing slide"
    exit 0
  fi
  echo "slides: self-test FAILED: the check did not report exactly 1 blank and 1 overflowing slide"
  exit 1
fi

check "$deck"
