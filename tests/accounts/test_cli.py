"""``fcatlas user …`` as a user runs it: password on standard input, never in argv."""

from sqlalchemy import create_engine, text

PW = "ett långt lösenord\n"


def test_user_cycle_through_the_cli(cli, tmp_path):
    db = str(tmp_path / "konton.sqlite")
    r = cli("user", "add", "Nationell@Socialstyrelsen.se", "--roll", "nationell", "--db", db, input=PW)
    assert r.returncode == 0, r.stderr
    assert "nationell@socialstyrelsen.se skapades" in r.stdout
    r = cli("user", "add", "anna@regiondalarna.se", "--roll", "region", "--lan", "20", "--niva", "foretradare",
            "--db", db, input=PW)
    assert r.returncode == 0, r.stderr
    r = cli("user", "list", "--db", db, "--format", "csv")
    lines = r.stdout.splitlines()
    assert lines[0] == "email,role,lan_code,level,active,created"
    assert sorted(line.rsplit(",", 1)[0] for line in lines[1:]) == [
        "anna@regiondalarna.se,region,20,företrädare,ja",
        "nationell@socialstyrelsen.se,nationell,,,ja",
    ]
    r = cli("user", "token", "anna@regiondalarna.se", "--dagar", "7", "--db", db)
    assert r.returncode == 0 and "visas inte igen" in r.stderr
    token = r.stdout.strip()
    assert len(token) >= 40
    eng = create_engine(f"sqlite:///{db}")
    with eng.connect() as c:
        digests = [row[0] for row in c.execute(text("SELECT digest FROM accounts_tokens"))]
        hashes = [row[0] for row in c.execute(text("SELECT password_hash FROM accounts_users"))]
    eng.dispose()
    assert token not in digests and len(digests) == 1
    assert all(h.startswith("$argon2id$") for h in hashes)
    r = cli("user", "disable", "anna@regiondalarna.se", "--db", db)
    assert r.returncode == 0 and "avstängt" in r.stdout
    r = cli("user", "token", "anna@regiondalarna.se", "--db", db)
    assert r.returncode == 1 and "avstängt" in r.stderr and "Traceback" not in r.stderr


def test_bad_input_is_a_swedish_message(cli, tmp_path):
    db = str(tmp_path / "k.sqlite")
    r = cli("user", "add", "a@b.se", "--roll", "region", "--db", db, input=PW)
    assert r.returncode == 1 and "kräver ett län" in r.stderr
    r = cli("user", "add", "a@b.se", "--roll", "nationell", "--db", db, input="\n")
    assert r.returncode == 1 and "inget lösenord" in r.stderr
    r = cli("user", "add", "a@b.se", "--roll", "nationell", "--password", "x", "--db", db, input=PW)
    assert r.returncode == 2  # there is no way to give a password as an argument
    r = cli("user", "passwd", "ingen@b.se", "--db", db, input=PW)
    assert r.returncode == 1 and "inget konto" in r.stderr
