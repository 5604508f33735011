#!/usr/bin/env bash
# make doctor: can this machine run every stage of the lab?
#
# One line per check:  ✓ fine   ! worth knowing, nothing blocked   ✗ missing,
# with the one-line fix under it.  The last lines say which stages cannot
# run here.  Exit status 0 only when every stage can run.
#
# It also looks for what earlier runs left (sudo make repair clears it).
# It needs no root.  As root (sudo make doctor) it also tries what only
# root can: creating each namespace, a veth pair and a bridge (inside a
# throwaway network namespace), a cgroup (made and removed at once).  An
# instructor can run it on every lab machine before the class.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. .tools/lib.sh

# Every stage of the lab, by number, from the stage table.
all_stages=$(stage_numbers | paste -sd' ')
last=$(last_stage)
# The stages that bring what some checks below need: a namespace, the
# rootfs fixture (the first that needs it), libseccomp.
st_ipc=$(ns_stage ipc) st_user=$(ns_stage user) st_net=$(ns_stage net)
cg=$(ns_stage cgroup)
st_rootfs=$(for s in $all_stages; do stage_needs_rootfs "$s" && echo "$s"; done | head -n 1)
seccomp_stages=$(stages_linking -lseccomp | paste -sd' ')
# The stages that cannot run here ("unit": make unit and make test).
declare -A blocked=()
fails=0 warns=0

ok() { echo "  ✓ $1"; [ -n "${2:-}" ] && echo "      $2"; return 0; }
warn() { echo "  ! $1"; [ -n "${2:-}" ] && echo "      $2"; warns=$((warns + 1)); }
bad() { # STAGES WHAT FIX
  echo "  ✗ $2"
  echo "      fix: $3"
  fails=$((fails + 1))
  local s
  for s in $1; do blocked[$s]=1; done
}
# The stages from NN on: a namespace a stage adds stays in every later one.
from() { local s; for s in $all_stages; do [ "$((10#$s))" -ge "$((10#$1))" ] && echo "$s"; done; }
section() { echo; echo "$1"; }
have() { command -v "$1" >/dev/null; }

root=
[ "$(id -u)" -eq 0 ] && root=1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "container-lab doctor: can this machine run every stage?"

# ---------------------------------------------------------------------------
section "You"
# Every check (sudo make check-NN) creates namespaces and mounts as root;
# from stage 05 the runtime itself also runs without root.
if [ -n "$root" ]; then
  ok "running as root${SUDO_USER:+ (through sudo, for $SUDO_USER)}"
elif ! have sudo; then
  bad "$(from 01)" "not root, and sudo is not installed: the checks need root" \
    "run them as root (su -), or install sudo and get the right to use it"
elif sudo -n true 2>/dev/null; then
  ok "not root, but sudo works (without a password)"
elif id -Gn | tr ' ' '\n' | grep -qxE 'sudo|wheel|admin'; then
  ok "not root; sudo should work (you are in group $(id -Gn | tr ' ' '\n' | grep -xE 'sudo|wheel|admin' | head -1); it will ask for your password)"
else
  bad "$(from 01)" "not root, and not in a sudo/wheel/admin group: the checks need root" \
    "ask whoever runs this machine for sudo rights, or run the lab as root"
fi

# ---------------------------------------------------------------------------
section "Where this runs"
# Inside a container the lab nests namespaces in someone else's: that works
# only when the container was given the right (docker run --privileged).
evidence=()
[ -f /.dockerenv ] && evidence+=("/.dockerenv")
[ -f /run/.containerenv ] && evidence+=("/run/.containerenv")
grep -qE 'docker|kubepods|containerd|libpod|lxc' /proc/1/cgroup 2>/dev/null && evidence+=("/proc/1/cgroup")
if have systemd-detect-virt; then
  kind=$(systemd-detect-virt --container 2>/dev/null) && evidence+=("systemd-detect-virt says $kind")
fi
if [ "${#evidence[@]}" -gt 0 ]; then
  list=$(printf ', %s' "${evidence[@]}")
  if [ -n "$root" ]; then tries="the tries below tell"; else tries="sudo make doctor tries them"; fi
  warn "inside a container (${list#, })" \
    "unless it was started --privileged, creating namespaces, mount() and pivot_root() fail with EPERM and cgroups are read-only: $tries"
