#!/usr/bin/env bash
# make rootfs: build the busybox root filesystem that every container from
# stage 04 on uses as its /.  Usage: rootfs/build.sh OUTDIR
#
# The tree is built beside OUTDIR and renamed into place at the end, so a
# half-built tree is never used, and a second run with nothing changed is
# a no-op (the Makefile only calls us when this script is newer than the tree).
set -euo pipefail

out=${1:?usage: rootfs/build.sh OUTDIR}
# static_busybox, shared with make doctor.
. "$(dirname "$0")/../.tools/lib.sh"
if ! busybox=$(static_busybox); then
  echo "rootfs: no statically linked busybox found (install it with: sudo make deps)" >&2
  exit 1
fi

tmp=$(mktemp -d "$(dirname "$out")/.rootfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,root,proc,sys,dev,tmp,var}
chmod 1777 "$tmp/tmp"
# Not 0700: from stage 05 the container's root is a mapped uid, not the
# host's root who owns this tree, and must still be able to enter its home.
chmod 755 "$tmp/root"
cp "$busybox" "$tmp/bin/busybox"
# One symlink per applet, pointing at /bin/busybox as the container sees
# it (not at a path of the host), made without chroot so no root is needed.
"$busybox" --list-full | while read -r applet; do
  case $applet in linuxrc|bin/busybox) continue ;; esac
  ln -sf /bin/busybox "$tmp/$applet"
done

# Debian's busybox has no ipcs/ipcmk/ipcrm (stage 02 looks at SysV message
# queues with them): bring util-linux's with the libraries they load.
for tool in ipcs ipcmk ipcrm; do
  src=$(command -v "$tool") || { echo "rootfs: $tool not found (install util-linux: sudo make deps)" >&2; exit 1; }
  rm -f "$tmp/usr/bin/$tool" "$tmp/bin/$tool"
  cp "$src" "$tmp/usr/bin/$tool"
  for lib in $(ldd "$src" | grep -o '/[^ ]*'); do
    mkdir -p "$tmp$(dirname "$lib")"
    cp -L "$lib" "$tmp$lib"
  done
done

# Stage 07's tests ask the kernel for one forbidden call at a time with a
# tiny static helper (busybox has no keyctl, bpf or clone3 to try).
${CC:-cc} -std=c11 -Wall -Wextra -Werror -O2 -static \
  -o "$tmp/usr/bin/sysprobe" "$(dirname "$0")/sysprobe.c" || {
  echo "rootfs: cannot build rootfs/sysprobe.c statically (libc6-dev or glibc-static: sudo make deps)" >&2
  exit 1
}

cat > "$tmp/etc/passwd" <<'TXT'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
TXT
cat > "$tmp/etc/group" <<'TXT'
root:x:0:
nogroup:x:65534:
TXT
echo container > "$tmp/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' > "$tmp/etc/hosts"
echo 'container-lab busybox rootfs' > "$tmp/etc/issue"

chmod 755 "$tmp"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "rootfs: built $out ($(find "$out" -type l | wc -l) busybox links, ipcs/ipcmk/ipcrm from util-linux, sysprobe)"
