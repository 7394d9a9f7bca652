"""A person's data across apps: each app says what it holds and how to erase it (PIPL arts.
45 and 47). `accounts` asks every registered app when a person exports or deletes their data,
so an app that stores personal information plugs in here and nowhere else:

    # in AppConfig.ready()
    personal_data.register("cases", _("Demands"), export=export_for, erase=erase_for)

`export(user)` returns JSON-ready data (unmasked: it is the person's own); `erase(user)` runs
inside the erasure transaction, clears or anonymises what the app holds about the person and
returns how many rows it touched. Erasure must be idempotent: a crashed run is run again.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    key: str
    label: object
    export: Callable
    erase: Callable


_providers: dict[str, Provider] = {}


def register(key: str, label, *, export: Callable, erase: Callable) -> None:
    _providers[key] = Provider(key, label, export, erase)


def providers() -> list[Provider]:
    return [_providers[k] for k in sorted(_providers)]


def export_all(user) -> dict:
    return {p.key: p.export(user) for p in providers()}


def erase_all(user) -> dict[str, int]:
    return {p.key: int(p.erase(user) or 0) for p in providers()}
