#!/usr/bin/env bash
# Start a stage again, or catch up with the class.
#
#   make reset-NN      steps/NN-x/runtime.c goes back to its skeleton, the
#                      file as the workshop gave it to you.  Nothing else
#                      changes: not the other stages, not ./step, not git's
#                      other files.
#
#   make deep-NN       the deep version of stage NN: steps/NN-x/runtime.c
#                      becomes its skeleton with the given parts of the
#                      stage turned into TODOs as well, for whoever wants
#                      to write the whole stage (.tools/skeleton.sh).
#
#   make catch-up-NN   you fell behind and want to work on stage NN now.
#                      Every earlier stage's steps/MM-x/runtime.c becomes
#                      its reference solution, so `sudo make progress`
#                      counts those stages done, and steps/NN-x/runtime.c
#                      goes back to its skeleton, which already holds the
#                      earlier stages solved, and stage NN with TODO(NN.k)
#                      markers where you write.  Later stages are left as
#                      they are.
#
# What you can count on:
#   - It asks first (y/N) and says which files it will replace.  Without a
#     terminal to ask on, it does nothing unless you say FORCE=1
#     (make reset-03 FORCE=1).
#   - Your work is never lost: before a file you have changed is replaced,
#     it is copied to runtime.c.bak beside it.  A runtime.c.bak already
#     there is kept too, as runtime.c.bak.1 (then .2, ...).  A file you
#     never changed needs no backup: git has it.
#   - Back to your own file:  cp steps/NN-x/runtime.c.bak steps/NN-x/runtime.c
#   - The skeleton comes from your last commit (git's HEAD), so changes you
#     only staged with `git add` are replaced as well (and backed up).  If
#     you committed your own work to steps/, HEAD holds that, not the
#     skeleton: the script says so, and `git log -p -- steps/NN-x/runtime.c`
#     shows where the skeleton is.
#   - ./step is not rebuilt: `make step-NN` builds the file you now have.
#   - Neither needs sudo: they only touch files of yours.
#
# Usage: .tools/reset.sh reset|deep|catch-up NN   (FORCE=1 in the environment: do
# not ask)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. .tools/lib.sh

usage() { echo "usage: make reset-NN, make deep-NN or make catch-up-NN (NN: a stage, like 03)" >&2; exit 2; }
die() { echo "$what: $*" >&2; exit 1; }

what=${1:-}
case $what in reset|deep|catch-up) ;; *) usage ;; esac
[[ ${2:-} =~ ^[0-9]{1,2}$ ]] || usage
nn=$(printf '%02d' "$((10#$2))")

s=$(stage_of "$nn") || die "there is no stage $nn; the stages are: $(stages | paste -sd ' ')"
step=steps/$s
command -v git >/dev/null || die "git is not installed, and the skeletons come from git"
git rev-parse --verify -q HEAD >/dev/null 2>&1 ||
  die "this is not a git clone of the workshop, so there is no skeleton to go back to"

# The plan: one "FILE FROM" pair per file to replace.  FROM is "git" for
# the skeleton in HEAD, or the solution file to copy.
plan=()
if [ "$what" = catch-up ]; then
  for earlier in $(stages); do
    [ "$((10#${earlier%%-*}))" -lt "$((10#$nn))" ] || break
    [ -d "steps/$earlier" ] || die "there is no steps/$earlier"
    [ -f "solutions/$earlier/runtime.c" ] || die "there is no solution of stage $earlier to catch up with"
    plan+=("steps/$earlier/runtime.c solutions/$earlier/runtime.c")
  done
fi
if [ "$what" = deep ]; then
  command -v clang-format >/dev/null ||
    die "the deep version is generated and formatted with clang-format: sudo make deps"
  plan+=("$step/runtime.c deep")
else
  plan+=("$step/runtime.c git")
fi

# The text FILE should have: the solution, or the skeleton in HEAD.
wanted() { # FROM FILE
  case $1 in
    git) git show "HEAD:./$2" ;;
    deep) .tools/skeleton.sh make "$nn" deep ;;
    *) cat "$1" ;;
  esac
}

# A file we must not silently lose: one that differs from what git has.
changed() { # FILE
  [ -f "$1" ] && ! git diff --quiet HEAD -- "$1" 2>/dev/null
}

