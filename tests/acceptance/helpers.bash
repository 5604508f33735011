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
. "$BATS_TEST_DIRNAME/host-state.bash"

# The lesson of the stage file being run, e.g. steps/03-pid/README.md.
LESSON=$(printf 'steps/%s/README.md' "$(basename "$BATS_TEST_FILENAME" .bats)")

hint() { HINT=$1; }


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

common_teardown() {
  pkill -KILL -f "^$PROBE" 2>/dev/null || true
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
  local i added
  for i in $(seq 50); do
    added=$(comm -13 <(echo "$1" | sort) <(host_state | sort))
    [ -z "$added" ] && return 0
    sleep 0.1
  done
  fail "$(printf 'the host has what it did not have before the run:\n%s' "$added")"
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
  local i kid exe
  kid=$(child_of "$1") || return 1
  exe=$(readlink "/proc/$1/exe")
  for i in $(seq 50); do
    [ "$(readlink "/proc/$kid/exe")" != "$exe" ] && break
    sleep 0.1
  done
  echo "$kid"
}

# The pid of the first child of PID, waiting up to 5 s for it to appear.
child_of() {
  local i kid
  for i in $(seq 50); do
    kid=$(pgrep -P "$1" | head -1)
    [ -n "$kid" ] && { echo "$kid"; return 0; }
    sleep 0.1
  done
  return 1
}
