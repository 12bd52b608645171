# Sourced by the setup scripts: `apt_install PACKAGE…` installs the Debian packages that
# are not installed yet (none: nothing runs), without recommends; `PACKAGE:i386` needs
# `dpkg --add-architecture i386`, which it adds first when a package asks for it.
apt_install() {
  local sudo="" missing=() package
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  if printf '%s\n' "${missing[@]}" | grep -q ':i386$' \
    && ! dpkg --print-foreign-architectures | grep -qx i386; then
    echo "setup: adding the i386 architecture (32-bit Wine)"
    $sudo dpkg --add-architecture i386
  fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
