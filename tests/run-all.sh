#!/usr/bin/env bash
# sudo make test: everything, and the tests of the tests.
#   - the unit tests;
#   - every skeleton is its previous solution plus TODO markers, nothing else;
#   - every solution passes its own stage and all earlier ones;
#   - every skeleton builds, passes the earlier stages and FAILS its own;
#   - the slides render, the cgroup v2 checks pass in a VM, and make bench
#     runs (3 rounds: it measures, it never fails on timing);
#   - the host is left as it was found.
# Ends with one line: N passed, N failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats:/usr/share/bats:/usr/local/lib/bats}
. tests/acceptance/host-state.bash

passed=0
failed=0
pass() { passed=$((passed + 1)); }
flunk() { failed=$((failed + 1)); echo "FAILED: $*"; }

stages=$(ls tests/acceptance/ | sed -n 's/^\([0-9][0-9]-[a-z]*\)\.bats$/\1/p')
out=build/test
mkdir -p "$out"

if [ "$(id -u)" -ne 0 ]; then
  echo "test: the acceptance tests need root: sudo make test" >&2
  exit 1
fi
before=$(host_state)

# One bats file against one runtime; every test counts.  The TAP stream is
# kept in build/test/ and the failures are printed.
run_stage() { # RUNTIME STAGE LABEL
  local log="$out/$3.tap" ok bad
  STEP=$PWD/$1 bats --formatter tap "tests/acceptance/$2.bats" >"$log" 2>&1
  ok=$(grep -c '^ok ' "$log")
  bad=$(grep -c '^not ok ' "$log")
  passed=$((passed + ok))
  failed=$((failed + bad))
  if [ "$bad" -gt 0 ] || [ "$ok" -eq 0 ]; then
    [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && flunk "$3: no test ran"
    echo "FAILED: $3 ($bad of $((ok + bad)))"
    sed -n '/^not ok /,/^ok /{/^ok /!p}' "$log" | sed 's/^/    /'
  else
    echo "ok: $3 ($ok tests)"
  fi
}

# A skeleton must fail its own stage: at least one test, and nothing that
# bats reports as an error of its own.
run_own_stage() { # RUNTIME STAGE LABEL
  local log="$out/$3.tap"
  STEP=$PWD/$1 bats --formatter tap "tests/acceptance/$2.bats" >"$log" 2>&1
  if grep -q '^not ok ' "$log"; then
    pass
    echo "ok: $3 fails, as it must ($(grep -c '^not ok ' "$log") of $(grep -c '^\(not \)\?ok ' "$log") checks)"
  else
    flunk "$3: the skeleton passes its own stage; its tests cannot fail"
  fi
}

echo "== unit tests"
unit=$(tests/unit/run.sh build/unit 2>&1)
echo "$unit" | grep -E '^\[  (PASSED|FAILED)|^unit:|: error:|does not build' | sed 's/^/    /'
line=$(echo "$unit" | grep -E '^unit: [0-9]+ passed, [0-9]+ failed' | tail -1)
if [ -n "$line" ]; then
  passed=$((passed + $(echo "$line" | awk '{print $2}')))
  failed=$((failed + $(echo "$line" | awk '{print $4}')))
else
  flunk "unit tests did not report a result"
  echo "$unit" | tail -20
fi

echo "== skeletons are their previous solution plus TODO markers"
for s in $stages; do
  if msg=$(.tools/skeleton.sh check "${s%%-*}" 2>&1); then pass; echo "ok: steps/$s"; else flunk "steps/$s: $msg"; fi
done

echo "== solutions and skeletons follow .clang-format"
for f in solutions/*/runtime.c steps/*/runtime.c; do
  if clang-format --dry-run --Werror "$f" 2>/dev/null; then pass; else flunk "$f is not formatted: clang-format -i $f"; fi
done
echo "ok: $(ls solutions/*/runtime.c steps/*/runtime.c | wc -l) files checked"

echo "== solutions pass their own stage and every earlier one"
for s in $stages; do
  nn=${s%%-*}
  if ! make -s solution-"$nn" >/dev/null 2>"$out/build.err" || ! mv step "build/solution-$nn"; then
    flunk "solutions/$s does not build: $(cat "$out/build.err")"
    continue
  fi
  pass
  for t in $stages; do
    [ "$((10#${t%%-*}))" -le "$((10#$nn))" ] || break
    run_stage "build/solution-$nn" "$t" "solution-$s.stage-$t"
  done
done

echo "== skeletons build, pass earlier stages and fail their own"
for s in $stages; do
  nn=${s%%-*}
  if ! make -s step-"$nn" >/dev/null 2>"$out/build.err" || ! mv step "build/step-$nn"; then
    flunk "steps/$s does not build: $(cat "$out/build.err")"
    continue
  fi
  pass
  for t in $stages; do
    [ "$t" = "$s" ] && break
    run_stage "build/step-$nn" "$t" "step-$s.stage-$t"
  done
  run_own_stage "build/step-$nn" "$s" "step-$s.stage-$s"
done

echo "== the slides render"
# Headless Chromium renders every slide; CI installs it, elsewhere it may
# be missing, and then this is said, not counted.
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
  if msg=$(slides/check.sh 2>&1); then pass; echo "ok: $(echo "$msg" | tail -1)"; else flunk "slides: $msg"; fi
  if slides/check.sh --self-test >/dev/null 2>&1; then pass; echo "ok: the slide check fails on a blank and an overflowing slide"; else flunk "slides/check.sh --self-test: the check cannot fail"; fi
elif [ -n "${CI:-}" ]; then
  flunk "slides: no chromium (.tools/deps.sh ci installs it)"
else
  echo "skipped: no chromium to render the slides (sudo .tools/deps.sh ci installs it)"
fi

echo "== cgroup v2 in a VM: tests/vm/run.sh (sudo make test-vm)"
# CI installs qemu and a kernel; elsewhere the lane runs when they are here.
if command -v qemu-system-x86_64 >/dev/null && compgen -G '/boot/vmlinuz-*' >/dev/null; then
  tests/vm/run.sh >"$out/vm.log" 2>&1
  grep -E '^(ok|not ok) - |^test-vm: (booting|the VM)|^# ' "$out/vm.log" | sed 's/^/    /'
  line=$(grep -E '^test-vm: [0-9]+ passed, [0-9]+ failed$' "$out/vm.log" | tail -1)
  if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | awk '{print $2}')))
    failed=$((failed + $(echo "$line" | awk '{print $4}')))
    [ "$(echo "$line" | awk '{print $4}')" -eq 0 ] || echo "FAILED: the VM lane; its console is in $out/vm.log"
  else
    flunk "tests/vm/run.sh did not report a result:"
    tail -20 "$out/vm.log" | sed 's/^/    /'
  fi
