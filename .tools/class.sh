#!/usr/bin/env bash
# The room at a glance: where every learner on a shared lab server is.
#
#   sudo .tools/class.sh setup    make the spool (make class-setup)
#   .tools/class.sh on            status 0 when the spool is there
#   .tools/class.sh record VIA STAGE:TAP|STAGE:!WHAT!HINT ...
#                                 append this learner's state (check.sh and
#                                 progress.sh, after their own output)
#   sudo .tools/class.sh show     the room in the terminal (make class)
#   sudo .tools/class.sh page     the room as one HTML page (make class-page)
#
# A record is one line of tab-separated key=value fields, format version 1:
#   v=1 t=EPOCH uid=UID user=NAME clone=DIR via=check-02|progress
#   stage=STAGE ok=1|0 done=STAGE|- checks=01-uts:16/16,02-ipc:3/4
#   first=CHECK hint=TEXT runs=N since=EPOCH
# stage is the last stage that ran, ok whether every check of it passed,
# done the last stage passed in order; first and hint name the first
# failing check, runs how many runs in a row it has failed, since when.
# Names, counts and our own hint lines: never code or file contents.
#
# How records are kept honest: the spool is root's, mode 1733 (anyone may
# create a file, nobody but root may list it, and the sticky bit lets no
# one remove or rename a file of someone else's).  Under sudo the record is
# written as the learner (SUDO_UID), so each learner's file is their own;
# the reader believes a record only when the uid it claims owns its file.
# Root can write anything anywhere, of course.
#
# Environment: CLASS_SPOOL (default /var/spool/container-lab), and for the
# views STUCK_RUNS (3), STUCK_MIN (10), ANON=1, CLASS_PAGE
# (build/class/room.html), EVERY=SECONDS (page: regenerate in a loop),
# CLASS_NOW (an epoch, for the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
. .tools/lib.sh
. tests/tap.sh

spool=${CLASS_SPOOL:-/var/spool/container-lab}
version=1

die() { echo "class: $*" >&2; exit 1; }

# The spool is fit to hold records: a real directory, root's, sticky.
spool_safe() {
  [ -d "$spool" ] && [ ! -L "$spool" ] && [ -k "$spool" ] &&
    [ "$(stat -c %u -- "$spool")" = 0 ]
}

# --- setup -------------------------------------------------------------

setup() {
  [ "$(id -u)" -eq 0 ] || die "the spool must be root's: sudo make class-setup"
  [ -L "$spool" ] && die "$spool is a symlink; remove it first"
  umask 022
  mkdir -p -- "$spool"
  chown root:root -- "$spool"
  # 1733: write and search for all, list for root only, sticky.
  chmod 1733 -- "$spool"
  echo "class: the spool is $spool (root's, mode 1733)."
  echo "From now on every \`sudo make check-NN\` and \`sudo make progress\` on this"
  echo "machine appends the learner's state there: who, the stage, the checks"
  echo "that pass, the first that fails and its hint.  Never code."
  echo "The room: sudo make class; the page: sudo make class-page."
  echo "To stop recording: sudo rm -r $spool"
}

# --- record ------------------------------------------------------------

# One value of a record: no tabs, newlines or other control characters,
# and not too long, so that a record stays one short line.
clean() { printf '%s' "$1" | tr -d '\000-\010\013-\037\177' | tr '\t\n' '  ' | cut -c1-300; }

