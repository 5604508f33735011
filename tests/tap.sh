# Sourced: the one reader of test results.  bats writes TAP (bats
# --formatter tap); every script that counts or shows results reads it
# through these functions, never bats' or bats-assert's human text.

# "OK BAD SKIP" for a TAP file: passed (skips included), failed, skipped.
tap_count() { # TAP
  awk '/^ok /{ok++} /^not ok /{bad++} /^ok .* # skip/{skip++}
       END { printf "%d %d %d\n", ok, bad, skip }' "$1"
}

# Every failure, its "not ok" line and the diagnostic lines under it.
tap_failures() { # TAP
  sed -n '/^not ok /,/^ok /{/^ok /!p}' "$1"
}

# The closing line of the runners that print their own summary in the
# project's form, "N passed, N failed" (the unit tests, the VM lane):
# "PASSED FAILED", or nothing and status 1 when there is no such line.
summary_count() { # FILE [PREFIX]
  local line
  line=$(grep -E "^${2:-}[0-9]+ passed, [0-9]+ failed" "$1" | tail -1) || return 1
  [ -n "$line" ] || return 1
  echo "$line" | sed -E "s/^${2:-}([0-9]+) passed, ([0-9]+) failed.*/\1 \2/"
}
