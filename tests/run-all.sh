#!/usr/bin/env bash
# sudo make test: everything, and the tests of the tests.
#   - the unit tests;
#   - every skeleton is generated from its solution, builds, and builds
#     with any one TODO done; every stage keeps to its budget of lines to
#     write and words to read;
#   - every solution passes its own stage and all earlier ones;
#   - every skeleton, and every deep version, builds, passes the earlier
#     stages and FAILS its own;
#   - the guard rails refuse a learner's slip before it touches the host;
#   - the slides render, the cgroup v2 checks pass in a VM, and make bench
#     runs (3 rounds: it measures, it never fails on timing);
#   - the host is left as it was found.
# Ends with one line: N passed, N failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats:/usr/share/bats:/usr/local/lib/bats}
. tests/acceptance/wait-for.bash
. tests/acceptance/host-state.bash
. .tools/lib.sh
. tests/tap.sh
# Every bats run of this script names its processes and scratch
# directories container-lab.<session>.<run> (helpers.bash): the final
# check counts those, not what other learners do on the same server.
LAB_SESSION=test$$.$(date +%s)
export LAB_SESSION
LAB_SCOPE=container-lab.$LAB_SESSION.
# A bats file that stops moving is cut off after this long (each test
# has its own BATS_TEST_TIMEOUT too).
STAGE_TIMEOUT=${STAGE_TIMEOUT:-900}

passed=0
failed=0
pass() { passed=$((passed + 1)); }
flunk() { failed=$((failed + 1)); echo "FAILED: $*"; }