# Runs as the learner (under sudo: dropped to SUDO_UID first), so that the
# file is theirs and nothing of root's is ever touched.  Appends LINE plus
# runs= and since=, counted from the file's last record.  Prints the number
# of runs in a row the check has failed.  Self-contained: it is handed to
# a fresh bash as text, since the learner may not be able to read the clone.
append_record() { # SPOOL BASE STAGE FIRST NOW LINE
  local spool=$1 f="$1/$2.rec" stage=$3 first=$4 now=$5 line=$6
  local me prev field fields pstage= pfirst= pruns=0 psince= runs=0 since=$5 nl=
  me=$(id -u)
  umask 077
  # Create the file exclusively: noclobber opens with O_EXCL, which also
  # refuses a symlink someone put there first.  Then it must be our own
  # plain file with a single link (not a hard link to a file elsewhere).
  [ -e "$f" ] || [ -L "$f" ] || (set -C; : >"$f") 2>/dev/null || true
  case $(stat -c '%u %h %F' -- "$f" 2>/dev/null) in
    "$me 1 regular file" | "$me 1 regular empty file") [ ! -L "$f" ] || f= ;;
    *) f= ;;
  esac
  # Someone else took the name: a fresh file of our own instead.
  [ -n "$f" ] || f=$(mktemp "$spool/$2.XXXXXX.rec" 2>/dev/null) || return 1
  # The last whole record: a line cut short (full disk) ends without them.
  prev=$(tail -n 20 -- "$f" 2>/dev/null | grep -a $'\truns=[0-9]*\tsince=[0-9]*$' | tail -n 1) || prev=
  IFS=$'\t' read -r -a fields <<<"$prev"
  for field in "${fields[@]}"; do
    case $field in
      stage=*) pstage=${field#stage=} ;;
      first=*) pfirst=${field#first=} ;;
      runs=*) pruns=${field#runs=} ;;
      since=*) psince=${field#since=} ;;
    esac
  done
  if [ -n "$first" ]; then
    runs=1
    if [ "$pstage" = "$stage" ] && [ "$pfirst" = "$first" ] &&
       [[ $pruns =~ ^[0-9]+$ ]] && [[ $psince =~ ^[0-9]+$ ]]; then
      runs=$((pruns + 1)) since=$psince
    fi
  fi
  # A record cut short (a full disk) has no newline: start on a new line.
  [ -z "$(tail -c 1 -- "$f" 2>/dev/null)" ] || nl=$'\n'
  # One printf, one write(2) with O_APPEND: records of concurrent runs
  # never interleave.
  printf '%s\n' "$nl$line"$'\t'"runs=$runs"$'\t'"since=$since" >>"$f" 2>/dev/null || return 1
  echo "$runs"
}

