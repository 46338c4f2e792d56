"""Advisory data: the model, the SQLite database, and one importer module per feed.

Matching reads advisories through :class:`AdvisoryProvider`, so tests can use the
in-memory :class:`MemoryProvider` and production the SQLite database
(``assay.advisories.db.AdvisoryDB``), which implements the same two methods.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Protocol

if TYPE_CHECKING:
    from .model import Advisory, Affected, Range, Severity

__all__ = ["Advisory", "Affected", "Range", "Severity", "AdvisoryProvider", "MemoryProvider"]


def __getattr__(name: str) -> Any:
    # The model is re-exported lazily: building the CLI parser imports ``assay.advisories.cli``,
    # and ``assay sbom`` should not pay for the advisory dataclasses.
    if name in ("Advisory", "Affected", "Range", "Severity"):
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class AdvisoryProvider(Protocol):
    def affected(self, ecosystem: str, package: str) -> list[tuple[Advisory, Affected]]:
        """Every (advisory, affected entry) for ``package`` in ``ecosystem`` (names already normalised)."""
        ...

    def get(self, advisory_id: str) -> Advisory | None:
        """An advisory by id or alias."""
        ...


class MemoryProvider:
    """An AdvisoryProvider over a list of advisories (tests, small feeds)."""

    def __init__(self, advisories: Iterable[Advisory]) -> None:
        self._by_key: dict[tuple[str, str], list[tuple[Advisory, Affected]]] = defaultdict(list)
        self._by_id: dict[str, Advisory] = {}
        for adv in advisories:
            if adv.withdrawn:
                continue
            for i in adv.all_ids:
                self._by_id.setdefault(i, adv)
            for aff in adv.affected:
                self._by_key[(aff.ecosystem, aff.package)].append((adv, aff))

    def affected(self, ecosystem: str, package: str) -> list[tuple[Advisory, Affected]]:
        return list(self._by_key.get((ecosystem, package), ()))

    def get(self, advisory_id: str) -> Advisory | None:
        return self._by_id.get(advisory_id)
