"""Usage errors (bad option values, unknown commands) are Swedish messages with exit code 2, never
a traceback — regression: typer's vendored click exceptions slipped past run()."""

import pytest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["areas", "--bundle", "x", "--year", "abc"], "Fel: Ogiltigt värde för '--year': ska vara ett heltal"),
        (["areas", "--bundle", "x", "--format", "xml"], "'xml' är inte ett av 'table', 'csv', 'json'"),
        (["nope"], "Fel: Kommandot finns inte: 'nope'."),
        (["areas"], "Fel: Flagga saknas: '--bundle'."),
    ],
)
def test_usage_errors_are_swedish(cli, args, message):
    r = cli(*args)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr
