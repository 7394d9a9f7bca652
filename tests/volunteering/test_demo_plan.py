"""The demo day's plan, checked by anyone: `yizhan volunteer plan --demo-day --json` prints
requests, volunteers and trips; this test reads only that JSON and the travel model it
states, and finds every trip feasible."""

import io
import json
import math

import pytest
from django.core.management import call_command

from yizhan.volunteering.demo import seed_volunteering


@pytest.fixture
def demo(city):
    return seed_volunteering(volunteers=14, rides=8)


def plan_json() -> dict:
    out = io.StringIO()
    call_command("volunteer", "plan", "--demo-day", "--json", "--time-limit", "2", stdout=out)
    return json.loads(out.getvalue())


def road_km(model, a, b):
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dp, dl = p2 - p1, math.radians(b["lng"] - a["lng"])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(h))) / 1000 * model["detour_factor"]


def minutes(model, a, b):
    return math.ceil(round(road_km(model, a, b) / model["speed_kmh"] * 60, 6))


def to_min(iso):
    hh, mm = iso[11:16].split(":")
    return int(hh) * 60 + int(mm)


def check(doc, name):
    """Every rule the issue names, from the JSON alone. Returns the recomputed empty km."""
    model = doc["travel_model"]
    requests = {r["id"]: r for r in doc["requests"]}
    volunteers = {v["id"]: v for v in doc["volunteers"]}
    trips = doc[name]["trips"]
    assert len({t["request"] for t in trips}) == len(trips), "a request served twice"
    empty = 0.0
    by_volunteer = {}
    for t in trips:
        r, v = requests[t["request"]], volunteers[t["volunteer"]]
        pick, drop = to_min(t["pickup_at"]), to_min(t["dropoff_at"])
        handling = model["handling_minutes_wheelchair" if r["wheelchair"] else "handling_minutes"]
        assert drop == pick + handling + minutes(model, r["pickup"], r["dropoff"])
        assert r["needs"] in v["qualified_for"], (t, v)
        if r["needs"] == "ride":
            assert v["seats"] >= r["passengers"]
            assert v["wheelchair"] or not r["wheelchair"]
        if not t["late"]:
            assert pick >= to_min(r["window"]["earliest_pickup"])
            assert drop <= to_min(r["window"]["latest_dropoff"])
        assert any(
            to_min(w["from"]) <= to_min(t["window"]["from"])
            and to_min(t["window"]["to"]) <= to_min(w["to"])
            for w in v["windows"]
        )
        by_volunteer.setdefault(t["volunteer"], []).append(t)
    for legs in by_volunteer.values():
        legs.sort(key=lambda t: to_min(t["pickup_at"]))
        here, free, window = None, None, None
        for t in legs:
            r = requests[t["request"]]
            if window != t["window"]:  # a new shift starts from its start point
                here, free, window = t["start"], to_min(t["window"]["from"]), t["window"]
            assert to_min(t["pickup_at"]) >= free + minutes(model, here, r["pickup"]), (
                "not there in time"
            )
            assert to_min(t["dropoff_at"]) <= to_min(t["window"]["to"])
            empty += road_km(model, here, r["pickup"])
            assert abs(road_km(model, here, r["pickup"]) - t["empty_km"]) < 0.01
            here, free = r["dropoff"], to_min(t["dropoff_at"])
        for a, b in zip(legs, legs[1:], strict=False):
            assert to_min(b["pickup_at"]) >= to_min(a["dropoff_at"]), "in two trips at once"
    return empty


def test_the_demo_days_plan_is_feasible_from_its_json_alone(demo):
    doc = plan_json()
    assert doc["requests"] and doc["volunteers"]
    kinds = {r["kind"] for r in doc["requests"]}
    assert {"ride", "exam", "meal"} <= kinds
    for name in ("or_tools", "greedy"):
        empty = check(doc, name)
        assert abs(empty - doc[name]["empty_km"]) < 0.05
    best, greedy = doc["or_tools"], doc["greedy"]
    assert best["late_arrivals"] == 0
    assert best["served"] + best["unserved"] == len(doc["requests"])
    assert (
        best["empty_km"] <= greedy["empty_km"]
        or best["served"] > greedy["served"] - greedy["late_arrivals"]
    )
