#!/usr/bin/env bats
# Stage 04: the mount namespace, pivot_root and the busybox rootfs.

load helpers

setup() {
  common_setup
  [ -d "$ROOTFS/bin" ] || need "no rootfs at $ROOTFS: run make rootfs"
}

teardown() {
  [ -n "${BAD:-}" ] && rm -rf "$BAD"
  rm -f "$ROOTFS/etc/written-by-a-container"
  common_teardown
}

@test "ps inside shows only the container's processes" {
  hint "TODO(04.4) and others: a fresh proc mounted inside the new PID and mount namespaces"
  run "$STEP" -- ps
  assert_success
  assert_line --index 0 --regexp '^ *PID +USER +(TIME +)?COMMAND'
  assert_line --index 1 --regexp '^ +1 root .*ps'
  assert_equal "${#lines[@]}" 2
}

@test "ls / inside is the busybox rootfs" {
  hint "TODO(04.1, 04.3, 04.6): pivot_root into the rootfs; the host's / must be gone"
  run "$STEP" -- ls /
  assert_success
  assert_output "$(ls "$ROOTFS")"
}

@test "/bin/sh inside is busybox" {
  hint "TODO(04.1, 04.3, 04.6): the container's / is the fixture built by make rootfs"
  run "$STEP" -- readlink /bin/sh
  assert_success
  assert_output "/bin/busybox"
}

@test "the working directory inside is /" {
  hint "TODO(04.1, 04.3, 04.6): chdir(\"/\") after pivot_root, whatever the caller's directory"
  cd /tmp
  run "$STEP" -- pwd
  assert_success
  assert_output "/"
}

@test "mount inside lists only the container's mounts" {
  hint "TODO(04.4, 04.6) and others: umount2(\".\", MNT_DETACH) after pivot_root removes the old root"
  # From stage 05 /sys may be the host's, bound with what is mounted under
  # it, and from 07 parts of /proc are masked with mounts of their own.
  run "$STEP" -- sh -c 'cut -d" " -f5 /proc/self/mountinfo | grep -v "^/sys/\|^/proc/"'
  assert_success
  assert_output "$(printf '%s\n' / /proc /dev /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /sys /tmp)"
}

@test "the rootfs is read-only inside" {
  hint "TODO(04.5) and others: remount the bind MS_REMOUNT|MS_BIND|MS_RDONLY: no run writes the shared fixture"
  own_root
  run "$STEP" -- touch /etc/written-by-a-container
  assert_failure
  assert_output --partial "Read-only file system"
  [ ! -e "$ROOTFS/etc/written-by-a-container" ]
}

@test "/tmp inside is a writable tmpfs that does not reach the rootfs" {
  hint "TODO(04.4) and others: mount a tmpfs on tmp with mode=1777"
  own_root
  run "$STEP" -- sh -c 'echo hi > /tmp/scratch && cat /tmp/scratch && grep " /tmp " /proc/mounts'
  assert_success
  assert_line --index 0 "hi"
  assert_line --index 1 --regexp '^tmpfs /tmp tmpfs rw,nosuid,nodev'
  [ ! -e "$ROOTFS/tmp/scratch" ]
}

@test "/sys inside is read-only" {
  hint "TODO(04.4) and others: call the given mount_sys(), which mounts sysfs MS_RDONLY"
  run "$STEP" -- grep " /sys " /proc/mounts
  assert_success
  assert_output --regexp '^sysfs /sys sysfs ro,'
}

@test "/dev inside holds only the harmless devices" {
  hint "TODO(04.4) and others: call the given mount_dev(): a tmpfs on dev with null zero full random urandom tty bound in"
  run "$STEP" -- ls /dev
  assert_success
  assert_output "$(printf '%s\n' fd full null random stderr stdin stdout tty urandom zero)"
  run "$STEP" -- sh -c 'echo gone > /dev/null && head -c 4 /dev/zero | wc -c'
  assert_success
  assert_output "4"
}

@test "the host's mounts are untouched by a run" {
  hint "TODO(04.2) and others: make / MS_REC|MS_PRIVATE first, so nothing propagates back to the host"
  command -v unshare >/dev/null || need "unshare is not installed (util-linux: sudo make deps)"
  own_root
  before=$(host_state)
  # The host here is a mount namespace of the test's own whose / is
  # shared, as systemd leaves it, whatever this machine's / is: there a
  # mount made before / is private would propagate back.  From stage 07
  # mount is refused inside, which is fine too.
  run unshare --mount --propagation private sh -c 'mount --make-rshared /
    outer=$(cut -d" " -f5 /proc/self/mountinfo | sort)
    "$0" -- sh -c "mount -t tmpfs none /tmp && echo mounted; true"; echo "status $?"
    [ "$outer" = "$(cut -d" " -f5 /proc/self/mountinfo | sort)" ] && echo "mounts unchanged"' "$STEP"
  assert_success
  assert_output --regexp '^(mounted|mount: permission denied.*).status 0.mounts unchanged$'
  assert_host_unchanged "$before"
}

