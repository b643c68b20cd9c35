#!/usr/bin/env bash
# The whole test suite: lint, types, tests (the README's second command ends here).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin}
echo "== ruff"
"$PY/ruff" check src tests benchmarks tools
echo "== mypy (kärnan)"
"$PY/mypy"
echo "== pytest"
"$PY/pytest" -n 2 -q "$@"