elif [ -n "${CI:-}" ]; then
  flunk "the VM lane: no qemu or no kernel in /boot (.tools/deps.sh ci installs them)"
else
  echo "skipped: no qemu or kernel for the cgroup v2 lane (sudo .tools/deps.sh ci installs them)"
fi

echo "== make bench runs (3 rounds, no timed assertion)"
if BENCH_RUNS=3 BENCH_OUT=$out/bench .tools/bench.sh >"$out/bench.txt" 2>&1; then
  # Every stage measured (status ok in results.csv), and goals judged.
  unmeasured=$(for s in solutions/[0-9][0-9]-*; do
    n=$(basename "$s"); n=${n%%-*}
    grep -qE "^s$n,\"[^\"]*\",[^,]*,ok," "$out/bench/results.csv" || echo "s$n"
  done)
  if [ -z "$unmeasured" ] && grep -qE ',(met|missed),' "$out/bench/goals.csv"; then
    pass
    echo "ok: bench measured every stage (table in $out/bench/report.txt)"
  else
    flunk "bench left stages unmeasured (${unmeasured:-none}) or judged no goal: see $out/bench/report.txt"
  fi
else
  flunk "bench could not measure our runtime: $(tail -1 "$out/bench.txt")"
fi

echo "== the room at a glance: tests/class.bats (make class, class-page)"
# Records of two learners in a spool of the test's own, read back in the
# terminal and as a page rendered by headless Chromium; every test counts.
. tests/tap.sh
bats --formatter tap tests/class.bats >"$out/class.tap" 2>&1
read -r ok bad _ < <(tap_count "$out/class.tap")
passed=$((passed + ok))
failed=$((failed + bad))
if [ "$bad" -gt 0 ] || [ "$ok" -eq 0 ]; then
  [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && flunk "class: no test ran"
  echo "FAILED: class ($bad of $((ok + bad)))"
  tap_failures "$out/class.tap" | sed 's/^/    /'
else
  echo "ok: class ($ok tests)"
fi

echo "== the host is as it was"
# Network namespaces die in the background: give their veths 5 s.
for i in $(seq 50); do
  after=$(host_state)
  [ "$after" = "$before" ] && break
  sleep 0.1
done
if [ "$after" = "$before" ]; then
  pass
  echo "ok: same mounts, interfaces, SysV IPC objects, names and processes as before"
else
  flunk "the host changed during the tests:"
  diff <(echo "$before") <(echo "$after") | sed 's/^/    /'
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
