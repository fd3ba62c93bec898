#!/bin/sh
# units.sh - the systemd units as built: eksauth-sync.service is a hardened
# oneshot running the installed eksauth, eksauth-sync.timer runs it every
# minute with a random delay; systemd-analyze verifies both and rates the
# service's exposure.  TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

S="$top_builddir/systemd/eksauth-sync.service"
M="$top_builddir/systemd/eksauth-sync.timer"
[ -f "$S" ] && [ -f "$M" ] || bail "the units are not built (make)"

# has FILE KEY=VALUE: the unit sets exactly that.
has() {
    if grep -qx "$2" "$1"; then pass "$(basename "$1"): $2"; else fail "$(basename "$1"): $2"; fi
}
for kv in Type=oneshot ProtectSystem=strict ReadWritePaths=-/var/lib/eksauth NoNewPrivileges=yes \
    PrivateTmp=yes StateDirectory=eksauth StateDirectoryMode=0755 ProtectHome=read-only \
    CapabilityBoundingSet= "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" \
    SystemCallFilter=@system-service "SystemCallFilter=~@privileged @resources" PrivateMounts=yes; do
    has "$S" "$kv"
done
like "$(grep '^ExecStart=' "$S")" '^ExecStart=/.*/eksauth sync --if-changed$' "the service runs eksauth sync --if-changed by its full path"
for kv in OnUnitActiveSec=1min RandomizedDelaySec=20s Unit=eksauth-sync.service WantedBy=timers.target; do
    has "$M" "$kv"
done

# Every unit built (issue 9 adds eksauth-watch.service): hardened the same way.
for unit in "$top_builddir"/systemd/*.service; do
    [ "$unit" = "$S" ] && continue
    for kv in ProtectSystem=strict ReadWritePaths=-/var/lib/eksauth NoNewPrivileges=yes PrivateTmp=yes \
        ProtectHome=read-only; do
        has "$unit" "$kv"
    done
done

# scripts/install-deps installs systemd (systemd-analyze 252 on Debian 12,
# which has security --offline): without it the units go unchecked, so bail.
command -v systemd-analyze >/dev/null 2>&1 ||
    bail "systemd-analyze not installed (systemd; scripts/install-deps installs it)"
# Verify copies that run the eksauth just built.
mkdir -p "$T/units"
for unit in "$top_builddir"/systemd/*.service "$top_builddir"/systemd/*.timer; do
    sed "s|^ExecStart=[^ ]*/eksauth|ExecStart=$EKSAUTH|" "$unit" >"$T/units/$(basename "$unit")"
done
systemd-analyze verify --man=no "$T"/units/* >"$T/verify" 2>&1
# (a machine without systemd running may add notes about the host's own units)
if grep -q 'eksauth-' "$T/verify"; then
    fail "systemd-analyze verify: no complaint about $(ls "$T/units" | paste -sd' ' -)"
    diag "$T/verify"
else
    pass "systemd-analyze verify: no complaint about $(ls "$T/units" | paste -sd' ' -)"
fi
for unit in "$T"/units/*.service; do
    name=$(basename "$unit")
    # A systemd-analyze without --offline (older than 250) is a machine the
    # project does not test on: bail, saying so.  Any other failure fails.
    systemd-analyze security --offline=true "$unit" >"$T/security" 2>&1
    rc=$?
    if [ "$rc" != 0 ] && grep -q -- "--offline" "$T/security"; then
        diag "$T/security"
        bail "systemd-analyze security --offline is not supported by $(systemd-analyze --version | head -n 1)"
    fi
    # At most 1.7: ProtectHome=read-only (root's ~/.aws is the sync's, eksauth.conf(5)
    # FILES; tests/integration/unit_sandbox.sh) costs 0.1 over yes, whose mode-000
    # /root failed every sync.
    score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' "$T/security")
    if [ "$rc" = 0 ] && [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 1.7) }'; then
        pass "systemd-analyze security $name: exposure $score (at most 1.7)"
    else
        fail "systemd-analyze security $name: exit $rc, exposure '$score' (at most 1.7)"
        diag "$T/security"
    fi
done

done_testing
