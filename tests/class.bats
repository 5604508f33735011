#!/usr/bin/env bats
# The room at a glance (.tools/class.sh; make class-setup, class,
# class-page): records written by check-NN and progress, read back in the
# terminal and as a page that headless Chromium renders.
#
# Two learners with their own copies of the repository, each under a
# pretend sudo: SUDO_USER/SUDO_UID set to uids with no account (60001,
# 60002; nothing is added to the host).  Everything goes to a spool of
# this test's own (CLASS_SPOOL), never the real one.

export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats:/usr/share/bats:/usr/local/lib/bats}
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

# A missing prerequisite fails in CI and skips elsewhere, saying why.
need() {
  if [ -n "${CI:-}" ]; then
    echo "missing prerequisite: $1" >&2
    return 1
  fi
  skip "$1"
}

# As learner UID NAME, in clone DIR: make TARGET... (as root, like sudo).
as() { # UID NAME DIR make-args...
  local uid=$1 name=$2 dir=$3
  shift 3
  (cd "$dir" && SUDO_USER=$name SUDO_UID=$uid SUDO_GID=$uid make --no-print-directory "$@" </dev/null)
}

# A copy of the repository as it is now (committed or not), without
# build/ or ./step: a learner's fresh clone.
clone() { # DIR
  mkdir -p "$1"
  git -C "$REPO" ls-files -z --cached --others --exclude-standard |
    (cd "$REPO" && tar --null -T - -c) | tar -x -C "$1"
}

# The record file of UID in clone DIR (one learner may have several clones).
record_of() { # UID DIR
  echo "$CLASS_SPOOL/$1-$(printf '%s' "$2" | cksum | cut -d' ' -f1).rec"
}

# The name a uid is shown under: its account's, else the one it gave.
shown() { getent passwd "$1" | cut -d: -f1 | grep . || echo "$2"; }

