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
  pkill -KILL -f "^sleep 31[0-9]" 2>/dev/null || true
  common_teardown
}

# The interface names `ifconfig -a` prints, one per line.
ifnames() { awk '/^[a-z]/ {print $1}'; }

# The IPv4 address of eth0 in `ifconfig eth0` output.
eth0_addr() { sed -n 's/.*inet addr:\([0-9.]*\).*/\1/p'; }

# The host end of the veth for address ADDR: vl + its 8 hex digits.
veth_of() { printf 'vl%02x%02x%02x%02x' $(echo "$1" | tr . ' '); }

# Wait up to 5 s for host interface $1 to be gone.
gone() {
  local i
  for i in $(seq 50); do ip link show "$1" >/dev/null 2>&1 || return 0; sleep 0.1; done
  return 1
}

# First, so that the later checks use a bridge this runtime made.
@test "lab0 is made on first use, with 10.77.0.1/24" {
  hint "RTM_NEWLINK kind bridge, then RTM_NEWADDR 10.77.0.1/24 on it"
  ip link del lab0 2>/dev/null || true
  run "$STEP" -- true
  assert_success
  run ip -o -4 addr show dev lab0
  assert_success
  assert_output --partial "inet 10.77.0.1/24"
  # Its own address, so that it does not change as containers come and go.
  run cat /sys/class/net/lab0/addr_assign_type
  assert_output 3
}

@test "ifconfig -a inside shows exactly lo and eth0" {
  hint "add CLONE_NEWNET; the peer of the veth is born as eth0 in the child's namespace"
  run "$STEP" -- ifconfig -a
  assert_success
  assert_equal "$(echo "$output" | ifnames | sort | tr '\n' ' ')" "eth0 lo "
}

@test "eth0 has an address of lab0's subnet and the default route goes via the bridge" {
  hint "the child sets eth0's address, brings it up and adds the default route via 10.77.0.1"
  run "$STEP" -- sh -c 'ifconfig eth0; route -n'
  assert_success
  assert_output --regexp 'inet addr:10\.77\.0\.[0-9]+ +Bcast:10\.77\.0\.255 +Mask:255\.255\.255\.0'
  assert_output --regexp '0\.0\.0\.0 +10\.77\.0\.1 +0\.0\.0\.0 +UG'
  assert_output --partial "UP BROADCAST RUNNING"
}

@test "lo is up inside" {
  hint "a new network namespace starts with lo down: bring it up with RTM_NEWLINK"
  run "$STEP" -- sh -c 'ifconfig lo; ping -c1 -W2 127.0.0.1 >/dev/null && echo lo-answers'
  assert_success
  assert_output --partial "UP LOOPBACK RUNNING"
  assert_output --partial "lo-answers"
}

@test "--ip sets the container's address" {
  hint "parse --ip ADDR/PREFIX and send it to the child on the go pipe"
  run "$STEP" --ip 10.77.0.77/24 -- ifconfig eth0
  assert_success
  assert_equal "$(echo "$output" | eth0_addr)" 10.77.0.77
}

@test "the host's interfaces do not show inside, in ifconfig or in /sys" {
  hint "with a network namespace of its own the container mounts a fresh sysfs"
  run "$STEP" -- ls /sys/class/net
  assert_success
  assert_equal "$(echo "$output" | sort | tr '\n' ' ')" "eth0 lo "
}

@test "the container pings the bridge" {
  hint "the host end of the veth must be up and on lab0 (IFLA_MASTER)"
  run "$STEP" -- ping -c1 -W2 10.77.0.1
  assert_success
  assert_output --partial "1 packets received"
}

@test "two containers on the bridge ping each other" {
  hint "each container gets its own veth on lab0; the bridge joins them"
  "$STEP" --ip 10.77.0.201/24 -- sleep 314 &
  first=$!
  run "$STEP" -- sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do ping -c1 -W1 10.77.0.201 && exit 0; done; exit 1'
  kill -KILL "$(child_of "$first")"; wait "$first" || true
  assert_success
  assert_output --partial "1 packets received"
}

