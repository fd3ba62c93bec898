#!/bin/sh
# peers.sh - the services a user would pick instead of eksauth, for the NSS
# rows of `make bench`: SSSD (sssd-common, its proxy provider, libnss-sss)
# and nscd, from Debian's own packages.  They are downloaded with
# `apt-get download` and unpacked with `dpkg -x` into DIR, never installed:
# their maintainer scripts would edit nsswitch.conf and PAM on this host.
# The shared libraries they need that this host lacks are unpacked beside
# them.  bench_nss.sh lays DIR/usr over /usr inside a private mount
# namespace; nothing outside it sees them.
#
#   bench/peers.sh DIR        (root; DIR/.done marks a finished unpack)
set -u
D=${1:?usage: peers.sh DIR}
[ -f "$D/.done" ] && exit 0
command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 ||
    { echo "peers.sh: apt-get and dpkg are needed (Debian)" >&2; exit 1; }
rm -rf "$D"
mkdir -p "$D/debs" "$D/root" || exit 1

# The packages, and every library package they need that is not installed
# here (Depends only, followed to the end).
want="sssd-common sssd-proxy libnss-sss nscd"
seen=" "
queue=$want
need=""
while [ -n "$queue" ]; do
    set -- $queue
    p=$1
    shift
    queue="$*"
    case $seen in *" $p "*) continue ;; esac
    seen="$seen$p "
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        continue
    fi
    need="$need $p"
    deps=$(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances "$p" 2>/dev/null |
        awk '/^  (PreDepends|Depends):/ && $2 !~ /^</ { print $2 }')
    for d in $deps; do
        case $d in lib*) queue="$queue $d" ;; esac
    done
done
# PAM and password-quality libraries are for sssd's PAM side, which the bench never starts.
need=$(echo "$need" | tr ' ' '\n' | grep -v -e '^libpam-' -e '^libpwquality' -e '^libcrack' | tr '\n' ' ')
echo "peers.sh: downloading:$need" >&2
# shellcheck disable=SC2086
(cd "$D/debs" && apt-get download $need) >"$D/download.log" 2>&1 || {
    tail -5 "$D/download.log" >&2
    echo "peers.sh: apt-get download failed (run apt-get update first?)" >&2
    exit 1
}
for f in "$D"/debs/*.deb; do
    dpkg -x "$f" "$D/root" || exit 1
done
# This host has merged /usr: what a package puts in /lib belongs in /usr/lib.
if [ -d "$D/root/lib" ]; then
    cp -a "$D/root/lib/." "$D/root/usr/lib/" || exit 1
fi
for f in usr/sbin/sssd usr/libexec/sssd/sssd_nss usr/lib/x86_64-linux-gnu/sssd/libsss_proxy.so \
    usr/sbin/nscd usr/lib/x86_64-linux-gnu/libnss_sss.so.2; do
    [ -e "$D/root/$f" ] || { echo "peers.sh: $f missing after unpacking" >&2; exit 1; }
done
(cd "$D/debs" && ls) >"$D/packages"
touch "$D/.done"
