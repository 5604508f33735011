#!/usr/bin/env bats
# Stage 01: the base runtime and the UTS namespace.

load helpers

@test "hostname inside is the one given with --hostname" {
  hint "TODO(01.1, 01.2): the child needs CLONE_NEWUTS and a sethostname() call before it execs"
  run "$STEP" --hostname box -- hostname
  assert_success
  assert_output "box"
}

@test "hostname inside is 'container' when none is given" {
  hint "TODO(01.1, 01.2): cfg->hostname defaults to \"container\"; setup_uts() must use it"
  run "$STEP" -- hostname
  assert_success
  assert_output "container"
}

@test "the container has a UTS namespace of its own" {
  hint "TODO(01.1): add CLONE_NEWUTS to the clone flags (the namespaces table)"
  run "$STEP" -- readlink /proc/self/ns/uts
  assert_success
  refute_output "$(readlink /proc/self/ns/uts)"
}

@test "setting the hostname inside leaves the host's unchanged" {
  hint "TODO(01.1): without CLONE_NEWUTS, sethostname() would rename the host itself"
  # The "host" here is a UTS namespace of the test's own (unshare --uts),
  # so a runtime without CLONE_NEWUTS renames nothing that others see.
  run unshare --uts sh -c 'hostname outer-name
    "$0" -n box -- sh -c "hostname changed-inside; hostname"; echo "status $?"; hostname' "$STEP"
  # From stage 07 the container's root may not rename it either.
  assert_output --regexp '^(changed-inside|hostname: sethostname: Operation not permitted.box).status 0.outer-name$'
}

@test "the host's NIS domain name does not show inside" {
  hint "TODO(01.1, 01.2): a new UTS namespace copies the host's names: xsetdomainname(cfg, \"\")"
  # The domain name is set in a UTS namespace of the test's own, which
  # plays the host: the real host's is never touched.
  run unshare --uts sh -c 'echo container-lab-test > /proc/sys/kernel/domainname
    "$0" -- cat /proc/sys/kernel/domainname; echo "status $?"; cat /proc/sys/kernel/domainname' "$STEP"
  assert_success
  assert_output "$(printf '\nstatus 0\ncontainer-lab-test')"
}

@test "-v narrates sethostname on stderr" {
  hint "TODO(01.1, 01.2): the given xsethostname() says the call for -v: step: sethostname(\"box\")"
  run --separate-stderr "$STEP" -v -n box -- true
  assert_success
  output=$stderr assert_step_line sethostname box
}

@test "-h prints the usage on stdout and exits 0" {
  hint "given: the base runtime's usage(): it is already there"
  run --separate-stderr "$STEP" -h
  assert_success
  assert_line --index 0 --partial "Usage: step"
  assert_equal "$stderr" ""
}

@test "an unknown option exits 125 with one line naming it" {
  hint "given: parse_args() rejects what it does not know, main() exits 125"
  run --separate-stderr "$STEP" --no-such-option
  assert_failure 125
  assert_equal "$stderr" "step: --no-such-option: unknown option (see: step --help)"
}

@test "a hostname longer than 64 characters exits 125" {
  hint "given: sethostname(2) takes at most HOST_NAME_MAX (64) bytes: parse_args() checks it"
  run --separate-stderr "$STEP" -n "$(printf 'a%.0s' $(seq 65))" -- true
  assert_failure 125
  [[ "$stderr" == step:*--hostname* ]] || fail "expected one line naming --hostname, got: $stderr"
}

@test "the command's exit status is passed on" {
  hint "TODO(01.1): wait_child() returns WEXITSTATUS; without CLONE_NEWUTS the guard stops every run with 125 first"
  run "$STEP" -- sh -c 'exit 3'
  assert_failure 3
}

@test "a command killed by SIGKILL gives 137 (128+9)" {
  hint "TODO(01.1): wait_child() returns 128+WTERMSIG for a command a signal killed; without CLONE_NEWUTS no command runs"
  "$STEP" -- $PROBE &
  runtime=$!
  kill -KILL "$(command_of "$runtime")"
  status=0
  wait "$runtime" || status=$?
  assert_equal "$status" 137
}

@test "a command that does not exist exits 127 with one line" {
  hint "TODO(01.1): execvp() failing with ENOENT means 127, as in a shell; without CLONE_NEWUTS the guard says 125 first"
  run -127 --separate-stderr "$STEP" -- no-such-command
  assert_equal "$(echo "$stderr" | wc -l)" 1
  [[ "$stderr" == 'step: execvp("no-such-command"): No such file or directory'* ]] ||
    fail "got: $stderr"
}

@test "a command that cannot be executed exits 126" {
  hint "TODO(01.1): execvp() failing with EACCES means 126; without CLONE_NEWUTS the guard says 125 first"
  run -126 --separate-stderr "$STEP" -- /etc/passwd

  [[ "$stderr" == *'Permission denied'* ]] || fail "got: $stderr"
}

@test "no file descriptor of the runtime reaches the command" {
  hint "TODO(01.1): close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) before execvp(); without CLONE_NEWUTS no command runs"
  # The shell's own test builtin looks, so no new process opens anything.
  run "$STEP" -- sh -c 'for fd in 3 4 5 6 7 8 9; do [ -e /proc/self/fd/$fd ] && echo "fd $fd is open"; done; echo checked' \
    5</dev/null 7</dev/null
  assert_success
  assert_output "checked"
}

@test "a failing sethostname gives one clear error and exit 125" {
  hint "TODO(01.1, 01.2): set the hostname with xsethostname(), which dies in one line: step: sethostname(\"box\"): <why>"
  command -v strace >/dev/null || need "strace is not installed (sudo make deps)"
  run --separate-stderr strace -f -o /dev/null -e trace=sethostname -e inject=sethostname:error=EPERM \
    "$STEP" -n box -- true
  assert_failure 125
  assert_equal "$stderr" 'step: sethostname("box"): Operation not permitted'
}

@test "a run leaves the host's mounts and processes as they were" {
  hint "TODO(01.1): nothing may outlive the container on the host; without CLONE_NEWUTS no run even starts"
  before=$(host_state)
  "$STEP" -n box -- true
  "$STEP" -- sh -c 'exit 7' || true
  "$STEP" -- no-such-command 2>/dev/null || true
  "$STEP" -- $PROBE &
  runtime=$!
  kill -KILL "$(command_of "$runtime")"
  wait "$runtime" || true
  assert_host_unchanged "$before"
}