else
  ok "not inside a container"
fi
# WSL1 translates Linux calls and has no namespaces; WSL2 is a real kernel.
if grep -qi microsoft /proc/version 2>/dev/null; then
  if grep -qiE 'wsl2|microsoft-standard' /proc/version; then
    warn "WSL2: a real Linux kernel in a light VM, so the stages can run" \
      "cgroups are mounted the WSL way (see cgroups below), and lab0 is not reachable from Windows"
  else
    bad "$(from 01)" "WSL1: it translates system calls and has no namespaces" \
      "convert the distribution to WSL2 (in Windows: wsl --set-version <distro> 2)"
  fi
else
  ok "not WSL"
fi

# ---------------------------------------------------------------------------
section "Kernel"
release=$(uname -r)
IFS=. read -r major minor _ <<<"${release%%-*}"
major=${major:-0} minor=${minor:-0}
if [ "$major" -gt 5 ] || { [ "$major" -eq 5 ] && [ "$minor" -ge 11 ]; }; then
  ok "Linux $release (5.11 or newer: close_range(2) closes the runtime's files before exec)"
else
  bad "$(from 01)" "Linux $release is older than 5.11, which brought close_range(2)" \
    "use a newer kernel (Debian 12, Ubuntu 22.04, Fedora 34 or later)"
fi

# /proc/self/ns/X exists when the kernel was built with that namespace.
# Each stage adds one (the stage table's ns column); a namespace the lab
# needs is missing from that stage on.
declare -A ns_stage=()
namespaces=()
for s in $all_stages; do
  ns=$(stage_ns "$s")
  ns_stage[$ns]=$s
  namespaces+=("$ns")
done
# The earliest stage that needs one of the namespaces NS...
first_needing() { # NS...
  local ns first=$last
  for ns in "$@"; do
    [ "$((10#${ns_stage[$ns]}))" -lt "$((10#$first))" ] && first=${ns_stage[$ns]}
  done
  echo "$first"
}
missing=()
for ns in "${namespaces[@]}"; do
  [ -e "/proc/self/ns/$ns" ] || missing+=("$ns")
done
if [ "${#missing[@]}" -eq 0 ]; then
  ok "namespaces: ${namespaces[*]} (/proc/self/ns)"
else
  first=$(first_needing "${missing[@]}")
  bad "$(from "$first")" "this kernel has no ${missing[*]} namespace" \
    "use a distribution kernel: every one has CONFIG_NAMESPACES and all its namespaces"
fi

# Stage 05 creates a user namespace, and its checks also run it as an
# ordinary user: three knobs can forbid that.
userns_ok=1
max=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo missing)
if [ "$max" = missing ]; then
  userns_ok=
  bad "$(from "$st_user")" "user.max_user_namespaces is missing: no user namespaces" \
    "use a kernel built with CONFIG_USER_NS (every distribution kernel is)"
elif [ "$max" -gt 0 ]; then
  ok "user.max_user_namespaces = $max"
else
  userns_ok=
  bad "$(from "$st_user")" "user.max_user_namespaces = 0: user namespaces are off" \
    "sudo sysctl -w user.max_user_namespaces=15000"
fi
# Debian's and older Ubuntu's own patch: 0 forbids them to ordinary users.
knob=/proc/sys/kernel/unprivileged_userns_clone
if [ ! -e "$knob" ]; then
  ok "kernel.unprivileged_userns_clone: not in this kernel (a Debian/Ubuntu patch), nothing to allow"
elif [ "$(cat "$knob")" = 1 ]; then
  ok "kernel.unprivileged_userns_clone = 1: ordinary users may make user namespaces"
else
  userns_ok=
  bad "$(from "$st_user")" "kernel.unprivileged_userns_clone = 0: ordinary users may not make user namespaces" \
    "sudo sysctl -w kernel.unprivileged_userns_clone=1"
fi
# Ubuntu 23.10 and later: AppArmor lets unprivileged programs make a user
# namespace but gives them no capabilities in it, so writing the maps fails.
knob=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
if [ ! -e "$knob" ]; then
  ok "kernel.apparmor_restrict_unprivileged_userns: not in this kernel (Ubuntu 23.10 and later), nothing restricts"
