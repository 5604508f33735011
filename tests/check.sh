#!/usr/bin/env bash
# sudo make check-NN: the checks of stages 01..NN against ./step (or $STEP),
# stopping at the first stage that fails.  Stage NN's own run first: the
# learner's answer comes in a minute, not after every earlier stage.  The
# rest follow in stage order, and the class record lists them in order.
set -uo pipefail
cd "$(dirname "$0")/.."

last=${1:?usage: tests/check.sh NN}
export STEP=${STEP:-$PWD/step}
stages=$(ls tests/acceptance/ | sed -n 's/^\([0-9][0-9]-[a-z]*\)\.bats$/\1/p')

if [ "$(id -u)" -ne 0 ]; then
  echo "check: the checks create namespaces and mounts: run them as root (sudo make check-$last)" >&2
  exit 1
fi
if [ ! -x "$STEP" ]; then
  echo "check: no runtime at $STEP: build yours with make step-$last" >&2
  exit 1
fi

# On a lab server set up with `sudo make class-setup`, bats also writes
# each stage's results as TAP into a scratch directory, and the learner's
# state is recorded for the instructor (.tools/class.sh); elsewhere
# nothing of this happens.
report= ran=()
if .tools/class.sh on; then
  report=$(mktemp -d)
  trap 'rm -rf "$report"' EXIT
fi
# Best effort, and bounded: the checks' verdict never depends on it.
# The stages ran own first; the record lists them in stage order.
record() {
  [ -n "$report" ] && [ "${#ran[@]}" -gt 0 ] || return 0
  local sorted
  mapfile -t sorted < <(printf '%s\n' "${ran[@]}" | sort)
  timeout 10 .tools/class.sh record "check-$last" "${sorted[@]}" || true
}

formatter=tap
[ -t 1 ] && formatter=pretty

# Each stage's checks get STAGE_TIMEOUT seconds: a runtime that hangs
# becomes a failed stage that says so, not a check that never ends.
# timeout(1) runs bats in a process group of its own and, when time is
# up, stops the whole group (bats, the runtime, its container).  Ctrl-C
# reaches only the terminal's group, so it is passed on to that group.
STAGE_TIMEOUT=${STAGE_TIMEOUT:-900}
bats_capped() {
  local pid rc
  timeout -k 10 "$STAGE_TIMEOUT" bats "$@" &
  pid=$!
  trap 'kill -INT -- "-$pid" 2>/dev/null; interrupted=1' INT TERM
  while :; do
    wait "$pid"; rc=$?
    kill -0 "$pid" 2>/dev/null || break
  done
  trap - INT TERM
  if [ -n "${interrupted:-}" ]; then
    echo "check: interrupted" >&2
    exit 130
  fi
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "check: the checks of this stage did not end within ${STAGE_TIMEOUT} s and were stopped: a runtime or its container hung (a pipe that is read but never written?)"
  fi
  return "$rc"
}
own= rest=()
for s in $stages; do
  nn=${s%%-*}
  [ "$((10#$nn))" -le "$((10#$last))" ] || break
  if [ "$((10#$nn))" -eq "$((10#$last))" ]; then own=$s; else rest+=("$s"); fi
done
[ -n "$own" ] || { echo "check: no checks for stage $last (tests/acceptance/)" >&2; exit 1; }

for s in "$own" "${rest[@]}"; do
  echo "== stage $s"
  tap=()
  if [ -n "$report" ]; then
    mkdir "$report/$s"
    tap=(--report-formatter tap --output "$report/$s")
    ran+=("$s:$report/$s/report.tap")
  fi
  if ! bats_capped --formatter "$formatter" "${tap[@]}" "tests/acceptance/$s.bats"; then
    echo
    if [ "$s" = "$own" ]; then
      echo "Stage $s is not done yet: read the failure and its hint above."
    else
      echo "Your stage-$last runtime passes its own checks but breaks those of stage $s: read the failure and its hint above."
    fi
    echo "Edit steps/$own/runtime.c and run \`make step-$last && sudo make check-$last\` again."
    record
    exit 1
  fi
done
echo
echo "Stages 01 to $last pass."
record
