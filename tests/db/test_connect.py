from sqlalchemy import text

from fcatlas.db import connect


def test_connect_migrates_and_answers(empty_db_url: str) -> None:
    engine = connect(empty_db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1 + 1")).scalar() == 2
    engine.dispose()
