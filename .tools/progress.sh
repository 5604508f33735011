#!/usr/bin/env bash
# sudo make progress: how far along am I?
#
# Builds each of your steps/NN-x/runtime.c in stage order and runs that
# stage's checks (tests/acceptance/NN-x.bats) against it, stopping at the
# first stage that does not pass: the one you are working on.  Then prints
#   - a table of the stages: done, not yet, or not reached;
#   - how many are done, e.g. "3/7 stages done";
#   - for the first stage that fails: the check that failed, what it
#     expected and what it saw, and its hint into the lesson (or, when the
#     file does not compile, the compiler's first errors).
#
# It never touches ./step or your steps/: each binary goes to
# build/progress/step-NN, the compiler's messages to build/progress/NN.build.log
# and every check's result (TAP, as bats prints it) to build/progress/NN.tap.
#
# Each step is built by `make runtime`, the same line `make step-NN` uses,
# so what is checked here is what you would build.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# Every result is read from bats' TAP through tests/tap.sh.
. tests/tap.sh

out=build/progress
ROOTFS=${ROOTFS:-$PWD/rootfs/tree}
# A runtime that deadlocks (say, a child waiting on a pipe nobody writes)
# would hang its check for ever: give each stage this many seconds.
timeout=${PROGRESS_TIMEOUT:-300}

if [ "$(id -u)" -ne 0 ]; then
  echo "progress: the checks create namespaces and mounts: run it as root (sudo make progress)" >&2
  exit 1
fi
if ! command -v bats >/dev/null; then
  echo "progress: bats is not installed (sudo make deps)" >&2
  exit 1
fi

# The stages are those that have checks; a stage being written has none yet.
stages=$(ls tests/acceptance/ | sed -n 's/^\([0-9][0-9]-[a-z]*\)\.bats$/\1/p')
total=$(echo "$stages" | wc -w)

# Under sudo, hand what we make back to you, so that `make clean` or
# `make unit` without sudo can still write there.
if [ -n "${SUDO_UID:-}" ]; then
  mine=$out
  [ -d build ] || mine="build $out"
  trap 'chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" $mine 2>/dev/null' EXIT
