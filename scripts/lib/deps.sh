# Sourced by the entry scripts: installs the npm dependencies (Node 24 included, as the
# `node` devDependency) when node_modules is missing or older than the lockfile.
ensure_dependencies() {
  if [[ ! -x node_modules/.bin/node || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "hookline: installing dependencies from package-lock.json" >&2
    # Not `npm ci`: the lockfile is written without registry URLs, and this npm then leaves out
    # the other platforms' optional packages (@swc/core-darwin-*, ...), which `npm ci` reports
    # as out of sync. `install --no-save` installs the locked versions and rewrites nothing.
    npm install --no-save --no-audit --no-fund >&2
  fi
  # npm scripts put node_modules/.bin first on PATH; scripts run directly get the same.
  export PATH="$PWD/node_modules/.bin:$PATH"
}
