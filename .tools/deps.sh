#!/usr/bin/env bash
# make deps: install what the workshop needs and is missing, say what, and
# install nothing that is already there.  Debian/Ubuntu (apt) and Fedora (dnf).
#
#   .tools/deps.sh         what every stage and its checks need (make deps)
#   .tools/deps.sh bench   and the peers make bench compares with
#   .tools/deps.sh vm      and qemu, cpio and a kernel for the cgroup v2
#                          lane (make test-vm)
#   .tools/deps.sh slides  only what renders the deck: chromium, node and
#                          npm (make slides); the lab's own tools are not
#                          needed for that
#   .tools/deps.sh ci      what CI runs: the stages', the deck's and the VM
#                          lane's
#
# Not root and something missing: it says the one command that installs
# it, and fails.
set -euo pipefail

# One line per need: Debian package, Fedora package.
needs=(
  "gcc gcc"
  "make make"
  "libc6-dev glibc-static"
  "busybox-static busybox"
  "libcmocka-dev libcmocka-devel"
  "bats bats"
  "bats-support bats-support"
  "bats-assert bats-assert"
  "iproute2 iproute"
  "util-linux util-linux"
  "procps procps-ng"
  "strace strace"
  "libseccomp-dev libseccomp-devel"
  "libseccomp-dev libseccomp-static"
  "clang-format clang-tools-extra"
)
# The deck: a headless browser for Marp's PDF and the slide check, and
# node with npm for Marp itself (slides/package-lock.json pins it).
slides_needs() {
  needs+=("chromium chromium")
  # Node may come from elsewhere (nodesource's nodejs ships npm and
  # conflicts with the distribution's): ask for the commands.
  command -v node >/dev/null || needs+=("nodejs nodejs")
  command -v npm >/dev/null || needs+=("npm npm")
}

# The cgroup v2 lane: qemu, cpio for its initramfs, and a packaged kernel
# to boot (any already in /boot will do).
vm_needs() {
  needs+=("qemu-system-x86 qemu-system-x86-core" "cpio cpio")
  if ! compgen -G '/boot/vmlinuz-*' >/dev/null; then
    if grep -qx 'ID=ubuntu' /etc/os-release 2>/dev/null; then
      needs+=("linux-image-virtual kernel-core")
    else
      needs+=("linux-image-cloud-amd64 kernel-core")
    fi
  fi
}

mode=${1:-}
case $mode in
  bench) needs+=("crun crun" "runc runc" "bubblewrap bubblewrap") ;;
  vm) vm_needs ;;
  slides) needs=(); slides_needs ;;
  ci) slides_needs; vm_needs ;;
  "") ;;
  *) echo "usage: .tools/deps.sh [bench|vm|slides|ci]" >&2; exit 2 ;;
esac

if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
  col=1
  have() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
  install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
elif command -v rpm >/dev/null && command -v dnf >/dev/null; then
  col=2
  have() { rpm -q "$1" >/dev/null 2>&1; }
  install() { dnf install -y -q "$@"; }
else
  echo "deps: neither apt (Debian/Ubuntu) nor dnf (Fedora) found; install by hand:" >&2
  printf '  %s\n' "${needs[@]%% *}" >&2
  exit 1
fi

missing=()
for line in "${needs[@]}"; do
  pkg=$(echo "$line" | cut -d' ' -f"$col")
  have "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "deps: everything is installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing ${missing[*]}; to install: sudo .tools/deps.sh${mode:+ $mode}" >&2
  exit 1
fi
echo "deps: installing ${missing[*]}"
install "${missing[@]}"
