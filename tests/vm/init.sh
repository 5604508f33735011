#!/bin/sh
# /init of the test VM that tests/vm/run.sh boots: a kernel with pure
# cgroup v2 (cgroup_no_v1=all), where stage 07's v2 code runs, and the
# stage 05 runtime's hint when user namespaces are off.
#
# One line per check, "ok - NAME" or "not ok - NAME: why", then
# "N passed, N failed", then the VM powers off.
#
# The image (built by run.sh): busybox and bash for this script, /rootfs
# (the containers' busybox fixture), /lab/step07 and /lab/step05 (static
# builds of the runtimes), /lab/asuser (tests/vm/asuser.c), /lab/modules
# (veth and bridge, for stage 06's network), /lab/repo/.tools/doctor.sh.
# shellcheck disable=SC2016  # sh -c '...' scripts expand inside the VM's container

# pivot_root(2) cannot move the initramfs: it is the root mount of the
# namespace, which has no parent mount (EINVAL).  So copy it into a tmpfs
# and switch_root there; the containers then pivot away from a real mount.
if [ "$1" != stage2 ]; then
    mkdir -p /newroot
    mount -t tmpfs -o mode=0755 tmpfs /newroot
    for f in /*; do
        case $f in /newroot | /proc | /sys | /dev) ;; *) cp -a "$f" /newroot/ ;; esac
    done
    mkdir -p /newroot/proc /newroot/sys /newroot/dev
    exec switch_root /newroot /init stage2
fi

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# Kernel messages (the OOM killer's reports among them) stay in dmesg, off
# the console, so that the checks' lines come out whole.
dmesg -n 1
# The root cgroup is exempt from the no-internal-processes rule: it may
# hand controllers down while it holds this script.
echo "+memory +pids +cpu" >/sys/fs/cgroup/cgroup.subtree_control
# A global OOM must not take PID 1 (a panic, and no closing line); each
# check gives its processes back the ordinary score.
echo -1000 >/proc/self/oom_score_adj
for m in /lab/modules/*.ko; do
    [ -e "$m" ] && insmod "$m"
done

CG=/sys/fs/cgroup
S7=/lab/step07
S5=/lab/step05
T=/tmp/checks
mkdir -p $T
echo "test-vm: Linux $(uname -r), $(nproc) CPUs, cgroup v2 at $CG" \
    "with \"$(cat $CG/cgroup.controllers)\"" \
    "($(grep -c ' cgroup ' /proc/mounts) v1 hierarchies mounted)"

passed=0
failed=0
# check NAME FUNCTION: FUNCTION prints why when it fails.
check() {
    if why=$("$2" 2>&1); then
        echo "ok - $1"
        passed=$((passed + 1))
    else
        echo "not ok - $1: $(echo "$why" | tr '\n' ' ' | sed 's/ *$//' | cut -c1-400)"
        failed=$((failed + 1))
    fi
}

# The PID 1 of the container of runtime RT, once it has exec'd its command
# (its executable is no longer the runtime's).  Fails after 10 s.  This
# busybox has no pgrep: proc(5)'s children file lists a task's children.
container_of() {
    i=0
    while [ $i -lt 200 ]; do
        kid=$(cut -d' ' -f1 "/proc/$1/task/$1/children" 2>/dev/null)
        if [ -n "$kid" ] && [ "$(readlink "/proc/$kid/exe")" != "$(readlink "/proc/$1/exe")" ]; then
            echo "$kid"
            return 0
        fi
        # Gone, or a zombie: it failed before starting the command.
        case $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) in '' | Z | X) return 1 ;; esac
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
# PID's cgroup, as the host sees it: "/step-123".
cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }
# Start "$@" in the background: RT is the runtime, PID1 its container.
start() {
    "$@" 2>$T/err &
    RT=$!
    PID1=$(container_of $RT) || {
        kill -KILL $RT 2>/dev/null
        wait $RT
        echo "the container never started: $(tail -1 $T/err)"
        return 1
    }
}
stop() {
    kill -KILL "$PID1" 2>/dev/null
    wait "$RT"
}
# Each check runs in a subshell: give it the ordinary OOM score back.
killable() { echo 0 >/proc/self/oom_score_adj; }

# ---- stage 07 on cgroup v2 ----

verbose_says_v2() {
    killable
    out=$($S7 -v -- true 2>&1 >/dev/null) || { echo "$out"; return 1; }
    echo "$out" | grep -qx 'step: cgroup v2 at /sys/fs/cgroup' ||
        { echo "no line 'step: cgroup v2 at /sys/fs/cgroup' in: $(echo "$out" | grep cgroup)"; return 1; }
}

# clone3(CLONE_INTO_CGROUP): the child starts in its cgroup, and nothing
# writes its pid to a cgroup.procs afterwards.
born_in_its_cgroup() {
    killable
    out=$($S7 -v -m 64m -- cat /proc/self/cgroup 2>&1) || { echo "$out"; return 1; }
    echo "$out" | grep -q '^step: clone3(.*CLONE_INTO_CGROUP, cgroup "/sys/fs/cgroup/.*step-[0-9]*")$' ||
        { echo "no clone3 with CLONE_INTO_CGROUP in: $(echo "$out" | grep -E 'clone|cgroup.procs')"; return 1; }
    if echo "$out" | grep -q 'cgroup.procs'; then
        echo "the child was moved after all: $(echo "$out" | grep cgroup.procs)"; return 1
    fi
    echo "$out" | grep -qx '0::/' || { echo "inside, /proc/self/cgroup: $(echo "$out" | grep -v '^step:')"; return 1; }
}

bad_limits_refused() {
    killable
    before=$(find $CG -type d | sort)
    for opt in "-m 0" "-p 0" "-c abc"; do
        # shellcheck disable=SC2086  # two words: the option and its value
        $S7 $opt -- true 2>$T/err
        st=$?
        [ $st -eq 125 ] || { echo "$opt: exit status $st, not 125: $(cat $T/err)"; return 1; }
    done
    after=$(find $CG -type d | sort)
    [ "$before" = "$after" ] || { echo "they left: $(echo "$after" | grep -vxF "$before")"; return 1; }
}

memory_hog_oom_killed() {
    killable
    timeout -s KILL 60 $S7 -m 32m -- sh -c 'a=0123456789abcdef; while :; do a=$a$a; done' 2>$T/err
    st=$?
    [ $st -eq 137 ] || { echo "exit status $st, not 137 (SIGKILL): $(cat $T/err)"; return 1; }
    dmesg | grep -q 'Memory cgroup out of memory' ||
        { echo "killed, but not by the memory cgroup's OOM killer"; return 1; }
    $S7 -- true 2>$T/err || { echo "the next run failed: $(cat $T/err)"; return 1; }
}

fork_bomb_held() {
    killable
    start $S7 -p 10 -- sh -c '(for i in $(seq 30); do sleep 60 & done) 2>/dev/null; exec sleep 300' || return 1
    d=$CG$(cgroup_of "$PID1")
    most=0 i=0
    while [ $i -lt 20 ]; do
        cur=$(cat "$d/pids.current")
        [ "$cur" -gt "$most" ] && most=$cur
        sleep 0.05
        i=$((i + 1))
    done
    max=$(cat "$d/pids.max")
    hit=$(awk '$1 == "max" {print $2}' "$d/pids.events")
    stop
    [ "$max" = 10 ] || { echo "pids.max reads $max"; return 1; }
    [ "$most" -le 10 ] || { echo "$most processes in a cgroup limited to 10"; return 1; }
    [ "${hit:-0}" -gt 0 ] || { echo "no fork was refused (pids.events: max ${hit:-?}): the bomb never met the limit"; return 1; }
}

cpu_max_written() {
    killable
    start $S7 -c 0.5 -- sh -c 'while :; do :; done' || return 1
    sleep 1
    d=$CG$(cgroup_of "$PID1")
    max=$(cat "$d/cpu.max")
    throttled=$(awk '$1 == "nr_throttled" {print $2}' "$d/cpu.stat")
    stop
    [ "$max" = "50000 100000" ] || { echo "cpu.max reads \"$max\""; return 1; }
    [ "${throttled:-0}" -gt 0 ] || { echo "the burner was never throttled"; return 1; }
}

cgroup_made_and_removed() {
    killable
    start $S7 -m 48m -- sleep 300 || return 1
    cg=$(cgroup_of "$PID1")
    there=no
    [ -d "$CG$cg" ] && there=yes
    mem=$(cat "$CG$cg/memory.max" 2>&1)
    stop
    [ "$cg" = "/step-$RT" ] || { echo "the container's cgroup is $cg, not /step-$RT"; return 1; }
    [ $there = yes ] || { echo "$CG$cg was not there while it ran"; return 1; }
    [ "$mem" = 50331648 ] || { echo "memory.max read \"$mem\", not 50331648 (48m)"; return 1; }
    [ ! -e "$CG$cg" ] || { echo "$CG$cg is still there"; return 1; }
    left=$(find $CG -name 'step-*')
    [ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

proc_self_cgroup_is_root() {
    killable
    out=$($S7 -- cat /proc/self/cgroup 2>$T/err) || { cat $T/err; return 1; }
    [ "$out" = "0::/" ] || { echo "it shows \"$out\""; return 1; }
}

exec_joins_cgroup() {
    killable
    start $S7 -m 64m -- sleep 300 || return 1
    out=$($S7 exec "$PID1" -- cat /proc/self/cgroup 2>&1)
    stop
    [ "$out" = "0::/" ] || { echo "step exec's /proc/self/cgroup: \"$out\""; return 1; }
}

# The no-internal-processes rule: a cgroup that holds a process cannot
# hand controllers to children.  The runtime, started in such a cgroup,
# must make the container's under /sys/fs/cgroup/container-lab instead.
internal_process_fallback() {
    killable
    mkdir $CG/busy
    start sh -c 'echo $$ >/sys/fs/cgroup/busy/cgroup.procs && exec "$0" -v -m 64m -- sleep 300' $S7 ||
        { rmdir $CG/busy; return 1; }
    cg=$(cgroup_of "$PID1")
    mem=$(cat "$CG$cg/memory.max" 2>&1)
    stop
    rmdir $CG/busy
    [ "$cg" = "/container-lab/step-$RT" ] ||
        { echo "the container's cgroup is $cg, not /container-lab/step-$RT; it said: $(grep -E 'subtree_control|processes of its own' $T/err)"; return 1; }
    [ "$mem" = 67108864 ] || { echo "memory.max there read \"$mem\""; return 1; }
    [ ! -e "$CG$cg" ] || { echo "$CG$cg is still there"; return 1; }
}

nothing_left() {
    left=$(find $CG -name 'step-*')
    [ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

# ---- stage 05: user namespaces off ----

userns_as_nobody() {
    killable
    out=$(/lab/asuser $S5 -- id -u 2>$T/err)
    st=$?
    if [ $st -ne 0 ] || [ "$out" != 0 ]; then
        echo "exit status $st, id -u printed \"$out\": $(cat $T/err)"
        return 1
    fi
}

userns_off_hint() {
    killable
    /lab/asuser $S5 -- true 2>$T/err
    st=$?
    [ $st -eq 125 ] || { echo "exit status $st, not 125: $(cat $T/err)"; return 1; }
    grep -q 'user\.max_user_namespaces' $T/err || { echo "the message does not name user.max_user_namespaces: $(cat $T/err)"; return 1; }
}

doctor_says_off() {
    [ -f /lab/repo/.tools/doctor.sh ] || { echo ".tools/doctor.sh was not in the image"; return 1; }
    line=$(bash /lab/repo/.tools/doctor.sh 2>&1 | grep 'user\.max_user_namespaces' | head -1)
    case $line in
        *✗*) echo "$line" >$T/doctor ;;
        *) echo "its user.max_user_namespaces line is \"${line:-missing}\", not ✗"; return 1 ;;
    esac
}

check "-v says cgroup v2" verbose_says_v2
check "the child is born in its cgroup: clone3(CLONE_INTO_CGROUP), no move" born_in_its_cgroup
check "-m 0, -p 0 and -c abc exit 125 and make no cgroup" bad_limits_refused
check "a memory hog under -m 32m is OOM-killed by its cgroup (137)" memory_hog_oom_killed
check "a fork bomb under -p 10 never exceeds pids.max, which reads 10" fork_bomb_held
check "-c 0.5 writes \"50000 100000\" to cpu.max, and a burner is throttled" cpu_max_written
check "the container's cgroup /step-<runtime pid> exists while it runs and is gone afterwards" cgroup_made_and_removed
check "/proc/self/cgroup inside shows exactly 0::/" proc_self_cgroup_is_root
check "step exec joins the container's cgroup" exec_joins_cgroup
check "from a cgroup with a process in it, the container's cgroup lands under /sys/fs/cgroup/container-lab" internal_process_fallback
check "nothing named step-* is left under /sys/fs/cgroup" nothing_left
# Not a check: the fallback's parent outlives its containers.
[ -d $CG/container-lab ] && echo "# note: $CG/container-lab stays after its last container"

check "stage 05 runs as nobody while user namespaces are allowed" userns_as_nobody
userns_max=$(cat /proc/sys/user/max_user_namespaces)
echo 0 >/proc/sys/user/max_user_namespaces
check "with user.max_user_namespaces=0, stage 05 as nobody exits 125 naming the sysctl" userns_off_hint
check "with user.max_user_namespaces=0, make doctor's user-namespace line is ✗" doctor_says_off
[ -s $T/doctor ] && echo "#   $(sed 's/^ *//' $T/doctor)"
echo "$userns_max" >/proc/sys/user/max_user_namespaces

if [ $failed -gt 0 ]; then
    echo "# the kernel's last words (the bridge's aside):"
    dmesg | grep -vE 'lab0|vl[0-9a-f]{8}|ADDRCONF' | tail -15 | sed 's/^/#   /'
fi
echo "$passed passed, $failed failed"
sync
poweroff -f
sleep 5
reboot -f
