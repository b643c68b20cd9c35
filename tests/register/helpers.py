"""Small helpers for the register tests (files written the way regions write them)."""

from __future__ import annotations

from pathlib import Path

HEADER = ("Namn;Kommun;Kommunkod;MVC;BVC;Öppen förskola;Socialtjänst;Samlokaliserad;Status;Latitud;Longitud;"
          "Koordinatnoggrannhet;Anmärkning")


def dalarna_lines(shared_data: Path) -> list[str]:
    text = (shared_data / "familjecentraler" / "dalarna_2026.csv").read_text(encoding="utf-8-sig")
    return text.splitlines()


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path
