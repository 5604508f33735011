# One poll loop for every check and script that waits on the kernel:
# sourced by helpers.bash and tests/run-all.sh.

# wait_for SECONDS COMMAND [ARG]...: run COMMAND every 0.1 s until it
# succeeds (status 0) or SECONDS have passed (status 1).  The kernel
# finishes some work in the background (a network namespace, a cgroup,
# a process being reaped), so a check polls rather than sleeps blindly.
wait_for() {
  local tries=$(($1 * 10))
  shift
  while ! "$@"; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || return 1
    sleep 0.1
  done
}
