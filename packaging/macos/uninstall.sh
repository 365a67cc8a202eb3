#!/bin/bash
# Removes the T1C connector installed by install.sh for the current user: stops and removes
# the LaunchAgent, takes the local CA out of the login keychain, deletes the program.
# Keeps the user's data (device key, CA, settings in ~/Library/Application Support/t1c) and
# logs unless --purge is given. Written for the bash 3.2 that macOS ships.
set -euo pipefail

LABEL=org.t1c-open.connector
prefix="$HOME/Applications/T1C"
plist="$HOME/Library/LaunchAgents/$LABEL.plist"
data="$HOME/Library/Application Support/t1c"
logs="$HOME/Library/Logs/t1c"
purge=0

usage() {
  cat <<USAGE
usage: $0 [--prefix DIR] [--purge]
  --prefix DIR  where install.sh put the program (default: ~/Applications/T1C)
  --purge       also delete your connector data (device key, CA, settings) and logs
USAGE
}

die() { echo "uninstall.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --purge) purge=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

[ -z "${SUDO_USER:-}" ] || die "run this as the user who installed the connector, without sudo"
case "$prefix" in /*) ;; *) die "--prefix must be an absolute path" ;; esac

uid=$(id -u)
if command -v launchctl >/dev/null 2>&1; then
  # Not loaded (never started, or already stopped) is fine.
  launchctl bootout "gui/$uid/$LABEL" >/dev/null 2>&1 || true
fi
rm -f "$plist"
echo "removed LaunchAgent $LABEL"

# The trust-store entry goes whatever happens to the data: it was made by this install.
if [ -f "$data/tls/ca.pem" ] && [ -x "$prefix/t1c" ]; then
  "$prefix/t1c" cert uninstall --data-dir "$data" || echo "uninstall.sh: warning: the local CA may still be in your keychain (Keychain Access → login → T1C Local CA)" >&2
fi

# Only a directory install.sh made, and only the files it put there.
if [ -f "$prefix/.t1c-open-install" ]; then
  rm -rf "$prefix/.staging"
  rm -f "$prefix/t1c" "$prefix/uninstall.sh" "$prefix/$LABEL.plist" "$prefix/.t1c-open-install"
  rmdir "$prefix" 2>/dev/null || echo "kept $prefix: it holds files the installer did not put there"
  echo "removed program from $prefix"
else
  echo "uninstall.sh: no installation found in $prefix (nothing removed there)" >&2
fi

if [ "$purge" = 1 ]; then
  rm -rf "$data" "$logs"
  echo "removed data $data and logs $logs"
else
  echo "kept your data in $data and logs in $logs (remove them with --purge)"
fi
