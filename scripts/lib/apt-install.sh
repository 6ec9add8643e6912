# Sourced by the install-*.sh scripts: apt_install LABEL PACKAGE... installs Debian packages non-interactively,
# as root or through sudo, and fails with one clear line when neither is possible.

apt_install() {
  local label="$1"
  shift
  local sudo=''
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo='sudo'
    else
      echo "${label}: not installed and this user cannot run apt-get (not root, no sudo)" >&2
      return 1
    fi
  fi
  # `env` so the setting survives sudo, which resets the environment.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
