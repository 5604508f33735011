#!/usr/bin/env bats
# tests/check.sh, the script behind sudo make check-NN: the stage's own
# checks come first, and a stage that hangs is stopped, with nothing it
# started left behind.  The "runtimes" here are small scripts.
#
# Run by make test (tests/run-all.sh), as root.

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

setup() {
  [ "$(id -u)" -eq 0 ] || { [ -n "${CI:-}" ] && { echo "needs root" >&2; return 1; }; skip "needs root"; }
}

# A runtime that fails every check at once.
failing_runtime() {
  printf '#!/bin/sh\necho "step: not written yet" >&2\nexit 125\n' >"$BATS_TEST_TMPDIR/step"
  chmod +x "$BATS_TEST_TMPDIR/step"
}

@test "check-03 runs stage 03's checks first and stops there, naming the stage" {
  failing_runtime
  run env STEP="$BATS_TEST_TMPDIR/step" "$REPO/tests/check.sh" 03 </dev/null
  [ "$status" -eq 1 ] || { echo "status $status: $output"; false; }
  first=$(printf '%s\n' "$output" | grep -m1 '^== stage')
  [ "$first" = "== stage 03-pid" ] || { echo "first stage run: $first"; false; }
  [ "$(printf '%s\n' "$output" | grep -c '^== stage')" -eq 1 ] || { echo "went on after the failure: $output"; false; }
  [[ $output == *"Stage 03-pid is not done yet"* ]] || { echo "$output"; false; }
}

@test "a stage whose runtime hangs is stopped at STAGE_TIMEOUT, and its processes go with it" {
  pids=$BATS_TEST_TMPDIR/pids
  printf '#!/bin/sh\necho $$ >>"%s"\nexec sleep 600\n' "$pids" >"$BATS_TEST_TMPDIR/step"
  chmod +x "$BATS_TEST_TMPDIR/step"
  run env STEP="$BATS_TEST_TMPDIR/step" STAGE_TIMEOUT=5 timeout 120 "$REPO/tests/check.sh" 02 </dev/null
  [ "$status" -eq 1 ] || { echo "status $status (124: check.sh itself hung): $output"; false; }
  [[ $output == *"did not end within 5 s"* ]] || { echo "no word of the time limit: $output"; false; }
  [ -s "$pids" ] || { echo "the hanging runtime never ran: $output"; false; }
  # Gone, or a zombie waiting for init to reap it: not running.
  running() { local st; st=$(ps -o stat= -p "$1") && [[ $st != Z* ]]; }
  while read -r pid; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do running "$pid" || break; sleep 0.5; done
    ! running "$pid" || { echo "process $pid of the stopped stage is still running"; false; }
  done <"$pids"
}
