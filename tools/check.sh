#!/usr/bin/env bash
# The whole test suite: lint, import contracts, types, function length, tests (the README's second
# command ends here). The rules each step keeps are in the README's contributor section.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin}
echo "== ruff (incl. C90 complexity <= 14, PLR0913 argument count)"
"$PY/ruff" check src tests benchmarks tools
echo "== lint-imports (faces -> services -> rooms -> domain; analysis does no I/O)"
"$PY/lint-imports"
echo "== mypy (all of src; strict for domain, analysis, grants, services)"
"$PY/mypy"
echo "== long functions (none over 80 lines)"
"$PY/python" tools/long_functions.py
echo "== pytest"
"$PY/pytest" -n 2 -q "$@"