elif [ "$(cat "$knob")" = 0 ]; then
  ok "kernel.apparmor_restrict_unprivileged_userns = 0: AppArmor does not restrict user namespaces"
else
  userns_ok=
  bad "$(from "$st_user")" "kernel.apparmor_restrict_unprivileged_userns = 1: AppArmor denies ordinary users a working user namespace" \
    "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"
fi

# Settings say what should work; trying says what does (a container, a
# security module or a seccomp filter can refuse what the kernel has).
if ! have unshare; then
  warn "unshare (util-linux) is missing: could not try creating namespaces"
elif [ -n "$root" ]; then
  declare -A flag=([uts]=--uts [ipc]=--ipc [pid]=--pid [mnt]=--mount [user]=--user [net]=--net [cgroup]=--cgroup)
  refused=() why='' net_refused=
  for ns in "${namespaces[@]}"; do
    [ -e "/proc/self/ns/$ns" ] || continue
    if ! err=$(unshare "${flag[$ns]}" --fork true 2>&1); then
      refused+=("$ns")
      why=${err##*: }
      [ "$ns" = net ] && net_refused=1
    fi
  done
  if [ "${#refused[@]}" -eq 0 ]; then
    ok "root can create every namespace (tried each with unshare)"
  else
    bad "$(from "$(first_needing "${refused[@]}")")" "root may not create a ${refused[*]} namespace here: $why" \
      "run the lab on a machine or VM of its own, or in a container started with --privileged"
  fi
  if [ -n "$userns_ok" ] && have setpriv; then
    if err=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare --user --map-root-user true 2>&1); then
      ok "an ordinary user can create a user namespace and be root in it (tried as nobody)"
    else
      bad "$(from "$st_user")" "an ordinary user may not create a user namespace (tried as nobody): ${err##*: }" \
        "look for a security module or sysctl that restricts user namespaces (dmesg says which)"
    fi
  fi
else
  if [ -n "$userns_ok" ]; then
    if err=$(unshare --user --map-root-user true 2>&1); then
      ok "you can create a user namespace and be root in it (tried)"
    else
      bad "$(from "$st_user")" "you may not create a user namespace: ${err##*: }" \
        "look for a security module or sysctl that restricts user namespaces (dmesg says which)"
    fi
  fi
  warn "not root: did not try creating the other namespaces (sudo make doctor tries)"
fi