# Copy FILE to FILE.bak, first moving an older, different FILE.bak to the
# first free FILE.bak.N.
backup() { # FILE
  local n=1
  if [ -f "$1.bak" ] && ! cmp -s "$1" "$1.bak"; then
    while [ -e "$1.bak.$n" ]; do n=$((n + 1)); done
    mv "$1.bak" "$1.bak.$n"
    echo "  (the older $1.bak is now $1.bak.$n)"
  fi
  cp -p "$1" "$1.bak"
}

git show "HEAD:./$step/runtime.c" >/dev/null 2>&1 ||
  die "git has no $step/runtime.c in HEAD to go back to"

# What will change, and what is already as it should be.
todo=()
for entry in "${plan[@]}"; do
  file=${entry% *} from=${entry#* }
  if [ -f "$file" ] && cmp -s "$file" <(wanted "$from" "$file"); then
    continue
  fi
  todo+=("$entry")
done

if [ "${#todo[@]}" -eq 0 ]; then
  case $what in
    reset) echo "reset: $step/runtime.c is already its skeleton; nothing to do" ;;
    deep) echo "deep: $step/runtime.c is already the deep version; nothing to do" ;;
    catch-up) echo "catch-up: already caught up: every earlier stage is its solution, and $step/runtime.c its skeleton" ;;
  esac
  exit 0
fi

# Ask first, saying what will change, unless FORCE=1.
if [ "${FORCE:-}" != 1 ]; then
  if [ ! -t 0 ]; then
    die "not asking without a terminal; to go ahead anyway: make $what-$nn FORCE=1"
  fi
  echo "make $what-$nn will replace:"
  for entry in "${todo[@]}"; do
    file=${entry% *} from=${entry#* }
    [ "$from" = git ] && from="its skeleton (from git)"
    [ "$from" = deep ] && from="the deep version of its skeleton"
    note=
    changed "$file" && note="  (yours kept as $file.bak)"
    echo "  $file  <-  $from$note"
  done
  read -r -p "Go ahead? [y/N] " answer
  case $answer in
    [yY] | [yY][eE][sS]) ;;
    *) echo "$what: nothing changed"; exit 1 ;;
  esac
fi

echo "make $what-$nn:"
for entry in "${todo[@]}"; do
  file=${entry% *} from=${entry#* }
  if changed "$file"; then
    backup "$file"
    saved=" (yours: $file.bak)"
  else
    saved=
  fi
  if [ "$from" = deep ]; then
    wanted deep "$file" >"$file.new" && mv "$file.new" "$file" || die "could not write $file"
    echo "  $file: now the deep version, every given part of the stage a TODO too$saved"
  elif [ "$from" = git ]; then
    # From HEAD, not from the index: work you staged is replaced as well.
    git checkout -q HEAD -- "$file" || die "git could not restore $file"
    echo "  $file: back to its skeleton$saved"
  else
    cp "$from" "$file" || die "could not copy $from to $file"
    echo "  $file: now $from$saved"
  fi
  # Under sudo, the files stay yours, not root's.
  if [ -n "${SUDO_UID:-}" ]; then
    chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$file" "$file".bak* 2>/dev/null
  fi
done

# A skeleton is generated from its solution; if HEAD's file is not that,
# HEAD holds committed work instead.
if [ "$what" != deep ] && command -v clang-format >/dev/null &&
   ! .tools/skeleton.sh make "$nn" | cmp -s - "$step/runtime.c"; then
  echo
  echo "Note: $step/runtime.c in git's HEAD is not the workshop's skeleton (did you"
  echo "commit your work there?).  \`git log -p -- $step/runtime.c\` shows its history."
fi

echo
lesson=
[ -f "$step/README.md" ] && lesson="read $step/README.md, "
echo "Next: ${lesson}fill in the TODO($nn.*) markers, then"
echo "  make step-$nn && sudo ./step       # try yours"
echo "  sudo make check-$nn                # the checks of stages 01..$nn"
if [ "$what" = catch-up ] && [ "$nn" != 01 ]; then
  echo "  sudo make progress                # stages before $nn now count as done"
fi
