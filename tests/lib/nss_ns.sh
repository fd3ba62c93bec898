# shellcheck shell=sh
# nss_ns.sh - a private mount namespace in which glibc loads the freshly
# built libnss_eksauth.so.2 (sourced, not run): a bind-mounted ld.so.cache
# made with ldconfig -C that also lists the build's nss_eksauth folder (so
# setuid programs load it too) and a bind-mounted nsswitch.conf.  Nothing on
# the host changes: every mount is made inside `unshare -m` (private
# propagation).  Shared by the identity DB / NSS tests
# (tests/integration/iddb_common.sh) and the hardening suites
# (tests/hardening/common.sh).  Needs top_builddir.
NSS_SO=$top_builddir/nss_eksauth/libnss_eksauth.so.2

# nss_ns_unsupported: why this machine cannot run the namespace tests (nothing when it can).
nss_ns_unsupported() {
    if [ "$(id -u)" != 0 ]; then
        echo "needs root (mount namespaces)"
    elif ! command -v unshare >/dev/null 2>&1; then
        echo "unshare not found"
    elif ! unshare -m true 2>/dev/null; then
        echo "unshare -m not permitted here"
    elif [ ! -f "$NSS_SO" ]; then
        echo "$NSS_SO not built"
    elif readelf -d "$NSS_SO" | grep -q 'NEEDED.*lib[at]san'; then
        echo "sanitizer build: glibc cannot load an ASan NSS module into uninstrumented programs"
    fi
}

# nss_ns_prepare DIR SOURCES: DIR/nsswitch.conf ("passwd: SOURCES" and
# "group: SOURCES"), DIR/ld.so.cache (made once) and copies of /etc/passwd
# and /etc/group with a local user "localbob" (uid 5000) and a local group
# "localgrp" (gid 5001) that no aws-auth entry may take over.
nss_ns_prepare() {
    sed -e "s/^passwd:.*/passwd: $2/" -e "s/^group:.*/group: $2/" -e '/^initgroups:/d' \
        /etc/nsswitch.conf >"$1/nsswitch.conf"
    grep -q "^passwd: $2\$" "$1/nsswitch.conf" || echo "passwd: $2" >>"$1/nsswitch.conf"
    grep -q "^group: $2\$" "$1/nsswitch.conf" || echo "group: $2" >>"$1/nsswitch.conf"
    if [ ! -f "$1/ld.so.cache" ]; then
        # Other users' processes (setpriv to nobody) load the module too.  A
        # build in a private folder (/root/eksauth: Debian's /root is 0700) is
        # out of their reach, and glibc then answers them nothing, silently:
        # they load a copy in DIR then.
        _nss_so_dir=$top_builddir/nss_eksauth
        if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$NSS_SO" 2>/dev/null; then
            mkdir -p "$1/nss" && cp "$NSS_SO" "$1/nss/" && chmod 0755 "$1/nss" && _nss_so_dir=$1/nss
        fi
        {
            cat /etc/ld.so.conf.d/*.conf 2>/dev/null | grep -v '^#'
            echo "$_nss_so_dir"
        } >"$1/ld.so.conf"
        # -X: never create or change links, neither in the build nor in system folders.
        ldconfig -X -C "$1/ld.so.cache" -f "$1/ld.so.conf" 2>/dev/null
    fi
    cp /etc/passwd "$1/passwd"
    cp /etc/group "$1/group"
    echo "localbob:x:5000:5000:local user:/home/localbob:/bin/sh" >>"$1/passwd"
    echo "localgrp:x:5001:" >>"$1/group"
}

# nss_ns_run DIR DB CMD...: CMD inside a fresh mount namespace with the
# files of nss_ns_prepare (and DIR/sudoers, if there is one) bound over
# /etc, and EKSAUTH_DB=DB.  DIR/varlib/eksauth, if there is one, is bound
# over /var/lib/eksauth (a tmpfs over /var/lib when the host has none):
# setuid programs ignore EKSAUTH_DB and read the DB there.
nss_ns_run() {
    _nss_dir=$1
    _nss_db=$2
    shift 2
    EKSAUTH_DB="$_nss_db" NS="$_nss_dir" unshare -m sh -c '
        set -e
        mount --bind "$NS/nsswitch.conf" /etc/nsswitch.conf
        mount --bind "$NS/ld.so.cache" /etc/ld.so.cache
        mount --bind "$NS/passwd" /etc/passwd
        mount --bind "$NS/group" /etc/group
        if [ -f "$NS/sudoers" ]; then mount --bind "$NS/sudoers" /etc/sudoers; fi
        if [ -d "$NS/varlib/eksauth" ]; then
            if [ ! -d /var/lib/eksauth ]; then
                mount -t tmpfs -o mode=0755 tmpfs /var/lib
                mkdir -m 0755 /var/lib/eksauth
            fi
            mount --bind "$NS/varlib/eksauth" /var/lib/eksauth
        fi
        set +e
        exec "$@"' ns "$@"
}
