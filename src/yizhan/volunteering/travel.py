"""How long a volunteer takes from one point to another: the documented travel model.

    road km   = straight-line (haversine) km x DETOUR
    minutes   = ceil(road km / SPEED_KMH x 60)

Lanzhou is a long river valley: the Yellow River, the few bridges and the one-way grids make
real routes longer than the straight line. A circuity of 1.4 is what studies of Chinese and
European city networks find for trips of a few kilometres (1.2-1.5), and 25 km/h is the
average door-to-door speed of a car in a congested Chinese provincial capital by day. Both
are conservative on purpose: a plan that holds under this model holds on the road more often.

The model is replaceable: anything with `km(a, b)` and `minutes(a, b)` (points are
(lat, lng) tuples in WGS-84) can take its place, e.g. a routing service's distance matrix.
"""

import math
from dataclasses import dataclass

from yizhan.core.geo import haversine_m

DETOUR = 1.4
SPEED_KMH = 25.0
# Minutes at the pick-up: helping someone in, a wheelchair up the ramp, signing for a meal box.
HANDLING_MIN = 5
HANDLING_WHEELCHAIR_MIN = 10


@dataclass(frozen=True)
class TravelModel:
    detour: float = DETOUR
    speed_kmh: float = SPEED_KMH

    def km(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        return haversine_m(a[0], a[1], b[0], b[1]) / 1000.0 * self.detour

    def minutes(self, a: tuple[float, float], b: tuple[float, float]) -> int:
        return math.ceil(round(self.km(a, b) / self.speed_kmh * 60.0, 6))

    def describe(self) -> dict:
        """The model in words and numbers, printed with every plan so anyone can recompute."""
        return {
            "distance": "haversine great-circle distance (Earth radius 6371008.8 m) x detour",
            "detour_factor": self.detour,
            "speed_kmh": self.speed_kmh,
            "minutes": "ceil(road_km / speed_kmh * 60)",
            "handling_minutes": HANDLING_MIN,
            "handling_minutes_wheelchair": HANDLING_WHEELCHAIR_MIN,
            "drop_off": "pick-up time + handling minutes + travel minutes pick-up to drop-off",
            "empty_km": "road km from the volunteer's start point (first trip) or previous "
            "drop-off to the pick-up",
        }


DEFAULT = TravelModel()


def handling_minutes(*, wheelchair: bool) -> int:
    return HANDLING_WHEELCHAIR_MIN if wheelchair else HANDLING_MIN