chromium_bin() {
  local c
  for c in "${CHROME_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}

# The page as Chromium sees it once loaded: its DOM, into the file DOM.
render() { # PAGE DOM
  local chrome profile
  chrome=$(chromium_bin)
  profile=$(mktemp -d)
  timeout 90 "$chrome" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --dump-dom "file://$1" >"$2" 2>"$2.log"
  local rc=$?
  rm -rf "$profile"
  return $rc
}

setup_file() {
  [ "$(id -u)" -eq 0 ] || return 0
  W=$(mktemp -d)
  chmod 755 "$W"    # the learners' uids must reach their spool inside
  export W CLASS_SPOOL=$W/spool
  clone "$W/ada"
  clone "$W/bob"
  # The instructor sets the room up; then the two learners work.
  as 0 root "$W/ada" class-setup >"$W/setup.out" 2>&1
  as 60001 ada "$W/ada" -s solution-02 >"$W/ada.build" 2>&1
  local rc
  as 60001 ada "$W/ada" check-02 >"$W/ada.out" 2>&1 && rc=0 || rc=$?
  # The reference passes; on a machine loaded by other runs one of its
  # timed checks may still miss once.  What is tested here is the record.
  if [ "$rc" -ne 0 ]; then
    as 60001 ada "$W/ada" check-02 >"$W/ada.out" 2>&1 && rc=0 || rc=$?
  fi
  echo $rc >"$W/ada.rc"
  as 60002 bob "$W/bob" -s step-01 >"$W/bob.build" 2>&1
  as 60002 bob "$W/bob" check-01 >"$W/bob.out1" 2>&1 || true
  as 60002 bob "$W/bob" check-01 >"$W/bob.out" 2>&1 && rc=0 || rc=$?
  echo $rc >"$W/bob.rc"
}

teardown_file() {
  [ -n "${CLASS_KEEP:-}" ] || [ -z "${W:-}" ] || rm -rf "$W"
  return 0
}

setup() {
  [ "$(id -u)" -eq 0 ] || need "needs root, as make check does: sudo bats tests/class.bats"
  ADA=$(record_of 60001 "$W/ada")
  BOB=$(record_of 60002 "$W/bob")
}

@test "class-setup makes a spool that is root's, mode 1733, and says where" {
  run cat "$W/setup.out"
  assert_output --partial "the spool is $CLASS_SPOOL"
  run stat -c '%U %a' "$CLASS_SPOOL"
  assert_output "root 1733"
}

@test "a learner may add a file to the spool but not list it" {
  run setpriv --reuid=60001 --regid=60001 --clear-groups ls "$CLASS_SPOOL"
  assert_failure
  run setpriv --reuid=60001 --regid=60001 --clear-groups touch "$CLASS_SPOOL/60001-probe.rec"
  assert_success
  rm -f "$CLASS_SPOOL/60001-probe.rec"
}

@test "check-02 that passes records the learner at 02-ipc, every check passing" {
  run cat "$W/ada.rc"
  assert_output 0
  run tail -n 1 "$W/ada.out"
  assert_output "class: recorded for the instructor's view of the room: 02-ipc passes."
  run tail -n 1 "$ADA"
  assert_output --regexp $'^v=1\tt=[0-9]+\tuid=60001\tuser=ada\tclone='"$W/ada"$'\tvia=check-02\tstage=02-ipc\tok=1\tdone=02-ipc\t'
  assert_output --regexp $'\tchecks=01-uts:([0-9]+)/\\1,02-ipc:([0-9]+)/\\2\tfirst=\thint=\truns=0\tsince=[0-9]+$'
}

@test "check-01 that fails records the first failing check, its hint, and the runs in a row" {
  run cat "$W/bob.rc"
  assert_output 2
  run tail -n 1 "$BOB"
  assert_output --regexp $'\tuser=bob\t.*\tvia=check-01\tstage=01-uts\tok=0\tdone=-\tchecks=01-uts:[0-9]+/[0-9]+\t'
  assert_output --regexp $'\tfirst=hostname inside is the one given with --hostname\thint=TODO\\(01\\.1, 01\\.2\\): the child needs CLONE_NEWUTS[^\t]*\truns=2\tsince=[0-9]+$'
  run cat "$W/bob.out"
  assert_line --partial 'fails (run 2 in a row)'
}

@test "the record file is the learner's own, readable by nobody else" {
  run stat -c '%u %g %a %h' "$ADA" "$BOB"
  assert_output $'60001 60001 600 1\n60002 60002 600 1'
}

@test "a record holds names and counts only: the known fields, one short line each" {
  local line keys
  while IFS= read -r line; do
    [ "${#line}" -lt 1200 ]
    keys=$(echo "$line" | tr '\t' '\n' | cut -d= -f1 | tr '\n' ' ')
    [ "$keys" = "v t uid user clone via stage ok done checks first hint runs since " ]
  done < <(cat "$ADA" "$BOB")
  run grep -c . "$BOB"
  assert_output 2
}

# The checks' own lines carry pids, and a skeleton's timed checks may come
# out differently under load: compare the frame, which check and class own.
frame() { grep -v '^\(not \)\?ok \|^#' | grep -v '^ *$'; }

@test "without the spool, check writes nothing and prints what it did before" {
  local with without
  with=$(grep -v '^class: ' "$W/bob.out" | frame)
  run -2 as 60002 bob "$W/bob" check-01 CLASS_SPOOL="$W/nowhere"
  without=$(echo "$output" | frame)
  refute_output --partial 'class:'
  assert_equal "$without" "$with"
  [ ! -e "$W/nowhere" ]
}

@test "make class lists both learners with their stage and first failing check" {
  run as 0 root "$W/ada" class
  assert_success
  assert_output --partial "2 learners, 0 stuck"
  assert_line --regexp "^    $(shown 60002 bob) +01-uts +fails +hostname inside is the one given with"
  assert_line --regexp "^    $(shown 60001 ada) +02-ipc +ok +- +([0-9]+ min ago|just now)$"
  assert_line --partial "per stage: 01-uts 1  02-ipc 1  03-pid 0"
}

@test "make class marks the stuck and puts them first: STUCK_RUNS, STUCK_MIN" {
  run as 0 root "$W/ada" class STUCK_RUNS=1
  assert_output --partial "1 stuck"
  assert_line --index 2 --regexp "^  ! $(shown 60002 bob) +01-uts"
  # An hour later, the same failing check has been failing 60 minutes.
  run as 0 root "$W/ada" class STUCK_MIN=30 CLASS_NOW=$(($(date +%s) + 3600))
  assert_line --index 2 --regexp "^  ! $(shown 60002 bob) +01-uts .* 6[01] min ago$"
  run as 0 root "$W/ada" class STUCK_MIN=90 CLASS_NOW=$(($(date +%s) + 3600))
  assert_output --partial "0 stuck"
}

@test "ANON=1 hides every name and every clone" {
  run as 0 root "$W/ada" class ANON=1
  assert_success
  assert_line --regexp '^    learner [12] +01-uts'
  refute_output --partial "$(shown 60001 ada)"
  refute_output --partial "$(shown 60002 bob)"
  refute_output --partial "$W"
}

@test "a learner cannot erase or rewrite another's record" {
  run setpriv --reuid=60002 --regid=60002 --clear-groups rm -f "$ADA"
  assert_failure
  run setpriv --reuid=60002 --regid=60002 --clear-groups sh -c ": >'$ADA'"
  assert_failure
  run setpriv --reuid=60002 --regid=60002 --clear-groups mv "$BOB" "$ADA"
  assert_failure
  [ -s "$ADA" ]
}

@test "a forged record is skipped, and the reader says so" {
  # bob writes, in a file of his own, a record that claims to be ada's.
  local forged=$CLASS_SPOOL/60002-forged.rec
  tail -n 1 "$ADA" | sed 's/stage=02-ipc/stage=07-full/' |
    setpriv --reuid=60002 --regid=60002 --clear-groups sh -c "cat >'$forged'"
  run as 0 root "$W/ada" class
  assert_line --regexp "^    $(shown 60001 ada) +02-ipc"
  assert_line "note: skipped 1 record(s): those in 60002-forged.rec claim uid 60001, the file is uid 60002's"
  rm -f "$forged"
}

@test "a symlink or hard link planted under a learner's record name is not written through" {
  # Links planted where learner 60003's record (clone $W/bob) will go:
  # bob's symlink, then a hard link (made by root here; with the
  # fs.protected_hardlinks sysctl off anyone may make one).
  local target=$W/carol-file name
  name=$(record_of 60003 "$W/bob")
  echo "carol's own file" >"$target"
  printf 'ok 1 a check\n' >"$W/ok.tap"
  chown 60003:60003 "$target"
  setpriv --reuid=60002 --regid=60002 --clear-groups ln -s "$target" "$name"
  SUDO_USER=carol SUDO_UID=60003 SUDO_GID=60003 "$W/bob/.tools/class.sh" record check-01 "01-uts:$W/ok.tap" >/dev/null || true
  run cat "$target"
  assert_output "carol's own file"
  rm -f "$name"
  ln "$target" "$name"    # a hard link: same owner, but two links
  SUDO_USER=carol SUDO_UID=60003 SUDO_GID=60003 "$W/bob/.tools/class.sh" record check-01 "01-uts:$W/ok.tap" >/dev/null || true
  run cat "$target"
  assert_output "carol's own file"
  # The records went to fresh files of carol's own instead.
  run find "$CLASS_SPOOL" -name '60003-*.*.rec' -user 60003 -type f
  assert_equal "$(echo "$output" | grep -c .)" 2
  rm -f "$name" "$CLASS_SPOOL"/60003-*
}

@test "a half-written record breaks neither check nor class; the next starts on a new line" {
  printf 'v=1\tt=12' >>"$BOB"    # cut short, as by a full disk
  run as 60002 bob "$W/bob" check-01
  assert_failure 2
  assert_line --partial 'fails (run 3 in a row)'
  run tail -n 2 "$BOB"
  assert_line --index 0 $'v=1\tt=12'
  assert_line --index 1 --regexp $'^v=1\tt=[0-9]+\t.*\truns=3\t'
  run as 0 root "$W/ada" class
  assert_success
  assert_line --regexp "^    $(shown 60002 bob) +01-uts +fails .* +3 +just now$"
  assert_line --regexp "^note: skipped 1 malformed line\(s\) in 60002-"
}

@test "a record that cannot be written changes nothing of check's output or status" {
  local before
  before=$(grep -v '^class: ' "$W/bob.out" | frame)
  chmod 400 "$BOB"    # bob's file refuses writes, as a full disk would
  run -2 as 60002 bob "$W/bob" check-01
  chmod 600 "$BOB"
  refute_output --partial 'class:'
  assert_equal "$(echo "$output" | frame)" "$before"
}

@test "a record of another format version is skipped with a note" {
  printf 'v=2\tt=1\tsomething=new\n' >>"$ADA"
  run as 0 root "$W/ada" class
  assert_line --regexp "^    $(shown 60001 ada) +02-ipc"
  assert_line --regexp '^note: skipped 1 record\(s\) in 60001-[0-9]+\.rec \(format version 2\): this tool reads format version 1$'
}

@test "make progress records the learner's steps too" {
  run as 60002 bob "$W/bob" progress
  assert_failure
  assert_line --partial "class: recorded for the instructor's view of the room: 01-uts"
  run tail -n 1 "$BOB"
  assert_output --regexp $'\tvia=progress\tstage=01-uts\tok=0\t'
}

# Six more learners from records of the same TAP the two produced, so the
# page has a crowd; one gives a name with markup in it.
crowd() {
  local i tap=$W/bob-01.tap name
  printf 'not ok 1 hostname inside is the one given with --hostname\n# hint: the child needs CLONE_NEWUTS\n' >"$tap"
  for i in 3 4 5 6 7 8; do
    name=learner$i
    [ "$i" = 8 ] && name='<b>eve</b>'
    SUDO_USER=$name SUDO_UID=6000$i SUDO_GID=6000$i "$W/ada/.tools/class.sh" \
      record check-01 "01-uts:$tap" >/dev/null
  done
}

@test "make class-page writes one page that Chromium renders with every learner" {
  chromium_bin >/dev/null || need "no chromium to render the page (sudo .tools/deps.sh ci installs it)"
  crowd
  run as 0 root "$W/ada" class-page CLASS_PAGE="$W/room.html"
  assert_success
  assert_output --partial "the room is in $W/room.html"
  # Self-contained: no script, nothing fetched from anywhere.
  run grep -Eci '<script|<link|src=|href=|url\(|@import' "$W/room.html"
  assert_output 0
  grep -q '<meta http-equiv="refresh" content="30">' "$W/room.html"
  render "$W/room.html" "$W/room.dom" || { cat "$W/room.dom.log"; false; }
  run cat "$W/room.dom"
  assert_output --partial '<h1>The room</h1>'
  assert_output --partial "$(shown 60001 ada)</span>"
  assert_output --partial "$(shown 60002 bob)</span>"
  for i in 3 4 5 6 7; do assert_output --partial "$(shown 6000$i learner$i)</span>"; done
  # Markup in a name is shown as text, not obeyed.
  assert_output --partial '&lt;b&gt;eve&lt;/b&gt;'
  refute_output --partial '<b>eve</b>'
  # The two stages with learners, the common failure and its hint.
  assert_output --regexp '<td class="stage">01-uts</td><td class="count">7</td>'
  assert_output --regexp '<td class="stage">02-ipc</td><td class="count">1</td>'
  assert_output --partial 'the child needs CLONE_NEWUTS'
}

@test "ANON=1 make class-page shows no name and no clone" {
  chromium_bin >/dev/null || need "no chromium to render the page (sudo .tools/deps.sh ci installs it)"
  crowd
  run as 0 root "$W/ada" class-page ANON=1 CLASS_PAGE="$W/anon.html"
  assert_success
  render "$W/anon.html" "$W/anon.dom" || { cat "$W/anon.dom.log"; false; }
  run cat "$W/anon.dom"
  assert_output --partial 'learner 8</span>'
  for who in "$(shown 60001 ada)" "$(shown 60002 bob)" '&lt;b&gt;' learner3 "$W"; do
    refute_output --partial "$who"
  done
}
