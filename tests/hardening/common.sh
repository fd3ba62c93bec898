# shellcheck shell=bash
# common.sh - shared by the hardening suites (sourced, not run).  It builds
# on the PAM tests' helpers (tests/pam/pam_common.sh: TAP, the STS stand-in
# over TLS, pam_conf, pieces, no_token_in) and adds:
#   hard_setup [fake_sts options]   what pam_setup does (certs, stand-in,
#       configs, aws-auth, identity DB by `eksauth sync`) without minting
#       tokens with aws-cli (slow); mint with hard_mint instead
#   hard_mint NAME AKID [eksauth token options]   $PE_DIR/tok/NAME, fresh
#   hard_services [options]   a PAM service folder $SVC with eksauth-hard
#       (auth, account, session) for pam_batch
#   PB   the batch PAM driver (tests/hardening/pam_batch)
# Needs root (the module trusts root-owned files only): callers run
# hard_require first, before any TAP line.
: "${top_builddir:?top_builddir must be set (make check sets it)}"
. "$top_srcdir/tests/pam/pam_common.sh"
HERE=$top_srcdir/tests/hardening
PB=$top_builddir/tests/hardening/pam_batch
TAB=$(printf '\t')

hard_require() {
    sts_require
    [ "$(id -u)" = 0 ] || { echo "1..0 # SKIP the trust checks want root-owned files: run as root"; exit 0; }
    [ -f "$PAM_MODULE" ] || { echo "Bail out! $PAM_MODULE not built"; exit 1; }
    [ -x "$PB" ] || { echo "Bail out! $PB not built"; exit 1; }
}

hard_setup() {
    sts_certs
    sts_start sts "$@"
    mkdir -p "$PE_DIR/tok" "$PE_DIR/db"
    cp "$PAM_FIX/aws-auth.yaml" "$PE_DIR/"
    chmod 0644 "$PE_DIR/aws-auth.yaml"
    pam_conf "$PE_DIR/eksauth.conf" "db_path = $PE_DIR/db/identity.db"
    "$EKSAUTH" --config "$PE_DIR/eksauth.conf" sync >"$PE_DIR/sync.out" 2>&1 ||
        bail "eksauth sync failed: $(cat "$PE_DIR/sync.out")"
}

hard_mint() {
    _name=$1
    _akid=$2
    shift 2
    (
        sts_creds "$_akid"
        "$EKSAUTH" token --cluster-id "$CLUSTER_ID" --host "$PE_HOST" --region us-east-1 "$@"
    ) >"$PE_DIR/tok/$_name" 2>"$tmp/mint.err" || bail "eksauth token for $_name failed: $(cat "$tmp/mint.err")"
}

hard_services() {
    SVC=$tmp/services
    mkdir -p "$SVC"
    {
        echo "auth     required $PAM_MODULE config=$PE_DIR/eksauth.conf $*"
        echo "account  required $PAM_MODULE config=$PE_DIR/eksauth.conf $*"
        echo "session  required $PAM_MODULE config=$PE_DIR/eksauth.conf $*"
    } >"$SVC/eksauth-hard"
}

# ---- a private mount namespace for NSS (test-harness.md §4.3 variant B) ----
# hard_ns_prepare SOURCES: $NS/nsswitch.conf ("passwd/group: SOURCES"), an
# ld.so.cache that lists the build's nss_eksauth folder, and copies of
# /etc/passwd and /etc/group with a local user "localbob" and a local group
# "localgrp" that no aws-auth entry may take over.  hard_ns CMD...: CMD
# inside `unshare -m` with those (and $NS/sudoers if there is one) bound
# over /etc, EKSAUTH_DB=$NS_DB, and $NS/varlib/eksauth, if there is one,
# over /var/lib/eksauth (setuid programs ignore EKSAUTH_DB).
NSS_SO=$top_builddir/nss_eksauth/libnss_eksauth.so.2
hard_ns_unsupported() {
    if ! unshare -m true 2>/dev/null; then
        echo "unshare -m not permitted here"
    elif [ ! -f "$NSS_SO" ]; then
        echo "$NSS_SO not built"
    elif readelf -d "$NSS_SO" | grep -q 'NEEDED.*lib[at]san'; then
        echo "sanitizer build: glibc cannot load an ASan NSS module into uninstrumented programs"
    fi
}
hard_ns_prepare() {
    NS=$tmp/ns
    mkdir -p "$NS"
    sed -e "s/^passwd:.*/passwd: $1/" -e "s/^group:.*/group: $1/" -e '/^initgroups:/d' \
        /etc/nsswitch.conf >"$NS/nsswitch.conf"
    grep -q "^passwd: $1\$" "$NS/nsswitch.conf" || echo "passwd: $1" >>"$NS/nsswitch.conf"
    grep -q "^group: $1\$" "$NS/nsswitch.conf" || echo "group: $1" >>"$NS/nsswitch.conf"
    {
        cat /etc/ld.so.conf.d/*.conf 2>/dev/null | grep -v '^#'
        echo "$top_builddir/nss_eksauth"
    } >"$NS/ld.so.conf"
    ldconfig -X -C "$NS/ld.so.cache" -f "$NS/ld.so.conf" 2>/dev/null
    cp /etc/passwd "$NS/passwd"
    cp /etc/group "$NS/group"
    echo "localbob:x:5000:5000:local user:/home/localbob:/bin/sh" >>"$NS/passwd"
    echo "localgrp:x:5001:" >>"$NS/group"
}
hard_ns() {
    EKSAUTH_DB="${NS_DB:-}" NS="$NS" unshare -m sh -c '
        set -e
        mount --bind "$NS/nsswitch.conf" /etc/nsswitch.conf
        mount --bind "$NS/ld.so.cache" /etc/ld.so.cache
        mount --bind "$NS/passwd" /etc/passwd
        mount --bind "$NS/group" /etc/group
        if [ -f "$NS/sudoers" ]; then mount --bind "$NS/sudoers" /etc/sudoers; fi
        # $NS/varlib/eksauth at the fixed path, where setuid programs read the DB.
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
