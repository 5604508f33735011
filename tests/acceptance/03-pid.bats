#!/usr/bin/env bats
# Stage 03: the PID namespace.

load helpers

@test "echo \$\$ inside prints 1" {
  hint "TODO(03.1): add CLONE_NEWPID: the first process in a new PID namespace is PID 1"
  run "$STEP" -- sh -c 'echo $$'
  assert_success
  assert_output "1"
}

@test "a process the command starts sees PID 1 as its parent" {
  hint "TODO(03.1): with CLONE_NEWPID the command, exec'd directly, is the namespace's PID 1"
  # "; true" keeps the outer shell from exec'ing the inner one in its place.
  run "$STEP" -- sh -c 'sh -c "echo \$PPID"; true'
  assert_success
  assert_output "1"
}

@test "the container has a PID namespace of its own" {
  hint "TODO(03.1): add CLONE_NEWPID to the clone flags (the namespaces table)"
  run "$STEP" -- readlink /proc/self/ns/pid_for_children
  assert_success
  refute_output "$(readlink /proc/self/ns/pid_for_children)"
}

@test "when PID 1 dies, every other process of the container dies with it" {
  hint "TODO(03.1): in a PID namespace the kernel kills the rest when PID 1 exits"
  "$STEP" -- sh -c "$PROBE & exec $PROBE" &
  runtime=$!
  pid1=$(child_of "$runtime")
  orphan=$(child_of "$pid1")
  kill -KILL "$pid1"
  wait "$runtime" || true
  wait_for 5 gone_pid "$orphan" || fail "process $orphan outlived the container's PID 1"
}

@test "the host's processes are not reachable by PID from inside" {
  hint "TODO(03.1): in a new PID namespace, host PIDs do not exist: kill -0 fails"
  sleep 30 &
  hostpid=$!
  run "$STEP" -- sh -c "kill -0 $hostpid 2>/dev/null && echo reachable || echo unreachable"
  kill "$hostpid"
  wait "$hostpid" || true
  assert_success
  assert_output "unreachable"
}
