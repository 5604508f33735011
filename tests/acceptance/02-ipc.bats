#!/usr/bin/env bats
# Stage 02: the IPC namespace.

load helpers

# The msqid column of `ipcs -q` output.
queue_ids() { awk '$1 ~ /^0x/ {print $2}'; }

# The msqid of a fresh message queue made on the host, removed in teardown.
setup() {
  common_setup
  command -v ipcmk >/dev/null || need "ipcmk is not installed (sudo make deps)"
  QUEUES_BEFORE=$(ipcs -q | queue_ids)
  HOSTQ=$(ipcmk -Q | awk '{print $NF}')
}

# Remove the host's queue, and any that a runtime without CLONE_NEWIPC
# let a container make on the host.
teardown() {
  for q in $(ipcs -q | queue_ids); do
    echo "$QUEUES_BEFORE" | grep -qx "$q" || ipcrm -q "$q"
  done
  common_teardown
}

@test "the host's queue shows in ipcs -q on the host" {
  hint "this test checks the test itself: ipcmk -Q must make a queue on the host"
  run ipcs -q
  assert_success
  assert_equal "$(echo "$output" | queue_ids | grep -cx "$HOSTQ")" 1
}

@test "ipcs -q inside does not show a queue made on the host" {
  hint "add CLONE_NEWIPC: a new IPC namespace starts with no queues"
  run "$STEP" -- ipcs -q
  assert_success
  assert_output --partial "Message Queues"
  assert_equal "$(echo "$output" | queue_ids | wc -l)" 0
}

@test "the container has an IPC namespace of its own" {
  hint "add CLONE_NEWIPC to the clone flags (the namespaces table)"
  run "$STEP" -- readlink /proc/self/ns/ipc
  assert_success
  refute_output "$(readlink /proc/self/ns/ipc)"
}

@test "a queue made inside shows inside" {
  hint "ipcmk -Q inside must work and ipcs -q must list it"
  run "$STEP" -- sh -c 'ipcmk -Q >/dev/null && ipcs -q'
  assert_success
  assert_equal "$(echo "$output" | queue_ids | wc -l)" 1
}

@test "a queue made inside is not seen from the host, and is gone after the run" {
  hint "with CLONE_NEWIPC the container's queues live and die with its namespace"
  before=$(ipcs -q | queue_ids | sort)
  # Look from the host while the container still runs.
  "$STEP" -- sh -c 'ipcmk -Q >/dev/null; sleep 1' &
  runtime=$!
  sleep 0.5
  during=$(ipcs -q | queue_ids | sort)
  wait "$runtime"
  after=$(ipcs -q | queue_ids | sort)
  assert_equal "$during" "$before"
  assert_equal "$after" "$before"
}

@test "two containers do not see each other's queues" {
  hint "each clone(CLONE_NEWIPC) makes a fresh namespace"
  "$STEP" -- sh -c 'ipcmk -Q >/dev/null; sleep 1' &
  first=$!
  sleep 0.3
  run "$STEP" -- ipcs -q
  wait "$first"
  assert_success
  assert_equal "$(echo "$output" | queue_ids | wc -l)" 0
}
