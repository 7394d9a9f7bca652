"""Named points other apps lend to the place description and the place search.

`places` describes a point ("城关区 › 张掖路街道 › 甲社区, near 甲工会驿站 (120 m)") and finds
places by name, but it sits below the feature apps and imports none of them. A feature app
whose rows are places people know (stations) registers a source here in its
`AppConfig.ready`; `places` reads every source. A source returns `(version, points)`: the
version changes whenever the points do, so readers rebuild their indexes only then.
"""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class NamedPoint:
    kind: str  # "station", "landmark", …
    key: str  # unique within its kind (a station's code)
    name: str
    lat: float  # WGS-84
    lng: float
    url: str = ""
    detail: str = ""  # what else identifies it (an address, a kind of station)


Source = Callable[[], tuple[Hashable, Sequence[NamedPoint]]]
_sources: dict[str, Source] = {}


def register(kind: str, source: Source) -> None:
    """Lend the points of `kind` (registering the same kind again replaces its source)."""
    _sources[kind] = source


def sources() -> dict[str, Source]:
    return dict(_sources)
