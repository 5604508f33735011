#!/usr/bin/env bats
# Stage 05: the user namespace.

load helpers

setup() {
  common_setup
  [ -d "$ROOTFS/bin" ] || need "no rootfs at $ROOTFS: run make rootfs"
  command -v setpriv >/dev/null || need "setpriv is not installed (util-linux: sudo make deps)"
}

teardown() {
  [ -n "${SCRATCH:-}" ] && rm -rf "$SCRATCH"
  common_teardown
}

# The runtime and a copy of the rootfs where user nobody may reach them,
# whatever the permissions of the directories above this checkout.
scratch_copy() {
  SCRATCH=$(scratch_dir)
  chmod 755 "$SCRATCH"
  cp "$STEP" "$SCRATCH/step"
  cp -a "$ROOTFS" "$SCRATCH/rootfs"
}

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# /proc/self/uid_map with its columns' padding squeezed.
squeeze() { tr -s ' ' | sed 's/^ //'; }

@test "id inside prints uid 0 and gid 0" {
  hint "TODO(05.2, 05.3, 05.4) and others: write the maps from the parent, then setresgid/setresuid(0, 0, 0) in the child"
  run "$STEP" -- id
  assert_success
  assert_output "uid=0(root) gid=0(root)"
}

@test "/proc/self/uid_map inside shows root mapped to host uid 100000" {
  hint "TODO(05.1, 05.2) and others: add CLONE_NEWUSER; as root the default map is 0:100000:65536"
  run "$STEP" -- cat /proc/self/uid_map /proc/self/gid_map
  assert_success
  assert_equal "$(echo "$output" | squeeze)" "$(printf '0 100000 65536\n0 100000 65536')"
}

@test "--uid-map and --gid-map set the mapping" {
  hint "TODO(05.2, 05.4) and others: write_map() each of --uid-map and --gid-map, as \"IN OUT COUNT\", to /proc/PID/uid_map and gid_map"
  run "$STEP" --uid-map 0:200000:1000 --gid-map 0:300000:10 -- cat /proc/self/uid_map /proc/self/gid_map
  assert_success
  assert_equal "$(echo "$output" | squeeze)" "$(printf '0 200000 1000\n0 300000 10')"
}

@test "the host sees the container's processes under the mapped uid" {
  hint "TODO(05.3) and others: the child must setresuid(0, 0, 0) inside: then the host sees uid 100000"
  "$STEP" -- $PROBE &
  runtime=$!
  kid=$(child_of "$runtime")
  wait_for 5 grep -qx sleep "/proc/$kid/comm" || true
  uid=$(ps -o uid= -p "$kid" | tr -d ' ')
  kill -KILL "$kid"; wait "$runtime" || true
  assert_equal "$uid" 100000
}

@test "a file the container makes belongs to the mapped uid on the host" {
  hint "TODO(05.2, 05.3) and others: files are made as the container's root, which the host knows as uid 100000"
  "$STEP" -- sh -c "touch /tmp/made-inside; exec $PROBE" &
  runtime=$!
  kid=$(child_of "$runtime")
  wait_for 5 test -e "/proc/$kid/root/tmp/made-inside" || true
  owner=$(stat -c %u:%g "/proc/$kid/root/tmp/made-inside")
  kill -KILL "$kid"; wait "$runtime" || true
  assert_equal "$owner" 100000:100000
}

@test "a file only host root may read stays unreadable inside" {
  hint "TODO(05.1, 05.2) and others: the container's root is host uid 100000: it has no power over host root's files"
  scratch_copy
  echo secret > "$SCRATCH/rootfs/etc/root-only"
  chmod 600 "$SCRATCH/rootfs/etc/root-only"
  run "$STEP" -r "$SCRATCH/rootfs" -- cat /etc/root-only
  assert_failure
  assert_output --partial "Permission denied"
}

@test "an unprivileged user runs it without sudo and is root inside" {
  hint "TODO(05.2, 05.5) and others: as an ordinary user the map is 0:<uid>:1, setgroups \"deny\" before gid_map, and the child waits for them"
  scratch_copy
  run --separate-stderr as_nobody "$SCRATCH/step" -r "$SCRATCH/rootfs" -n rootless -- sh -c 'id; cat /proc/self/uid_map; hostname; echo $$'
  assert_success
  assert_equal "$(echo "$output" | squeeze)" "$(printf 'uid=0(root) gid=0(root)\n0 65534 1\nrootless\n1')"
}

@test "ps inside an unprivileged container shows only it" {
  hint "TODO(05.1, 05.2, 05.4): proc can be mounted in a user namespace that owns the PID namespace"
  scratch_copy
  run --separate-stderr as_nobody "$SCRATCH/step" -r "$SCRATCH/rootfs" -- ps
  assert_success
  assert_equal "${#lines[@]}" 2
}

@test "a map the kernel refuses gives 125 and one line naming uid_map" {
  hint "TODO(05.4, 05.5) and others: write_id_maps() dies naming the file; the child then reads EOF and stops"
  scratch_copy
  before=$(host_state)
  run --separate-stderr as_nobody "$SCRATCH/step" -r "$SCRATCH/rootfs" --uid-map 0:0:1 -- true
  assert_failure 125
  assert_equal "$(echo "$stderr" | wc -l)" 1
  [[ "$stderr" == step:*uid_map*'Operation not permitted'* ]] || fail "got: $stderr"
  assert_host_unchanged "$before"
}

@test "malformed maps exit 125 with a message naming the option" {
  hint "given: parse_id_map(): three numbers, COUNT > 0, no range past 4294967295"
  for bad in abc 0:100000 0:100000:0 0:4294967295:2 -1:0:1 0:1:2:3 ' 0:1:1' 0:1:1x; do
    run --separate-stderr "$STEP" --uid-map "$bad" -- true
    assert_failure 125
    [[ "$stderr" == 'step: --uid-map '* ]] || fail "for --uid-map '$bad' got: $stderr"
  done
  run --separate-stderr "$STEP" --gid-map 1:2 -- true
  assert_failure 125
  [[ "$stderr" == 'step: --gid-map '* ]] || fail "got: $stderr"
}

@test "-v narrates the maps the parent writes" {
  hint "TODO(05.2, 05.3) and others: write_map() and xsetresuid() say each call for -v: write(\"/proc/PID/uid_map\", ...), setresuid(0, 0, 0)"
  run --separate-stderr "$STEP" -v -- true
  assert_success
  output=$stderr assert_step_line write /proc/ /uid_map "0 100000 65536"
  output=$stderr assert_step_line setresuid 0
}
