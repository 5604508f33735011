#!/usr/bin/env bash
# sudo make test-vm: the cgroup v2 lane.
#
# On a v1 or hybrid host stage 07's cgroup v2 code never runs, so this
# boots a Debian kernel under qemu with pure cgroup v2 (cgroup_no_v1=all)
# and runs the checks there (tests/vm/init.sh): stage 07's limits, its
# cgroup's life, the no-internal-processes fallback, and stage 05's hint
# when user namespaces are off.  The VM has no network device; nothing is
# downloaded.  What it prints on its serial console is shown as it comes,
# and its closing "N passed, N failed" line is the exit status.
#
#   tests/vm/run.sh
#   RUNTIME07=/tmp/x/runtime.c tests/vm/run.sh    test another stage 07
#                 (one check expects the reference's clone3(CLONE_INTO_CGROUP))
#
# Also: RUNTIME05 (the stage 05 runtime.c), KERNEL (a vmlinuz), VM_ACCEL
# (kvm or tcg), VM_TIMEOUT (seconds, default 120).  Everything is built in
# a temporary directory, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .tools/lib.sh

rt07=${RUNTIME07:-solutions/$(stage_of 07)/runtime.c}
rt05=${RUNTIME05:-solutions/$(stage_of 05)/runtime.c}
limit=${VM_TIMEOUT:-120}
cc=${CC:-cc}

say() { echo "test-vm: $*"; }
# A setup failure: say why, and end with the closing line run-all.sh reads.
die() {
  echo "test-vm: $*" >&2
  echo "test-vm: 0 passed, 1 failed"
  exit 1
}

[ "$(uname -m)" = x86_64 ] || die "this lane boots an x86_64 kernel; this machine is $(uname -m)"
command -v qemu-system-x86_64 >/dev/null ||
  die "qemu-system-x86_64 is missing: sudo apt-get install qemu-system-x86 (Fedora: qemu-system-x86-core)"
command -v cpio >/dev/null || die "cpio is missing: sudo apt-get install cpio"
[ -f rootfs/tree/.built ] || die "no busybox fixture in rootfs/tree: make rootfs"
for f in "$rt07" "$rt05"; do [ -f "$f" ] || die "no $f"; done

