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

# The first failing check in a TAP file, told for a learner: its name,
# where the check is, what it expected and what it saw, and the hint.
#
# bats prints a failure as "not ok N NAME" followed by "# " lines: where
# the check is, the assertion, bats-assert's block ("-- output differs --",
# "expected : ...", "actual   : ...", "--"), whatever the test printed, and
# from our teardown the "hint: " line and the lesson it points to.  When
# both sides of a block are long (a snapshot of the host's mounts, say),
# only the lines that differ are shown.
tap_first_failure() { # TAP
  awk '
    function say(line) {
      if (++n == 40) print "    ... (more in the TAP file)"
      if (n < 40) print line
    }
    # A block of bats-assert: as it is, or for long values only the
    # lines found on one side and not on the other.
    function flush(   i, left) {
      if (ne + ns <= 16) {
        for (i = 1; i <= nb; i++) say("      " b[i])
      } else {
        split("", left)
        for (i = 1; i <= ne; i++) left[E[i]]++
        for (i = 1; i <= ns; i++) left[S[i]]--
        say("      expected, but not seen:")
        for (i = 1; i <= ne; i++) if (left[E[i]] > 0) { say("        " E[i]); left[E[i]]-- }
        say("      seen, but not expected:")
        for (i = 1; i <= ns; i++) if (left[S[i]] < 0) { say("        " S[i]); left[S[i]]++ }
      }
      nb = ne = ns = 0; side = ""
    }
    /^not ok / && !found { found = 1; sub(/^not ok [0-9]+ /, ""); print "  " $0; next }
    !found { next }
    /^(ok|not ok) / { exit }
    {
      sub(/^# ?/, "")
      if (block && $0 == "--") { flush(); block = 0; next }
      if (block) {
        # bats-assert says "actual"; a learner reads "seen".
        sub(/^actual  /, "seen    "); sub(/^actual /, "seen ")
        b[++nb] = $0
        if ($0 ~ /^expected \(/) side = "E"
        else if ($0 ~ /^seen \(/) side = "S"
        else if ($0 ~ /^  /) { if (side == "E") E[++ne] = substr($0, 3); else if (side == "S") S[++ns] = substr($0, 3) }
        else side = ""
        next
      }
      if ($0 ~ /^ *$/ || $0 ~ /^ *`.*'"'"' failed$/ || $0 ~ /^\(from function /) next
      if (match($0, /in test file [^,]*, line [0-9]+\)$/)) {
        $0 = substr($0, RSTART + 13, RLENGTH - 14)
        say("    the check: " $0); next
      }
      if (sub(/^-- /, "") && sub(/ --$/, ":")) { say("    " $0); block = 1; next }
      if ($0 ~ /^hint: /) hint = 1
      say((hint ? "  " : "    ") $0)
    }' "$1"
}

# The name of the first failing check; nothing, and status 1, when none
# failed.
tap_first_failing() { # TAP
  awk '/^not ok / { sub(/^not ok [0-9]+ /, ""); print; f = 1; exit }
       END { exit !f }' "$1"
}

# What our bats teardown says under the first failing check, the text of
# its "hint: " line; nothing when that check printed no hint.
tap_first_hint() { # TAP
  awk '/^not ok / { if (f) exit; f = 1; next }
       f && /^ok / { exit }
       f && /^# hint: / { sub(/^# hint: /, ""); print; exit }' "$1"
}

# The skipped checks of one or more TAP files, "NAME # skip REASON", one a
# line.
tap_skipped() { # TAP...
  sed -n 's/^ok [0-9]* \(.* # skip.*\)$/\1/p' "$@"
}
