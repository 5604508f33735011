#!/usr/bin/env bash
# Skeletons and solutions must never drift apart: steps/NN-x/runtime.c is
# solutions/(NN-1)-y/runtime.c plus /* TODO(NN) ... */ comment blocks.
#
#   .tools/skeleton.sh strip NN   the skeleton without its TODO(NN) blocks
#   .tools/skeleton.sh check NN   exit 0 when the skeleton is what it must be
set -euo pipefail
cd "$(dirname "$0")/.."

dir() { ls -d "$1"/"$2"-*/ 2>/dev/null | head -1 | sed 's:/$::'; }

strip() {
  # A block that stands alone between blank lines takes one of them along.
  awk -v tag="/* TODO($1)" '
    !skip && index($0, tag) { skip = 1; alone = (prev == "") }
    skip { if (index($0, "*/")) { skip = 0; eat = alone }; next }
    eat && $0 == "" { eat = 0; next }
    { eat = 0; print; prev = $0 }' "$(dir steps "$1")/runtime.c"
}

check() {
  local nn=$1 step prev
  step=$(dir steps "$nn")
  [ -n "$step" ] || { echo "no steps/$nn-*"; return 1; }
  grep -q "TODO($nn)" "$step/runtime.c" || { echo "$step/runtime.c has no TODO($nn) marker"; return 1; }
  if grep -o 'TODO([0-9]*)' "$step/runtime.c" | grep -v "TODO($nn)" | grep -q .; then
    echo "$step/runtime.c has TODO markers of another stage"; return 1
  fi
  if [ "$nn" = 01 ]; then
    # No solution 00: the base runtime must be solution 01 minus additions.
    if strip 01 | diff - "$(dir solutions 01)/runtime.c" | grep -q '^<'; then
      echo "$step/runtime.c has lines that solution 01 does not:"
      strip 01 | diff - "$(dir solutions 01)/runtime.c" | grep '^<'
      return 1
    fi
    return 0
  fi
  prev=$(dir solutions "$(printf '%02d' $((10#$nn - 1)))")
  if ! strip "$nn" | diff -u "$prev/runtime.c" - >/dev/null; then
    echo "$step/runtime.c without its TODO($nn) blocks differs from $prev/runtime.c:"
    strip "$nn" | diff -u "$prev/runtime.c" - | head -40
    return 1
  fi
}

case ${1:-} in
  strip) strip "$2" ;;
  check) check "$2" ;;
  *) echo "usage: .tools/skeleton.sh strip|check NN" >&2; exit 2 ;;
esac