# ---------------------------------------------------------------------------
section "cgroups (stage $cg's --memory, --pids, --cpus)"
# Where each hierarchy is mounted, from /proc/self/mountinfo: after the
# "-" come the file system type, the source and the options, which for
# cgroup v1 name the controllers ("rw,memory").
mounts=$(awk '{ for (i = 7; $i != "-"; i++) ; if ($(i + 1) ~ /^cgroup2?$/) print $(i + 1), $4, $5, $(i + 3) }' /proc/self/mountinfo)
v2=$(echo "$mounts" | awk '$1 == "cgroup2" { print $2, $3; exit }')
v1=$(echo "$mounts" | awk '$1 == "cgroup"')
# Our own cgroup in each hierarchy (/proc/self/cgroup): the runtime makes
# the container's cgroup under its own.
own() { # CONTROLLER, or "" for v2 -> path of our cgroup in that hierarchy
  awk -F: -v c="$1" '(c == "" && $1 == "0") || (c != "" && index("," $2 ",", "," c ",")) { print $3; exit }' /proc/self/cgroup
}
# A mount's directory for our cgroup: the mount shows the hierarchy from
# its root (field 4), which in a cgroup namespace is not "/".
dir_of() { # MOUNT_ROOT MOUNT_POINT OWN_PATH
  local rel=${3#"$1"}
  echo "$2/${rel#/}" | sed 's:/*$::'
}

v2_dir='' v2_ctrls=''
if [ -n "$v2" ]; then
  read -r v2_root v2_mnt <<<"$v2"
  v2_dir=$(dir_of "$v2_root" "$v2_mnt" "$(own "")")
  v2_ctrls=$(cat "$v2_dir/cgroup.controllers" 2>/dev/null)
fi
if [ -n "$v2" ] && [ -z "$v1" ]; then
  ok "pure cgroup v2 at $v2_mnt (your cgroup offers: ${v2_ctrls:-nothing})"
elif [ -n "$v2" ]; then
  ok "hybrid: v1 controllers, and v2 at $v2_mnt offering only ${v2_ctrls:-nothing}"
elif [ -n "$v1" ]; then
  ok "cgroup v1 only"
else
  bad "$cg" "no cgroup file system is mounted" \
    "mount cgroup v2: sudo mount -t cgroup2 none /sys/fs/cgroup"
fi

# Make a cgroup under DIR and remove it at once: the only sure test that
# the runtime may.  Prints why not.
try_cgroup() { # DIR
  local probe=$1/container-lab-doctor.$$ err
  err=$(mkdir "$probe" 2>&1) || { echo "${err##*: }"; return 1; }
  rmdir "$probe"
}

for c in memory pids cpu; do
  where='' dir=''
  if [[ " $v2_ctrls " == *" $c "* ]]; then
    where="v2" dir=$v2_dir
  else
    line=$(echo "$v1" | awk -v c="$c" 'index("," $4 ",", "," c ",") { print $2, $3; exit }')
    if [ -n "$line" ]; then
      read -r root_of mnt <<<"$line"
      where="v1" dir=$(dir_of "$root_of" "$mnt" "$(own "$c")")
    fi
  fi
  if [ -z "$where" ]; then
    # /proc/cgroups' last column is 0 when the kernel command line
    # disabled the controller (cgroup_disable=memory, Raspberry Pi kernels).
    if awk -v c="$c" '$1 == c && $4 == 0 { found = 1 } END { exit !found }' /proc/cgroups 2>/dev/null; then
      bad "$cg" "$c: disabled on the kernel command line" "boot with cgroup_enable=$c (and without cgroup_disable=$c)"
    elif [ -n "$v2" ] && [ -z "$v1" ]; then
      bad "$cg" "$c: your cgroup ($v2_dir) is not given it" \
        "enable it from the parent down: echo +$c | sudo tee $(dirname "$v2_dir")/cgroup.subtree_control"
    else
      bad "$cg" "$c: neither cgroup v1 nor v2 offers it here" \
        "mount its v1 hierarchy: sudo mkdir -p /sys/fs/cgroup/$c && sudo mount -t cgroup -o $c none /sys/fs/cgroup/$c"
    fi
    continue
  fi
  also=
  [ "$where" = v1 ] && [ -n "$v2" ] && also=", as v2 does not offer it here"
  if [ -z "$root" ]; then
    ok "$c: through $where ($dir)$also"
  elif why=$(try_cgroup "$dir"); then
    ok "$c: through $where ($dir)$also; a cgroup could be made there"
  else
    bad "$cg" "$c: through $where ($dir), but no cgroup can be made there: $why" \
      "cgroups are closed to you here (as in a container): run the lab on a machine or VM of its own"
  fi
done
[ -z "$root" ] && warn "not root: did not try making a cgroup (sudo make doctor tries)"

# ---------------------------------------------------------------------------
section "Mounts"
# pivot_root(2) fails with EINVAL when the new root or its parent is a
# shared mount, and mounts made under a shared / would show up on the host:
# that is why stage 04 remounts / MS_REC|MS_PRIVATE inside its own mount
# namespace first (the host's / stays as it is).
if have findmnt; then
  prop=$(findmnt -no PROPAGATION / 2>/dev/null | tail -1)
else
  prop=$(awk '$5 == "/" { p = "private"; for (i = 7; $i != "-"; i++) { if ($i ~ /^shared:/) p = "shared"; else if ($i ~ /^master:/ && p != "shared") p = "slave" } } END { print p }' /proc/self/mountinfo)
fi
case $prop in
  shared*)
    ok "/ is a shared mount (systemd makes it so)" \
      "pivot_root(2) refuses shared mounts, so the runtime makes / private in its own mount namespace first (stage 04)" ;;
  *)
    warn "/ is a ${prop:-private} mount here, where most hosts (systemd) make it shared" \
      "a runtime that forgets to make / private passes here, but pivot_root fails with EINVAL on such hosts (stage 04)" ;;
esac

