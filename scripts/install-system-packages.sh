#!/usr/bin/env bash
# Install the Debian packages MFA Console needs: "run" for the console (Qt's libraries), "test" for
# the test suite too (slapd, Samba AD DC, dnsmasq, FreeRADIUS and radclient, gnome-keyring, D-Bus,
# Xvfb, sqlite3, and PostgreSQL: the tests make private clusters; the policy-rc.d below keeps apt
# from starting the system ones). Does nothing when they are all present; elsewhere than
# Debian/Ubuntu, or not as root, it says what is missing.
set -euo pipefail
what=${1:-run}
run_pkgs=(libegl1 libgl1 libfontconfig1 libglib2.0-0 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 fonts-dejavu-core python3-venv)
# Each program a test or script runs, by the package that brings it (dpkg -S):
#   slapd slaptest slapadd: slapd; ldapsearch: ldap-utils; samba: samba; samba-tool: samba-common-bin
#   (a dependency of samba-ad-dc); the AD schema that `samba-tool domain provision` reads:
#   samba-ad-provision (only a recommendation of samba-ad-dc, so named here); ldbadd: ldb-tools;
#   dnsmasq: dnsmasq-base; gnome-keyring-daemon: gnome-keyring; dbus-run-session: dbus-daemon;
#   dbus-send: dbus-bin; Xvfb: xvfb; sqlite3: sqlite3; openssl: openssl; objdump (PyInstaller):
#   binutils; systemd-creds: systemd; mount umount: mount; runuser: util-linux; xdotool: xdotool;
#   freeradius (the upstream RADIUS server of the tests): freeradius; radclient radtest:
#   freeradius-utils; initdb pg_ctl postgres pg_dump pg_restore (under /usr/lib/postgresql/N/bin):
#   postgresql (through postgresql-N).
test_pkgs=(slapd ldap-utils samba samba-ad-dc samba-ad-provision samba-common-bin winbind krb5-user
  ldb-tools gnome-keyring dbus-daemon dbus dbus-bin xvfb sqlite3 openssl binutils systemd mount
  util-linux dnsmasq-base xdotool freeradius freeradius-utils postgresql)
pkgs=("${run_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")

command -v dpkg-query >/dev/null || { echo "Not a Debian system: install the equivalents of: ${pkgs[*]}"; exit 0; }
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages (install them as root): ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Keep apt from starting system daemons (slapd, samba) that would take the test ports.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
fi
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
