#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain what to install.
set -u
check() {
  "$@" -c 'import sys; raise SystemExit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 \
    && "$@" -c 'import sys; print(sys.executable)'
}
for candidate in "${PYTHON:-}" python3.12 python3.13 python3.14 python3; do
  [ -n "$candidate" ] || continue
  command -v "$candidate" >/dev/null 2>&1 || continue
  check "$candidate" && exit 0
done
# pyenv installs may exist without an active shim for them.
if command -v pyenv >/dev/null 2>&1; then
  for version in $(pyenv versions --bare 2>/dev/null | sort -V); do
    case "$version" in 3.1[2-9]*|3.[2-9][0-9]*)
      check env PYENV_VERSION="$version" pyenv exec python && exit 0 ;;
    esac
  done
fi
for root in "$HOME/.pyenv/versions" /usr/local/bin /opt/python; do
  for exe in "$root"/3.1[2-9]*/bin/python3 "$root"/python3.1[2-9]; do
    [ -x "$exe" ] && check "$exe" && exit 0
  done
done
echo "Broadsheet needs Python 3.12 or newer, and none was found." >&2
echo "Install it (e.g. 'apt install python3.12 python3.12-venv', 'brew install python@3.12'," >&2
echo "or 'pyenv install 3.12'), or point PYTHON=/path/to/python3.12 at one." >&2
exit 1
