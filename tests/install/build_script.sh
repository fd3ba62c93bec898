#!/bin/sh
# build_script.sh - scripts/build, run in a stand-in source tree (a copy of
# the script beside a configure autoconf makes of a few lines, whose
# Makefile prints its prefix): configure arguments given for a folder
# configured before replace its earlier ones (README's --prefix=/usr), the
# same arguments again or none at all do not configure again, and a first
# argument that is an option, not a folder, is refused.  TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

command -v autoconf >/dev/null 2>&1 || skip_all "autoconf not found"
command -v bash >/dev/null 2>&1 || skip_all "bash not found"

src="$T/src"
mkdir -p "$src/scripts"
cp "$top_srcdir/scripts/build" "$src/scripts/build"
cat >"$src/configure.ac" <<'AC'
AC_INIT([stand-in], [1])
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
AC
printf 'all:\n\t@echo "prefix=@prefix@"\n' >"$src/Makefile.in"
: >"$src/Makefile.am"
touch -d '2 hours ago' "$src/configure.ac" "$src/Makefile.am"
(cd "$src" && autoconf) || bail "autoconf failed"

# build ARGS...: scripts/build in the stand-in tree, outside the make running this test.
build() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL bash "$src/scripts/build" "$@" >"$T/out" 2>"$T/err"
}
# The configure runs so far: config.log is written anew by each.
stamp() { ls --full-time "$T/b/config.log" 2>/dev/null; }

build "$T/b" --prefix=/opt/a
ok $? "first build with --prefix=/opt/a"
grep -qx 'prefix=/opt/a' "$T/out"
ok $? "configured with it"

sleep 1
build "$T/b" --prefix=/opt/b
ok $? "again with --prefix=/opt/b"
grep -qx 'prefix=/opt/b' "$T/out"
ok $? "the new arguments replace the old ones (was: dropped once a Makefile existed)"
grep -q "configuring $T/b again with: --prefix=/opt/b" "$T/err"
ok $? "and it says it configures again"

before=$(stamp)
sleep 1
build "$T/b"
ok $? "again with no argument"
grep -qx 'prefix=/opt/b' "$T/out"
ok $? "the folder keeps its arguments"
is "$(stamp)" "$before" "no configure run"

build "$T/b" --prefix=/opt/b
ok $? "again with the same arguments"
is "$(stamp)" "$before" "no configure run either"

build "$T/b" --prefix=/opt/b "--with-note=it's"
ok $? "an argument holding a quote"
before=$(stamp)
sleep 1
build "$T/b" --prefix=/opt/b "--with-note=it's"
is "$(stamp)" "$before" "the same again: no configure run (config.status quotes it)"

build --prefix=/usr
is "$?" 2 "an option where the build folder goes: refused"
grep -q "the first argument is the build folder" "$T/err"
ok $? "saying so"
[ ! -e "$src/--prefix=/usr" ] && [ ! -e "$src/build" ]
ok $? "and nothing made"

done_testing
