# Sourced by the scripts in .tools/, tests/ and rootfs/: the stage table
# (.tools/stages) and the few facts every script needs about a stage or
# the machine.  Callers cd to the repository's top first.

# The stages in order: 01-uts 02-ipc ...
stages() { awk '!/^#/ && NF { print $1 }' .tools/stages; }

# 03 -> 03-pid; empty (and status 1) for a number that is no stage.
stage_of() { awk -v n="$1" '!/^#/ && NF && index($1, n "-") == 1 { print $1; f = 1 } END { exit !f }' .tools/stages; }

# Does stage NN need the rootfs fixture?
stage_needs_rootfs() { awk -v n="$1" '!/^#/ && NF && index($1, n "-") == 1 { exit $2 != "yes" }' .tools/stages; }

# The libraries stage NN links besides libc, e.g. -lseccomp; empty if none.
stage_libs() { awk -v n="$1" '!/^#/ && NF && index($1, n "-") == 1 && $3 != "-" { print $3 }' .tools/stages; }

# The stages' numbers in order: 01 02 ...
stage_numbers() { stages | cut -c1-2; }

# The last stage's number: the full runtime, whose profile the bench copies.
last_stage() { stage_numbers | tail -n 1; }

# The namespace stage NN adds, as /proc/self/ns/ names it: 04 -> mnt.
stage_ns() { awk -v n="$1" '!/^#/ && NF && index($1, n "-") == 1 { print $4 }' .tools/stages; }

# The stage that adds namespace NS: mnt -> 04; empty if none does.
ns_stage() { awk -v ns="$1" '!/^#/ && NF && $4 == ns { print substr($1, 1, 2) }' .tools/stages; }

# The stages that link LIB (e.g. -lseccomp), by number.
stages_linking() { awk -v l="$1" '!/^#/ && NF && $3 == l { print substr($1, 1, 2) }' .tools/stages; }

# The first statically linked busybox on this machine, or status 1.  A
# dynamic one would need the host's libraries inside the rootfs.
static_busybox() {
  local b
  for b in /bin/busybox /usr/bin/busybox "$(command -v busybox)"; do
    [ -n "$b" ] && [ -x "$b" ] || continue
    case $(ldd "$b" 2>&1) in *"not a dynamic"*) echo "$b"; return 0 ;; esac
  done
  return 1
}
