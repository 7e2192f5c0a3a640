#!/usr/bin/env bash
# make audit: known vulnerabilities in the locked Python packages (pip-audit, PyPI's own
# vulnerability data) and the front-end packages (npm audit), bandit over our code, and
# Lighthouse on the demo's pages (scripts/lighthouse.py; scores in docs/readers.md).
# The tools live in a virtualenv of their own (var/audit-venv), installed from PyPI on
# first use, so they never enter the project's lock. A check whose service cannot be
# reached says so and is skipped; a vulnerability or a bandit finding fails.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
TOOLS=var/audit-venv
status=0

if [ ! -x "$TOOLS/bin/pip-audit" ] || [ ! -x "$TOOLS/bin/bandit" ]; then
  "$PY" -m venv "$TOOLS" && "$TOOLS/bin/pip" install -q --disable-pip-version-check \
    "pip-audit>=2.10" "bandit>=1.9" \
    || { echo "audit: cannot install pip-audit and bandit from PyPI; skipped."; exit 0; }
fi

echo "--- bandit (settings in pyproject.toml [tool.bandit])"
"$TOOLS/bin/bandit" -q -c pyproject.toml -r broadsheet config --severity-level medium || status=1

echo "--- pip-audit (requirements.lock, PyPI's vulnerability data)"
report=$(mktemp)
"$TOOLS/bin/pip-audit" -r requirements.lock --no-deps --disable-pip -s pypi \
  --progress-spinner off -f json -o "$report" >/dev/null 2>&1
"$PY" - "$report" <<'PYCODE' || status=1
import json, sys
data = json.load(open(sys.argv[1]))
deps = data.get("dependencies", [])
audited = [d for d in deps if "skip_reason" not in d]
found = [(d["name"], d["version"], v["id"]) for d in audited for v in d.get("vulns", [])]
if deps and not audited:
    print("pip-audit: PyPI's vulnerability data could not be reached from here; skipped.")
    sys.exit(0)
for name, version, vuln in found:
    print(f"pip-audit: {name} {version}: {vuln}")
print(f"pip-audit: {len(audited)} packages audited, {len(found)} known vulnerabilities.")
sys.exit(1 if found else 0)
PYCODE
rm -f "$report"

echo "--- npm audit (package-lock.json)"
out=$(npm audit --json 2>/dev/null)
"$PY" -c '
import json, sys
data = json.loads(sys.stdin.read() or "{}")
if "error" in data or "metadata" not in data:
    print("npm audit: the registry audit endpoint could not be reached from here; skipped.")
    sys.exit(0)
counts = data["metadata"]["vulnerabilities"]
print("npm audit:", ", ".join(f"{k} {v}" for k, v in counts.items()))
sys.exit(1 if counts.get("total", 0) else 0)
' <<<"$out" || status=1

echo "--- Lighthouse (mobile) on the demo's busiest article, home and a section page"
# Accessibility, best practices or SEO below 100 fails; performance is a timing, printed
# against its goal and never failing (scripts/lighthouse.py).
"$PY" scripts/lighthouse.py || status=1

exit $status