@test "a rootfs whose proc is a symlink is refused with 125" {
  hint "TODO(04.1): with CLONE_NEWNS the given check_rootfs() lstat()s each mount point: runc's CVE-2023-27561"
  BAD=$(scratch_dir)
  cp -a "$ROOTFS/." "$BAD/"
  rmdir "$BAD/proc"
  # Relative, into the copy: a runtime that follows it harms nothing.
  ln -s tmp "$BAD/proc"
  before=$(host_state)
  run --separate-stderr "$STEP" -r "$BAD" -- true
  assert_failure 125
  [[ "$stderr" == step:*proc*symlink* ]] || fail "expected one line naming proc as a symlink, got: $stderr"
  assert_host_unchanged "$before"
}

@test "a rootfs that does not exist gives 125 and says how to build one" {
  hint "TODO(04.1): with CLONE_NEWNS the given check_rootfs() checks the rootfs before mounting it, naming make rootfs"
  run --separate-stderr "$STEP" -r /nonexistent-rootfs -- true
  assert_failure 125
  [[ "$stderr" == step:*nonexistent-rootfs*"make rootfs"* ]] || fail "got: $stderr"
}

@test "a command missing from the rootfs gives 127 and a hint" {
  hint "TODO(04.1, 04.3, 04.6): execvp() runs in the new root, and the given code says the command may not be in the rootfs"
  run -127 --separate-stderr "$STEP" -- bash -c true
  [[ "$stderr" == *'execvp("bash")'*rootfs* ]] || fail "got: $stderr"
}

@test "-v narrates pivot_root" {
  hint "TODO(04.2, 04.6) and others: xmount() and xpivot_root() say each call for -v: make / private, then pivot_root"
  run --separate-stderr "$STEP" -v -- true
  assert_success
  output=$stderr assert_step_line mount MS_REC MS_PRIVATE
  output=$stderr assert_step_line pivot_root
}

@test "a failing pivot_root gives one clear error, a hint, and leaves no mount" {
  hint "TODO(04.1, 04.3, 04.6): pivot with xpivot_root(), which dies on EINVAL naming the likely cause"
  command -v strace >/dev/null || need "strace is not installed (sudo make deps)"
  before=$(host_state)
  run --separate-stderr strace -f -o /dev/null -e trace=pivot_root -e inject=pivot_root:error=EINVAL \
    "$STEP" -- true
  assert_failure 125
  assert_equal "$(echo "$stderr" | wc -l)" 1
  [[ "$stderr" == 'step: pivot_root('*'Invalid argument ('*')' ]] || fail "got: $stderr"
  assert_host_unchanged "$before"
}

@test "a failing mount gives one clear error and leaves no mount" {
  hint "TODO(04.1, 04.3, 04.4): mount with xmount(), which dies naming the call and its arguments"
  command -v strace >/dev/null || need "strace is not installed (sudo make deps)"
  before=$(host_state)
  # The 5th mount() call is the sysfs one.
  run --separate-stderr strace -f -o /dev/null -e trace=mount -e inject=mount:error=EACCES:when=5 \
    "$STEP" -- true
  assert_failure 125
  assert_equal "$(echo "$stderr" | wc -l)" 1
  [[ "$stderr" == 'step: mount('*'Permission denied'* ]] || fail "got: $stderr"
  assert_host_unchanged "$before"
}

# A hostile image: a copy of the rootfs with something planted in it.
# BAD is removed in teardown.
hostile_copy() {
  BAD=$(scratch_dir)
  cp -a "$ROOTFS/." "$BAD/"
}

@test "a device node planted in the image cannot be opened inside" {
  hint "TODO(04.5) and others: remount the rootfs MS_NODEV|MS_NOSUID: a node in an image is then an ordinary file"
  hostile_copy
  # A copy of /dev/zero's node (1, 5), open to all: without nodev it reads.
  mknod -m 666 "$BAD/zero-node" c 1 5
  run "$STEP" -r "$BAD" -- sh -c '[ -c /zero-node ] && echo present
    if head -c 4 /zero-node >/dev/null 2>&1; then echo opened; else echo refused; fi'
  assert_success
  assert_output "$(printf 'present\nrefused')"
}

@test "a setuid-root file planted in the image does not raise a user's privileges" {
  hint "TODO(04.5) and others: remount the rootfs MS_NODEV|MS_NOSUID: the kernel then ignores setuid bits there"
  hostile_copy
  # A setuid-root cat (it runs on the fixture's libc) that prints its own
  # uids: real, effective, saved.  Run as nobody inside.
  cp /bin/cat "$BAD/bin/suid-cat"
  chown 0:0 "$BAD/bin/suid-cat"
  chmod 4755 "$BAD/bin/suid-cat"
  run "$STEP" -r "$BAD" -- su -s /bin/sh nobody -c '/bin/suid-cat /proc/self/status'
  assert_success
  assert_line --regexp '^Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534$'
}

@test "the rootfs is mounted nodev and nosuid inside" {
  hint "TODO(04.5) and others: the read-only remount of the rootfs carries MS_NODEV|MS_NOSUID too"
  # The per-mount options of /, the 6th field of /proc/self/mountinfo.
  run "$STEP" -- awk '$5 == "/" {print $6}' /proc/self/mountinfo
  assert_success
  [[ ",$output," == *,nodev,* ]] || fail "/ inside is mounted $output: no nodev"
  [[ ",$output," == *,nosuid,* ]] || fail "/ inside is mounted $output: no nosuid"
}
