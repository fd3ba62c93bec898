#!/bin/sh
# pam_so.sh - what pam_eksauth.so is as a file: its exports (the five
# pam_sm_* entry points and nothing else), full RELRO, no text relocations,
# and that it stays loaded once loaded (-z nodelete: libpam dlcloses its
# modules at every pam_end, and a long-lived PAM host would otherwise load
# and relocate the module and its libraries again at every login; see
# mk/pam.am); and that neither it nor the eksauth command links libcurl,
# which lib/curl_api.c loads at the first request (its 35 libraries cost a
# process 3.5 ms: cron, su and every ssh connection load the module for
# its account and session lines); and that it folds no case by the locale
# of the process that loads it (tests/lib/elf_checks.sh).  TAP output.
#
# Environment: top_srcdir, top_builddir (set by make check).

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/elf_checks.sh"

PAM_SO="$top_builddir/pam_eksauth/.libs/pam_eksauth.so"
[ -f "$PAM_SO" ] || bail "$PAM_SO not built"
for tool in readelf objdump python3; do
    command -v "$tool" >/dev/null 2>&1 || bail "$tool not installed (scripts/install-deps)"
done

exports=$(objdump -T "$PAM_SO" | awk '$2 ~ /g/ && $4 != "*UND*" && $NF !~ /^EKSAUTH/ { print $NF }' |
    sort | tr '\n' ' ')
is "$exports" "pam_sm_acct_mgmt pam_sm_authenticate pam_sm_close_session pam_sm_open_session \
pam_sm_setcred " "exports exactly the five pam_sm_* entry points"

if readelf -d "$PAM_SO" | grep -q 'TEXTREL'; then fail "no text relocations"; else
    pass "no text relocations"; fi
if readelf -l "$PAM_SO" | grep -q GNU_RELRO && readelf -d "$PAM_SO" | grep -q 'BIND_NOW\|FLAGS.*NOW'
then pass "full RELRO (relro + now)"; else fail "full RELRO (relro + now)"; fi
like "$(readelf -d "$PAM_SO" | grep 'FLAGS_1')" "NODELETE" "marked NODELETE (-z nodelete)"
is "$(locale_case_imports "$PAM_SO" | tr '\n' ' ')" "" \
    "folds no case by the host's locale (no strcasecmp, strcasestr, tolower, toupper)"
EKSAUTH_BIN="$top_builddir/tools/eksauth"
[ -x "$top_builddir/tools/.libs/eksauth" ] && EKSAUTH_BIN="$top_builddir/tools/.libs/eksauth"
for f in "$PAM_SO" "$EKSAUTH_BIN"; do
    needed=$(readelf -d "$f" | awk '/NEEDED/ { print $NF }' | tr '\n' ' ')
    case $needed in
    *libcurl*) fail "$(basename "$f") links no libcurl (needs: $needed)" ;;
    *\[libc.so.6\]*) pass "$(basename "$f") links no libcurl" ;;
    *) fail "$(basename "$f") links no libcurl (no NEEDED list read: $needed)" ;;
    esac
done

# What libpam does at pam_start and pam_end: dlopen, dlclose.  Still there
# afterwards: RTLD_NOLOAD finds it without loading it again.  (A sanitizer
# build's module needs the ASan runtime loaded first, which python is not:
# the plain build, which CI runs too, checks this.)
if readelf -d "$PAM_SO" | grep -q 'NEEDED.*lib[at]san'; then
    skip "dlopen from python (sanitizer build: the ASan runtime must come first)"
    done_testing
    exit
fi
kept=$(python3 - "$PAM_SO" <<'EOF'
import _ctypes, os, sys
path = sys.argv[1]
h = _ctypes.dlopen(path, os.RTLD_NOW | os.RTLD_LOCAL)
if "libcurl" in open("/proc/self/maps").read():
    print("libcurl mapped")
_ctypes.dlclose(h)
try:
    _ctypes.dlopen(path, os.RTLD_NOW | os.RTLD_NOLOAD)
    print("loaded")
except OSError:
    print("unloaded")
EOF
)
is "$kept" "loaded" "after dlopen and dlclose the module is still loaded, and loading it mapped no libcurl"

done_testing
