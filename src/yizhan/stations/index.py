"""The in-process station index: every station's position, kind, working amenities and
schedule in numpy arrays, so "the nearest open station with a shower" costs a few
vectorised operations and no database round trip.

Distances are true great-circle (haversine) distances. Candidates are ranked by the
haversine term h = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2), which grows monotonically with
the distance, so only the few returned stations pay for the arcsine.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np

from yizhan.core.geo import EARTH_RADIUS_M
from yizhan.stations import hours

SMALL_NETWORK = 4000  # below this, ranking every station beats narrowing first
BAND_START_RAD = np.radians(0.05)  # ±5.5 km of latitude


@dataclass(frozen=True)
class Entry:
    id: int
    code: str
    name: str
    kind: str
    lat: float
    lng: float
    amenities: tuple[str, ...]  # working ones (not out of order), in the city's order
    schedule: hours.Schedule
    community_id: int | None = None


@dataclass(frozen=True)
class Hit:
    entry: Entry
    distance_m: float | None
    open_now: bool | None  # None: not evaluated (a list without the open-now filter)


class StationIndex:
    def __init__(self, entries: list[Entry], amenity_codes: list[str], kinds: list[str]):
        self.entries = sorted(entries, key=lambda e: e.code)
        self.amenity_codes = list(amenity_codes)
        self.kinds = list(kinds)
        self.position = {e.id: i for i, e in enumerate(self.entries)}
        n = len(self.entries)
        self.lat = np.radians(np.fromiter((e.lat for e in self.entries), float, n))
        self.lng = np.radians(np.fromiter((e.lng for e in self.entries), float, n))
        self.cos_lat = np.cos(self.lat)
        self.by_lat = np.argsort(self.lat, kind="stable")
        self.lat_sorted = self.lat[self.by_lat]
        kind_of = {k: i for i, k in enumerate(self.kinds)}
        self.kind = np.fromiter((kind_of.get(e.kind, -1) for e in self.entries), np.int16, n)
        column = {c: i for i, c in enumerate(self.amenity_codes)}
        self.has = np.zeros((n, max(1, len(self.amenity_codes))), dtype=bool)
        for i, e in enumerate(self.entries):
            for code in e.amenities:
                if code in column:
                    self.has[i, column[code]] = True

    def __len__(self):
        return len(self.entries)

    def replaced(self, changed: list[Entry]) -> "StationIndex":
        """A new index with these entries replaced (same ids; positions unchanged)."""
        entries = list(self.entries)
        for entry in changed:
            entries[self.position[entry.id]] = entry
        return StationIndex(entries, self.amenity_codes, self.kinds)

    # --- filtering ----------------------------------------------------------------------

    def _mask(self, kinds, amenities) -> np.ndarray | None:
        mask = None
        if kinds:
            wanted = [self.kinds.index(k) for k in kinds if k in self.kinds]
            mask = np.isin(self.kind, wanted)
        if amenities:
            cols = [self.amenity_codes.index(a) for a in amenities if a in self.amenity_codes]
            if len(cols) < len(set(amenities)):
                return np.zeros(len(self.entries), dtype=bool)
            has_all = self.has[:, cols].all(axis=1)
            mask = has_all if mask is None else mask & has_all
        return mask

    # --- queries ------------------------------------------------------------------------

    def nearest(
        self,
        lat: float,
        lng: float,
        *,
        limit: int = 5,
        kinds=(),
        amenities=(),
        open_now: bool = False,
        moment: dt.datetime,
    ) -> list[Hit]:
        """Up to `limit` stations nearest to (lat, lng) that pass the filters, nearest first.

        Searches a band of latitude around the point, doubling it until the band holds
        `limit` hits all nearer than the band's edge (nothing outside can then be nearer);
        a small network is searched whole at once.
        """
        if not self.entries or limit <= 0:
            return []
        mask = self._mask(kinds, amenities)
        local = moment.astimezone(hours.local_tz())
        flags = hours.holiday_flags(local.date())
        lat_r, lng_r = np.radians(lat), np.radians(lng)
        cos_p = np.cos(lat_r)
        half = BAND_START_RAD if len(self.entries) > SMALL_NETWORK else np.pi
        while True:
            lo = int(np.searchsorted(self.lat_sorted, lat_r - half, side="left"))
            hi = int(np.searchsorted(self.lat_sorted, lat_r + half, side="right"))
            rows = self.by_lat[lo:hi]
            if mask is not None:
                rows = rows[mask[rows]]
            whole = lo == 0 and hi == len(self.entries)
            hits = self._rank(rows, lat_r, lng_r, cos_p, limit, open_now, (moment, local, flags))
            edge_m = EARTH_RADIUS_M * half
            if whole or (len(hits) == limit and hits[-1].distance_m <= edge_m):
                return hits
            half *= 2

    def _rank(self, rows, lat_r, lng_r, cos_p, limit, open_now, when) -> list[Hit]:
        """The best `limit` of `rows` by true distance (open ones only when asked)."""
        if rows.size == 0:
            return []
        moment, local, flags = when
        h = (
            np.sin((self.lat[rows] - lat_r) * 0.5) ** 2
            + cos_p * self.cos_lat[rows] * np.sin((self.lng[rows] - lng_r) * 0.5) ** 2
        )
        n = h.size
        k = min(n, limit if not open_now else max(4 * limit, 32))
        first = np.argpartition(h, k - 1)[:k] if k < n else np.arange(n)
        order = first[np.argsort(h[first], kind="stable")]
        hits: list[Hit] = []
        done = 0
        while True:
            for j in order[done:]:
                entry = self.entries[int(rows[j])]
                is_open = hours.is_open(entry.schedule, moment, flags=flags, local=local)
                if open_now and not is_open:
                    continue
                distance = 2 * EARTH_RADIUS_M * float(np.arcsin(min(1.0, np.sqrt(h[j]))))
                hits.append(Hit(entry, distance, is_open))
                if len(hits) == limit:
                    return hits
            if len(order) >= n:
                return hits
            done = len(order)
            rest = np.setdiff1d(np.arange(n), order, assume_unique=True)
            order = np.concatenate([order, rest[np.argsort(h[rest], kind="stable")]])

    def filtered(
        self, *, kinds=(), amenities=(), open_now=False, moment, query="", community_id=None
    ) -> list[Hit]:
        """Every station passing the filters, in code order (for lists without a point)."""
        mask = self._mask(kinds, amenities)
        rows = range(len(self.entries)) if mask is None else np.flatnonzero(mask)
        local = moment.astimezone(hours.local_tz())
        flags = hours.holiday_flags(local.date()) if open_now else None
        query = query.strip().lower()
        hits = []
        for i in rows:
            entry = self.entries[int(i)]
            if community_id is not None and entry.community_id != community_id:
                continue
            if query and query not in entry.name.lower() and query not in entry.code.lower():
                continue
            is_open = (
                hours.is_open(entry.schedule, moment, flags=flags, local=local)
                if open_now
                else None
            )
            if open_now and not is_open:
                continue
            hits.append(Hit(entry, None, is_open))
        return hits
