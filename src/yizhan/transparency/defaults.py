"""The reference data a city starts with: the service types of each platform kind and the
routing of commission cases. Both are the city's to change in the back office; `ensure`
only creates what is missing (used by the data migration, the demo and the tests)."""

# code, name, platform kind, position
SERVICE_TYPES = [
    ("ride_express", "快车", "ride_hailing", 1),
    ("ride_premium", "专车", "ride_hailing", 2),
    ("ride_carpool", "拼车", "ride_hailing", 3),
    ("food_delivery", "外卖配送", "delivery", 1),
    ("errand", "跑腿代送", "delivery", 2),
    ("parcel", "快递派送", "courier", 1),
    ("freight_city", "同城货运", "freight", 1),
    ("freight_intercity", "城际货运", "freight", 2),
]

# platform kind → department code (ride-hailing and freight belong to the transport
# bureau, the 12328 side; delivery and courier commission to market regulation).
ROUTES = {
    "ride_hailing": "transport",
    "freight": "transport",
    "delivery": "market",
    "courier": "market",
}


def ensure_service_types(ServiceType) -> int:
    created = 0
    for code, name, kind, position in SERVICE_TYPES:
        _obj, new = ServiceType.objects.get_or_create(
            code=code, defaults={"name": name, "platform_kind": kind, "position": position}
        )
        created += new
    return created


def ensure_routes(RoutingRule, department_for) -> int:
    """Kind-wide rules for the kinds that have none, where the department exists
    (`department_for(code)` returns it or None)."""
    created = 0
    for kind, code in ROUTES.items():
        department = department_for(code)
        if department is None:
            continue
        _obj, new = RoutingRule.objects.get_or_create(
            platform_kind=kind, service_type=None, defaults={"department": department}
        )
        created += new
    return created
