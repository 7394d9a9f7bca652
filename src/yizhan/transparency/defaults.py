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
NAMES_EN = {
    "ride_express": "Express ride",
    "ride_premium": "Premium ride",
    "ride_carpool": "Carpool",
    "food_delivery": "Food delivery",
    "errand": "Errands",
    "parcel": "Parcel delivery",
    "freight_city": "Same-city freight",
    "freight_intercity": "Intercity freight",
}

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
    # The first data migration's model has no English name yet.
    english = any(f.name == "name_en" for f in ServiceType._meta.get_fields())
    for code, name, kind, position in SERVICE_TYPES:
        defaults = {"name": name, "platform_kind": kind, "position": position}
        obj, new = ServiceType.objects.get_or_create(
            code=code, defaults=defaults | ({"name_en": NAMES_EN[code]} if english else {})
        )
        created += new
        if english and not obj.name_en and obj.name == name:  # a row the city kept as it was
            ServiceType.objects.filter(pk=obj.pk).update(name_en=NAMES_EN[code])
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