# ---------------------------------------------------------------------------
section "Network (stage 06)"
# The lab0 bridge takes 10.77.0.1/24 and containers the rest of that /24:
# another interface with an address there would steal their traffic.
# shellcheck disable=SC2086  # split A.B.C.D on the dots
ip2int() { local IFS=.; set -- $1; echo $(((${1:-0} << 24) + (${2:-0} << 16) + (${3:-0} << 8) + ${4:-0})); }
if have ip; then
  lab=$(ip2int 10.77.0.0)
  clash=() wide=() lab0=
  while read -r _ ifname _ cidr _; do
    addr=${cidr%/*} prefix=${cidr#*/}
    [ "$ifname" = lab0 ] && { lab0=$cidr; continue; }
    a=$(ip2int "$addr")
    if [ $((a >> 8)) -eq $((lab >> 8)) ]; then
      clash+=("$ifname has $cidr")
    elif [ "$prefix" -lt 24 ] && [ $((a >> (32 - prefix))) -eq $((lab >> (32 - prefix))) ]; then
      wide+=("$ifname's $cidr")
    fi
  done < <(ip -o -4 addr show 2>/dev/null)
  if [ "${#clash[@]}" -gt 0 ]; then
    bad "$st_net" "10.77.0.0/24, the lab's bridge range, is taken: ${clash[*]}" \
      "move that interface off 10.77.0.0/24 (or run the lab on another machine)"
  else
    ok "10.77.0.0/24 is free for the lab0 bridge${lab0:+ (lab0 is there already, with $lab0)}"
  fi
  [ "${#wide[@]}" -gt 0 ] &&
    warn "${wide[*]} covers 10.77.0.0/24: lab0's narrower route wins, so those hosts in 10.77.0.x are out of reach while lab0 exists"
  if [ -n "$root" ] && have unshare && [ -z "${net_refused:-}" ]; then
    # In a throwaway network namespace, so the host sees nothing of it.
    if err=$(unshare --net sh -c 'ip link add doctor0 type bridge && ip link add doctor1 type veth peer name doctor2' 2>&1); then
      ok "the kernel makes bridges and veth pairs (tried in a throwaway network namespace)"
    else
      bad "$st_net" "the kernel cannot make a bridge or a veth pair: $err" \
        "load the modules: sudo modprobe bridge veth"
    fi
  elif [ -z "$root" ]; then
    warn "not root: did not try making a bridge and a veth pair (sudo make doctor tries)"
  fi
else
  warn "ip is missing (see Tools): could not look whether 10.77.0.0/24 is free"
fi
# With br_netfilter loaded, frames crossing a bridge go through iptables'
# FORWARD chain, which Docker sets to DROP: containers on lab0 could then
# not reach each other.
nf=/proc/sys/net/bridge/bridge-nf-call-iptables
if [ -e "$nf" ] && [ "$(cat "$nf")" = 1 ]; then
  if ! have iptables; then
    ok "bridged traffic passes iptables (bridge-nf-call-iptables = 1), but no iptables is installed to drop it"
  elif [ -z "$root" ]; then
    warn "bridged traffic passes iptables (bridge-nf-call-iptables = 1): if FORWARD drops it, containers cannot ping each other" \
      "reading the FORWARD policy needs root: sudo make doctor does"
  elif iptables -S FORWARD 2>/dev/null | grep -qx -- '-P FORWARD DROP'; then
    bad "$st_net" "bridged traffic passes iptables' FORWARD chain, whose policy is DROP (Docker sets it): containers cannot ping each other" \
      "sudo iptables -I FORWARD -i lab0 -o lab0 -j ACCEPT"
  else
    ok "bridged traffic passes iptables (bridge-nf-call-iptables = 1), and FORWARD accepts it"
  fi
fi

# ---------------------------------------------------------------------------
section "Tools (sudo make deps installs what is missing)"
cc=${CC:-cc}
printf '#include <stdio.h>\nint main(void) { return puts("") < 0; }\n' >"$scratch/t.c"
if ! have "$cc"; then
  bad "$(from 01)" "no C compiler ($cc)" "sudo make deps"
elif err=$("$cc" -std=c11 -Wall -Wextra -Werror -o "$scratch/t" "$scratch/t.c" 2>&1); then
  ok "$cc compiles and links C11 ($("$cc" --version | head -1))"
else
  bad "$(from 01)" "$cc cannot build a C11 program: $(echo "$err" | head -1)" "sudo make deps (it installs the C library's headers too)"
