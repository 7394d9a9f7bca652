"""The domain events the stations app publishes (`core.events.publish`), with their payloads.

Other apps subscribe by name in their `AppConfig.ready` and read the payload as below; a
field is only ever added, never renamed or removed, so a subscriber written today keeps
working (`yizhan events-replay` hands it earlier events too).

- `station.visited` (`StationVisited`): a worker checked in at a station, by its QR code or
  near it. Published once per new visit (one per worker, station and hour), in the
  transaction that records the visit. Nothing subscribes yet; a "visits" earning rule in the
  points bank or a membership check-in would.
"""

from typing import TypedDict

STATION_VISITED = "station.visited"


class StationVisited(TypedDict):
    station_id: int  # stations.Station
    worker_id: int  # accounts.User (a worker)
    visit_id: int  # stations.StationVisit