# One bats file of the harness's own (guards, check, class), under the
# stage time limit; every test counts, and its failures are printed.
run_bats_file() { # NAME WHAT: tests/NAME.bats, "ok: N WHAT" when all pass
  local tap=$out/$1.tap ok bad
  timeout -k 10 "$STAGE_TIMEOUT" bats --formatter tap "tests/$1.bats" >"$tap" 2>&1 ||
    [ $? -ne 124 ] || echo "not ok - tests/$1.bats did not finish within ${STAGE_TIMEOUT}s" >>"$tap"
  read -r ok bad _ < <(tap_count "$tap")
  passed=$((passed + ok)); failed=$((failed + bad))
  if [ "$bad" -gt 0 ] || [ "$ok" -eq 0 ]; then
    [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && flunk "tests/$1.bats: no test ran"
    [ "$bad" -gt 0 ] && echo "FAILED: $1 ($bad of $((ok + bad)))"
    tap_failures "$tap" | sed 's/^/    /'
  else
    echo "ok: $ok $2"
  fi
}

stages=$(stages)
out=build/test
mkdir -p "$out"

if [ "$(id -u)" -ne 0 ]; then
  echo "test: the acceptance tests need root: sudo make test" >&2
  exit 1
fi
before=$(host_state)

# Add what a runner's "N passed, N failed" closing line says, read by
# tests/tap.sh's summary_count; a runner that ended without one failed.
add_summary() { # FILE PREFIX WHAT
  local counts ok bad
  if counts=$(summary_count "$1" "$2"); then
    read -r ok bad <<<"$counts"
    passed=$((passed + ok))
    failed=$((failed + bad))
  else
    flunk "$3 did not report a result; the end of $1:"
    tail -20 "$1" | sed 's/^/    /'
    return 1
  fi
}

# One bats file against one runtime, its TAP stream kept in build/test/.
# Cut off after STAGE_TIMEOUT seconds with a "not ok" line that says so.
bats_tap() { # RUNTIME STAGE LOG
  STEP=$PWD/$1 timeout -k 10 "$STAGE_TIMEOUT" bats --formatter tap "tests/acceptance/$2.bats" >"$3" 2>&1
  [ $? -eq 124 ] && echo "not ok - $2 against $1 did not finish within ${STAGE_TIMEOUT}s (a hung runtime?)" >>"$3"
  return 0
}

# A stage that must pass: every test counts, and the failures are printed.
run_stage() { # RUNTIME STAGE LABEL
  local log="$out/$3.tap" ok bad skip
  bats_tap "$1" "$2" "$log"
  read -r ok bad skip <<<"$(tap_count "$log")"
  passed=$((passed + ok))
  failed=$((failed + bad))
  if [ "$bad" -gt 0 ] || [ "$ok" -eq 0 ]; then
    [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && flunk "$3: no test ran"
    echo "FAILED: $3 ($bad of $((ok + bad)))"
    tap_failures "$log" | sed 's/^/    /'
  else
    local note=
    [ "$skip" -gt 0 ] && note=", $skip of them skipped"
    echo "ok: $3 ($ok tests$note)"
  fi
}

# A skeleton must fail its own stage: at least one test fails.
run_own_stage() { # RUNTIME STAGE LABEL
  local log="$out/$3.tap" ok bad skip
  bats_tap "$1" "$2" "$log"
  read -r ok bad skip <<<"$(tap_count "$log")"
  if [ "$bad" -gt 0 ]; then
    pass
    echo "ok: $3 fails, as it must ($bad of $((ok + bad)) checks)"
  else
    flunk "$3: the skeleton passes its own stage; its tests cannot fail"
  fi
}

echo "== unit tests"
tests/unit/run.sh build/unit >"$out/unit.log" 2>&1
grep -E '^\[  (PASSED|FAILED)|^unit:|: error:|does not build' "$out/unit.log" | sed 's/^/    /'
add_summary "$out/unit.log" "unit: " "the unit tests (tests/unit/run.sh)"

echo "== skeletons are generated from their solutions, and build with any one TODO done"
for s in $stages; do
  if msg=$(.tools/skeleton.sh check "${s%%-*}" 2>&1); then pass; echo "ok: steps/$s"; else flunk "steps/$s: $msg"; fi
done

echo "== every stage fits its budget: lines to write, words to read"
if msg=$(.tools/budget.sh check 2>&1); then
  pass; .tools/budget.sh | sed 's/^/    /'
else
  flunk "the budget: $msg"
fi

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

echo "== skeletons and their deep versions build, pass earlier stages and fail their own"
for s in $stages; do
  nn=${s%%-*}
  if ! make -s step-"$nn" >/dev/null 2>"$out/build.err" || ! mv step "build/step-$nn"; then
    flunk "steps/$s does not build: $(cat "$out/build.err")"
    continue
  fi
  pass
  # The deep version (make deep-NN), generated beside the skeleton.
  mkdir -p "build/deep/$s"
  if .tools/skeleton.sh make "$nn" deep >"build/deep/$s/runtime.c" 2>"$out/build.err" &&
     make -s runtime NN="$nn" FROM=build/deep OUT="build/deep-$nn" >"$out/build.err" 2>&1; then
    pass; deep=build/deep-$nn
  else
    flunk "the deep version of steps/$s does not build: $(cat "$out/build.err")"; deep=
  fi
  for t in $stages; do
    [ "$t" = "$s" ] && break
    run_stage "build/step-$nn" "$t" "step-$s.stage-$t"
    [ -n "$deep" ] && run_stage "$deep" "$t" "deep-$s.stage-$t"
  done
  run_own_stage "build/step-$nn" "$s" "step-$s.stage-$s"
  [ -n "$deep" ] && run_own_stage "$deep" "$s" "deep-$s.stage-$s"
done

echo "== the guard rails refuse a learner's slip before it touches the host"
run_bats_file guards "guard checks"

echo "== make check-NN: the stage's own checks first, a hung stage stopped"
run_bats_file check "checks of make check-NN"

echo "== the slides render"
# Headless Chromium renders every slide; CI installs it, elsewhere it may
# be missing, and then this is said, not counted.
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
  if msg=$(slides/check.sh 2>&1); then pass; echo "ok: $(echo "$msg" | tail -1)"; else flunk "slides: $msg"; fi
  if slides/check.sh --self-test >/dev/null 2>&1; then pass; echo "ok: the slide check fails on a blank and an overflowing slide"; else flunk "slides/check.sh --self-test: the check cannot fail"; fi
elif [ -n "${CI:-}" ]; then
  flunk "slides: no chromium (sudo .tools/deps.sh slides installs it)"
else
  echo "skipped: no chromium to render the slides (sudo .tools/deps.sh slides installs it)"
fi

echo "== cgroup v2 in a VM: tests/vm/run.sh (sudo make test-vm)"
# CI installs qemu and a kernel; elsewhere the lane runs when they are here.
if command -v qemu-system-x86_64 >/dev/null && compgen -G '/boot/vmlinuz-*' >/dev/null; then
  tests/vm/run.sh >"$out/vm.log" 2>&1
  grep -E '^(ok|not ok) - |^test-vm: (booting|the VM)|^# ' "$out/vm.log" | sed 's/^/    /'
  before_vm=$failed
  if add_summary "$out/vm.log" "test-vm: " "tests/vm/run.sh" && [ "$failed" -gt "$before_vm" ]; then
    echo "FAILED: the VM lane; its console is in $out/vm.log"
  fi
elif [ -n "${CI:-}" ]; then
  flunk "the VM lane: no qemu or no kernel in /boot (sudo .tools/deps.sh vm installs them)"
else
  echo "skipped: no qemu or kernel for the cgroup v2 lane (sudo .tools/deps.sh vm installs them)"
fi

echo "== make bench runs (3 rounds, no timed assertion)"
if BENCH_RUNS=3 BENCH_OUT=$out/bench .tools/bench.sh >"$out/bench.txt" 2>&1; then
  # Every stage measured (status ok in results.csv), and goals judged.
  unmeasured=$(for s in $stages; do
    n=${s%%-*}
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

echo "== sudo make repair puts back what a run left, and nothing else"
# Real leftovers on the host, as a buggy run leaves them: a tmpfs on this
# clone's fixture, the cgroup of a dead runtime, a veth pair whose peer
# never left the host; and, beside them, a live runtime's cgroup that
# repair must leave.  The host's names are "renamed" only in a UTS
# namespace of this test's own: the real host's are never touched.
repair_test() {
  local cg dead sleeper held names err=
  cg=$(awk -F: '$2 == "pids" {print "/sys/fs/cgroup/pids" $3}' /proc/self/cgroup)
  [ -d "$cg" ] || cg=/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
  cg=${cg%/}
  true & dead=$!; wait "$dead"
  sleep 60 & sleeper=$!
  mount -t tmpfs lab-leftover rootfs/tree/tmp &&
    mkdir "$cg/step-$dead" "$cg/step-$sleeper" &&
    ip link add vl7f0000fe type veth peer name vl7f0000fd || err="could not make the leftovers"
  held=$(.tools/repair.sh --check >/dev/null 2>&1; echo $?)
  names=$(unshare --uts sh -c 'hostname renamed-by-a-bug; echo bug > /proc/sys/kernel/domainname
    .tools/repair.sh >/dev/null; hostname; cat /proc/sys/kernel/domainname')
  [ -n "$err" ] || [ "$held" = 1 ] || err="repair --check saw nothing left"
  awk '{print $5}' /proc/self/mountinfo | grep -qx "$PWD/rootfs/tree/tmp" && err="$err; the tmpfs is still mounted"
  [ -d "$cg/step-$dead" ] && err="$err; the dead runtime's cgroup is still there"
  [ -d "$cg/step-$sleeper" ] || err="$err; repair removed a live runtime's cgroup"
  ip link show vl7f0000fe >/dev/null 2>&1 && err="$err; the veth pair is still there"
  [ "$names" = "$(sed -n 's/^hostname //p' .host-names)
$(sed -n 's/^domainname //p' .host-names)" ] || err="$err; the names were not put back (got: $names)"
  .tools/repair.sh --check >/dev/null 2>&1 || err="$err; repair --check still sees something"
  # Put back what repair must not have touched, or may have failed at.
  kill "$sleeper"; wait "$sleeper" 2>/dev/null
  rmdir "$cg/step-$sleeper" "$cg/step-$dead" 2>/dev/null
  umount rootfs/tree/tmp 2>/dev/null; ip link del vl7f0000fe 2>/dev/null
  [ -z "$err" ] || { echo "${err#; }"; return 1; }
}
if [ ! -f .host-names ]; then
  flunk "repair: no .host-names (make solution-NN saves it)"
elif msg=$(repair_test 2>&1); then
  pass
  echo "ok: repair cleared a mount on the fixture, a dead runtime's cgroup, a stray veth pair and renamed names, and kept a live cgroup"
else
  flunk "repair: $msg"
fi

echo "== the room at a glance: tests/class.bats (make class, class-page)"
# Records of two learners in a spool of the test's own, read back in the
# terminal and as a page rendered by headless Chromium; every test counts.
run_bats_file class "tests of the room view"

echo "== the host is as it was"
# Network namespaces die in the background: give their veths 5 s.
unchanged() { after=$(host_state); [ "$after" = "$before" ]; }
if wait_for 5 unchanged; then
  pass
  echo "ok: the host's names, and this run's mounts, veths, cgroups and processes, as before"
else
  flunk "the host changed during the tests:"
  diff <(echo "$before") <(echo "$after") | sed 's/^/    /'
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
