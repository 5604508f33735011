#!/usr/bin/env bats
# Stage 02: the IPC namespace.
#
# The "host" of these checks is an IPC namespace of the test's own
# (unshare --ipc): its queues, and any that a runtime without
# CLONE_NEWIPC lets a container make, die with it, and other learners'
# queues on the real host neither show nor count.

load helpers

setup() {
  common_setup
  command -v ipcmk >/dev/null || need "ipcmk is not installed (sudo make deps)"
  command -v unshare >/dev/null || need "unshare is not installed (util-linux: sudo make deps)"
}

# The msqid column of `ipcs -q` output.
queue_ids() { awk '$1 ~ /^0x/ {print $2}'; }

# Run the shell SCRIPT in a fresh IPC namespace that plays the host, with
# the runtime as $STEP and queue_ids defined.
on_host() {
  unshare --ipc env STEP="$STEP" sh -c 'queue_ids() { awk '\''$1 ~ /^0x/ {print $2}'\''; }
'"$1"
}

@test "the host's queue shows in ipcs -q on the host" {
  hint "given: this test checks the test itself: ipcmk -Q must make a queue on the host"
  run on_host 'q=$(ipcmk -Q | awk "{print \$NF}"); ipcs -q | queue_ids | grep -cx "$q"'
  assert_success
  assert_output 1
}

@test "ipcs -q inside does not show a queue made on the host" {
  hint "TODO(02.1): add CLONE_NEWIPC: a new IPC namespace starts with no queues"
  run on_host 'ipcmk -Q >/dev/null; inside=$("$STEP" -- ipcs -q) || exit 1
    echo "$inside" | grep -q "Message Queues" && echo "inside: $(echo "$inside" | queue_ids | wc -l)"
    echo "host: $(ipcs -q | queue_ids | wc -l)"'
  assert_success
  assert_output "$(printf 'inside: 0\nhost: 1')"
}

@test "the container has an IPC namespace of its own" {
  hint "TODO(02.1): add CLONE_NEWIPC to the clone flags (the namespaces table)"
  run "$STEP" -- readlink /proc/self/ns/ipc
  assert_success
  refute_output "$(readlink /proc/self/ns/ipc)"
}

@test "a queue made inside shows inside" {
  hint "given: ipcmk -Q inside must work and ipcs -q must list it"
  run on_host '"$STEP" -- sh -c "ipcmk -Q >/dev/null && ipcs -q" | queue_ids | wc -l'
  assert_success
  assert_output 1
}

@test "a queue made inside is not seen from the host, and is gone after the run" {
  hint "TODO(02.1): with CLONE_NEWIPC the container's queues live and die with its namespace"
  # Look from the host while the container still runs.
  run on_host '"$STEP" -- sh -c "ipcmk -Q >/dev/null; sleep 1" &
    sleep 0.5
    echo "during: $(ipcs -q | queue_ids | wc -l)"
    wait $!
    echo "after: $(ipcs -q | queue_ids | wc -l)"'
  assert_success
  assert_output "$(printf 'during: 0\nafter: 0')"
}

@test "two containers do not see each other's queues" {
  hint "TODO(02.1): each clone(CLONE_NEWIPC) makes a fresh namespace"
  run on_host '"$STEP" -- sh -c "ipcmk -Q >/dev/null; sleep 1" &
    sleep 0.3
    "$STEP" -- ipcs -q | queue_ids | wc -l
    wait $!'
  assert_success
  assert_output 0
}
