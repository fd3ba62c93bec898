#!/bin/sh
# bench_nss_ns.sh - one size of the NSS benchmark, run by bench_nss.sh
# inside a private mount namespace (`unshare -m`: every mount below goes
# with it, nothing on the host changes).
#
#   bench_nss_ns.sh BUILDDIR T N SECONDS ROUNDS PEERS_ROOT|- PEERS_FULL_MAX
#
# T holds identity.db and gen.passwd/gen.group (iddb_tool gen, the same
# entries), and peers.db: the same without eks-big (SSSD re-reads a group
# with all its members on every initgroups of a member, which made filling
# its cache quadratic; the big-group rows compare with files only).  The contenders, each in a nested namespace of its own
# (as_source) so that only its source answers:
#   nothing  libnss_nothing.so.2: no lookup at all (glibc's dispatch, the floor)
#   eksauth  libnss_eksauth.so.2 over the DB
#   sss      SSSD 2.8 (Debian's packages, PEERS_ROOT laid over /usr): sssd_nss
#            and its memory cache, read by libnss_sss.so.2 in the client
#   nscd     glibc's nscd (Debian's package), shared cache
#   files    /etc/passwd and /etc/group holding the same entries
# SSSD's files provider needs about 30 ms per entry to index (61 s for
# 1,000 users here), so SSSD serves the entries through its proxy provider
# over libnss_eksauth, and nscd through nsswitch "eksauth": both caches are
# filled from the same entries once (bench_nss warm) and then measured warm;
# what is measured is their cache-hit path, which does not depend on where
# the entries came from.  Filling them goes through their daemons one entry
# at a time; above PEERS_FULL_MAX users only the entry of the first-lookup
# rows is filled and the peers take part in those rows only.
#
# Output lines (bench_nss.sh reads them):
#   R ROUND SOURCE getpwnam NS getgrnam NS initgroups NS
#   BIG ROUND SOURCE NS MEMBERS
#   MEM ROUND DB_BYTES NS    one dependent random read in a region of the DB's size
#   FIRST SOURCE NS RSS_KIB
#   SYSCALLS SOURCE PER_LOOKUP
#   SKIP SOURCE why
set -u
B=$1 T=$2 N=$3 SECS=$4 ROUNDS=$5 PEERS=$6 PEERS_FULL_MAX=$7
# nscd's hash table: two slots an entry, within what its size limits accept
NSCD_SLOTS=$((N * 2 + 211))
[ "$NSCD_SLOTS" -gt 200003 ] && NSCD_SLOTS=200003
BENCH=$B/bench/bench_nss
DB=/var/lib/eksauth/identity.db

# ---- the namespace's files ----------------------------------------------------
mkdir -p "$T/etcx/sssd/conf.d" || exit 1
cat >"$T/etcx/sssd/sssd.conf" <<EOF
[sssd]
services = nss
domains = bench
[nss]
memcache_timeout = 3600
memcache_size_passwd = 512
memcache_size_group = 512
memcache_size_initgroups = 512
[domain/bench]
id_provider = proxy
proxy_lib_name = eksauth
auth_provider = none
EOF
chmod 0600 "$T/etcx/sssd/sssd.conf"
cat >"$T/etcx/nscd.conf" <<EOF
	enable-cache		passwd		yes
	positive-time-to-live	passwd		3600
	negative-time-to-live	passwd		60
	suggested-size		passwd		$NSCD_SLOTS
	check-files		passwd		no
	persistent		passwd		no
	shared			passwd		yes
	max-db-size		passwd		1073741824
	enable-cache		group		yes
	positive-time-to-live	group		3600
	negative-time-to-live	group		60
	suggested-size		group		$NSCD_SLOTS
	check-files		group		no
	persistent		group		no
	shared			group		yes
	max-db-size		group		1073741824
	enable-cache		hosts		no
	enable-cache		services	no
	enable-cache		netgroup	no
EOF
printf 'passwd: files\ngroup: files\n' >"$T/nsswitch.host"
for src in nothing eksauth sss nscd files; do
    case $src in nscd) sw=files ;; *) sw=$src ;; esac
    printf 'passwd: %s\ngroup: %s\n' "$sw" "$sw" >"$T/nsswitch.$src"
done
cp /etc/passwd "$T/host.passwd" && cp /etc/group "$T/host.group" || exit 1

if [ "$PEERS" != - ]; then
    mount -t overlay overlay -o "lowerdir=$PEERS/usr:/usr" /usr || exit 1