fi
# Every stage's ./step is linked statically (it starts faster), and so is
# the rootfs's tiny helper (sysprobe): both need the static C library.
if have "$cc" && "$cc" -static -o "$scratch/t" "$scratch/t.c" >/dev/null 2>&1; then
  ok "$cc links statically (./step and the rootfs's sysprobe helper)"
elif have "$cc"; then
  bad "$(from 01)" "$cc cannot link statically, as make step-NN does" "sudo make deps (Debian: libc6-dev, Fedora: glibc-static)"
fi
# Stage 07's seccomp filter is built with libseccomp (the stage table's
# link column says which stages link it).
printf '#include <stddef.h>\n#include <seccomp.h>\nint main(void) { return seccomp_init(SCMP_ACT_ALLOW) == NULL; }\n' >"$scratch/s.c"
if have "$cc" && "$cc" -o "$scratch/s" "$scratch/s.c" -lseccomp >/dev/null 2>&1; then
  ok "libseccomp headers and library (stage $seccomp_stages's seccomp filter)"
else
  bad "$seccomp_stages" "libseccomp is missing: stage $seccomp_stages builds its seccomp filter with it" "sudo make deps (Debian: libseccomp-dev)"
fi
if have make; then ok "$(make --version | head -1)"; else bad "$(from 01)" "make is missing" "sudo make deps"; fi

# The rootfs needs a busybox that runs without the host's libraries
# (static_busybox, as rootfs/build.sh looks for it).
if busybox=$(static_busybox); then
  ok "busybox, statically linked ($busybox)"
elif [ -f rootfs/tree/.built ]; then
  warn "no statically linked busybox, but the rootfs is built already" "to rebuild it one day: sudo make deps"
else
  bad "$(from "$st_rootfs")" "no statically linked busybox, which the rootfs is made of" "sudo make deps (Debian: busybox-static)"
fi

# bats, and the two libraries helpers.bash loads from BATS_LIB_PATH.
if have bats; then
  v=$(bats --version | awk '{print $2}')
  if [ "$(printf '%s\n1.5.0\n' "$v" | sort -V | head -1)" = 1.5.0 ]; then
    ok "bats $v"
  else
    bad "$(from 01)" "bats $v is older than 1.5.0, which the checks need" "install a newer bats (Debian 12, Ubuntu 22.04 or later have one)"
  fi
else
  bad "$(from 01)" "bats is missing: it runs the checks" "sudo make deps"
fi
libpath=${BATS_LIB_PATH:-/usr/lib/bats:/usr/share/bats:/usr/local/lib/bats}
for lib in bats-support bats-assert; do
  found=
  IFS=: read -ra dirs <<<"$libpath"
  for d in "${dirs[@]}"; do
    [ -f "$d/$lib/load.bash" ] || [ -f "$d/$lib/load" ] && { found=$d/$lib; break; }
  done
  if [ -n "$found" ]; then ok "$lib ($found)"; else bad "$(from 01)" "$lib is missing (looked in $libpath)" "sudo make deps"; fi
done

# The unit tests include cmocka.h after the headers it needs, and link it.
printf '#include <stdarg.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <setjmp.h>\n#include <cmocka.h>\nint main(void) { return 0; }\n' >"$scratch/u.c"
if have "$cc" && "$cc" -o "$scratch/u" "$scratch/u.c" -lcmocka >/dev/null 2>&1; then
  ok "cmocka headers and library (make unit)"
else
  bad unit "cmocka is missing: make unit and make test need it" "sudo make deps (Debian: libcmocka-dev)"
fi

tool() { # STAGES WHAT PACKAGE COMMAND...
  local stages=$1 what=$2 pkg=$3 missing=() t
  shift 3
  for t in "$@"; do have "$t" || missing+=("$t"); done
  if [ "${#missing[@]}" -eq 0 ]; then
    ok "$* ($pkg): $what"
  else
    bad "$stages" "${missing[*]} missing ($pkg): $what" "sudo make deps"
  fi
}
tool "$(from "$st_net")" "stage 06's checks look at the bridge and veths" iproute2 ip
tool "$(from 01)" "every stage checks its failure paths by injecting errors" strace strace
tool "$(from "$st_user")" "stages 05 and 06 run the runtime as an ordinary user" util-linux setpriv
tool "$(from "$st_ipc")" "stage 02 looks at IPC queues; the rootfs gets copies" util-linux ipcs ipcmk ipcrm
tool "$(from 01)" "the checks look for leftover processes" procps ps pgrep pkill

