# Sourced by scripts/start.sh. keep_local_secret FILE EXPRESSION: a secret a local run keeps across
# restarts (the admin token, the key that encrypts endpoint secrets). Created with the value the
# node EXPRESSION gives, readable and writable by its owner only; an existing one keeps its value
# and is made so too, should an older run have left it readable by all.
keep_local_secret() {
  [[ -s "$1" ]] || (umask 077 && node -e "process.stdout.write($2)" >"$1")
  chmod 600 "$1"
}