@test "containers started at the same moment get different addresses" {
  hint "name the host end after the address: RTM_NEWLINK's EEXIST is the lock"
  out=$(mktemp)
  for i in 1 2 3 4 5 6; do
    "$STEP" -- sh -c 'ifconfig eth0 | sed -n "s/.*inet addr:\([0-9.]*\).*/\1/p"; sleep 1' >>"$out" &
  done
  wait
  addrs=$(sort "$out"); rm -f "$out"
  assert_equal "$(echo "$addrs" | wc -l)" 6
  assert_equal "$(echo "$addrs" | sort -u | wc -l)" 6
}

@test "after the container exits, no veth is left on the host" {
  hint "the veth dies with the container's namespace: never leave a reference to it"
  run "$STEP" -- sh -c 'ifconfig eth0'
  assert_success
  addr=$(echo "$output" | eth0_addr)
  [ -n "$addr" ] || fail "the container has no eth0 address"
  veth=$(veth_of "$addr")
  gone "$veth" || fail "$veth is still on the host"
}

@test "an address in use is refused with 125" {
  hint "EEXIST from RTM_NEWLINK on the address's veth means the address is taken"
  "$STEP" --ip 10.77.0.202/24 -- sleep 315 &
  first=$!
  for i in $(seq 50); do ip link show vl0a4d00ca >/dev/null 2>&1 && break; sleep 0.1; done
  run --separate-stderr "$STEP" --ip 10.77.0.202/24 -- true
  kill -KILL "$(child_of "$first")"; wait "$first" || true
  assert_failure 125
  assert_equal "$stderr" "step: --ip 10.77.0.202: Address already in use"
}

@test "--net none gives loopback only" {
  hint "--net none: clone the namespace but make no veth"
  run "$STEP" --net none -- ifconfig -a
  assert_success
  assert_equal "$(echo "$output" | ifnames)" "lo"
}

@test "an unprivileged run gets loopback only, with one notice" {
  hint "only root may add a veth to the host: say so once and go on with lo"
  command -v setpriv >/dev/null || need "setpriv is not installed (util-linux)"
  SCRATCH=$(mktemp -d); chmod 755 "$SCRATCH"
  cp "$STEP" "$SCRATCH/step"; cp -a "$ROOTFS" "$SCRATCH/rootfs"
  run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$SCRATCH/step" -r "$SCRATCH/rootfs" -- ifconfig -a
  assert_success
  assert_equal "$(echo "$output" | ifnames)" "lo"
  assert_equal "$(echo "$stderr" | wc -l)" 1
  [[ "$stderr" == step:*loopback* ]] || fail "got: $stderr"
}

@test "bad --ip values exit 125 naming the option" {
  hint "parse_cidr(), then check the address is a host of the bridge's subnet"
  for bad in abc 10.77.0.5 10.77.0.5/33 10.77.0.5/0 300.1.1.1/24 10.9.0.5/24 \
             10.77.0.1/24 10.77.0.0/24 10.77.0.255/24 10.77.0.5/16 /24; do
    run --separate-stderr "$STEP" --ip "$bad" -- true
    assert_failure 125
    [[ "$stderr" == 'step: --ip'* ]] || fail "for --ip '$bad' got: $stderr"
  done
}

@test "--net takes only none, and --bridge must exist unless it is lab0" {
  hint "refuse what the runtime cannot do, with the option's name"
  run --separate-stderr "$STEP" --net host -- true
  assert_failure 125
  [[ "$stderr" == 'step: --net host'* ]] || fail "got: $stderr"
  run --separate-stderr "$STEP" --bridge no-such-br -- true
  assert_failure 125
  [[ "$stderr" == 'step: --bridge no-such-br'* ]] || fail "got: $stderr"
}

@test "-v narrates the rtnetlink requests" {
  hint "say() each RTM_NEWLINK, RTM_NEWADDR and RTM_NEWROUTE"
  run --separate-stderr "$STEP" -v -- true
  assert_success
  [[ "$stderr" == *'step: rtnetlink: RTM_NEWLINK veth vl'*'master lab0'* ]] || fail "got: $stderr"
  [[ "$stderr" == *'step: rtnetlink: RTM_NEWROUTE default via 10.77.0.1'* ]] || fail "got: $stderr"
}

@test "a failing rtnetlink request gives one clear error and leaves nothing" {
  hint "die() after each netlink request; the child reads EOF on the go pipe and stops"
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
