#!/usr/bin/env bash
# make unit: build and run every cmocka test in tests/unit, no root needed.
#
#   tests/unit/run.sh OUTDIR
#
# Each tests/unit/test_*.c is one binary.  Two comment lines in a test
# source tell this script how to build it, so a new test needs no change
# here:
#
#   /* wrap: mount umount2 chdir syscall */
#       link with -Wl,--wrap=SYMBOL for each: the test's __wrap_SYMBOL()
#       gets the runtime's calls instead of libc (ld(1), --wrap).
#   /* solutions: all */   or   /* solutions: 01-uts 04-mount */
#       build once per solution, with -DRUNTIME="../../solutions/NN-x/
#       runtime.c" for the test to #include, linked with what the stage
#       links; "all" is every stage of the stage table (.tools/stages).
#       A stage counts by its number, so a renamed stage is still found.
#       Without it, test_NN_*.c is built against stage NN's solution, and
#       any other test once, with the default it #defines itself.
#
# cmocka prints each binary's results (the summary on stderr); the last
# line sums them: "unit: N passed, N failed".  Exit status 1 if anything
# failed, or failed to build or to finish.
set -u

if [ $# -ne 1 ]; then
  echo "usage: tests/unit/run.sh OUTDIR" >&2
  exit 2
fi
mkdir -p "$1" || exit 2
out=$(cd "$1" && pwd)
cd "$(dirname "$0")/../.." || exit 2
. .tools/lib.sh

CC=${CC:-cc}
passed=0
failed=0
log="$out/.last-stderr"

# The words of a "/* KEY: words */" line in FILE.
marker() {
  sed -n "s|^/\* $1: \(.*\) \*/\$|\1|p" "$2" | head -n 1
}

# Build SRC into BIN (with any further cc arguments), run it, add its counts.
build_and_run() {
  local src=$1 bin=$2 rc n
  shift 2
  local cmd=("$CC" -std=c11 -Wall -Wextra -Werror -DUNIT_TEST
             -o "$bin" "$src" -lcmocka "$@")
  echo "== ${bin##*/}"
  if ! "${cmd[@]}"; then
    echo "unit: ${bin##*/} does not build: ${cmd[*]}" >&2
    failed=$((failed + 1))
    return
  fi
  # stdout straight through; stderr to the terminal and to $log, to count.
  { timeout 300 "$bin" 2>&1 1>&3 3>&- | tee "$log" >&2 3>&-; } 3>&1
  rc=${PIPESTATUS[0]}
  n=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  passed=$((passed + ${n:-0}))
  n=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  if [ "$rc" -ne 0 ] && [ -z "$n" ]; then
    # Crashed, hung or exited before cmocka could summarise.
    echo "unit: ${bin##*/} ended with status $rc before its summary" >&2
    n=1
  fi
  failed=$((failed + ${n:-0}))
}

for src in tests/unit/test_*.c; do
  name=$(basename "$src" .c)
  wraps=()
  for sym in $(marker wrap "$src"); do
    wraps+=("-Wl,--wrap=$sym")
  done
  solutions=$(marker solutions "$src")
  case $solutions in
    all) solutions=$(stages) ;;
    # test_NN_*.c tests stage NN, under whatever name the table gives it.
    "") [[ $name =~ ^test_([0-9][0-9])_ ]] && solutions=${BASH_REMATCH[1]} ;;
  esac
  if [ -z "$solutions" ]; then
    build_and_run "$src" "$out/$name" ${wraps[@]+"${wraps[@]}"}
    continue
  fi
  for word in $solutions; do
    if ! s=$(stage_of "${word%%-*}"); then
      echo "unit: $src names $word, which is no stage of .tools/stages" >&2
      failed=$((failed + 1))
      continue
    fi
    # What the stage links besides libc (07: libseccomp), as the Makefile.
    # shellcheck disable=SC2046  # one word per library
    build_and_run "$src" "$out/$name-$s" ${wraps[@]+"${wraps[@]}"} \
      "-DRUNTIME=\"../../solutions/$s/runtime.c\"" $(stage_libs "${s%%-*}")
  done
done
rm -f "$log"

echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
