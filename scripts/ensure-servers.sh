#!/usr/bin/env bash
# The multi-host test (tests/test_multi_host.py) runs deploy/'s nginx with its Nchan module
# in network namespaces, and tests/test_live_nchan.py and tests/test_live_pushpin.py run
# the two stream engines: CI's PostgreSQL pass installs them from Debian when missing (as
# the browser tests do with chromium). Without root or apt-get those tests skip and say why.
set -eu
missing=()
for pair in nginx:nginx pushpin:pushpin openssl:openssl ip:iproute2; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
# Nchan is a module of Debian's nginx, not a command.
[ -e /usr/lib/nginx/modules/ngx_nchan_module.so ] || missing+=(libnginx-mod-nchan)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} from Debian for the live-stream and multi-host tests"
  # Debian's packages would start their services; the test starts its own processes.
  policy=/usr/sbin/policy-rc.d made_policy=
  if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' >$policy; chmod +x $policy; made_policy=1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null ||
    echo "Could not install ${missing[*]}: the tests that need them will be skipped." >&2
  if [ -n "$made_policy" ]; then rm -f $policy; fi
  exit 0
fi
echo "The live-stream and multi-host tests need ${missing[*]} (Debian packages); they will be skipped." >&2
