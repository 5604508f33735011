#!/usr/bin/env bash
# The skeletons are made from the solutions: solutions/NN-x/runtime.c is
# the one source, and steps/NN-x/runtime.c is generated from it.
#
# A solution marks what the learner writes and what is given:
#
#     /* YOURS(04.2) Bind the rootfs onto itself.
#      * ...the instructions the learner reads, as the TODO... */
#     ...the reference code...
#     /* END YOURS(04.2); stub: return 0; */
#
#     /* GIVEN(04) check_rootfs(): what it does, what to notice. */
#     ...code the skeleton keeps, complete...
#     /* END GIVEN(04); deep stub: static void check_rootfs(...) {} */
#
# In step NN, each YOURS(NN.k) region becomes its comment, retitled
# TODO(NN.k), followed by its stub (when the file would not build without
# one).  GIVEN(NN) regions stay, markers and all.  The markers of other
# stages go; their code stays.  The deep version (make deep-NN) turns the
# GIVEN(NN) regions into TODO(NN deep) comments and their deep stubs too,
# except those whose opening comment says they are kept in the deep
# version (the guard rails, and the helpers that apply them).
#
#   .tools/skeleton.sh make NN [deep]  the skeleton of stage NN, on stdout
#   .tools/skeleton.sh fill NN K       the skeleton with TODO(NN.K) done
#   .tools/skeleton.sh without NN K    the solution without YOURS(NN.K):
#                                      a learner's slip, for the tests
#                                      of the guard rails
#   .tools/skeleton.sh base            stage 01's skeleton without its
#                                      TODOs: the runtime before stage 01
#   .tools/skeleton.sh write [NN]      regenerate steps/ (a maintainer's)
#   .tools/skeleton.sh count NN        lines the learner writes in stage NN
#   .tools/skeleton.sh todos NN        the TODO ids of stage NN, one a line
#   .tools/skeleton.sh hints NN        every hint of stage NN's checks
#                                      names the TODOs of stage NN its
#                                      check depends on, TODO(NN.K, ...):,
#                                      or says given:, and every TODO of
#                                      the stage is named by some hint
#   .tools/skeleton.sh check NN        steps/NN is its generated skeleton,
#                                      it builds, still builds with any
#                                      one TODO done, and its hints pass
set -euo pipefail
cd "$(dirname "$0")/.."
. .tools/lib.sh

solution() {
  local s
  s=$(stage_of "$1") || { echo "skeleton: no stage $1" >&2; exit 2; }
  echo "solutions/$s/runtime.c"
}

