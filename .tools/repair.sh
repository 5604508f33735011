#!/usr/bin/env bash
# sudo make repair: put back what an earlier (buggy) run of this clone
# left on the host, and say what was found and what was done.
#
#   .tools/repair.sh           repair (needs root)
#   .tools/repair.sh --check   only say what is left; exit 1 if anything
#                              is (make doctor uses it; no root needed)
#
# On a shared lab server it never touches another learner's live work:
# only mounts under this clone's fixture, cgroups whose runtime is dead
# and that hold no process, veth pairs no container can own, processes
# of this clone's own runtime binaries whose parent is gone, and the
# host's names as saved at this clone's first build (.host-names).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD

check=
[ "${1:-}" = --check ] && check=1
if [ -z "$check" ] && [ "$(id -u)" -ne 0 ]; then
  echo "repair: it unmounts, removes cgroups and interfaces: run it as root (sudo make repair)" >&2
  exit 1
fi

found=0
# Say what was found; unless --check, do it (the rest of the arguments)
# and say whether that worked.
fix() { # WHAT COMMAND [ARG]...
  local what=$1
  shift
  found=$((found + 1))
  if [ -n "$check" ]; then
    echo "  left: $what"
  elif "$@" 2>/dev/null; then
    echo "  fixed: $what"
  else
    echo "  could not fix: $what (try again, or reboot the lab machine)"
  fi
}
note() { echo "  note: $*"; }

# --- mounts under this clone's fixture, deepest first.  Another clone's
# fixture is under another path, and a container's own mounts are in its
# mount namespace, not here.
fixture=$top/rootfs/tree
while read -r mnt; do
  fix "a mount on $mnt (the fixture must never be mounted on the host)" umount -l "$mnt"
done < <(awk -v f="$fixture" '$5 == f || index($5, f "/") == 1 {print $5}' /proc/self/mountinfo |
  awk '{print length, $0}' | sort -rn | cut -d' ' -f2-)

# --- cgroups "step-PID" whose runtime is gone.  One whose runtime lives
# is someone's running container; one that still holds processes is
# left as it is, and said.
while read -r dir; do
  pid=${dir##*/step-}
  [[ $pid =~ ^[0-9]+$ ]] || continue
  kill -0 "$pid" 2>/dev/null && continue
  if [ -s "$dir/cgroup.procs" ]; then
    note "$dir: its runtime ($pid) is gone but it still holds processes $(paste -sd' ' "$dir/cgroup.procs"); left alone"
    continue
  fi
  fix "cgroup $dir (its runtime, pid $pid, is gone)" rmdir "$dir"
done < <(find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name 'step-*' 2>/dev/null | sort -r)

# --- veth pairs left whole on the host.  The runtime names a host end
# vl + 8 hex digits and makes its peer inside the container's namespace,
# so a vl* veth whose peer is on the host too can belong to no container.
# lab0 itself stays, as designed: other learners' containers use it.
if command -v ip >/dev/null; then
  while read -r ifname; do
    fix "veth $ifname, whose peer is on the host too" ip link del "$ifname"
  done < <(ip -o link show type veth 2>/dev/null | grep -v 'link-netns' |
    awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^vl[0-9a-f]{8}$')
fi

# --- processes of this clone's runtime binaries (./step, build/*)
# whose parent is gone (adopted by init): a run that lost its caller.
# Found by the file they run, never by a name other clones share.
if [ -n "$check" ] && [ "$(id -u)" -ne 0 ]; then
  note "not root: could not look at root's processes"
else
  for exe in /proc/[0-9]*/exe; do
    pid=${exe#/proc/}; pid=${pid%/exe}
    path=$(readlink "$exe" 2>/dev/null) || continue
    path=${path% (deleted)}
    case $path in "$top/step" | "$top"/build/*) ;; *) continue ;; esac
    [ "$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)" = 1 ] || continue
    fix "process $pid ($path), whose caller is gone" kill -KILL "$pid"
  done
fi

# --- the host's names, as saved at this clone's first build.  Without
# that file nothing is guessed.  The name is written with a newline, which
# the kernel drops: an empty name written as zero bytes would change nothing.
# (A domain name never set is the string "(none)" and is put back as such.)
if [ -f .host-names ]; then
  want_host=$(sed -n 's/^hostname //p' .host-names)
  want_domain=$(sed -n 's/^domainname //p' .host-names)
  if [ -n "$want_host" ] && [ "$(hostname)" != "$want_host" ]; then
    fix "the hostname is $(hostname), was $want_host at the first build" hostname "$want_host"
  fi
  if [ "$(cat /proc/sys/kernel/domainname)" != "$want_domain" ]; then
    fix "the NIS domain name is $(cat /proc/sys/kernel/domainname), was '$want_domain' at the first build" \
      sh -c 'printf "%s\n" "$1" > /proc/sys/kernel/domainname' sh "$want_domain"
  fi
else
  note "no .host-names (saved by the first make step-NN): the host's names were not checked"
fi

if [ "$found" -eq 0 ]; then
  echo "repair: the host is clean: nothing of this clone's runs is left"
elif [ -n "$check" ]; then
  echo "repair: $found things left by earlier runs: sudo make repair puts them back"
  exit 1
else
  echo "repair: $found things found, see above"
fi
