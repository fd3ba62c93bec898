# tap.sh - a few TAP helpers for the shell tests (sourced, not run).
# Each test script: source this, call plan N (or done_testing at the end),
# then ok/not_ok/is/like; the exit status is non-zero when a test failed.
_tap_n=0
_tap_failed=0
_tap_planned=

plan() { _tap_planned=$1; echo "1..$1"; }

pass() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
fail() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }

# ok CONDITION-EXIT-STATUS DESCRIPTION: "ok $? 'what'" after a command.
ok() { if [ "$1" -eq 0 ]; then pass "$2"; else fail "$2"; fi; }

# is GOT EXPECTED DESCRIPTION
is() {
    if [ "$1" = "$2" ]; then pass "$3"; else
        fail "$3"; echo "#   got:      '$1'"; echo "#   expected: '$2'"; fi
}

# like TEXT REGEX DESCRIPTION
like() {
    if printf '%s' "$1" | grep -Eq -- "$2"; then pass "$3"; else
        fail "$3"; echo "#   '$1'"; echo "#   does not match /$2/"; fi
}

# unlike TEXT REGEX DESCRIPTION
unlike() {
    if printf '%s' "$1" | grep -Eq -- "$2"; then
        fail "$3"; echo "#   '$1'"; echo "#   matches /$2/"; else pass "$3"; fi
}

# todo_ok CONDITION-EXIT-STATUS DESCRIPTION WHY: a test of work another change makes (TAP
# TODO): its failure does not fail the script, and once it passes it shows as an
# unexpected pass (XPASS), which fails the run until the mark is taken out.
todo_ok() {
    _tap_n=$((_tap_n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2 # TODO $3"; else echo "not ok $_tap_n - $2 # TODO $3"; fi
}

# skip DESCRIPTION: a test this machine cannot run, said so (TAP SKIP).
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - # SKIP $*"; }

bail() { echo "Bail out! $*"; exit 1; }

done_testing() {
    [ -z "$_tap_planned" ] && echo "1..$_tap_n"
    [ "$_tap_failed" -eq 0 ]
}
