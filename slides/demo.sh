#!/usr/bin/env bash
# sudo make demo: a short tour of the runtime, stage by stage, each
# command's real output beside the host's.  It pauses for Enter between
# steps on a terminal, and runs straight through when stdin is not one.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: containers need root here: sudo make demo" >&2
  exit 1
fi
mkdir -p build/demo
for s in solutions/*/; do
  nn=$(basename "$s" | cut -d- -f1)
  make -s solution-"$nn" >/dev/null && mv step "build/demo/step-$nn"
done

queue=
cleanup() { [ -n "$queue" ] && ipcrm -q "$queue" 2>/dev/null; return 0; }
trap cleanup EXIT

bold=; dim=; off=
if [ -t 1 ]; then bold=$'\e[1m'; dim=$'\e[2m'; off=$'\e[0m'; fi

pause() { if [ -t 0 ]; then read -r -p "${dim}[Enter]${off}" _; else echo; fi; }

# TITLE HOST-COMMAND CONTAINER-COMMAND: both outputs, side by side.
show() {
  local title=$1 host=$2 inside=$3 w=38
  echo "${bold}== $title${off}"
  # expand: a tab in either output would split the columns.
  paste <(printf '%s\n' "host\$ $host"; bash -c "$host" 2>&1 | expand | cut -c1-$w | head -12) \
        <(printf '%s\n' "\$ $inside"; bash -c "$inside" 2>&1 | expand | head -12) |
    awk -F'\t' -v w=$w '{printf "%-" w "s  | %s\n", $1, $2}'
  pause
}

S=build/demo/step
show "01 UTS: the container has its own hostname" \
  "hostname" "$S-01 -n lab -- hostname"
queue=$(ipcmk -Q | awk '{print $NF}')
show "02 IPC: a queue made on the host is not visible inside" \
  "ipcs -q" "$S-02 -- ipcs -q"
ipcrm -q "$queue"; queue=
show "03 PID: the command is PID 1 of its own process tree" \
  'echo $$' "$S-03 -- sh -c 'echo \$\$'"
show "03 PID ... but ps still reads the host's /proc" \
  "ps -e | wc -l" "$S-03 -- sh -c 'ps -e | wc -l'"
show "04 mount: its own root, /proc and mounts" \
  "ps -e | wc -l" "$S-04 -- sh -c 'ps -e | wc -l; ps'"
show "04 mount: / is the busybox rootfs" \
  "ls / | head -12" "$S-04 -- ls /"
show "04 mount: ... shared by every container and read-only" \
  "findmnt -n -o OPTIONS / | cut -d, -f1" \
  "$S-04 -- sh -c 'grep \" / \" /proc/mounts | cut -d\" \" -f4 | cut -d, -f1; touch /x'"
show "04 mount: the mounts the container sees" \
  "findmnt -rn -o TARGET | head -8" "$S-04 -- sh -c 'cut -d\" \" -f5 /proc/self/mountinfo'"
show "05 user: root inside is an ordinary uid outside" \
  "id -u; ps -o user= -p \$\$" "$S-05 -- sh -c 'id; cat /proc/self/uid_map'"
show "06 net: its own interfaces, and a veth to the bridge lab0" \
  "ip -br -4 addr | head -4" "$S-06 -- sh -c 'ifconfig -a | grep -E \"^[a-z]|inet \"; ping -c1 -W2 10.77.0.1 | head -2'"
show "07 limits: a memory hog under -m 32m is killed" \
  "echo 'no limit on the host'" "$S-07 -m 32m -- sh -c 'a=0123456789; while true; do a=\$a\$a; done'; echo \"exit \$?\""
show "07 hardening: capabilities, no_new_privs, seccomp" \
  "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status" \
  "$S-07 -- sh -c 'grep -E \"^(CapEff|NoNewPrivs|Seccomp):\" /proc/self/status; mount -t tmpfs x /mnt'"
echo "${bold}That was the tour: steps/ holds the same stages for you to write.${off}"
