# Sourced by scripts/test.sh: the browser tests (test/browser) drive Debian's Chromium through
# playwright-core, which downloads no browser of its own. Installs it with apt when it is missing
# and this runs as root; otherwise the browser tests fail saying what to install.
ensure_chromium() {
  local chromium="${HOOKLINE_CHROMIUM:-/usr/bin/chromium}"
  [[ -x "$chromium" ]] && return 0
  if [[ -n "${HOOKLINE_CHROMIUM:-}" || "$(id -u)" -ne 0 ]]; then
    echo "hookline: no Chromium at $chromium: the browser tests need it (apt-get install chromium, or set HOOKLINE_CHROMIUM)" >&2
    return 0
  fi
  echo "hookline: installing Debian's chromium for the browser tests" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
}
