#!/bin/sh
# nss_so.sh - what libnss_eksauth.so.2 is as a file: its soname, its
# dynamic dependencies (libc alone: no libcurl, OpenSSL, libyaml or json-c
# inside every process that looks a user up), its exports (the
# _nss_eksauth_* entry points and nothing else), no undefined symbol
# outside libc, full RELRO, no case folded by the locale of the process
# (tests/lib/elf_checks.sh).  TAP output.

. "$top_srcdir/tests/integration/iddb_common.sh"
. "$top_srcdir/tests/lib/elf_checks.sh"

# make builds the module and scripts/install-deps installs binutils: a
# missing one is a broken build or test machine, never a skip.
[ -f "$NSS_SO" ] || bail "$NSS_SO not built (make)"
if ! command -v readelf >/dev/null 2>&1 || ! command -v objdump >/dev/null 2>&1; then
    bail "readelf/objdump not installed (binutils; scripts/install-deps installs it)"
fi

same "libnss_eksauth.so.2" \
    "$(readelf -d "$NSS_SO" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')" "soname"

needed=$(readelf -d "$NSS_SO" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p' | tr '\n' ' ')
sanitized=
readelf -d "$NSS_SO" | grep -q 'NEEDED.*lib[at]san' && sanitized=yes
if [ -n "$sanitized" ]; then
    skip "dynamic dependencies (sanitizer build links the ASan runtime: $needed)"
else
    same "libc.so.6 " "$needed" "the only dynamic dependency is libc"
fi

exports=$(objdump -T "$NSS_SO" | awk '$2 ~ /g/ && $4 != "*UND*" && $NF !~ /^EKSAUTH/ { print $NF }' |
    sort | tr '\n' ' ')
want="_nss_eksauth_endgrent _nss_eksauth_endpwent _nss_eksauth_getgrent_r \
_nss_eksauth_getgrgid_r _nss_eksauth_getgrnam_r _nss_eksauth_getpwent_r \
_nss_eksauth_getpwnam_r _nss_eksauth_getpwuid_r _nss_eksauth_initgroups_dyn \
_nss_eksauth_setgrent _nss_eksauth_setpwent "
same "$want" "$exports" "exports exactly the 11 _nss_eksauth_* entry points"

if objdump -T "$NSS_SO" | grep -q 'eksauth_iddb\|eksauth_names\|eksauth_fail'; then
    fail "library internals are not exported"
else
    pass "library internals are not exported (no clash with libeksauth in the same process)"
fi

# Every undefined symbol comes from glibc.
if [ -n "$sanitized" ]; then
    skip "undefined symbols (sanitizer build: the ASan runtime provides some)"
else
    foreign=$(objdump -T "$NSS_SO" | awk '$4 == "*UND*" || $3 == "*UND*"' | grep -v 'GLIBC_' |
        grep -v ' w ' | awk '{ print $NF }' | tr '\n' ' ')
    same "" "$foreign" "no undefined symbol outside glibc"
fi

is "$(locale_case_imports "$NSS_SO" | tr '\n' ' ')" "" \
    "folds no case by the host's locale (no strcasecmp, strcasestr, tolower, toupper)"

if readelf -d "$NSS_SO" | grep -q 'TEXTREL'; then fail "no text relocations"; else
    pass "no text relocations"; fi
if readelf -l "$NSS_SO" | grep -q GNU_RELRO && readelf -d "$NSS_SO" | grep -q 'BIND_NOW\|FLAGS.*NOW'
then pass "full RELRO (relro + now)"; else fail "full RELRO (relro + now)"; fi
if nm -D "$NSS_SO" | grep -qw 'U syslog\|U openlog\|U socket\|U connect'; then
    fail "no syslog or network calls"
else
    pass "no syslog or network calls in the module"
fi

done_testing
