#!/usr/bin/env bats
# The guard rails: the given code refuses a learner's slip before it can
# touch the host.  Each test builds a solution with one of the learner's
# regions left out (.tools/skeleton.sh without NN K), as a learner might
# forget it, and runs it where a failed guard could do no harm: inside a
# UTS or mount namespace that the test itself made.  What would have been
# the host's is that namespace's, and it must be left as it was.
#
# Run by make test (tests/run-all.sh), as root.

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
ROOTFS=${ROOTFS:-$REPO/rootfs/tree}

setup() {
  [ "$(id -u)" -eq 0 ] || { [ -n "${CI:-}" ] && { echo "needs root" >&2; return 1; }; skip "needs root"; }
  [ -d "$ROOTFS/bin" ] || { [ -n "${CI:-}" ] && { echo "no rootfs: make rootfs" >&2; return 1; }; skip "no rootfs: make rootfs"; }
}

# Build the solution of stage NN without its region K into $BATS_TEST_TMPDIR.
without() { # NN K -> path of the runtime
  local out=$BATS_TEST_TMPDIR/without-$1.$2
  (cd "$REPO" && . .tools/lib.sh && .tools/skeleton.sh without "$1" "$2" >"$out.c" &&
    cc -std=c11 -O1 -DSTEP_ROOTFS="\"$ROOTFS\"" -o "$out" "$out.c" -static $(stage_libs "$1")) >&2 || return 1
  echo "$out"
}

solution() { # NN -> path of the runtime
  local out=$BATS_TEST_TMPDIR/solution-$1
  (cd "$REPO" && make -s runtime NN="$1" FROM=solutions OUT="$out") >&2 || return 1
  echo "$out"
}

@test "a runtime without CLONE_NEWUTS is refused before sethostname, and the name stays" {
  rt=$(without 01 1)
  run unshare --uts sh -c 'hostname guard-test; "$1" -n oops -- hostname; echo "status $?"; hostname' sh "$rt"
  [[ $output == *"status 125"* ]] || { echo "$output"; false; }
  [[ $output == *"step: "*"CLONE_NEWUTS"* ]] || { echo "no step: line naming CLONE_NEWUTS: $output"; false; }
  [ "${lines[-1]}" = guard-test ] || { echo "the hostname became ${lines[-1]}"; false; }
}

@test "a runtime without CLONE_NEWUTS leaves the domain name alone" {
  rt=$(without 01 1)
  run unshare --uts sh -c 'domainname guard.test; "$1" -- true; domainname' sh "$rt"
  [ "${lines[-1]}" = guard.test ] || { echo "the domain name became ${lines[-1]}: $output"; false; }
}

# The mount table of the namespace the test made, as a sorted list.
@test "a runtime without CLONE_NEWNS is refused before its first mount, and adds none" {
  rt=$(without 04 1)
  run unshare --mount --propagation private sh -c '
    before=$(cut -d" " -f5 /proc/self/mountinfo | sort)
    "$1" -- true; echo "status $?"
    after=$(cut -d" " -f5 /proc/self/mountinfo | sort)
    [ "$before" = "$after" ] && echo "mounts unchanged"' sh "$rt"
  [[ $output == *"status 125"* ]] || { echo "$output"; false; }
  [[ $output == *"step: "*"CLONE_NEWNS"* ]] || { echo "no step: line naming CLONE_NEWNS: $output"; false; }
  [[ $output == *"mounts unchanged"* ]] || { echo "a mount was left: $output"; false; }
}

@test "a runtime that mounts before / is private is refused where / is shared, and adds no mount" {
  rt=$(without 04 2)
  run unshare --mount --propagation private sh -c '
    mount --make-rshared /
    before=$(cut -d" " -f5 /proc/self/mountinfo | sort)
    "$1" -- true; echo "status $?"
    after=$(cut -d" " -f5 /proc/self/mountinfo | sort)
    [ "$before" = "$after" ] && echo "mounts unchanged"' sh "$rt"
  [[ $output == *"status 125"* ]] || { echo "$output"; false; }
  [[ $output == *"step: mount"*"shared"* ]] || { echo "no step: line saying / is shared: $output"; false; }
  [[ $output == *"mounts unchanged"* ]] || { echo "a mount propagated: $output"; false; }
}

@test "the stage 04 solution runs where / is shared: the guard lets the private one through" {
  rt=$(solution 04)
  run unshare --mount --propagation private sh -c '
    mount --make-rshared /
    "$1" -- cat /etc/issue; echo "status $?"' sh "$rt"
  [[ $output == *"container-lab busybox rootfs"* ]] || { echo "$output"; false; }
  [[ $output == *"status 0"* ]] || { echo "$output"; false; }
}

@test "a parent that never writes to the go pipe ends the run in 30 s with an error, not a hang" {
  rt=$(without 05 4)
  run timeout 90 "$rt" -- true
  [ "$status" -eq 125 ] || { echo "status $status (124: still waiting after 90 s): $output"; false; }
  [[ $output == "step: "*"go pipe"*"TODO(05.4)"* ]] || { echo "no step: line naming the go pipe and TODO(05.4): $output"; false; }
}
