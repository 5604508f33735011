#!/usr/bin/env bash
# What each stage asks of a learner, measured, not guessed:
#   lines   the non-blank, non-comment lines in the solution's YOURS(NN.k)
#           regions (.tools/skeleton.sh count NN): what the learner writes;
#   words   the words of the lesson before its "## Going further" heading:
#           what the learner must read;
#   minutes planned for a person: a line a minute to write and debug,
#           200 words a minute to read, rounded up to 5 minutes.
# The limits: at most 60 lines a stage and 300 in all, at most 2,000
# must-read words a stage.
#
#   .tools/budget.sh          the table, one row a stage
#   .tools/budget.sh write    put each lesson's budget line, and its row
#                             in slides/INSTRUCTOR.md, up to date
#   .tools/budget.sh check    exit 1 when a limit is passed or a lesson's
#                             budget line or INSTRUCTOR.md row is not what
#                             the figures say
#
# A lesson's budget line is the first line that starts with "> Budget:".
# Its row in INSTRUCTOR.md is "| NN name | LINES | WORDS | MINUTES |".
set -euo pipefail
cd "$(dirname "$0")/.."
. .tools/lib.sh

max_lines=60 max_total=300 max_words=2000

words() { # LESSON: the words before "## Going further"
  awk '/^## Going further/ { exit } { print }' "$1" | wc -w
}

minutes() { # LINES WORDS
  local m=$(($1 + ($2 + 199) / 200))
  echo $(((m + 4) / 5 * 5))
}

budget_line() { # LINES WORDS
  local l=lines
  [ "$1" -eq 1 ] && l=line
  printf '> Budget: %d %s to write, %d words to read, about %d minutes.\n' \
    "$1" "$l" "$2" "$(minutes "$1" "$2")"
}

instructor=slides/INSTRUCTOR.md

# The row of stage NN in INSTRUCTOR.md's budget table, as it is and as the
# figures say it should be (words with a thousands comma).
row_now() { grep -m1 -E "^\| $1 [^|]*\| [0-9]+ \| [0-9,]+ \| [0-9]+ \|\$" "$instructor" || true; }
row_want() { # NN LINES WORDS
  local now name
  now=$(row_now "$1")
  name=$(echo "$now" | cut -d'|' -f2 | sed 's/^ *//; s/ *$//')
  printf '| %s | %d | %s | %d |\n' "${name:-$1}" "$2" \
    "$(printf '%d' "$3" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta')" "$(minutes "$2" "$3")"
}

status=0 total=0
mode=${1:-table}
[ "$mode" = table ] && printf '%-10s %6s %6s %8s\n' stage lines words minutes
for s in $(stages); do
  nn=${s%%-*}
  lesson=steps/$s/README.md
  lines=$(.tools/skeleton.sh count "$nn")
  w=$(words "$lesson")
  total=$((total + lines))
  want=$(budget_line "$lines" "$w")
  case $mode in
    table) printf '%-10s %6d %6d %8d\n' "$s" "$lines" "$w" "$(minutes "$lines" "$w")" ;;
    write)
      if grep -q '^> Budget:' "$lesson"; then
        awk -v line="$want" '!done && /^> Budget:/ { print line; done = 1; next } { print }' "$lesson" >"$lesson.tmp"
      else # after the title
        awk -v line="$want" 'NR == 1 { print; print ""; print line; next } { print }' "$lesson" >"$lesson.tmp"
      fi
      mv "$lesson.tmp" "$lesson"
      now=$(row_now "$nn")
      if [ -n "$now" ]; then
        awk -v old="$now" -v new="$(row_want "$nn" "$lines" "$w")" \
          '!done && $0 == old { print new; done = 1; next } { print }' "$instructor" >"$instructor.tmp"
        mv "$instructor.tmp" "$instructor"
      fi ;;
    check)
      have=$(grep -m1 '^> Budget:' "$lesson" || true)
      [ "$have" = "$want" ] || { echo "$lesson: the budget line says \"${have:-nothing}\"; the figures say \"$want\" (.tools/budget.sh write)"; status=1; }
      now=$(row_now "$nn") row=$(row_want "$nn" "$lines" "$w")
      [ "$now" = "$row" ] || { echo "$instructor: the row of $s says \"${now:-nothing}\"; the figures say \"$row\" (.tools/budget.sh write)"; status=1; }
      [ "$lines" -le "$max_lines" ] || { echo "$s: $lines lines to write, more than $max_lines"; status=1; }
      [ "$w" -le "$max_words" ] || { echo "$s: $w must-read words, more than $max_words"; status=1; } ;;
    *) echo "usage: .tools/budget.sh [write|check]" >&2; exit 2 ;;
  esac
done
case $mode in
  table) printf '%-10s %6d\n' all "$total" ;;
  check) [ "$total" -le "$max_total" ] || { echo "$total lines to write in all, more than $max_total"; status=1; } ;;
esac
exit $status
