#!/bin/sh
# deb_units.sh - what the Debian package's maintainer scripts do with the
# systemd units: debian/rules's dh_installsystemd call is run on the units
# as built, dh_installdeb makes the scripts, and the lines debhelper added
# run with stand-ins of systemctl, deb-systemd-invoke and
# deb-systemd-helper that keep which units run.  An upgrade must leave an
# enabled eksauth-sync.timer and eksauth-watch.service running (restarted
# on the new binary): stopped and never started again, the identity DB
# stops following aws-auth and a role removed from it keeps its logins and
# sudo until a reboot.  A removal must stop them (the watch would go on
# writing the DB from a deleted binary).  As rpm/eksauth.spec does with
# %systemd_postun_with_restart and %systemd_preun.  TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

[ -f "$top_srcdir/debian/rules" ] || skip_all "no debian/ folder"
for tool in dh_installsystemd dh_installdeb; do
    command -v "$tool" >/dev/null 2>&1 || bail "$tool not found (debhelper; scripts/install-deps installs it)"
done
UNITS="eksauth-sync.service eksauth-sync.timer eksauth-watch.service"
for u in $UNITS; do
    [ -f "$top_builddir/systemd/$u" ] || bail "the units are not built (make)"
done

# --- the maintainer scripts, made by debian/rules's own call -------------
P="$T/pkg"
mkdir -p "$P/debian/eksauth/lib/systemd/system"
cp -R "$top_srcdir/debian/." "$P/debian/"
for u in $UNITS; do cp "$top_builddir/systemd/$u" "$P/debian/eksauth/lib/systemd/system/"; done
if (cd "$P" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -f debian/rules override_dh_installsystemd &&
    dh_installdeb) >"$T/dh.out" 2>&1; then
    pass "debian/rules override_dh_installsystemd and dh_installdeb run"
else
    fail "debian/rules override_dh_installsystemd and dh_installdeb run"
    diag "$T/dh.out"
fi

# The sections dh_installsystemd added to each script, with /run/systemd/system
# (systemd is running) pointed at a folder of the test.
RUN="$T/run-systemd"
mkdir -p "$RUN"
for s in preinst postinst prerm postrm; do
    f="$P/debian/eksauth/DEBIAN/$s"
    : >"$T/$s"
    [ -f "$f" ] || continue
    awk '/^# Automatically added by dh_installsystemd/ { on = 1 } on { print } /^# End automatically added section/ { on = 0 }' \
        "$f" | sed "s|/run/systemd/system|$RUN|g" >"$T/$s"
done

# --- stand-ins: $T/running lists the running units -----------------------
B="$T/bin"
mkdir -p "$B"
cat >"$B/deb-systemd-invoke" <<EOF
#!/bin/sh
action=\$1; shift
for u; do
    case \$action in
    stop) grep -vx "\$u" "$T/running" >"$T/running.new"; mv "$T/running.new" "$T/running" ;;
    start|restart) grep -qx "\$u" "$T/running" || echo "\$u" >>"$T/running"; echo "\$u" >>"$T/restarted" ;;
    try-restart) grep -qx "\$u" "$T/running" && echo "\$u" >>"$T/restarted" ;;
    esac
done
exit 0
EOF
printf '#!/bin/sh\nexit 0\n' >"$B/systemctl"
printf '#!/bin/sh\nexit 0\n' >"$B/deb-systemd-helper"
chmod 0755 "$B"/*

# run SCRIPT ARGS...: the debhelper lines of a maintainer script.
run() {
    s=$1
    shift
    PATH="$B:$PATH" DPKG_ROOT='' sh "$T/$s" "$@" >>"$T/run.out" 2>&1
}
running() { grep -qx "$1" "$T/running"; }

# --- an upgrade, with the timer and the watch enabled and running ---------
printf 'eksauth-sync.timer\neksauth-watch.service\n' >"$T/running"
: >"$T/restarted"
run preinst upgrade 0.9
run postinst configure 0.9
for u in eksauth-sync.timer eksauth-watch.service; do
    running "$u"
    ok $? "upgrade: $u still runs afterwards"
    grep -qx "$u" "$T/restarted"
    ok $? "upgrade: $u is restarted, on the new binary"
done

# --- a removal -----------------------------------------------------------
printf 'eksauth-sync.timer\neksauth-watch.service\n' >"$T/running"
run prerm remove
run postrm remove
for u in eksauth-sync.timer eksauth-watch.service; do
    running "$u"
    ok $((!$?)) "remove: $u is stopped"
done

done_testing
