# Sourced by the scripts in .tools/ and tests/: the stage table
# (.tools/stages) and the few facts every script needs about a stage.
# Callers cd to the repository's top first.

# The stages in order: 01-uts 02-ipc ...
stages() { awk '!/^#/ && NF { print $1 }' .tools/stages; }

# 03 -> 03-pid; empty (and status 1) for a number that is no stage.
stage_of() { awk -v n="$1" '!/^#/ && NF && index($1, n "-") == 1 { print $1; f = 1 } END { exit !f }' .tools/stages; }

# Does stage NN need the rootfs fixture?
stage_needs_rootfs() { awk -v n="$1" '!/^#/ && NF && index($1, n "-") == 1 { exit $2 != "yes" }' .tools/stages; }

# The libraries stage NN links besides libc, e.g. -lseccomp; empty if none.
stage_libs() { awk -v n="$1" '!/^#/ && NF && index($1, n "-") == 1 && $3 != "-" { print $3 }' .tools/stages; }