# ---------------------------------------------------------------------------
section "The rootfs fixture (stage 04 on)"
if [ ! -f rootfs/tree/.built ]; then
  warn "not built yet" "make rootfs builds it (make step-04 and make check-04 do too)"
elif newer=$(find rootfs -maxdepth 1 -type f -newer rootfs/tree/.built | paste -sd ' ') && [ -n "$newer" ]; then
  warn "built, but older than $newer" "make rootfs rebuilds it (make step-04 and make check-04 do too)"
else
  ok "built (rootfs/tree, $(find rootfs/tree -type l | wc -l) busybox links)"
fi
# From stage 05, run with sudo, the child walks to the rootfs in a user
# namespace, still as host uid 0 but without CAP_DAC_OVERRIDE over the
# host's files (enter_rootfs() runs before become_root()): it passes a
# directory that lets others search it (o+x), or one of root's that lets
# its owner search it.  Ubuntu makes home directories 0750, owned by
# their user, which stops it there.
closed=()
d=$PWD/rootfs
[ -d rootfs/tree ] && d=$PWD/rootfs/tree
while :; do
  read -r perms owner < <(stat -c '%A %u' "$d")
  case ${perms:9:1} in
    x | t) ;;
    *) [ "$owner" = 0 ] && [ "${perms:3:1}" = x ] || closed+=("$d") ;;
  esac
  [ "$d" = / ] && break
  d=$(dirname "$d")
done
if [ "${#closed[@]}" -eq 0 ]; then
  ok "every directory above it is root's or lets others pass, as stage 05's child needs"
else
  bad "$(from "$st_user")" "${closed[*]}: not root's, and closed to others, so a container started with sudo cannot reach the rootfs (stage 05 on)" \
    "chmod o+x ${closed[*]} (others may then pass through, not list), or clone the lab where others can reach it"
fi

# ---------------------------------------------------------------------------
section "Leftovers of earlier runs (a shared server: sudo make repair)"
# Mounts on this clone's fixture, cgroups of dead runtimes, veth pairs no
# container owns, runtimes whose caller is gone, renamed host: a buggy
# run leaves them, and they disturb the next one.
if left=$(.tools/repair.sh --check 2>&1); then
  ok "nothing left on the host by this clone's runs"
else
  warn "earlier runs left things on the host:" "$(echo "$left" | grep '^  left:' | sed 's/^  left: //' | paste -sd ';' | sed 's/;/; /g')"
  echo "      fix: sudo make repair"
fi
[ -f .host-names ] || warn "no saved host names yet (.host-names)" \
  "the first make step-NN saves them, so that sudo make repair can put them back"

# ---------------------------------------------------------------------------
# "01 02 03 04" reads better as "01 to 04".
span() {
  local list first last
  read -ra list <<<"$1"
  first=${list[0]} last=${list[-1]}
  if [ "${#list[@]}" -gt 2 ] && [ $((10#$last - 10#$first + 1)) -eq "${#list[@]}" ]; then
    echo "$first to $last"
  else
    echo "${list[*]}"
  fi
}
echo
if [ "$fails" -eq 0 ]; then
  echo "Every stage can run here ($(span "$all_stages"))$([ "$warns" -gt 0 ] && echo ", with $warns things worth knowing (!) above")."
  exit 0
fi
can=() cannot=()
for s in $all_stages; do
  if [ -n "${blocked[$s]:-}" ]; then cannot+=("$s"); else can+=("$s"); fi
done
problems="$fails problems"
[ "$fails" -eq 1 ] && problems="1 problem"
if [ "${#cannot[@]}" -gt 0 ]; then
  stages="stages $(span "${cannot[*]}")"
  [ "${#cannot[@]}" -eq 1 ] && stages="stage ${cannot[0]}"
  echo "Not ready: $stages cannot run here ($problems: the ✗ lines above)."
  [ "${#can[@]}" -gt 0 ] && echo "The others ($(span "${can[*]}")) can."
else
  echo "Every stage can run here, but not make unit and make test ($problems: the ✗ lines above)."
fi
echo "Fix the ✗ lines, then run make doctor again."
exit 1
