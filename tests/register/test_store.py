"""Storage: audit, optimistic locking, inventory rounds and their diff, atomic imports
(including a process killed in the middle), on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from fcatlas.errors import ConflictError, StorageError
from fcatlas.register.store import InvalidChangeError, Register

from .helpers import HEADER, dalarna_lines, write

ELSBORG = "2080-familjecentral-elsborg"


def round_2023(tmp_path: Path, shared_data: Path) -> Path:
    """An earlier inventory: no Smedjebacken yet, Sopranen without SOC, Elsborg 500 m away,
    Mora still planned, an old Falun unit that later closes, one Stockholm unit."""
    out = [HEADER]
    for line in dalarna_lines(shared_data)[1:]:
        if "Smedjebacken" in line:
            continue
        if "Sopranen" in line:
            line = line.replace("ja;ja;ja;ja;ja;i drift", "ja;ja;ja;nej;ja;i drift")
        if "Elsborg" in line:
            line = line.replace("60.601984", "60.606484")  # 0.0045° north ≈ 500 m
        if "i Mora" in line:
            line = line.replace("i drift", "planerad")
        out.append(line)
    out.append("Familjecentralen Gamla;Falun;2080;ja;ja;ja;ja;ja;i drift;;;;Stängde 2024")
    out.append("Familjecentral Rinkeby;Stockholm;0180;ja;ja;ja;ja;ja;i drift;;;;")
    return write(tmp_path / "inventering_2023.csv", out)


def test_update_unit_audits_and_bumps_version(db_url: str, dalarna: Path) -> None:
    with Register.open(db_url) as reg:
        reg.import_file(dalarna, user="import")
        unit = reg.get_unit(ELSBORG)
        assert unit["version"] == 1
        new = reg.update_unit(ELSBORG, {"soc": False, "address": "Elsborgsvägen 1"}, 1, "anna")
        assert new["version"] == 2
        assert (new["category"], new["soc"], new["address"]) == ("familjecentralsliknande", False, "Elsborgsvägen 1")
        trail = reg.audit(ELSBORG)
        assert trail["action"].tolist() == ["create", "update"]
        last = trail.iloc[-1]
        assert last["user"] == "anna" and last["version"] == 2
        assert last["before"] == {"category": "familjecentral", "has_soc": True, "address": None}
        assert last["after"] == {"category": "familjecentralsliknande", "has_soc": False, "address": "Elsborgsvägen 1"}
        assert pd.notna(last["at"])
        listed = reg.list_units().set_index("id").loc[ELSBORG]
        assert listed["category"] == "familjecentralsliknande" and listed["soc"] == False  # noqa: E712

        # the same change based on the old version is refused and nothing changes
        with pytest.raises(ConflictError, match="version 2, du utgick från version 1"):
            reg.update_unit(ELSBORG, {"name": "Annat namn"}, 1, "bertil")
        assert reg.get_unit(ELSBORG)["name"] == "Familjecentral Elsborg"
        assert len(reg.audit(ELSBORG)) == 2

        # moving it: validated against the kommun, precision becomes exakt
        moved = reg.update_unit(ELSBORG, {"lat": 60.6025, "lon": 15.6320}, 2, "anna")
        assert (moved["lat"], moved["lon"], moved["precision"], moved["version"]) == (60.6025, 15.632, "exakt", 3)
        with pytest.raises(InvalidChangeError, match="ligger i Stockholm kommun"):
            reg.update_unit(ELSBORG, {"lat": 59.3293, "lon": 18.0686}, 3, "anna")
        with pytest.raises(InvalidChangeError, match="kan inte ändras"):
            reg.update_unit(ELSBORG, {"kommun_code": "0180"}, 3, "anna")
        with pytest.raises(InvalidChangeError, match="Typ säger familjecentral men tjänsterna"):
            reg.update_unit(ELSBORG, {"category": "familjecentral"}, 3, "anna")
        with pytest.raises(InvalidChangeError, match="Status: 'pausad' är ingen status"):
            reg.update_unit(ELSBORG, {"status": "pausad"}, 3, "anna")
        with pytest.raises(StorageError, match="finns inte"):
            reg.update_unit("0000-x", {"name": "x"}, 1, "anna")
        assert reg.get_unit(ELSBORG)["version"] == 3
        # no-op change: no new version, no audit entry
        assert reg.update_unit(ELSBORG, {"name": "Familjecentral Elsborg"}, 3, "anna")["version"] == 3
        assert len(reg.audit(ELSBORG)) == 3


def test_concurrent_edits_are_refused_not_lost(db_url: str, dalarna: Path) -> None:
    with Register.open(db_url) as setup:
        setup.import_file(dalarna, user="import")
    regs = [Register.open(db_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def edit(i: int) -> None:
        reg = regs[i]
        version = reg.get_unit(ELSBORG)["version"]
        barrier.wait()
        try:
            reg.update_unit(ELSBORG, {"note": f"ändrad av {i}"}, version, f"user{i}")
            outcome[f"user{i}"] = "ok"
        except ConflictError:
            outcome[f"user{i}"] = "conflict"

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert sorted(outcome.values()) == ["conflict", "ok"]
        winner = next(u for u, o in outcome.items() if o == "ok")
        unit = regs[0].get_unit(ELSBORG)
        assert unit["version"] == 2 and unit["note"] == f"ändrad av {winner[-1]}"
        assert regs[0].audit(ELSBORG)["user"].tolist() == ["import", winner]
    finally:
        for r in regs:
            r.close()


def test_rounds_and_diff(db_url: str, dalarna: Path, tmp_path: Path, shared_data: Path) -> None:
    early = round_2023(tmp_path, shared_data)
    with Register.open(db_url) as reg:
        r23 = reg.import_file(early, user="t")
        assert (r23.round, r23.n_new) == (2023, 16)
        r26 = reg.import_file(dalarna, user="t")
        assert (r26.n_new, r26.n_changed, r26.n_unchanged) == (1, 3, 11)
        assert reg.rounds() == [2023, 2026]

        diff = reg.diff(2023, 2026)
        got = {(c, i) for c, i in zip(diff["change"], diff["id"], strict=True)}
        assert got == {
            ("new", "2061-familjecentral-smedjebacken"),
            ("closed", "2080-familjecentralen-gamla"),
            ("not_reported", "0180-familjecentral-rinkeby"),
            ("reclassified", "2081-familjecentralen-sopranen"),
            ("status_changed", "2062-familjecentralen-i-mora"),
            ("moved", ELSBORG),
        }
        row = diff.set_index("change").loc["reclassified"]
        assert (row["before"], row["after"]) == ("familjecentralsliknande", "familjecentral")
        moved = diff.set_index("change").loc["moved"]
        assert 480 < moved["distance_m"] < 520
        assert reg.diff(2023, 2026, move_threshold_m=600)["change"].tolist().count("moved") == 0
        assert reg.diff(2026, 2026).empty
        with pytest.raises(Exception, match="omgången 2020 finns inte"):
            reg.diff(2020, 2026)

        # snapshots vs current state
        then = reg.list_units(round=2023).set_index("id")
        now = reg.list_units().set_index("id")
        assert then.loc["2081-familjecentralen-sopranen", "category"] == "familjecentralsliknande"
        assert now.loc["2081-familjecentralen-sopranen", "category"] == "familjecentral"
        assert now.loc["2080-familjecentralen-gamla", "round"] == 2023  # not reported since
        assert now.loc["2081-familjecentralen-sopranen", "round"] == 2026
        assert len(reg.list_units(round=2026)) == 15

        # the change from round 2023 to 2026 is audited with the round
        trail = reg.audit("2081-familjecentralen-sopranen")
        assert trail["action"].tolist() == ["create", "import"]
        assert trail.iloc[-1]["before"] == {"category": "familjecentralsliknande", "has_soc": False, "round": 2023}

        # importing the older round again changes nothing, and never overwrites the newer state
        counts = reg.counts()
        again = reg.import_file(early, user="t")
        assert (again.n_new, again.n_changed, again.n_unchanged) == (0, 0, 16)
        assert reg.counts() == counts
        pd.testing.assert_frame_equal(reg.list_units().set_index("id"), now)


def test_older_round_after_newer_only_adds_its_snapshot(db_url: str, dalarna: Path, tmp_path: Path,
                                                        shared_data: Path) -> None:
    with Register.open(db_url) as reg:
        reg.import_file(dalarna, user="t")
        now = reg.list_units()
        result = reg.import_file(round_2023(tmp_path, shared_data), user="t")
        assert (result.n_new, result.n_changed, result.n_unchanged) == (2, 3, 11)
        after = reg.list_units()
        shared_ids = now["id"]
        pd.testing.assert_frame_equal(after[after["id"].isin(shared_ids)].reset_index(drop=True), now)
        assert reg.list_units(round=2023).set_index("id").loc["2062-familjecentralen-i-mora", "status"] == "planerad"


def test_rejected_rows_are_not_stored_accepted_are(db_url: str, tmp_path: Path, shared_data: Path) -> None:
    lines = dalarna_lines(shared_data)
    lines[3] = lines[3].replace(";2081;", ";9999;")
    f = write(tmp_path / "lista_2026.csv", lines)
    with Register.open(db_url) as reg:
        result = reg.import_file(f, user="t")
        assert (result.n_accepted, result.n_rejected, result.n_new) == (14, 1, 14)
        assert not reg.unit_exists("2081-familjecentralen-sopranen")
        assert len(reg.list_units()) == 14
        imports = reg.imports()
        assert imports[["n_rows", "n_accepted", "n_rejected", "n_new"]].values.tolist() == [[15, 14, 1, 14]]


#: Run in a separate process: the import is killed (SIGKILL, no clean-up of any kind) from a
#: SQLAlchemy event of the test, once ``crash_after`` rows were written inside its transaction.
KILLED_IMPORT = """
import os, signal, sys
from sqlalchemy import event
from fcatlas.register.store import Register

