#!/usr/bin/env bats
# Stage 06: the network namespace, a bridge and veth pairs.
# All traffic stays between containers and the lab0 bridge.

load helpers

setup() {
  common_setup
  [ -d "$ROOTFS/bin" ] || need "no rootfs at $ROOTFS: run make rootfs"
  command -v ip >/dev/null || need "ip is not installed (iproute2: sudo make deps)"
}

teardown() {
  [ -n "${SCRATCH:-}" ] && rm -rf "$SCRATCH"
  common_teardown
}

# The interface names `ifconfig -a` prints, one per line.
ifnames() { awk '/^[a-z]/ {print $1}'; }

# The IPv4 address of eth0 in `ifconfig eth0` output.
eth0_addr() { sed -n 's/.*inet addr:\([0-9.]*\).*/\1/p'; }

# The host end of the veth for address ADDR: vl + its 8 hex digits.
veth_of() { printf 'vl%02x%02x%02x%02x' $(echo "$1" | tr . ' '); }

# Is there no host interface with index $1 any more?
index_gone() { ! ip -o link | grep -q "^$1:"; }

# Start "$STEP" "$@" in the background, with the command printing the
# container's address first; sets RUNTIME, and ADDR once it is printed.
start_addr() { # COMMAND-AFTER [RUNTIME OPTION]...
  local then=$1 out=$BATS_TEST_TMPDIR/addr.$RANDOM
  shift
  "$STEP" "$@" -- sh -c "ifconfig eth0 | sed -n 's/.*inet addr:\([0-9.]*\).*/\1/p'; $then" >"$out" &
  RUNTIME=$!
  wait_for 5 test -s "$out" || fail "the container printed no address"
  ADDR=$(cat "$out")
}

@test "lab0 is made on first use, with 10.77.0.1/24" {
  hint "TODO(06.1, 06.2, 06.6): the given veth_create() makes lab0 on first use: RTM_NEWLINK kind bridge, then RTM_NEWADDR 10.77.0.1/24"
  command -v unshare >/dev/null || need "unshare is not installed (util-linux: sudo make deps)"
  # In a network namespace of the test's own, where there is no lab0 yet:
  # the host's lab0 carries other learners' containers and stays.  A
  # fresh sysfs, mounted aside (/sys holds the cgroup trees the runtime
  # uses), shows that namespace's interfaces.
  sys=$BATS_TEST_TMPDIR/sys
  mkdir -p "$sys"
  run unshare --net --mount sh -c '"$0" -- true && mount -t sysfs sysfs "$1" &&
    ip -o -4 addr show dev lab0 && cat "$1/class/net/lab0/addr_assign_type"' "$STEP" "$sys"
  assert_success
  assert_line --index 0 --partial "inet 10.77.0.1/24"
  # Its own address, so that it does not change as containers come and go.
  assert_line --index 1 3
}

@test "ifconfig -a inside shows exactly lo and eth0" {
  hint "TODO(06.1, 06.2, 06.6): add CLONE_NEWNET; the peer of the veth is born as eth0 in the child's namespace"
  run "$STEP" -- ifconfig -a
  assert_success
  assert_equal "$(echo "$output" | ifnames | sort | tr '\n' ' ')" "eth0 lo "
}

@test "eth0 has an address of lab0's subnet and the default route goes via the bridge" {
  hint "TODO(06.3, 06.4, 06.5) and others: the child sets eth0's address, brings it up and adds the default route via 10.77.0.1"
  run "$STEP" -- sh -c 'ifconfig eth0; route -n'
  assert_success
  assert_output --regexp 'inet addr:10\.77\.0\.[0-9]+ +Bcast:10\.77\.0\.255 +Mask:255\.255\.255\.0'
  assert_output --regexp '0\.0\.0\.0 +10\.77\.0\.1 +0\.0\.0\.0 +UG'
  assert_output --partial "UP BROADCAST RUNNING"
}

@test "lo is up inside" {
  hint "TODO(06.4, 06.5) and others: a new network namespace starts with lo down: bring it up with RTM_NEWLINK"
  run "$STEP" -- sh -c 'ifconfig lo; ping -c1 -W2 127.0.0.1 >/dev/null && echo lo-answers'
  assert_success
  assert_output --partial "UP LOOPBACK RUNNING"
  assert_output --partial "lo-answers"
}

@test "--ip sets the container's address" {
  hint "TODO(06.3) and others: the address of --ip ADDR/PREFIX goes to the child on the go pipe, in struct go"
  ip=$(free_ip)
  run "$STEP" --ip "$ip/24" -- ifconfig eth0
  assert_success
  assert_equal "$(echo "$output" | eth0_addr)" "$ip"
}

@test "the host's interfaces do not show inside, in ifconfig or in /sys" {
  hint "TODO(06.1, 06.2, 06.6): with a network namespace of its own the container mounts a fresh sysfs"
  run "$STEP" -- ls /sys/class/net
  assert_success
  assert_equal "$(echo "$output" | sort | tr '\n' ' ')" "eth0 lo "
}

@test "the container pings the bridge" {
  hint "TODO(06.3, 06.4, 06.6) and others: eth0 up with its address inside, and the host end of the veth up on lab0 (IFLA_MASTER)"
  run "$STEP" -- ping -c1 -W2 10.77.0.1
  assert_success
  assert_output --partial "1 packets received"
}

@test "two containers on the bridge ping each other" {
  hint "TODO(06.4, 06.6) and others: each container gets its own veth on lab0; the bridge joins them"
  start_addr 'exec sleep 1314'
  first=$RUNTIME
  run "$STEP" -- sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do ping -c1 -W1 $ADDR && exit 0; done; exit 1"
  kill -KILL "$(child_of "$first")"; wait "$first" || true
  assert_success
  assert_output --partial "1 packets received"
}

