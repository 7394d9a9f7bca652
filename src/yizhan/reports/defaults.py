"""The city's starting list of hazard categories (the administrator edits them later).

Used by the data migration and by tests that rebuild a flushed database.
"""

CATEGORIES = [
    # code, name, English name, description, response working days, photo, radius m
    # (what a verified report earns is set in the points rules, not here)
    ("bulky-rubbish", "大件垃圾", "Bulky rubbish", "堆放在路边、楼道的大件垃圾", 3, True, 250),
    ("exposed-wire", "电线裸露", "Exposed wire", "裸露、垂落或破损的电线", 1, True, 150),
    (
        "manhole-cover",
        "井盖缺失或破损",
        "Missing or broken manhole cover",
        "缺失、破损、移位的井盖",
        1,
        True,
        100,
    ),
    ("damaged-road", "道路破损", "Damaged road", "坑槽、塌陷、破损的路面", 5, True, 250),
    ("fire-lane", "消防通道堵塞", "Blocked fire lane", "占用、堵塞的消防通道", 1, True, 150),
    ("street-light", "路灯不亮", "Street light out", "不亮或闪烁的路灯", 3, False, 100),
    ("waterlogging", "道路积水", "Waterlogging", "积水、排水不畅", 1, True, 300),
    (
        "street-occupation",
        "占道经营",
        "Illegal street occupation",
        "占用道路、人行道经营",
        3,
        True,
        200,
    ),
    ("other", "其他隐患", "Other hazard", "其他安全隐患", 3, False, 250),
]


def ensure(Category) -> None:
    """Create any missing default category (takes the model: real or historical)."""
    for sort, (code, name, name_en, description, days, photo, radius) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "description": description,
                "response_days": days,
                "photo_required": photo,
                "duplicate_radius_m": radius,
                "sort": sort * 10,
            },
        )