reg = Register.open(sys.argv[1])
crash_after, written = int(sys.argv[3]), [0]


@event.listens_for(reg.engine, "after_cursor_execute")
def kill_mid_write(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
        written[0] += len(parameters) if executemany else 1
        if written[0] >= crash_after:
            os.kill(os.getpid(), signal.SIGKILL)


reg.import_file(sys.argv[2], round=2027, user="killed")
print("FINISHED")
"""


def _killed_import(db_url: str, path: Path, crash_after: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", KILLED_IMPORT, db_url, str(path), str(crash_after)],
                          capture_output=True, text=True, timeout=120)


def test_killed_import_leaves_database_as_it_was(db_url: str, dalarna: Path, tmp_path: Path,
                                                 shared_data: Path) -> None:
    # a bigger file for round 2027: every Dalarna unit changed plus 40 new ones
    lines = [HEADER] + [ln.replace("i drift", "nedlagd") for ln in dalarna_lines(shared_data)[1:]]
    lines += [f"Ny familjecentral {i};Falun;2080;ja;ja;ja;ja;ja;planerad;;;;" for i in range(40)]
    big = write(tmp_path / "lista_2027.csv", lines)
    with Register.open(db_url) as reg:
        reg.import_file(dalarna, user="t")
        before = reg.list_units()
        counts = reg.counts()
        audit = reg.audit()
    for crash_after in (1, 30):
        proc = _killed_import(db_url, big, crash_after)
        assert proc.returncode == -9, proc.stderr
        assert "FINISHED" not in proc.stdout
        with Register.open(db_url) as reg:
            assert reg.counts() == counts
            pd.testing.assert_frame_equal(reg.list_units(), before)
            pd.testing.assert_frame_equal(reg.audit(), audit)
            assert reg.rounds() == [2026]
    # and without the kill the same import goes through completely
    with Register.open(db_url) as reg:
        done = reg.import_file(big, round=2027, user="t")
        assert (done.n_new, done.n_changed, done.n_unchanged) == (40, 11, 4)
        assert len(reg.list_units(round=2027)) == 55


def test_update_unit_checks_text_lengths(db_url: str, dalarna: Path) -> None:
    with Register.open(db_url) as reg:
        reg.import_file(dalarna, user="t")
        with pytest.raises(InvalidChangeError, match="Namn: cellen har 201 tecken, högst 200"):
            reg.update_unit(ELSBORG, {"name": "x" * 201}, 1, "anna")
        with pytest.raises(InvalidChangeError, match="Adress: ska vara text"):
            reg.update_unit(ELSBORG, {"address": 12}, 1, "anna")
        assert reg.get_unit(ELSBORG)["version"] == 1


def _round_2027(tmp_path: Path, shared_data: Path, *, drop: str = "Smedjebacken", rename: bool = True,
                name: str = "inventering_2027.csv") -> Path:
    """Dalarna's next list: one unit gone, Britsarvet under a new name (a new id)."""
    out = [HEADER]
    for line in dalarna_lines(shared_data)[1:]:
        if drop and drop in line:
            continue
        if rename and "Britsarvet" in line:
            line = line.replace("Familjecentral Britsarvet", "Familjecentralen Britsarvet Norra")
        out.append(line)
    return write(tmp_path / name, out)


def test_issue8_a_new_round_closes_what_the_region_no_longer_lists(
    db_url: str, dalarna: Path, tmp_path: Path, shared_data: Path
) -> None:
    """A unit absent from the region's newer round stayed 'i drift' (a renamed unit counted twice)."""
    with Register.open(db_url) as reg:
        reg.import_file(dalarna, user="t")
        reg.import_file(round_2023(tmp_path, shared_data), user="t")  # an older round closes nothing now
        assert reg.get_unit("2080-familjecentral-britsarvet")["status"] == "i_drift"
        res = reg.import_file(_round_2027(tmp_path, shared_data), user="t")
        closed = {c["id"]: c["reason"] for c in res.closed}
        assert closed == {
            "2080-familjecentral-britsarvet": "saknas i inventering 2027",
            "2061-familjecentral-smedjebacken": "saknas i inventering 2027",
            "2080-familjecentralen-gamla": "saknas i inventering 2027",  # from 2023, in the same region
        }
        # another region's unit is not touched by Dalarna's list
        assert reg.get_unit("0180-familjecentral-rinkeby")["status"] == "i_drift"
        now = reg.list_units(lan="20", status="i drift", category="familjecentral")
        assert len(now) == 9 and "Familjecentral Britsarvet" not in set(now["name"])  # not counted twice
        old = reg.get_unit("2080-familjecentral-britsarvet")
        assert (old["status"], old["status_reason"], old["closed_round"]) == ("nedlagd", "saknas i inventering 2027",
                                                                            2027)
        assert reg.audit("2080-familjecentral-britsarvet")["action"].tolist() == ["create", "close"]
        # history kept: round 2026 still says what it said; the diff calls it closed
        assert reg.list_units(round=2026).set_index("id").loc["2080-familjecentral-britsarvet", "status"] == "i_drift"
        assert ("closed", "2080-familjecentral-britsarvet") in set(zip(*reg.diff(2026, 2027)[["change", "id"]].T.values,
                                                                         strict=True))
        # re-importing an older round does not reopen it; the same file again changes nothing
        counts = reg.counts()
        reg.import_file(dalarna, round=2026, user="t")
        reg.import_file(_round_2027(tmp_path, shared_data), user="t")
        assert reg.counts() == counts
        assert reg.get_unit("2080-familjecentral-britsarvet")["status"] == "nedlagd"
        # a later round that lists it again reopens it
        back = reg.import_file(_round_2027(tmp_path, shared_data, rename=False, name="lista_2028.csv"), user="t")
        assert back.n_closed == 1  # the Norra name is gone in 2028
        reopened = reg.get_unit("2080-familjecentral-britsarvet")
        assert (reopened["status"], reopened["status_reason"], reopened["closed_round"]) == ("i_drift", None, None)


def test_issue8_partial_lists_and_rejected_rows_close_nothing(
    db_url: str, dalarna: Path, tmp_path: Path, shared_data: Path
) -> None:
    with Register.open(db_url) as reg:
        reg.import_file(dalarna, user="t")
        part = reg.import_file(_round_2027(tmp_path, shared_data), user="t", partial=True)
        assert part.closed == [] and part.left_open == []
        assert reg.get_unit("2061-familjecentral-smedjebacken")["status"] == "planerad"
        lines = dalarna_lines(shared_data)
        lines = [ln for ln in lines if "Smedjebacken" not in ln]
        lines[2] = lines[2].replace(";2080;", ";9999;")  # a rejected row: its unit is not known to be gone
        res = reg.import_file(write(tmp_path / "lista_2028.csv", lines), user="t")
        assert res.n_rejected == 1 and res.closed == []
        assert {c["id"] for c in res.left_open} >= {"2061-familjecentral-smedjebacken"}
        assert reg.get_unit("2061-familjecentral-smedjebacken")["status"] == "planerad"


def test_issue8_close_rename_merge(db_url: str, dalarna: Path, tmp_path: Path, shared_data: Path) -> None:
    with Register.open(db_url) as reg:
        reg.import_file(dalarna, user="t")
        # rename keeps the id and the history, and a later list with the new name updates it
        reg.rename_unit(ELSBORG, "Familjecentralen Elsborg Centrum", user="anna")
        lines = [ln.replace("Familjecentral Elsborg", "Familjecentralen Elsborg Centrum")
                 for ln in dalarna_lines(shared_data)]
        res = reg.import_file(write(tmp_path / "lista_2027.csv", lines), user="t")
        assert (res.n_new, res.n_closed) == (0, 0)
        assert reg.get_unit(ELSBORG)["name"] == "Familjecentralen Elsborg Centrum"
        assert reg.audit(ELSBORG)["action"].tolist() == ["create", "update", "import"]
        # close with a reason
        u = reg.close_unit("2021-familjecentral-vansbro", "avsiktsförklaringen drogs tillbaka", user="anna",
                           date="2027-03-01")
        assert (u["status"], u["status_reason"], u["status_date"]) == ("nedlagd", "avsiktsförklaringen drogs tillbaka",
                                                                       "2027-03-01")
        with pytest.raises(InvalidChangeError, match="redan nedlagd"):
            reg.close_unit("2021-familjecentral-vansbro", "igen")
        # merge a flagged duplicate: closed, not counted, the next list naming it updates the kept unit
        reg.merge_units("2023-familjecentral-malung-salen-1", "2023-familjecentral-malung-salen-2", user="anna")
        dup = reg.get_unit("2023-familjecentral-malung-salen-2")
        assert (dup["status"], dup["merged_into"]) == ("nedlagd", "2023-familjecentral-malung-salen-1")
        assert "2023-familjecentral-malung-salen-2" not in set(reg.list_units(status="avsiktsförklaring")["id"])
        again = reg.import_file(write(tmp_path / "lista_2027.csv", lines), user="t")
        assert reg.get_unit("2023-familjecentral-malung-salen-2")["status"] == "nedlagd"
        assert any("sammanslagen med '2023-familjecentral-malung-salen-1'" in p.reason for p in again.problems)
        with pytest.raises(InvalidChangeError, match="redan sammanslagen"):
            reg.merge_units("2023-familjecentral-malung-salen-1", "2023-familjecentral-malung-salen-2")
        with pytest.raises(InvalidChangeError, match="sig själv"):
            reg.merge_units(ELSBORG, ELSBORG)