fi
mkdir -p "$out"
# Nothing of an earlier run may be mistaken for this one's.
rm -f "$out"/step-* "$out"/*.tap "$out"/*.build.log

# On a terminal, say which stage is running while its checks take their
# few seconds; the line is overwritten by the stage's row.
tty=
[ -t 1 ] && tty=1
working() { [ -n "$tty" ] && printf '  %-10s … %s' "$1" "$2"; }
row() { # STAGE MARK TEXT
  [ -n "$tty" ] && printf '\r\033[K'
  printf '  %-10s %s %s\n' "$1" "$2" "$3"
}

# Compile steps/NN-x/runtime.c as `make step-NN` would: stage 07 links
# libseccomp, every other stage libc only.
build() { # STAGE -> build/progress/step-NN, messages in build/progress/NN.build.log
  local nn=${1%%-*} src=steps/$1/runtime.c
  rm -f "$out/step-$nn"
  if [ ! -f "$src" ]; then
    echo "there is no $src" >"$out/$nn.build.log"
    return 1
  fi
  make -s runtime NN="$nn" FROM=steps OUT="$out/step-$nn" >"$out/$nn.build.log" 2>&1
}

# Run stage STAGE's checks against build/progress/step-NN.  The exit
# status is bats' own (0: every check passed or was skipped), 124 when
# the stage ran out of time.  timeout(1) signals its whole process group,
# so a hung container goes too.
check() { # STAGE
  local s=$1 nn=${1%%-*}
  STEP=$PWD/$out/step-$nn timeout --kill-after=5 "$timeout" \
    bats --formatter tap "tests/acceptance/$s.bats" >"$out/$nn.tap" 2>&1 </dev/null
}

# The name of check number N of a bats file (for a stage that timed out:
# the check after the last one TAP reported is the one that hung).
check_name() { # BATS N
  sed -n 's/^@test "\(.*\)" {$/\1/p' "$1" | sed -n "${2}p"
}

# On a lab server set up with `sudo make class-setup`, the stages that ran
# are recorded for the instructor at the end (.tools/class.sh): each as
# STAGE:TAP, or STAGE:!WHAT!HINT when its checks could not run.
ran=()
record() {
  if .tools/class.sh on; then
    timeout 10 .tools/class.sh record progress "${ran[@]}" || true
  fi
}

echo "Your steps/, each built and run against its own stage's checks:"
echo
done_count=0
failed=
for s in $stages; do
  nn=${s%%-*}
  if [ -n "$failed" ]; then
    row "$s" "·" "not reached"
    continue
  fi

  # From stage 04 on, the runtime needs the busybox rootfs; make builds it
  # only when it is missing or older than rootfs/build.sh.
  if [ "$((10#$nn))" -ge 4 ] && ! "${MAKE:-make}" -s --no-print-directory rootfs >"$out/$nn.build.log" 2>&1; then
    row "$s" "✗" "the rootfs fixture does not build"
    failed=$s why=rootfs
    ran+=("$s:!the rootfs fixture does not build!make rootfs says why")
    continue
  fi

  working "$s" "building steps/$s/runtime.c"
  if ! build "$s"; then
    row "$s" "✗" "does not compile"
    failed=$s why=compile
    ran+=("$s:!steps/$s/runtime.c does not compile!make step-$nn shows the compiler's errors")
    continue
  fi

  working "$s" "running its checks"
  check "$s"
  status=$?
  read -r ok bad skipped < <(tap_count "$out/$nn.tap")
  checks="$ok/$((ok + bad)) checks pass"
  [ "$skipped" -gt 0 ] && checks="$checks ($skipped skipped)"
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    row "$s" "✗" "a check did not finish within ${timeout} s"
    failed=$s why=timeout
    ran+=("$s:!a check did not finish within ${timeout} s!a side waits for ever on the other: try it by hand with -v")
  elif [ "$status" -ne 0 ] || [ "$ok" -eq 0 ]; then
    row "$s" "✗" "not yet: $checks"
    failed=$s why=checks
    ran+=("$s:$out/$nn.tap")
  else
    row "$s" "✓" "done: $checks"
    done_count=$((done_count + 1))
    ran+=("$s:$out/$nn.tap")
  fi
done

echo
echo "$done_count/$total stages done"

if [ -z "$failed" ]; then
  skipped=$(tap_skipped "$out"/*.tap 2>/dev/null)
  if [ -n "$skipped" ]; then
    echo
    echo "$(echo "$skipped" | wc -l) checks were skipped, each saying why:"
    echo "$skipped" | sed 's/^/  /'
  fi
  record
  exit 0
fi

nn=${failed%%-*}
echo
case $why in
  rootfs)
    echo "Stage $failed needs the busybox rootfs, and it does not build:"
    sed 's/^/  /' "$out/$nn.build.log" | head -n 10
    ;;
  compile)
    echo "steps/$failed/runtime.c does not compile; the compiler's first errors:"
    sed 's/^/  /' "$out/$nn.build.log" | head -n 20
    echo "  (all of them: $out/$nn.build.log; \`make step-$nn\` shows the same)"
    ;;
  timeout)
    read -r ok bad _ < <(tap_count "$out/$nn.tap")
    n=$((ok + bad + 1))
    echo "Stage $failed: a check ran for more than ${timeout} s and was stopped:"
    echo "  $(check_name "tests/acceptance/$failed.bats" "$n")"
    echo "  A runtime hangs when one side waits for the other for ever: a read"
    echo "  on a pipe whose other end nobody writes or closes, a waitpid() for"
    echo "  a child that waits on its parent.  Try it by hand with -v."
    ;;
  checks)
    if tap_first_failing "$out/$nn.tap" >/dev/null; then
      echo "Stage $failed, the first check that fails:"
      tap_first_failure "$out/$nn.tap"
    else
      # bats could not run the file at all: show what it said.
      echo "Stage $failed: the checks did not run; bats said:"
      sed 's/^/  /' "$out/$nn.tap" | tail -n 15
    fi
    echo "  (every check of the stage: $out/$nn.tap)"
    ;;
esac
echo
echo "edit steps/$failed/runtime.c and run \`make step-$nn && sudo make check-$nn\` again"
record
exit 1
