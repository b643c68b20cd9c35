"""The inventory round from the CLI (``fcatlas register round …``, ``register publish``)."""

from __future__ import annotations


def test_round_cycle_from_the_cli(cli, tmp_path, shared_data):
    db = str(tmp_path / "r.sqlite")
    dalarna = str(shared_data / "familjecentraler" / "dalarna_2026.csv")
    assert cli("register", "import", dalarna, "--round", "2027", "--db", db, cwd=tmp_path).returncode == 0
    r = cli("register", "round", "open", "2027", "--sista-dag", "2027-10-31", "--db", db)
    assert r.returncode == 0 and "sista dag 2027-10-31" in r.stdout
    pw = "ett långt lösenord\n"
    assert cli("user", "add", "h@dalarna.se", "--roll", "region", "--lan", "20", "--db", db, input=pw).returncode == 0
    assert cli("user", "add", "f@dalarna.se", "--roll", "region", "--lan", "20", "--niva", "foretradare",
               "--db", db, input=pw).returncode == 0
    r = cli("register", "round", "submit", "2027", "--lan", "20", "--som", "h@dalarna.se", "--db", db)
    assert r.returncode == 1 and "handläggare" in r.stderr and "företrädare" in r.stderr
    assert cli("register", "round", "submit", "2027", "--lan", "20", "--som", "f@dalarna.se", "--db", db).returncode == 0
    r = cli("register", "round", "return", "2027", "--lan", "20", "--kommentar", "Rätta Sopranens adress", "--db", db)
    assert r.returncode == 0
    r = cli("register", "round", "status", "2027", "--db", db, "--format", "csv")
    row20 = next(line for line in r.stdout.splitlines() if line.startswith("20,"))
    assert row20.startswith("20,Dalarnas län,returnerad,Rätta Sopranens adress,cli:")
    assert len(r.stdout.splitlines()) == 22
    r = cli("register", "publish", "2027", "--db", db)
    assert r.returncode == 1 and "ingen godkänd lista väntar" in r.stderr
    assert cli("register", "round", "submit", "2027", "--lan", "20", "--som", "f@dalarna.se", "--db", db).returncode == 0
    assert cli("register", "round", "approve", "2027", "--lan", "20", "--db", db).returncode == 0
    r = cli("register", "publish", "2027", "--db", db)
    assert r.returncode == 0 and "publicerad för 1 län: 20" in r.stdout
    r = cli("register", "round", "open", "2027", "--sista-dag", "31/10", "--db", db)
    assert r.returncode == 1 and "ÅÅÅÅ-MM-DD" in r.stderr and "Traceback" not in r.stderr
