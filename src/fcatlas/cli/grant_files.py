"""The operator's grant files (``fcatlas grant allocate|compare|plan``): where a basis comes from
on this machine — a basis file, or a bundle directory counted under an exclusion definition —
read once per source. The counting itself is the service's (:func:`fcatlas.services.grants.count_basis`,
the same as the web's); this face only opens the files and names its own options in the messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fcatlas.errors import ConfigError

if TYPE_CHECKING:
    from fcatlas.geography.bundle import Bundle
    from fcatlas.geography.exclusion import ExclusionDefinition
    from fcatlas.grants.basis import Basis


@dataclass(frozen=True)
class BasisSource:
    """Where a basis comes from on the operator's machine: a basis file, or a bundle directory
    counted under ``exclusion`` (``omradestyp:1,2``, ``omradestyp:1,2@2022``, or a definition the
    face built, e.g. from a ``lista:FIL`` it read) for ``data_year`` (default: the bundle's latest)."""

    bundle: Path | None = None
    file: Path | None = None
    exclusion: str | ExclusionDefinition | None = None
    data_year: int | None = None


def read_basis(source: BasisSource, *, bundles: dict[Path, Bundle] | None = None) -> Basis:
    """The basis of ``source``: exactly one of a bundle and a file; ``exclusion`` and
    ``data_year`` only with a bundle. ``bundles`` caches opened bundles between calls."""
    from fcatlas.grants.basis import read_basis_file
    from fcatlas.services.grants import count_basis

    if (source.bundle is None) == (source.file is None):
        raise ConfigError("ange antingen --bundle PAKET (underlaget räknas ur datapaketet) eller --basis FIL")
    if source.file is not None:
        if source.exclusion or source.data_year:
            raise ConfigError("--exclusion och --data-year gäller bara med --bundle")
        return read_basis_file(source.file)
    from fcatlas.geography.bundle import Bundle

    assert source.bundle is not None
    cache = {} if bundles is None else bundles
    if source.bundle not in cache:
        cache[source.bundle] = Bundle.open(source.bundle)
    return count_basis(cache[source.bundle], source.exclusion, source.data_year)


def read_bases(sources: dict[int, BasisSource]) -> dict[int, Basis]:
    """One basis per grant year; a source shared by several years is read once."""
    read: dict[BasisSource, Basis] = {}
    bundles: dict[Path, Bundle] = {}
    out = {}
    for year, source in sources.items():
        if source not in read:
            read[source] = read_basis(source, bundles=bundles)
        out[year] = read[source]
    return out


def scenario_basis(spec: str | ExclusionDefinition, *, bundle: Path | None, data_year: int | None) -> Basis:
    """A scenario of ``fcatlas grant compare``: ``fil:BASIS.csv``, or an exclusion definition
    applied to ``bundle``."""
    from fcatlas.grants.basis import read_basis_file

    if isinstance(spec, str) and spec.startswith(("fil:", "file:", "basis:")):
        return read_basis_file(Path(spec.split(":", 1)[1]))
    if bundle is None:
        name = spec if isinstance(spec, str) else spec.public_spec
        raise ConfigError(f"scenariot {name!r} är en utanförskapsdefinition och kräver --bundle PAKET")
    return read_basis(BasisSource(bundle=bundle, exclusion=spec, data_year=data_year))
