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
#   hard_single_use [stages]   $SVC/single, a service under single_use
#   hard_suid   $SUID/pam_batch, a setuid-root copy of the driver
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

# hard_single_use [stages]: $PE_DIR/single.conf (single_use = yes) and the
# service "single" in $SVC for it: the auth line, and with "stages" the
# account (require_token) and session lines too.
hard_single_use() {
    pam_conf "$PE_DIR/single.conf" "db_path = $PE_DIR/db/identity.db" "single_use = yes"
    SVC=$tmp/services
    mkdir -p "$SVC"
    echo "auth     required $PAM_MODULE config=$PE_DIR/single.conf" >"$SVC/single"
    if [ "${1:-}" = stages ]; then
        echo "account  required $PAM_MODULE config=$PE_DIR/single.conf require_token"
        echo "session  required $PAM_MODULE config=$PE_DIR/single.conf"
    fi >>"$SVC/single"
}

# hard_suid: $SUID, a folder with a setuid-root copy of the driver
# ($SUID/pam_batch) for a caller of uid 65534 to run, as sudo and su are run:
# in /tmp, not TMPDIR, so that uid 65534 reaches it through every folder
# above it, on a file system mounted without nosuid.  The caller removes it.
hard_suid() {
    SUID=$(mktemp -d /tmp/eksauth-suid.XXXXXX) || bail "mktemp failed"
    chmod 0755 "$SUID"
    cp "$PB" "$SUID/pam_batch"
    chmod 4755 "$SUID/pam_batch"
}

# ---- a private mount namespace for NSS (tests/lib/nss_ns.sh) ----
# hard_ns_prepare SOURCES: the namespace's files in $NS.  hard_ns CMD...: CMD
# inside it with EKSAUTH_DB=$NS_DB ($NS/varlib/eksauth, if there is one, is
# bound over /var/lib/eksauth: setuid programs ignore EKSAUTH_DB).
. "$top_srcdir/tests/lib/nss_ns.sh"
hard_ns_unsupported() { nss_ns_unsupported; }
hard_ns_prepare() {
    NS=$tmp/ns
    mkdir -p "$NS"
    nss_ns_prepare "$NS" "$1"
}
hard_ns() { nss_ns_run "$NS" "${NS_DB:-}" "$@"; }