# A kernel that a distribution package installed, so its configuration is
# known: Debian's cloud flavour first (it boots fastest), then any other
# (linux-image-amd64's; Ubuntu's and Fedora's are untried).
# KERNEL= overrides.
find_kernel() {
  local k
  if [ -n "${KERNEL:-}" ]; then
    echo "$KERNEL"
    return
  fi
  for k in $(printf '%s\n' /boot/vmlinuz-*-cloud-amd64 | sort -rV) \
    $(printf '%s\n' /boot/vmlinuz-* | grep -v -- -cloud-amd64 | sort -rV) \
    $(printf '%s\n' /lib/modules/*/vmlinuz | sort -rV); do
    [ -f "$k" ] || continue
    [ -r "$k" ] || continue
    if command -v dpkg-query >/dev/null; then
      dpkg-query -S "$k" >/dev/null 2>&1 || continue
    elif command -v rpm >/dev/null; then
      rpm -qf "$k" >/dev/null 2>&1 || continue
    fi
    echo "$k"
    return
  done
  return 1
}
kernel=$(find_kernel) ||
  die "no packaged kernel in /boot to boot: sudo apt-get install linux-image-cloud-amd64 (or linux-image-amd64; Fedora: kernel-core), or name one with KERNEL=/path/to/vmlinuz"
[ -r "$kernel" ] || die "cannot read $kernel"
# Its modules: /lib/modules/VERSION, from /boot/vmlinuz-VERSION (Debian)
# or /lib/modules/VERSION/vmlinuz (Fedora).
case $kernel in
  */vmlinuz) kver=$(basename "$(dirname "$kernel")") ;;
  *) kver=$(basename "$kernel") kver=${kver#vmlinuz-} ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
img=$tmp/root

# The VM's own userland is the busybox fixture; the containers get another
# copy at /rootfs, which the runtimes are built to use.
# Copy the contents (tree/.), so that a tree that is a symlink is copied,
# not linked to and then written through.
mkdir -p "$img/rootfs"
cp -a rootfs/tree/. "$img/"
cp -a rootfs/tree/. "$img/rootfs/"
mkdir -p "$img/lab/modules" "$img/lab/repo/.tools"
cp tests/vm/init.sh "$img/init"
chmod 755 "$img/init"

cflags=(-std=c11 -Wall -Wextra -Werror -O2 -static '-DSTEP_ROOTFS="/rootfs"')
# shellcheck disable=SC2046  # what stage 07 links besides libc, one word each
"$cc" "${cflags[@]}" -o "$img/lab/step07" "$rt07" $(stage_libs 07) 2>"$tmp/cc.err" ||
  die "cannot link $rt07 statically with libseccomp (libseccomp.a: Debian's libseccomp-dev, Fedora's libseccomp-static):
$(cat "$tmp/cc.err")"
"$cc" "${cflags[@]}" -o "$img/lab/step05" "$rt05" 2>"$tmp/cc.err" ||
  die "cannot link $rt05 statically (libc6-dev, Fedora's glibc-static):
$(cat "$tmp/cc.err")"
"$cc" -std=c11 -Wall -Wextra -Werror -O2 -static -o "$img/lab/asuser" tests/vm/asuser.c 2>"$tmp/cc.err" ||
  die "cannot build tests/vm/asuser.c statically: $(cat "$tmp/cc.err")"

# make doctor's user-namespace line is checked too: it is a bash script.
if [ -f .tools/doctor.sh ]; then
  cp .tools/doctor.sh "$img/lab/repo/.tools/"
  bash=$(command -v bash)
  cp -L "$bash" "$img/bin/bash"
  for lib in $(ldd "$bash" | grep -o '/[^ ]*'); do
    mkdir -p "$img$(dirname "$lib")"
    cp -L "$lib" "$img$lib"
  done
fi

# veth and bridge (stage 06's network, which every 07 run sets up) are
# modules in Debian's kernels: ship them with what they need, in the
# order modprobe would load them (modules.dep lists the dependencies of
# each, the one loaded last first).
mods=/lib/modules/$kver
[ -f "$mods/modules.dep" ] || die "no $mods/modules.dep: the kernel's modules are missing (reinstall its package)"
n=0
for want in veth bridge; do
  line=$(grep -E "(^|/)$want\.ko(\.[a-z]+)?:" "$mods/modules.dep" || true)
  if [ -z "$line" ]; then
    grep -qE "(^|/)$want\.ko" "$mods/modules.builtin" 2>/dev/null ||
      die "the kernel $kver has no $want, as a module or built in"
    continue
  fi
  # shellcheck disable=SC2086  # the words of the line
  set -- ${line/:/}
  files=("$1")
  shift
  for dep in "$@"; do files=("$dep" "${files[@]}"); done
  for f in "${files[@]}"; do
    name=$(basename "$f")
    name=${name%%.ko*}
    ls "$img/lab/modules/"*"-$name.ko" >/dev/null 2>&1 && continue
    n=$((n + 1))
    out=$img/lab/modules/$(printf %02d $n)-$name.ko
    case $f in
      *.ko) cp "$mods/$f" "$out" ;;
      *.ko.xz) xz -dc "$mods/$f" >"$out" || die "cannot unpack $f: xz (xz-utils) is needed" ;;
      *.ko.zst) zstd -qdc "$mods/$f" >"$out" || die "cannot unpack $f: zstd is needed" ;;
      *.ko.gz) gzip -dc "$mods/$f" >"$out" ;;
      *) die "$f: a module compression this script does not know" ;;
    esac
  done
done

# newc, uncompressed: nothing for the kernel to inflate.
(cd "$img" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initrd"

# KVM needs the CPU's virtualisation (vmx or svm) as well as /dev/kvm: a
# host that offers /dev/kvm without it (nested without VT-x, or PVM's
# kvm_pvm) cannot boot a stock kernel.  Otherwise TCG, slower.
accel=${VM_ACCEL:-}
if [ -z "$accel" ]; then
  accel=tcg
  if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
    accel=kvm
  elif [ -e /dev/kvm ]; then
    say "/dev/kvm is there, but the CPU shows no vmx or svm to boot a stock kernel with: using TCG"
  fi
fi
case $accel in
  kvm) qemu_accel=(-enable-kvm -cpu host) ;;
  tcg) qemu_accel=(-accel tcg) ;;
  *) die "VM_ACCEL=$accel: kvm or tcg" ;;
esac

say "booting $kernel ($accel, $(du -h "$tmp/initrd" | cut -f1) initramfs), $rt07 and $rt05"
start=$(date +%s)
# Serial lines end in \r\n, and SeaBIOS clears the screen: keep the text.
set +e
timeout "$limit" qemu-system-x86_64 "${qemu_accel[@]}" -m 1024 -smp 2 \
  -nographic -no-reboot -nic none \
  -kernel "$kernel" -initrd "$tmp/initrd" \
  -append "systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all console=ttyS0 panic=-1 quiet" \
  </dev/null 2>&1 |
  sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' |
  tee "$tmp/console"
qemu=${PIPESTATUS[0]}
set -e
took=$(($(date +%s) - start))

summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/console" | tail -1)
if [ -z "$summary" ]; then
  if [ "$qemu" -eq 124 ]; then
    say "the VM did not finish within ${limit} s (VM_TIMEOUT)"
  else
    say "the VM ended (qemu status $qemu) without its closing line"
  fi
  echo "test-vm: 0 passed, 1 failed"
  exit 1
fi
say "the VM ran for $took s ($accel)"
echo "test-vm: $summary"
[ "$(echo "$summary" | awk '{print $3}')" -eq 0 ]