@test "containers started at the same moment get different addresses" {
  hint "TODO(06.3, 06.4, 06.6) and others: the host end is named after the address: RTM_NEWLINK's EEXIST is the lock"
  out=$BATS_TEST_TMPDIR/addrs
  pids=()
  for i in 1 2 3 4 5 6; do
    "$STEP" -- sh -c 'ifconfig eth0 | sed -n "s/.*inet addr:\([0-9.]*\).*/\1/p"; sleep 1' >>"$out" &
    pids+=($!)
  done
  # Only these six: a bare wait would wait for bats's timeout watchdog.
  wait "${pids[@]}"
  addrs=$(sort "$out")
  assert_equal "$(echo "$addrs" | wc -l)" 6
  assert_equal "$(echo "$addrs" | sort -u | wc -l)" 6
}

@test "after the container exits, no veth is left on the host" {
  hint "TODO(06.2, 06.6) and others: the veth dies with the container's namespace: never leave a reference to it"
  # By its index while the container runs: once it is gone, another
  # learner's container may take the address, and so the name.
  start_addr 'sleep 3' # long enough to find its veth on a busy server
  veth=$(veth_of "$ADDR")
  index=$(cat "/sys/class/net/$veth/ifindex") || fail "no $veth on the host for the container's $ADDR"
  wait "$RUNTIME" || fail "the container failed"
  wait_for 5 index_gone "$index" || fail "$veth is still on the host"
}

@test "an address in use is refused with 125" {
  hint "TODO(06.6) and others: EEXIST from RTM_NEWLINK on the address's veth means the address is taken"
  # The address of a container of ours, not a fixed one another learner
  # may hold.
  start_addr 'exec sleep 1315'
  first=$RUNTIME
  run --separate-stderr "$STEP" --ip "$ADDR/24" -- true
  kill -KILL "$(child_of "$first")"; wait "$first" || true
  assert_failure 125
  assert_equal "$stderr" "step: --ip $ADDR: Address already in use"
}

@test "--net none gives loopback only" {
  hint "TODO(06.1): --net none: clone the namespace but make no veth"
  run "$STEP" --net none -- ifconfig -a
  assert_success
  assert_equal "$(echo "$output" | ifnames)" "lo"
}

@test "an unprivileged run gets loopback only, with one notice" {
  hint "TODO(06.1): only root may add a veth to the host: say so once and go on with lo"
  command -v setpriv >/dev/null || need "setpriv is not installed (util-linux)"
  SCRATCH=$(scratch_dir); chmod 755 "$SCRATCH"
  cp "$STEP" "$SCRATCH/step"; cp -a "$ROOTFS" "$SCRATCH/rootfs"
  run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$SCRATCH/step" -r "$SCRATCH/rootfs" -- ifconfig -a
  assert_success
  assert_equal "$(echo "$output" | ifnames)" "lo"
  assert_equal "$(echo "$stderr" | wc -l)" 1
  [[ "$stderr" == step:*loopback* ]] || fail "got: $stderr"
}

@test "bad --ip values exit 125 naming the option" {
  hint "TODO(06.1, 06.6): the given veth_create() checks --ip: parse_cidr(), then a host of the bridge's subnet"
  for bad in abc 10.77.0.5 10.77.0.5/33 10.77.0.5/0 300.1.1.1/24 10.9.0.5/24 \
             10.77.0.1/24 10.77.0.0/24 10.77.0.255/24 10.77.0.5/16 /24; do
    run --separate-stderr "$STEP" --ip "$bad" -- true
    assert_failure 125
    [[ "$stderr" == 'step: --ip'* ]] || fail "for --ip '$bad' got: $stderr"
  done
}

@test "--net takes only none, and --bridge must exist unless it is lab0" {
  hint "TODO(06.1, 06.6): refuse what the runtime cannot do, with the option's name (the given veth_create() checks --bridge)"
  run --separate-stderr "$STEP" --net host -- true
  assert_failure 125
  [[ "$stderr" == 'step: --net host'* ]] || fail "got: $stderr"
  run --separate-stderr "$STEP" --bridge no-such-br -- true
  assert_failure 125
  [[ "$stderr" == 'step: --bridge no-such-br'* ]] || fail "got: $stderr"
}

@test "-v narrates the rtnetlink requests" {
  hint "TODO(06.3, 06.4, 06.6) and others: the given helpers say each RTM_NEWLINK, RTM_NEWADDR and RTM_NEWROUTE"
  run --separate-stderr "$STEP" -v -- true
  assert_success
  [[ "$stderr" == *'step: rtnetlink: RTM_NEWLINK veth vl'*'master lab0'* ]] || fail "got: $stderr"
  [[ "$stderr" == *'step: rtnetlink: RTM_NEWROUTE default via 10.77.0.1'* ]] || fail "got: $stderr"
}

@test "a failing rtnetlink request gives one clear error and leaves nothing" {
  hint "TODO(06.1, 06.2, 06.6): die() after each netlink request; the child reads EOF on the go pipe and stops"
  command -v strace >/dev/null || need "strace is not installed (sudo make deps)"
  "$STEP" -- true   # lab0 exists from here on
  before=$(host_state)
  run --separate-stderr strace -o /dev/null -e trace=sendto -e inject=sendto:error=EPERM:when=1 \
    "$STEP" -- true
  assert_failure 125
  assert_equal "$(echo "$stderr" | wc -l)" 1
  [[ "$stderr" == 'step: rtnetlink: RTM_NEWLINK veth'*'Operation not permitted' ]] || fail "got: $stderr"
  assert_host_unchanged "$before"
}
