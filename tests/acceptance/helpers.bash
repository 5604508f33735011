# Shared by every stage's tests: load with `load helpers`.
#
# STEP names the runtime under test (default: ./step at the top of the
# repository).  Each test starts with `hint "..."`: the one line a learner
# reads when it fails, pointing into the lesson.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
STEP=${STEP:-$REPO/step}
ROOTFS=${ROOTFS:-$REPO/rootfs/tree}
export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats:/usr/share/bats:/usr/local/lib/bats}
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
. "$BATS_TEST_DIRNAME/wait-for.bash"
. "$BATS_TEST_DIRNAME/host-state.bash"

# This run's name, in the environment of every process a test starts and
# in its scratch directories (host-state.bash): what it started is found
# by that, never by a name pattern other learners' processes share.
# tests/run-all.sh sets LAB_SESSION to group its runs.
LAB_OWNER=container-lab.${LAB_SESSION:-solo}.${BATS_RUN_TMPDIR##*/}
LAB_SCOPE=$LAB_OWNER
export LAB_OWNER

# A runtime that hangs makes a failed check ("timeout after 120s"), not
# a run that stops moving.  The slowest check (100 runs in a row) takes
# about 3 s.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

# The lesson of the stage file being run, e.g. steps/03-pid/README.md.
LESSON=$(printf 'steps/%s/README.md' "$(basename "$BATS_TEST_FILENAME" .bats)")

hint() { HINT=$1; }

# assert_step_line CALL [WORD...]: some line of $output is a -v line that
# names CALL, called: it starts with "step: ", has CALL (as a whole name)
# right before a "(", and holds every WORD, fixed strings in any order.
# A -v check judges that the call is narrated with what matters, not the
# wording: MS_PRIVATE|MS_REC passes as well as MS_REC|MS_PRIVATE, and so
# does any quoting.  For stderr: output=$stderr assert_step_line ...
assert_step_line() {
  local call=$1 line word ok
  shift
  # shellcheck disable=SC2154 # bats's run sets $output
  while IFS= read -r line; do
    [[ $line == "step: "* && $line =~ (^|[^A-Za-z0-9_])"$call"\( ]] || continue
    ok=1
    for word in "$@"; do
      [[ $line == *"$word"* ]] || { ok=; break; }
    done
    [ -n "$ok" ] && return 0
  done <<<"$output"
  local want="a line that starts with \"step: \" and names $call("
  [ $# -eq 0 ] || want+=", with$(printf ' "%s"' "$@")"
  fail "$(printf 'wanted %s\nthe lines were:\n%s' "$want" "${output:-(none)}")"
}


# A missing prerequisite fails in CI and skips elsewhere, saying why.
need() {
  local why=$1
  if [ -n "${CI:-}" ]; then
    echo "missing prerequisite: $why" >&2
    return 1
  fi
  skip "$why"
}

common_setup() {
  HINT=
  [ "$(id -u)" -eq 0 ] || need "needs root: run it with sudo"
  [ -x "$STEP" ] || need "no runtime at $STEP: build one with make step-NN"
}

# A scratch directory of this run's, for a copy of the rootfs or a
# runtime: its name says whose it is (host_state looks at mounts there).
scratch_dir() { mktemp -d "${TMPDIR:-/tmp}/$LAB_OWNER.XXXXXX"; }

# What this test left running: its background jobs that are no shell
# (a shell child of the test is bats's own timeout watchdog), and its
# processes that outlived their parent (own_pids).
own_left() {
  local pid
  for pid in $(pgrep -P $$ || true); do
    # (A zombie has no exe: it only waits to be reaped.)
    case $(readlink "/proc/$pid/exe" || true) in "" | */bash | */sh | */dash) ;; *) echo "$pid" ;; esac
  done
  own_pids
}

# End what this test left running, by pid, never by name: first every
# process that is no runtime under test (so that each runtime sees its
# container end and removes what it made), then, after 2 s, the rest.
kill_own() {
  local pid step left
  left=$(own_left)
  [ -n "$left" ] || return 0
  step=$(readlink -f "$STEP")
  for pid in $left; do
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$step" ] || kill -KILL "$pid" 2>/dev/null
  done
  wait_for 2 nothing_left || for pid in $(own_left); do kill -KILL "$pid" 2>/dev/null; done
  return 0
}
nothing_left() { [ -z "$(own_left)" ]; }

common_teardown() {
  kill_own
  if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -z "${BATS_TEST_SKIPPED:-}" ] && [ -n "$HINT" ]; then
    echo "hint: $HINT"
    echo "      (the lesson: $LESSON)"
  fi
}

setup() { common_setup; }
teardown() { common_teardown; }

# The host as it was in BEFORE (a host_state): nothing may have been
# added.  Something may have gone: a veth, cgroup or runtime of an earlier
# container that was still being torn down when BEFORE was taken (the
# kernel removes a network namespace in the background).  Give the
# teardown of this test's own containers up to 5 s.
assert_host_unchanged() {
  BEFORE=$1
  wait_for 5 nothing_added && return 0
  fail "$(printf 'the host has what it did not have before the run:\n%s' "$ADDED")"
}
# Sets ADDED to the lines of host_state that BEFORE lacks.
nothing_added() {
  ADDED=$(comm -13 <(echo "$BEFORE" | sort) <(host_state | sort))
  [ -z "$ADDED" ]
}

# Tests that write or mount inside the container call this first: a
# runtime that still shows the container the host's / (a skeleton, a
# half-done stage 04) must fail the test, not change the host.
own_root() {
  local ns issue
  ns=$("$STEP" -- readlink /proc/self/ns/mnt 2>/dev/null) || true
  issue=$("$STEP" -- cat /etc/issue 2>/dev/null) || true
  if [ -n "$ns" ] && [ "$ns" != "$(readlink /proc/self/ns/mnt)" ] &&
     [ "$issue" = "container-lab busybox rootfs" ]; then
    return 0
  fi
  fail "the container does not have its own mount namespace and rootfs yet; not running a test that writes or mounts"
}

# The pid of the first child of PID once it has exec'd its command (its
# /proc/PID/exe is no longer the runtime's), waiting up to 5 s.  Before
# that it is still being set up, and killing it tests something else.
command_of() {
  local kid
  kid=$(child_of "$1") || return 1
  wait_for 5 exe_differs "$kid" "$(readlink "/proc/$1/exe")" || true
  echo "$kid"
}
exe_differs() { [ "$(readlink "/proc/$1/exe")" != "$2" ]; }

# The pid of the first child of PID, waiting up to 5 s for it to appear.
child_of() {
  wait_for 5 first_child "$1"
}
first_child() {
  local kid
  kid=$(pgrep -P "$1" | head -1)
  [ -n "$kid" ] && echo "$kid"
}

# Is process PID gone?
gone_pid() { ! kill -0 "$1" 2>/dev/null; }

# An address of lab0's subnet that no container has now (its veth,
# vl + the address in hex, is not on the host), picked at random so that
# checks running at the same moment rarely want the same one.  Fixed
# addresses would collide between learners.
free_ip() {
  local n ip
  for _ in $(seq 100); do
    n=$((RANDOM % 200 + 50))
    ip=10.77.0.$n
    ip link show "$(printf 'vl0a4d00%02x' "$n")" >/dev/null 2>&1 || { echo "$ip"; return 0; }
  done
  return 1
}
