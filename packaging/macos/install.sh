#!/bin/bash
# Installs the T1C connector for the current user on macOS 11+: the program under
# ~/Applications/T1C, a LaunchAgent that starts `t1c api` at login (and again if it fails),
# logs in ~/Library/Logs/t1c; optionally the user's settings (checked by the program itself).
# Needs no administrator rights; run it without sudo.
# Written for the bash 3.2 that macOS ships.
set -euo pipefail

LABEL=org.t1c-open.connector
here=$(cd "$(dirname "$0")" && pwd)
prefix="$HOME/Applications/T1C"
agents="$HOME/Library/LaunchAgents"
logs="$HOME/Library/Logs/t1c"
plist="$agents/$LABEL.plist"
config_file="$HOME/Library/Application Support/t1c/config.json"
start=1
trust=ask
# Settings for `t1c config set`, which checks them; bash only passes them on.
settings=()

usage() {
  cat <<EOF
usage: $0 [--prefix DIR] [--no-start] [--trust | --no-trust] [--ds-url URL] [--port N] [--allowed-origins LIST]
  --prefix DIR  install the program in DIR (default: ~/Applications/T1C)
  --no-start    do not start the connector now (it still starts at the next login)
  --trust       trust the connector's local CA in your login keychain without asking
  --no-trust    do not offer to trust it (run \`t1c cert install\` later)
  --ds-url URL  the Distribution Service the connector registers with
  --port N      the port the connector listens on (default 51983)
  --allowed-origins LIST
                web origins allowed to use the connector, separated by spaces or commas
Settings go to ~/Library/Application Support/t1c/config.json, checked by t1c first;
a bad value stops the install before anything is changed.
EOF
}

die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --no-start) start=0; shift ;;
    --trust) trust=yes; shift ;;
    --no-trust) trust=no; shift ;;
    --ds-url|--port|--allowed-origins)
      [ $# -ge 2 ] || die "$1 needs a value"
      if [ "$1" = --allowed-origins ]; then
        # Split on spaces and commas without glob expansion (https://*.example.org stays as typed).
        IFS=', ' read -r -a origins <<< "$2"
        [ ${#origins[@]} -gt 0 ] || die "--allowed-origins needs at least one origin"
        for origin in "${origins[@]}"; do settings+=(--allow-origin "$origin"); done
      else
        settings+=("$1" "$2")
      fi
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

# sudo would put the agent in root's home, not the user's, and leave root-owned files behind.
[ -z "${SUDO_USER:-}" ] || die "run this as the user who will use the connector, without sudo"
case "$prefix" in /*) ;; *) die "--prefix must be an absolute path" ;; esac
case "$prefix$HOME" in *$'\n'*) die "paths with a newline are not supported" ;; esac
[ "$(cd "$prefix" 2>/dev/null && pwd)" != "$here" ] || die "--prefix is the unpacked package itself; choose another directory"
[ -f "$here/t1c" ] || die "no t1c program next to this script ($here)"
[ -f "$here/$LABEL.plist" ] || die "no $LABEL.plist template next to this script"

uid=$(id -u)
have() { command -v "$1" >/dev/null 2>&1; }

# The new program is prepared beside the installed one and replaces it only once it starts.
staging="$prefix/.staging"
mkdir -p "$staging"
cp "$here/t1c" "$staging/t1c"
chmod 755 "$staging/t1c"

# Apple silicon kills an unsigned program at start. A release build carries a Developer ID
# signature (kept); any other build gets an ad-hoc one made on this Mac.
if have codesign; then
  if codesign --verify --strict "$staging/t1c" >/dev/null 2>&1; then
    echo "signature: valid, kept"
  else
    codesign --sign - --force "$staging/t1c"
    echo "signature: ad-hoc (this build is not signed with a Developer ID)"
  fi
else
  echo "install.sh: warning: codesign not found; on Apple silicon an unsigned program is killed at start" >&2
fi

# launchd would restart a program that cannot start here (other processor, refused by
# Gatekeeper) every 10 s, forever: try it first, and leave any earlier install as it was.
if [ "$(uname -s)" = Darwin ]; then
  status=0
  version=$("$staging/t1c" --version 2>&1) || status=$?
  if [ "$status" -ne 0 ]; then
    rm -rf "$staging"
    rmdir "$prefix" 2>/dev/null || true
    die "t1c does not start on this Mac ($(uname -m), exit $status${version:+: $version}). Is this the package for its processor (darwin-arm64: Apple silicon, darwin-x64: Intel)? A browser download of a build without a Developer ID signature is quarantined by Gatekeeper."
  fi
  echo "program: t1c $version"
fi

# The settings are checked by the program being installed, before anything is changed.
if [ ${#settings[@]} -gt 0 ]; then
  if ! "$staging/t1c" config set --check --file "$config_file" "${settings[@]}" >/dev/null; then
    rm -rf "$staging"
    rmdir "$prefix" 2>/dev/null || true
    die "the settings above were refused; nothing was installed"
  fi
fi

mkdir -p "$agents" "$logs"

# An upgrade: stop the running agent before its program is replaced.
if have launchctl; then launchctl bootout "gui/$uid/$LABEL" >/dev/null 2>&1 || true; fi

mv -f "$staging/t1c" "$prefix/t1c"
rmdir "$staging"
cp "$here/uninstall.sh" "$prefix/uninstall.sh"
chmod 755 "$prefix/uninstall.sh"
cp "$here/$LABEL.plist" "$prefix/$LABEL.plist"
chmod 644 "$prefix/$LABEL.plist"
# uninstall.sh removes a directory only when it carries this marker.
printf '%s\n' "$LABEL" > "$prefix/.t1c-open-install"

if [ ${#settings[@]} -gt 0 ]; then
  "$prefix/t1c" config set --file "$config_file" "${settings[@]}"
fi

# launchd takes absolute paths only; escape them for XML, then for sed's replacement.
xml_escape() { printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'; }
sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }
bin_value=$(sed_escape "$(xml_escape "$prefix/t1c")")
log_value=$(sed_escape "$(xml_escape "$logs")")
sed -e "s|@T1C_BIN@|$bin_value|g" -e "s|@LOG_DIR@|$log_value|g" "$here/$LABEL.plist" > "$plist.tmp"
chmod 644 "$plist.tmp"
mv -f "$plist.tmp" "$plist"
if have plutil; then plutil -lint "$plist" >/dev/null || die "the written LaunchAgent is not a valid plist: $plist"; fi
echo "LaunchAgent: $plist"

# Trusting the local CA changes the user's keychain: only with their word for it.
if [ "$trust" = ask ]; then
  if [ -t 0 ]; then
    printf 'Trust the connector'\''s local CA in your login keychain, so browsers accept https://localhost? [y/N] '
    read -r answer || answer=
    case "$answer" in [yY]*) trust=yes ;; *) trust=no ;; esac
  else
    trust=no
  fi
fi
if [ "$trust" = yes ]; then
  "$prefix/t1c" cert install || echo "install.sh: warning: could not trust the local CA; run: \"$prefix/t1c\" cert install" >&2
else
  echo "local CA not trusted; to trust it later run: \"$prefix/t1c\" cert install"
fi

if [ "$start" = 1 ]; then
  if have launchctl; then
    launchctl bootstrap "gui/$uid" "$plist"
    echo "started: launchctl print gui/$uid/$LABEL shows its state"
  else
    echo "install.sh: warning: launchctl not found; the connector starts at the next login" >&2
  fi
fi

echo "installed: $prefix/t1c (logs: $logs; uninstall: \"$prefix/uninstall.sh\")"
echo "check the card connector (what stops web pages from reaching it, and the fix): \"$prefix/t1c\" doctor"
