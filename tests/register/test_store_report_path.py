"""The error report goes beside the input, but never into a read-only (published) data folder."""

import stat

from fcatlas.register.store import default_report_path


def test_report_beside_a_writable_input(tmp_path):
    f = tmp_path / "lista.csv"
    f.write_text("x")
    assert default_report_path(f) == tmp_path / "lista.fel.csv"


def test_report_not_written_into_a_read_only_folder(tmp_path):
    ro = tmp_path / "publicerat"
    ro.mkdir()
    (ro / "lista.csv").write_text("x")
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        assert default_report_path(ro / "lista.csv", cwd=tmp_path) == tmp_path / "lista.fel.csv"
    finally:
        ro.chmod(0o755)
