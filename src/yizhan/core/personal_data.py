"""A person's data across apps: each app says what it holds and how to erase it (PIPL arts.
45 and 47). `accounts` asks every registered app when a person exports or deletes their data,
so an app that stores personal information plugs in here and nowhere else:

    # in AppConfig.ready()
    personal_data.register("cases", _("Demands"), export=export_for, erase=erase_for)

`export(user)` returns JSON-ready data (unmasked: it is the person's own); `erase(user)` runs
inside the erasure transaction, clears or anonymises what the app holds about the person and
returns how many rows it touched. Erasure must be idempotent: a crashed run is run again.
`losses(user)`, optional, returns sentences (in the reader's language) saying what the
person loses with their account — a points balance, items waiting for pick-up — shown before
they confirm the deletion; nothing to lose, an empty list.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    key: str
    label: object
    export: Callable
    erase: Callable
    losses: Callable | None = None


_providers: dict[str, Provider] = {}


def register(
    key: str, label, *, export: Callable, erase: Callable, losses: Callable | None = None
) -> None:
    _providers[key] = Provider(key, label, export, erase, losses)


def providers() -> list[Provider]:
    return [_providers[k] for k in sorted(_providers)]


def export_all(user) -> dict:
    return {p.key: p.export(user) for p in providers()}


def erase_all(user) -> dict[str, int]:
    return {p.key: int(p.erase(user) or 0) for p in providers()}


def losses_all(user) -> list[str]:
    """What the person loses with their account, from every app that can say so."""
    return [line for p in providers() if p.losses for line in p.losses(user)]
