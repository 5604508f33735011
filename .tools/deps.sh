#!/usr/bin/env bash
# make deps: install what the workshop needs and is missing, say what, and
# install nothing that is already there.  Debian/Ubuntu (apt) and Fedora (dnf).
#
#   .tools/deps.sh         what every stage and its checks need
#   .tools/deps.sh bench   and the peers make bench compares with
#   .tools/deps.sh ci      and what CI runs besides: the slides' headless
#                         browser, qemu and a kernel for the cgroup v2 lane
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
case ${1:-} in
  bench) needs+=("crun crun" "runc runc" "bubblewrap bubblewrap") ;;
  ci) needs+=("chromium chromium" "qemu-system-x86 qemu-system-x86-core"
              "cpio cpio")
      # The VM lane boots a packaged kernel: any already in /boot will do.
      if ! compgen -G '/boot/vmlinuz-*' >/dev/null; then
        if grep -qx 'ID=ubuntu' /etc/os-release 2>/dev/null; then
          needs+=("linux-image-virtual kernel-core")
        else
          needs+=("linux-image-cloud-amd64 kernel-core")
        fi
      fi
      # Node may come from elsewhere (nodesource's nodejs ships npm and
      # conflicts with the distribution's): ask for the commands.
      command -v node >/dev/null || needs+=("nodejs nodejs")
      command -v npm >/dev/null || needs+=("npm npm") ;;
  "") ;;
  *) echo "usage: .tools/deps.sh [bench|ci]" >&2; exit 2 ;;
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
  echo "deps: missing ${missing[*]}; run as root: sudo make deps" >&2
  exit 1
fi
echo "deps: installing ${missing[*]}"
install "${missing[@]}"
