#!/usr/bin/env bash
# The multi-host test (tests/test_multi_host.py) runs deploy/'s nginx and Pushpin in network
# namespaces: CI's PostgreSQL pass installs them from Debian when missing (as the browser
# tests do with chromium). Without root or apt-get the test skips and says why.
set -eu
missing=()
for pair in nginx:nginx pushpin:pushpin openssl:openssl ip:iproute2; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} from Debian for the multi-host test"
  # Debian's packages would start their services; the test starts its own processes.
  policy=/usr/sbin/policy-rc.d made_policy=
  if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' >$policy; chmod +x $policy; made_policy=1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null ||
    echo "Could not install ${missing[*]}: the multi-host test will be skipped." >&2
  if [ -n "$made_policy" ]; then rm -f $policy; fi
  exit 0
fi
echo "The multi-host test needs ${missing[*]} (Debian packages); it will be skipped." >&2