# transform NN MODE [K]: MODE is normal, deep, bare (no TODO comments:
# stubs only), fill (TODO(NN.K) keeps its code) or without (the solution
# with region NN.K left out, and nothing else: a learner's slip).
transform() {
  awk -v T="$1" -v mode="$2" -v K="${3:-}" '
    # The text after "stub:" in an END marker, its comment lines joined.
    function stub_of(text,   s) {
      if (!match(text, /stub:/)) return ""
      s = substr(text, RSTART + 5)
      sub(/\*\/[ \t]*$/, "", s)
      gsub(/\n[ \t]*\*?[ \t]?/, "\n", s)
      return s
    }
    # Read a whole comment that starts on the current line.
    function whole_comment(   c) {
      c = $0
      while (index(c, "*/") == 0 && (getline line) > 0) c = c "\n" line
      return c
    }
    function emit(s) { if (!skipping) print s }
    # Does a GIVEN comment say that the deep version keeps it?
    function kept_in_deep(text,   flat) {
      flat = text
      gsub(/\n[ \t]*\*?[ \t]*/, " ", flat)
      return flat ~ /[Kk]ept in the deep version/
    }
    BEGIN { skipping = 0 }
    /^[ \t]*\/\* (YOURS|GIVEN)\([0-9][0-9][.)]/ {
      c = whole_comment()
      kind = (c ~ /YOURS\(/) ? "YOURS" : "GIVEN"
      match(c, /(YOURS|GIVEN)\([0-9][0-9](\.[a-z0-9]+)?\)/)
      id = substr(c, RSTART + 6, RLENGTH - 7)
      stage = substr(id, 1, 2); k = substr(id, 4)
      if (skipping) next
      if (mode == "without") {
        if (kind == "YOURS" && stage == T && k == K) skipping = "YOURS(" id ")"
      } else if (kind == "YOURS" && stage == T && !(mode == "fill" && k == K)) {
        if (mode != "bare") { sub(/YOURS\(/, "TODO(", c); print c }
        skipping = "YOURS(" id ")"
      } else if (kind == "GIVEN" && stage == T && mode == "deep" && !kept_in_deep(c)) {
        sub(/GIVEN\([0-9][0-9]\)/, "TODO(" T " deep)", c); print c
        skipping = "GIVEN(" id ")"
      } else if (kind == "GIVEN" && stage == T && mode != "bare") {
        print c
      }
      next
    }
    /^[ \t]*\/\* END (YOURS|GIVEN)\([0-9][0-9][.)]/ {
      c = whole_comment()
      match(c, /(YOURS|GIVEN)\([0-9][0-9](\.[a-z0-9]+)?\)/)
      tag = substr(c, RSTART, RLENGTH)
      if (skipping == tag) {
        skipping = 0
        s = stub_of(c)
        if (tag ~ /^GIVEN/) { s = c; sub(/.*deep stub:/, "stub:", s); s = stub_of(s) }
        else if (c ~ /deep stub:/) s = ""
        if (s != "" && tag ~ /^YOURS/ && mode != "bare")
          print "/* A stub, there only so that the file builds: your code replaces it. */"
        if (s != "") print s
      } else if (!skipping && tag ~ /^GIVEN/ && substr(tag, 7, 2) == T && mode != "bare") {
        print c
      }
      next
    }
    { emit($0) }
  ' "$(solution "$1")"
}

# The pragma a skeleton opens with: a given helper that no code of the
# learner calls yet is a warning that names it, not a failed build.
with_pragma() {
  awk '
    !done && /^#include/ {
      print "/* Skeleton: a given helper your code does not call yet is a"
      print " * warning that names it, not an error. */"
      print "#pragma GCC diagnostic warning \"-Wunused-function\""
      done = 1
    }
    { print }'
}

format() { clang-format --style=file --assume-filename="$PWD/runtime.c"; }

make_skeleton() { transform "$1" "${2:-normal}" | with_pragma | format; }

# The ids of stage NN's learner regions: 1, 2, ...
todos() {
  grep -o "/\* YOURS($1\.[a-z0-9]*)" "$(solution "$1")" | sed 's/.*(\(.*\))/\1/; s/^[0-9]*\.//'
}

# Non-blank, non-comment lines inside stage NN's YOURS regions.
count() {
  awk -v T="$1" '
    /^[ \t]*\/\* YOURS\(/ { inside = (index($0, "YOURS(" T ".") > 0); incomment = 1 }
    /^[ \t]*\/\* END YOURS\(/ { inside = 0; incomment = 1 }
    incomment { if (index($0, "*/")) incomment = 0; next }
    !inside { next }
    /^[ \t]*\/\*/ { if (!index($0, "*/")) incomment = 1; next }
    /^[ \t]*(\/\/|\*)/ { next }
    /^[ \t]*$/ { next }
    { n++ }
    END { print n + 0 }' "$(solution "$1")"
}

build() { # FILE NN
  local libs out
  libs=$(stage_libs "$2")
  out=$(mktemp)
  # shellcheck disable=SC2086
  if ! cc -std=c11 -Wall -Wextra -Werror -O0 -DSTEP_ROOTFS='"/nonexistent"' -o "$out" -x c "$1" -static $libs 2>"$out.err"; then
    cat "$out.err"; rm -f "$out" "$out.err"; return 1
  fi
  rm -f "$out" "$out.err"
}

# The hints of stage NN's checks, against its TODO ids: a learner who
# reads a failing check's hint learns which TODO to open.  Which TODOs a
# check depends on is measured, not guessed (CONTRIBUTING.md): build
# `without NN K`, run the stage's checks on it, see which fail.  Here
# only the form is checked: each hint opens with TODO(NN.K[, NN.K]...):
# naming TODOs of this stage (at most three; "TODO(NN.K) and others:"
# when more make the check fail), or with given: (no one TODO left out
# makes the check fail); and no TODO of the stage goes unnamed.  One
# line per problem; status 1 if there is any.
hints() {
  local nn=$1 s file ids
  s=$(stage_of "$nn") || { echo "no stage $nn"; return 1; }
  file=tests/acceptance/$s.bats
  [ -f "$file" ] || { echo "$file: no such file"; return 1; }
  ids=$(todos "$nn" | sed "s/^/$nn./" | tr '\n' ' ')
  awk -v nn="$nn" -v ids="$ids" -v file="$file" '
    BEGIN {
      n = split(ids, a, " ")
      for (i = 1; i <= n; i++) if (a[i] != "") { known[a[i]] = 1; order[++k] = a[i] }
    }
    /^[ \t]*hint "/ {
      text = $0
      sub(/^[ \t]*hint "/, "", text)
      hints++
      if (text ~ /^given: /) next
      if (!match(text, /^TODO\([0-9][0-9]\.[a-z0-9]+(, [0-9][0-9]\.[a-z0-9]+)*\)( and others)?: /)) {
        printf "%s:%d: the hint opens with neither TODO(%s.K): nor given: hint \"%s\n", file, NR, nn, text
        bad = 1
        next
      }
      list = substr(text, 6, index(text, ")") - 6)
      m = split(list, got, ", ")
      if (m > 3) {
        printf "%s:%d: %d TODOs named: name the three the hint is about, then \"and others\"\n", file, NR, m
        bad = 1
      }
      for (i = 1; i <= m; i++) {
        if (!(got[i] in known)) {
          printf "%s:%d: TODO(%s) is no TODO of stage %s (.tools/skeleton.sh todos %s)\n", file, NR, got[i], nn, nn
          bad = 1
        }
        named[got[i]] = 1
      }
    }
    END {
      if (!hints) { printf "%s: no hint \"...\" line\n", file; bad = 1 }
      for (i = 1; i <= k; i++)
        if (!(order[i] in named)) {
          printf "%s: no hint names TODO(%s), which some check must depend on\n", file, order[i]
          bad = 1
        }
      exit bad
    }' "$file"
}

check() {
  local nn=$1 s step tmp k
  s=$(stage_of "$nn") || { echo "no stage $nn"; return 1; }
  step=steps/$s/runtime.c
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  [ -n "$(todos "$nn")" ] || { echo "solutions/$s/runtime.c marks no YOURS($nn.K) region"; return 1; }
  make_skeleton "$nn" >"$tmp/skeleton.c"
  if ! diff -u "$step" "$tmp/skeleton.c" >"$tmp/diff"; then
    echo "$step is not its generated skeleton (.tools/skeleton.sh write $nn):"
    head -40 "$tmp/diff"
    return 1
  fi
  build "$tmp/skeleton.c" "$nn" || { echo "$step does not build"; return 1; }
  for k in $(todos "$nn"); do
    transform "$nn" fill "$k" | with_pragma >"$tmp/fill.c"
    build "$tmp/fill.c" "$nn" || { echo "$step with only TODO($nn.$k) done does not build"; return 1; }
  done
  hints "$nn"
}

case ${1:-} in
  make) make_skeleton "$2" "${3:-normal}" ;;
  fill) transform "$2" fill "$3" | with_pragma | format ;;
  base) transform 01 bare | format ;;
  without) transform "$2" without "$3" ;;
  write)
    for s in ${2:-$(stages | sed 's/-.*//')}; do
      make_skeleton "$s" >"steps/$(stage_of "$s")/runtime.c"
    done ;;
  count) count "$2" ;;
  todos) todos "$2" ;;
  hints) hints "$2" ;;
  check) check "$2" ;;
  *) echo "usage: .tools/skeleton.sh make NN [deep] | fill NN K | without NN K | base | write [NN] | count NN | todos NN | hints NN | check NN" >&2; exit 2 ;;
esac
