# What a run may not leave behind on the host; shared by the acceptance
# tests and tests/run-all.sh.

# A long-running command that is easy to find on the host, and to clean up
# when a broken runtime lets it outlive its container.
PROBE="sleep 317"

# What a run may not change on the host: mounts, SysV IPC objects, its
# names, and processes of ours.  Compare a snapshot before with one after.
host_state() {
  echo "names $(hostname) $(cat /proc/sys/kernel/domainname)"
  awk '{print $5, $9}' /proc/self/mountinfo | sort
  echo "--- ipc"
  tail -n +2 -q /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm | awk '{print $1, $2}' | sort
  echo "--- interfaces (the bridge aside)"
  ip -o link 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -vx lab0 | sort
  echo "--- cgroups"
  # (On a v2 host an empty container-lab parent may stay, as lab0 does.)
  find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name 'step-*' 2>/dev/null | sort
  echo "--- processes"
  pgrep -a -f "^$PROBE" || true
  # A runtime under test: ./step, build/solution-NN, build/step-NN.
  pgrep -a -f '^[^ ]*/(step|solution-[0-9]+|step-[0-9]+)( |$)' || true
}

