"""The domain events of the points bank.

The bank publishes no event today: what it does is read from the ledger by its own pages,
its API and `yizhan points verify`. It *consumes* the good-deed events other apps publish;
that contract (event names and the payload keys the bank reads) is in `subscribers.py`, and
each publisher documents its payload in its own `events.py` (e.g. `stations.events`).

A future event goes here as a name and a TypedDict, like `stations.events.StationVisited`,
and is published from a service with `core.events.publish(NAME, **Payload(...))`.
"""