# record VIA STAGE:SPEC...: SPEC is the stage's TAP file, or !WHAT!HINT
# when the stage could not run its checks (it does not compile, say).
# The stages are given in order, the last one is the one reached.
record() {
  local via=${1:?} arg s spec stage= ok=1 last_ok=- checks= first= hint= o b k
  shift
  spool_safe || { [ ! -e "$spool" ] || echo "class: not recording: $spool is not root's sticky spool (sudo make class-setup)" >&2; return 0; }
  for arg in "$@"; do
    s=${arg%%:*} spec=${arg#*:} stage=$s
    if [ "${spec:0:1}" = '!' ]; then
      spec=${spec#!}
      first=${spec%%!*} hint=${spec#*!}
      [ "$hint" != "$spec" ] || hint=
      checks+="${checks:+,}$s:-"
      ok=0
      break
    fi
    read -r o b k < <(tap_count "$spec" 2>/dev/null || echo 0 0 0)
    checks+="${checks:+,}$s:$o/$((o + b))"
    if [ "$b" -gt 0 ] || [ "$o" -eq 0 ]; then
      ok=0
      first=$(tap_first_failing "$spec" 2>/dev/null) || first="the checks did not run"
      hint=$(tap_first_hint "$spec" 2>/dev/null) || hint=
      break
    fi
    last_ok=$s
  done
  [ -n "$stage" ] || return 0

  # Who: the learner behind sudo, else whoever runs this.
  local uid gid user clone now line base runs
  if [ "$(id -u)" -eq 0 ] && [ -n "${SUDO_UID:-}" ]; then
    uid=$SUDO_UID gid=${SUDO_GID:-$SUDO_UID} user=${SUDO_USER:-uid$SUDO_UID}
  else
    uid=$(id -u) gid=$(id -g) user=$(id -un 2>/dev/null || echo "uid$(id -u)")
  fi
  [[ $uid =~ ^[0-9]+$ && $gid =~ ^[0-9]+$ ]] || return 0
  clone=$PWD now=${CLASS_NOW:-$(date +%s)}
  first=$(clean "$first") hint=$(clean "$hint")
  line="v=$version"$'\t'"t=$now"$'\t'"uid=$uid"$'\t'"user=$(clean "$user")"$'\t'"clone=$(clean "$clone")"
  line+=$'\t'"via=$(clean "$via")"$'\t'"stage=$stage"$'\t'"ok=$ok"$'\t'"done=$last_ok"$'\t'"checks=$checks"
  line+=$'\t'"first=$first"$'\t'"hint=$hint"
  # One file per learner and clone: uid, and a checksum of the clone's path.
  base=$uid-$(printf '%s' "$clone" | cksum | cut -d' ' -f1)

  local code
  code="$(declare -f append_record); append_record \"\$@\""
  if [ "$(id -u)" -eq 0 ] && [ "$uid" != 0 ]; then
    runs=$(cd / && setpriv --reuid="$uid" --regid="$gid" --clear-groups -- \
      env -i PATH=/usr/bin:/bin bash -c "$code" append_record \
      "$spool" "$base" "$stage" "$first" "$now" "$line" 2>/dev/null) || runs=
  else
    runs=$(append_record "$spool" "$base" "$stage" "$first" "$now" "$line" 2>/dev/null) || runs=
  fi
  # Best effort: a record that could not be written changes nothing else.
  [ -n "$runs" ] || return 0
  if [ "$ok" = 1 ]; then
    echo "class: recorded for the instructor's view of the room: $stage passes."
  else
    echo "class: recorded for the instructor's view of the room: $stage, \"$first\" fails (run $runs in a row)."
  fi
}

# --- reading the room --------------------------------------------------

# The room, one tab-separated row per learner, the stuck first:
#   SORT STUCK LABEL STAGE OK FIRST HINT RUNS AGO_MIN STUCK_MIN CHECKS
# then "#" rows: notes on records that were skipped, and why.
room() {
  local stuck_runs=${STUCK_RUNS:-3} stuck_min=${STUCK_MIN:-10} anon=${ANON:-}
  local now=${CLASS_NOW:-$(date +%s)} entry type owner path name names=
  [[ $stuck_runs =~ ^[0-9]+$ ]] || die "STUCK_RUNS must be a number"
  [[ $stuck_min =~ ^[0-9]+$ ]] || die "STUCK_MIN must be a number"
  [ -d "$spool" ] || die "no spool at $spool: sudo make class-setup first"
  [ -r "$spool" ] && [ -x "$spool" ] || die "only root may list $spool: sudo make class"
  spool_safe || echo "#the spool $spool is not root's sticky directory: anyone may have changed it (sudo make class-setup)"
  # Each record file, as "OWNER<tab>FILE<tab>LINE"; the last 200 lines of
  # each are plenty (they hold the learner's latest state).
  while IFS= read -r -d '' entry; do
    type=${entry%% *} entry=${entry#* } owner=${entry%% *} path=${entry#* }
    name=$(basename -- "$path" | tr -c '[:alnum:]._\n-' '?')
    if [ "$type" != f ]; then
      echo "#skipped $name: not a plain file"
      continue
    fi
    # The account's own name wins over the name a record claims.
    if [[ " $names " != *" $owner="* ]]; then
      names+=" $owner=$(getent passwd "$owner" | cut -d: -f1)"
    fi
    tail -n 200 -- "$path" 2>/dev/null | awk -v o="$owner" -v f="$name" '{ print o "\t" f "\t" $0 }'
  done < <(find "$spool" -mindepth 1 -maxdepth 1 -name '*.rec' -printf '%y %U %p\0' 2>/dev/null) |
  awk -F '\t' -v stages="$(stages | tr '\n' ' ')" -v names="$names" -v now="$now" \
      -v stuck_runs="$stuck_runs" -v stuck_min="$stuck_min" -v anon="$anon" -v version="$version" '
    BEGIN {
      ns = split(stages, st, " ")
      for (i = 1; i <= ns; i++) idx[st[i]] = i
      split("v t uid user clone via stage ok done checks first hint runs since", req, " ")
      n = split(names, nm, " ")
      for (i = 1; i <= n; i++) { split(nm[i], p, "="); account[p[1]] = p[2] }
    }
    /^#/ { print; next }
    {
      owner = $1; file = $2
      split("", r); bad = 0
      for (i = 3; i <= NF; i++) {
        eq = index($i, "=")
        if (eq < 2) { bad = 1; break }
        k = substr($i, 1, eq - 1)
        if (k in r) { bad = 1; break }    # two records run together
        r[k] = substr($i, eq + 1)
      }
      if (bad || !("v" in r)) { malformed[file]++; next }
      if (r["v"] != version) { other[file " (format version " r["v"] ")"]++; next }
      for (i in req) if (!(req[i] in r)) bad = 1
      if (bad || r["t"] !~ /^[0-9]+$/ || r["uid"] !~ /^[0-9]+$/ || r["runs"] !~ /^[0-9]+$/ ||
          r["since"] !~ /^[0-9]+$/ || !(r["stage"] in idx) || r["ok"] !~ /^[01]$/) { malformed[file]++; next }
      if (r["uid"] != owner) { forged[file " claim uid " r["uid"] ", the file is uid " owner "'"'"'s"]++; next }
      key = r["uid"] SUBSEP r["clone"]
      if (key in t && t[key] > r["t"] + 0) next
      t[key] = r["t"] + 0
      for (k in r) rec[key, k] = r[k]
      if (!((r["uid"], r["clone"]) in seen)) { seen[r["uid"], r["clone"]] = 1; clones[r["uid"]]++ }
    }
    function clip(s, w) { gsub(/[\001-\037\177]/, "?", s); return length(s) > w ? substr(s, 1, w - 3) "..." : s }
    END {
      # Anonymous labels follow the order of uid and clone: stable as
      # long as nobody new joins with a smaller uid.
      nk = 0
      for (key in t) keys[++nk] = key
      for (i = 2; i <= nk; i++) for (j = i; j > 1 && keys[j - 1] > keys[j]; j--) { x = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = x }
      for (i = 1; i <= nk; i++) {
        key = keys[i]; uid = rec[key, "uid"]
        if (anon) label = "learner " i
        else {
          label = (uid in account && account[uid] != "") ? account[uid] : rec[key, "user"]
          if (clones[uid] > 1) { c = rec[key, "clone"]; sub(/.*\//, "", c); label = label " (" c ")" }
        }
        ago = int((now - t[key]) / 60); if (ago < 0) ago = 0
        first = rec[key, "first"]
        smin = first == "" ? 0 : int((now - rec[key, "since"]) / 60); if (smin < 0) smin = 0
        stuck = first != "" && (rec[key, "runs"] + 0 > stuck_runs || smin > stuck_min)
        # Stuck first, the longest stuck on top; then the furthest behind.
        sort = stuck ? sprintf("0 %08d", 99999999 - smin) : sprintf("1 %02d", idx[rec[key, "stage"]])
        printf "%s %s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", sort, clip(label, 40), stuck, clip(label, 40),
          rec[key, "stage"], rec[key, "ok"], clip(first, 200), clip(rec[key, "hint"], 300), rec[key, "runs"], ago, smin,
          clip(rec[key, "checks"], 200)
      }
      for (f in malformed) printf "#skipped %d malformed line(s) in %s\n", malformed[f], f
      for (f in other) printf "#skipped %d record(s) in %s: this tool reads format version %s\n", other[f], f, version
      for (f in forged) printf "#skipped %d record(s): those in %s\n", forged[f], f
    }' | sort -t $'\t' -k1,1 | cut -f2-
}

# --- the terminal view -------------------------------------------------

show() {
  local rows
  rows=$(room) || exit 1
  awk -F '\t' -v stages="$(stages | tr '\n' ' ')" -v runs="${STUCK_RUNS:-3}" -v mins="${STUCK_MIN:-10}" \
      -v when="$(date -d "@${CLASS_NOW:-$(date +%s)}" +%H:%M)" '
    function clip(s, w) { return length(s) > w ? substr(s, 1, w - 3) "..." : s }
    /^#/ { notes[++nn] = substr($0, 2); next }
    NF == 0 { next }
    {
      n++; stuck += $1; at[$3]++
      if ($5 != "") { fail[$3 "\t" $5]++; hint[$3 "\t" $5] = $6 }
      line[n] = sprintf("  %s %-18s %-9s %s  %-44s %4s  %s", $1 ? "!" : " ", clip($2, 18), $3,
        $4 ? "ok   " : "fails", $5 == "" ? "-" : clip($5, 44), $5 == "" ? "" : $7, $8 == 0 ? "just now" : $8 " min ago")
    }
    END {
      printf "The room at %s: %d learner%s, %d stuck (the same check failing more than %d runs or %d min)\n\n",
        when, n, n == 1 ? "" : "s", stuck, runs, mins
      if (n == 0) print "  nobody has run a check yet"
      else printf "  %s %-18s %-9s %s  %-44s %4s  %s\n", " ", "who", "stage", "     ", "first failing check", "runs", "last run"
      for (i = 1; i <= n; i++) print line[i]
      ns = split(stages, st, " "); s = ""
      for (i = 1; i <= ns; i++) s = s sprintf("%s%s %d", i > 1 ? "  " : "", st[i], at[st[i]])
      print ""; print "per stage: " s
      # The most common failures: worth explaining to everyone.
      nf = 0
      for (k in fail) if (fail[k] > 1) keys[++nf] = k
      for (i = 2; i <= nf; i++) for (j = i; j > 1 && fail[keys[j - 1]] < fail[keys[j]]; j--) { x = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = x }
      if (nf) { print ""; print "failing for more than one learner:" }
      for (i = 1; i <= nf && i <= 5; i++) {
        split(keys[i], p, "\t")
        printf "  %d x %s \"%s\"\n", fail[keys[i]], p[1], p[2]
        if (hint[keys[i]] != "") printf "        hint: %s\n", hint[keys[i]]
      }
      if (nn) print ""
      for (i = 1; i <= nn; i++) print "note: " notes[i]
    }' <<<"$rows"
}

# --- the page ----------------------------------------------------------

# One self-contained HTML page: inline style, no script, no request to
# anywhere; it reloads itself every EVERY (default 30) seconds.
html() {
  local rows
  rows=$(room) || exit 1
  awk -F '\t' -v stages="$(stages | tr '\n' ' ')" -v runs="${STUCK_RUNS:-3}" -v mins="${STUCK_MIN:-10}" \
      -v refresh="${EVERY:-30}" -v when="$(date -d "@${CLASS_NOW:-$(date +%s)}" +%H:%M)" '
    function esc(s) {
      gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
      gsub(/"/, "\\&quot;", s); gsub(/'"'"'/, "\\&#39;", s)
      return s
    }
    /^#/ { notes[++nn] = substr($0, 2); next }
    NF == 0 { next }
    {
      n++; stuck += $1; at[$3]++
      chip = sprintf("<span class=\"chip %s\">%s</span>", $1 ? "stuck" : ($4 ? "ok" : "busy"), esc($2))
      chips[$3] = chips[$3] " " chip
      if ($1) srow[++sn] = sprintf("<tr><td>%s</td><td>%s</td><td>%s<div class=\"hint\">%s</div></td><td class=\"count\">%d</td><td class=\"count\">%d</td></tr>",
        esc($2), esc($3), esc($5), esc($6), $7, $9)
      if ($5 != "") { fail[$3 "\t" $5]++; hint[$3 "\t" $5] = $6 }
    }
    END {
      print "<!DOCTYPE html>"
      print "<html lang=\"en\"><head><meta charset=\"utf-8\">"
      printf "<meta http-equiv=\"refresh\" content=\"%d\">\n", refresh
      print "<title>container-lab: the room</title>"
      print "<style>"
      print "body { font: 20px/1.35 system-ui, sans-serif; margin: 1em 1.5em; color: #111; background: #fff }"
      print "h1 { font-size: 1.5em; margin: 0 } h2 { font-size: 1.15em; margin: .8em 0 .3em }"
      print "main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 2em }"
      print ".sub { color: #444 } table { border-collapse: collapse; width: 100%; table-layout: fixed }"
      print "td, th { text-align: left; vertical-align: top; padding: .2em .4em; border-bottom: 1px solid #ddd; overflow-wrap: anywhere }"
      print ".stage { font-weight: 600; width: 5.5em } .count { width: 2.6em; text-align: right }"
      print ".bar { height: .6em; background: #3b6fb6; border-radius: 3px; margin: .35em 0 .1em }"
      print ".chip { display: inline-block; padding: 0 .4em; margin: .1em .1em; border-radius: .4em; border: 2px solid #3b6fb6 }"
      print ".chip.ok { border-color: #2a8a3e; background: #e3f4e6 }"
      print ".chip.stuck { border-color: #c0392b; background: #fbe3e0; font-weight: 600 }"
      print ".hint { color: #444; font-size: .85em } .none { color: #444 } .notes { color: #666; font-size: .7em; margin: .2em 0 }"
      print "</style></head><body>"
      printf "<h1>The room</h1><div class=\"sub\">%d learner%s, %d stuck, at %s. Red: stuck; green: the stage passes; blue: at work. Reloads every %d s.</div>\n",
        n, n == 1 ? "" : "s", stuck, when, refresh
      print "<main><section><h2>Where everyone is</h2><table id=\"stages\">"
      ns = split(stages, st, " "); max = 1
      for (i = 1; i <= ns; i++) if (at[st[i]] > max) max = at[st[i]]
      for (i = 1; i <= ns; i++) {
        s = st[i]
        printf "<tr><td class=\"stage\">%s</td><td class=\"count\">%d</td><td><div class=\"bar\" style=\"width: %d%%\"></div>%s</td></tr>\n",
          esc(s), at[s], at[s] ? int(100 * at[s] / max) : 0, chips[s]
      }
      print "</table></section><section>"
      printf "<h2>Stuck <small class=\"hint\">the same check failing more than %d runs or %d min</small></h2>\n", runs, mins
      if (sn) {
        print "<table id=\"stuck\"><tr><th style=\"width: 22%\">who</th><th style=\"width: 5.5em\">stage</th><th>first failing check, its hint</th><th class=\"count\">runs</th><th class=\"count\">min</th></tr>"
        for (i = 1; i <= sn; i++) print srow[i]
        print "</table>"
      } else print "<p class=\"none\">nobody</p>"
      print "<h2>The most common failing checks</h2>"
      nf = 0
      for (k in fail) keys[++nf] = k
      for (i = 2; i <= nf; i++) for (j = i; j > 1 && fail[keys[j - 1]] < fail[keys[j]]; j--) { x = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = x }
      if (nf) {
        print "<table id=\"common\"><tr><th class=\"count\">#</th><th style=\"width: 5.5em\">stage</th><th>check, and its hint</th></tr>"
        for (i = 1; i <= nf && i <= 5; i++) {
          split(keys[i], p, "\t")
          printf "<tr><td class=\"count\">%d</td><td>%s</td><td>%s<div class=\"hint\">%s</div></td></tr>\n",
            fail[keys[i]], esc(p[1]), esc(p[2]), esc(hint[keys[i]])
        }
        print "</table>"
      } else print "<p class=\"none\">no check is failing</p>"
      print "</section></main>"
      for (i = 1; i <= nn; i++) printf "<p class=\"notes\">note: %s</p>\n", esc(notes[i])
      print "</body></html>"
    }' <<<"$rows"
}

# Write the page (atomically: a browser reloading it never sees half), and
# with EVERY=SECONDS keep writing it until interrupted.
page() {
  local out=${CLASS_PAGE:-build/class/room.html} dir
  dir=$(dirname -- "$out")
  mkdir -p -- "$dir"
  while :; do
    html >"$out.tmp" && mv -f -- "$out.tmp" "$out"
    # Under sudo, the page is the instructor's to open and delete.
    [ -z "${SUDO_UID:-}" ] || chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" -- "$out" "$dir" 2>/dev/null || true
    if [ -z "${EVERY:-}" ]; then
      echo "class: the room is in $out (open it in a browser; it reloads itself every ${EVERY:-30} s:"
      echo "       keep it fresh with \`sudo make class-page EVERY=30\`)"
      return 0
    fi
    [[ $EVERY =~ ^[1-9][0-9]*$ ]] || die "EVERY must be a number of seconds"
    echo "class: $out written at $(date +%H:%M:%S); again every $EVERY s, Ctrl-C stops"
    sleep "$EVERY"
  done
}

case ${1:-} in
  setup) setup ;;
  on) [ -d "$spool" ] ;;
  record) shift; record "$@" ;;
  show) show ;;
  page) page ;;
  html) html ;;
  *) echo "usage: .tools/class.sh setup|on|record|show|page|html" >&2; exit 2 ;;
esac
