# What a run may not leave behind on the host; shared by the acceptance
# tests and tests/run-all.sh.
#
# Many learners may run checks on one server at the same moment, so a
# snapshot counts only this run's own objects, never host-wide totals
# that others change.  A run is known by LAB_OWNER, a name put in the
# environment of every process its tests start (the runtime passes its
# environment on to the container) and in the name of every scratch
# directory it makes.  LAB_SCOPE is the prefix of the owners that count:
# one bats run (helpers.bash), or every bats run of tests/run-all.sh.

# A long-running command that is easy to tell from the runtime.  Not
# "sleep 31x": checks of older clones on the same server kill those by
# name.
PROBE="sleep 1317"

# The processes this run started that outlived what started them: their
# environment names an owner in LAB_SCOPE, and they no longer descend
# from the shell that runs the test or the script ($$).  What still
# descends from it (its pipelines, a background job, bats's own
# processes, which carry the name too) is not left behind yet.
own_pids() {
  local pid ppid up tagged
  local -A parent=()
  # (grep says 2 when a process ends while it reads; bats would take
  # that status for a failed check.)
  tagged=$({ grep -lzsE "^LAB_OWNER=${LAB_SCOPE//./\\.}" /proc/[0-9]*/environ || true; } | cut -d/ -f3)
  [ -n "$tagged" ] || return 0
  # One snapshot of every parent, rather than a read per step up.
  while read -r pid ppid; do parent[$pid]=$ppid; done < <(ps -e -o pid=,ppid=)
  for pid in $tagged; do
    up=$pid
    while [ -n "$up" ] && [ "$up" -gt 1 ] && [ "$up" != $$ ]; do up=${parent[$up]:-}; done
    if [ "$up" != $$ ] && [ -n "${parent[$pid]:-}" ]; then echo "$pid"; fi
  done
  return 0
}

# The cgroup directories where this run's runtimes make theirs: under the
# caller's own cgroup in each hierarchy, and the v2 fallback parent.
own_cgroup_parents() {
  local id list path
  while IFS=: read -r id list path; do
    if [ -z "$list" ]; then
      echo "/sys/fs/cgroup${path%/}"
      echo "/sys/fs/cgroup/unified${path%/}"
    else
      echo "/sys/fs/cgroup/${list#name=}${path%/}"
    fi
  done </proc/self/cgroup
  echo /sys/fs/cgroup/container-lab /sys/fs/cgroup/unified/container-lab | tr ' ' '\n'
}

# A snapshot of what this run owns on the host, to compare before and
# after.  What it leaves out, and why:
#  - SysV IPC: only stage 02 makes IPC objects, and its checks make them
#    in an IPC namespace of their own, never on the host;
#  - other learners' mounts, veths and cgroups: theirs come and go.
host_state() {
  local repo=${REPO:-$PWD} scratch="${TMPDIR:-/tmp}/$LAB_SCOPE" d pid
  # The host's names: no run, ours or another's, may change them.
  echo "names $(hostname) $(cat /proc/sys/kernel/domainname)"
  echo "--- mounts under this clone and this run's scratch directories"
  awk -v a="$repo/" -v b="$scratch" 'index($5, a) == 1 || index($5, b) == 1 {print $5, $9}' /proc/self/mountinfo | sort
  echo "--- veth pairs left whole on the host (no runtime makes one)"
  # A veth whose peer is in a container's namespace dies with it; one
  # whose peer is on the host too outlives every container.
  ip -o link show type veth 2>/dev/null | grep -v 'link-netns' | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
  echo "--- cgroups of this run's runtimes"
  # step-PID: ours while PID is a process of ours; once PID is gone, a
  # directory left where our runtimes make theirs.
  local -A ours=()
  for pid in $(own_pids); do ours[$pid]=1; done
  for d in $(own_cgroup_parents | sort -u); do
    [ -d "$d" ] || continue
    for d in "$d"/step-*; do
      [ -d "$d" ] || continue
      pid=${d##*/step-}
      if [ -n "${ours[$pid]:-}" ] || ! kill -0 "$pid" 2>/dev/null; then echo "$d"; fi
    done
  done | sort
  echo "--- processes this run started"
  for pid in "${!ours[@]}"; do
    echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
  done | sort -n
}
