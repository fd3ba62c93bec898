#!/bin/sh
# client_only.sh - the client built alone, as on an engineer's laptop:
# `./configure --disable-host` in a tree of its own, with secure_getenv
# taken as missing (ac_cv_func_secure_getenv=no: the path of macOS and the
# BSDs, whose libc has none).  Checks: it builds; eksauth lists the client's
# commands only; it links no libpam and builds no PAM or NSS module; it calls
# none of the glibc- or Linux-only functions the client must do without;
# `make install` puts the program, eksauth-askpass and eksauth(1) in place
# and nothing under /etc, /var or a module folder; askpass answers a prompt
# in pieces, for the audience the host names, and refuses another host's;
# eksauth ssh --version.
#
# Run by .ci/run (a build of its own, about a minute); not part of make check.
# usage: tests/install/client_only.sh  (from anywhere; the source tree is this one,
# autoreconf'd: bash scripts/build does it).  TAP output.
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
. "$top_srcdir/tests/lib/tap.sh"

[ -x "$top_srcdir/configure" ] || bail "no configure in $top_srcdir (run bash scripts/build first)"
T=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-client.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
diag() { tail -n "${2:-20}" "$1" | sed 's/^/#   /'; }

mkdir "$T/build"
(cd "$T/build" && "$top_srcdir/configure" --disable-host --prefix=/usr ac_cv_func_secure_getenv=no) \
    >"$T/configure.log" 2>&1
ok $? "./configure --disable-host (secure_getenv taken as missing)" || diag "$T/configure.log"
grep -q '^/\* #undef HAVE_SECURE_GETENV \*/' "$T/build/config.h"
ok $? "config.h: no secure_getenv, the POSIX fallback instead"
make -C "$T/build" -j2 >"$T/make.log" 2>&1
ok $? "make" || diag "$T/make.log" 40
E="$T/build/tools/eksauth"

"$E" --help >"$T/help" 2>&1
is "$(sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' "$T/help" | tr '\n' ' ')" "askpass ssh scp sftp login-name " \
    "eksauth --help: the client's commands, no other"
"$E" sync >/dev/null 2>"$T/sync.err"
like "$?:$(cat "$T/sync.err")" "^2:eksauth: usage: unknown command 'sync'" "a host command is not there"
ldd "$E" >"$T/ldd" 2>&1
grep -q 'libpam' "$T/ldd"
ok $((!$?)) "eksauth links no libpam" || diag "$T/ldd"
[ ! -e "$T/build/pam_eksauth/.libs/pam_eksauth.so" ] && [ ! -e "$T/build/nss_eksauth/libnss_eksauth.so.2" ]
ok $? "no PAM module and no NSS module built"

# What the client must do without on other systems: none of it is called.
nm -D --undefined-only "$E" | awk '{ print $NF }' | sed 's/@.*//' | sort -u >"$T/undefined"
linux_only="secure_getenv pipe2 getrandom memrchr reallocarray strchrnul accept4 dup3 syncfs statx
prctl explicit_bzero qsort_r mempcpy get_current_dir_name program_invocation_name
program_invocation_short_name"
found=""
for f in $linux_only; do
    grep -qx "$f" "$T/undefined" && found="$found $f"
done
is "${found:-none}" none "no glibc- or Linux-only call in the client (of:$(echo $linux_only | wc -w) checked)"

make -C "$T/build" install DESTDIR="$T/dest" >"$T/install.log" 2>&1
ok $? "make install" || diag "$T/install.log"
(cd "$T/dest" && find . -type f -o -type l | sed 's|^\.||' | sort) >"$T/installed"
is "$(tr '\n' ' ' <"$T/installed")" "/usr/bin/eksauth /usr/bin/eksauth-askpass /usr/share/man/man1/eksauth.1 " \
    "installed: the program, eksauth-askpass and eksauth(1), nothing else"

# askpass, as ssh runs it for a host that asks for eksauth:prod:h.example: the
# default command (a stand-in `aws` first in PATH, which records its arguments
# and prints a long token) mints for that audience; the answer comes in pieces.
tok="k8s-aws-v1.$(head -c 900 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=' | head -c 1100)"
mkdir -m 0700 "$T/ask" "$T/bin"
cat >"$T/bin/aws" <<EOF
#!/bin/sh
printf '%s\\n' "\$*" >"$T/aws.args"
ulimit -S -c >"$T/aws.core"
printf '{"kind": "ExecCredential", "status": {"token": "%s"}}\\n' "$tok"
EOF
chmod 0755 "$T/bin/aws"
# The soft core limit raised to the hard one (root may raise that first, so
# the test below cannot skip): askpass must take it down itself.
ulimit -H -c unlimited 2>/dev/null
ask() { (ulimit -S -c "$(ulimit -H -c)" && PATH="$T/bin:$PATH" EKSAUTH_ASKPASS_DIR="$T/ask" "$E" askpass "$1"); }
{
    ask "(alice@h.example) EKS token for eksauth:prod:h.example: "
    ask "(alice@h.example) EKS token (continued): "
    ask "(alice@h.example) EKS token (continued): "
} >"$T/answers" 2>"$T/ask.err"
is "$(sed 's/\\$//' "$T/answers" | tr -d '\n')" "$tok" "askpass: the token in pieces that rebuild it" ||
    diag "$T/ask.err"
is "$(cat "$T/aws.args")" "eks get-token --cluster-name eksauth:prod:h.example --output json" \
    "askpass: aws eks get-token for the host's audience"
# No core file of a process with the token (SECURITY.md, invariant 2): askpass's
# soft core limit, 0, is what the command it runs inherits.  (Where the hard
# limit stays 0, no process can write a core, and the test holds for that.)
is "$(cat "$T/aws.core")" 0 "askpass: no core file (its soft core limit 0, as its command's)"
ask "(alice@h.example) EKS token for eksauth:prod:other.example: " >"$T/other" 2>"$T/other.err"
like "$?:$(cat "$T/other.err")" '^1:.*calls itself "other.example", but you reached "h.example"' \
    "askpass: a host that names another host gets no token"
like "$("$E" ssh --version 2>&1 | head -n 1)" "^eksauth [0-9]" "eksauth ssh --version"

done_testing
