# Helpers shared by tools/demo and tools/test; sourced, not run.
# shellcheck shell=bash

# The repository root: the parent of tools/.
KEYLINE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# When root through sudo, runs the rest of the calling script as the user
# who typed sudo, so that _build and the data in their home stay theirs.
# Only root's part (installing packages) happens before this.  Stays root
# when that user cannot write the checkout (a root-owned clone, say).
drop_to_sudo_user () {
  local user=${SUDO_USER:-}

  [ "$(id -u)" -eq 0 ] || return 0
  [ -n "$user" ] && [ "$user" != root ] || return 0
  id -u "$user" >/dev/null 2>&1 || return 0
  runuser -u "$user" -- test -w "$KEYLINE_ROOT" || return 0
  if [ -e "$KEYLINE_ROOT/_build" ]; then
    runuser -u "$user" -- test -w "$KEYLINE_ROOT/_build" || return 0
  fi
  # HOME, USER and LOGNAME become the user's; everything else is kept.
  exec runuser -u "$user" -- "$@"
}

# Configures _build if needed and builds it.
build () {
  if [ ! -f "$KEYLINE_ROOT/_build/build.ninja" ]; then
    meson setup "$KEYLINE_ROOT/_build" "$KEYLINE_ROOT" "$@"
  fi
  ninja -C "$KEYLINE_ROOT/_build"
}