fi
mount -t overlay overlay -o "lowerdir=$T/etcx:/etc" /etc || exit 1
mount -t tmpfs -o mode=0755 tmpfs /var/lib || exit 1
mkdir -p /var/lib/eksauth /var/lib/sss/db /var/lib/sss/mc /var/lib/sss/pipes/private \
    /var/lib/sss/pubconf /var/lib/sss/gpo_cache
cp "$T/peers.db" "$DB" && chmod 0644 "$DB" || exit 1
mount -t tmpfs -o mode=0755 tmpfs /run || exit 1
mkdir -p /run/nscd /run/sssd
mount -t tmpfs -o mode=0755 tmpfs /var/log || exit 1
mkdir -p /var/log/sssd
{ cat /etc/ld.so.conf.d/*.conf 2>/dev/null | grep -v '^#'
  echo "$B/nss_eksauth"; echo "$B/bench"; } >"$T/ld.so.conf"
ldconfig -X -C "$T/ld.so.cache" -f "$T/ld.so.conf" 2>/dev/null || exit 1
mount --bind "$T/ld.so.cache" /etc/ld.so.cache || exit 1

# as_source SOURCE CMD...: CMD where nsswitch names SOURCE alone; files and
# nscd see the generated entries, the others this host's accounts (eksauth
# serves no DB entry named like a local account); only nscd's rows see its
# socket (glibc asks nscd first whatever nsswitch says).
as_source() {
    unshare -m sh -c '
        src=$1 T=$2
        shift 3
        case $src in
        files | nscd) pw=$T/gen.passwd gr=$T/gen.group ;;
        *) pw=$T/host.passwd gr=$T/host.group ;;
        esac
        mount --bind "$T/nsswitch.$src" /etc/nsswitch.conf &&
            mount --bind "$pw" /etc/passwd && mount --bind "$gr" /etc/group || exit 97
        if [ "$src" != nscd ]; then mount -t tmpfs tmpfs /run/nscd || exit 97; fi
        if [ "$src" = nothing ]; then BENCH_NSS_FLOOR=1; export BENCH_NSS_FLOOR; fi
        EKSAUTH_DB=$T/identity.db
        export EKSAUTH_DB
        exec "$@"' as_source "$1" "$T" "$@"
}

# ---- the peers: started here, stopped on exit --------------------------------------
sources="nothing eksauth files" # in the steady-state rounds
firsts=$sources                  # in the first-lookup rows
daemons=""
stop_daemons() {
    for p in $daemons; do kill "$p" 2>/dev/null; done
    for p in $daemons; do wait "$p" 2>/dev/null; done
    daemons=""
}
trap stop_daemons EXIT
trap 'exit 1' INT TERM HUP
if [ "$PEERS" != - ]; then
    # SSSD's proxy provider loads libnss_eksauth itself; its own lookups (its
    # user, root) go to this host's files, not to nscd.  nscd resolves
    # through eksauth.
    unshare -m sh -c 'mount --bind "$1/nsswitch.host" /etc/nsswitch.conf &&
        mount -t tmpfs tmpfs /run/nscd && exec /usr/sbin/sssd -i --logger=stderr -d 0x0010' sssd "$T" >"$T/sssd.log" 2>&1 &
    daemons="$daemons $!"
    unshare -m sh -c 'mount --bind "$1/nsswitch.eksauth" /etc/nsswitch.conf &&
        exec /usr/sbin/nscd -F -f /etc/nscd.conf' nscd "$T" >"$T/nscd.log" 2>&1 &
    daemons="$daemons $!"
    i=0
    until as_source sss getent passwd u0 >/dev/null 2>&1 || [ $i -ge 150 ]; do
        sleep 0.2
        i=$((i + 1))
    done
    peers=""
    if [ $i -ge 150 ]; then
        echo "SKIP sss SSSD did not answer within 30 s: $(tail -3 "$T/sssd.log" | tr '\n' ' ')"
    else
        peers="$peers sss"
    fi
    i=0
    until [ -S /run/nscd/socket ] && as_source nscd getent passwd u0 >/dev/null 2>&1 ||
        [ $i -ge 150 ]; do
        sleep 0.2
        i=$((i + 1))
    done
    if [ $i -ge 150 ]; then
        echo "SKIP nscd nscd did not answer within 30 s: $(tail -3 "$T/nscd.log" | tr '\n' ' ')"
    else
        peers="$peers nscd"
    fi
    # Fill the caches: every user, group and initgroups once (or, above
    # PEERS_FULL_MAX, the entry the first-lookup rows ask for).
    for src in $peers; do
        t0=$(date +%s)
        if [ "$N" -le "$PEERS_FULL_MAX" ]; then
            as_source "$src" "$BENCH" warm "$N" >/dev/null 2>"$T/warm.$src" ||
                { echo "SKIP $src warm-up failed: $(tail -1 "$T/warm.$src")"; continue; }
            sources="$sources $src"
        else
            as_source "$src" getent passwd "u$((N / 2))" >/dev/null || continue
        fi
        firsts="$firsts $src"
        if [ "$N" -le "$PEERS_FULL_MAX" ]; then
            echo "NOTE $src cache filled in $(($(date +%s) - t0)) s"
        else
            echo "NOTE $src: first-lookup rows only (its cache holds the one entry they ask for)"
        fi
    done
fi

# ---- BENCH_NSS_COLD=1: the DB's page cache filled by lookups, not by its writer ----
# iddb_tool gen writes the DB in one write(2), which leaves it in the page
# cache as 2 MiB folios that every reader maps with huge pages.  After a
# reboot or an eviction the cache is filled by the readers' page faults
# instead, and its folios are whatever those faults make: drop the DB's
# pages (written back first) and let one pass of eksauth lookups fault them
# in before the rounds.
if [ "${BENCH_NSS_COLD:-0}" = 1 ]; then
    sync "$T/identity.db" && dd if="$T/identity.db" iflag=nocache count=0 2>/dev/null &&
        as_source eksauth "$BENCH" warm "$N" >/dev/null || { echo "FAIL cold: could not drop or refill the DB's pages"; exit 1; }
    echo "NOTE eksauth: the DB's page cache was dropped and filled by lookups (BENCH_NSS_COLD=1)"
fi

# ---- steady-state lookups: interleaved rounds, the order turning each round ----
r=1
while [ "$r" -le "$ROUNDS" ]; do
    set -- $sources
    k=$(((r - 1) % $#))
    order="$(echo "$sources" | tr ' ' '\n' | sed -n "$((k + 1)),\$p") $(echo "$sources" | tr ' ' '\n' | sed -n "1,${k}p")"
    for src in $order; do
        out=$(as_source "$src" "$BENCH" run "$N" "$SECS") || { echo "FAIL $src run: $out"; exit 1; }
        echo "R $r $src $out"
        # The floor's groups have no members; the peers serve peers.db, without eks-big.
        case $src in nothing | sss | nscd) continue ;; esac
        out=$(as_source "$src" "$BENCH" big "$N" "$SECS") || { echo "FAIL $src big: $out"; exit 1; }
        echo "BIG $r $src ${out#getgrnam_big }"
    done
    # What one memory read costs at the DB's size, in the same round (no source needed).
    out=$("$BENCH" memlat "$(stat -c %s "$T/identity.db")" "$SECS") || { echo "FAIL memlat: $out"; exit 1; }
    echo "MEM $r $(stat -c %s "$T/identity.db") ${out#memlat }"
    r=$((r + 1))
done

# ---- the first lookup in a fresh process: interleaved, 15 of each ----------------
i=1
while [ $i -le 15 ]; do
    for src in $firsts; do
        out=$(as_source "$src" "$BENCH" first "u$((N / 2))") || { echo "FAIL $src first: $out"; exit 1; }
        echo "FIRST $src ${out#first }"
    done
    i=$((i + 1))
done

# ---- system calls per lookup in the steady state ----------------------------------
# strace -c of COUNT and 2 x COUNT lookups of each kind: the difference is the
# steady state (the start-up calls cancel out).
if command -v strace >/dev/null 2>&1; then
    for src in $sources; do
        [ "$src" = files ] && [ "$N" -gt 10000 ] && continue # too slow to count
        calls() {
            as_source "$src" strace -f -c -o "$T/strace.$src.$1" "$BENCH" count "$N" "$1" \
                >/dev/null 2>&1 || return 1
            awk '$NF == "total" { print $4 + 0 }' "$T/strace.$src.$1"
        }
        a=$(calls 2000) && b=$(calls 4000) || { echo "FAIL $src strace"; continue; }
        echo "SYSCALLS $src $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", (b - a) / 6000 }')"
        # The table itself once, at 100,000 users (the size issue 19 measured).
        if [ "$N" = 100000 ] && { [ "$src" = eksauth ] || [ "$src" = nothing ]; }; then
            sed -n '3,8p;$p' "$T/strace.$src.4000" |
                sed "s/^/NOTE strace -c, 12,000 lookups through $src, top calls and total: /"
        fi
    done
fi
exit 0
