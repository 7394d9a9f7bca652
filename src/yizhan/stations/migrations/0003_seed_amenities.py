"""The amenities a city starts with (the 15 the station network issue lists)."""

from django.db import migrations

AMENITIES = [
    ("drinking_water", "饮用水", "Drinking water", "💧"),
    ("microwave", "微波炉", "Microwave", "🍲"),
    ("fridge", "冰箱", "Fridge", "🧊"),
    ("dining", "就餐", "Dining", "🍚"),
    ("restroom", "卫生间", "Restroom", "🚻"),
    ("shower", "淋浴", "Shower", "🚿"),
    ("washing_machine", "洗衣机", "Washing machine", "🧺"),
    ("rest", "休息座椅/床位", "Rest seats and beds", "🛏"),
    ("phone_charging", "手机充电", "Phone charging", "🔌"),
    ("ebike_charging", "电动车充换电", "E-bike charging or battery swap", "🔋"),
    ("first_aid", "急救药箱", "First aid", "🩹"),
    ("wifi", "无线网络", "Wi-Fi", "📶"),
    ("umbrella", "爱心雨伞", "Umbrella", "☂"),
    ("repair_tools", "维修工具", "Repair tools", "🔧"),
    ("legal_aid", "法律援助", "Legal-aid desk", "⚖"),
]


def seed(apps, schema_editor):
    Amenity = apps.get_model("stations", "Amenity")
    for sort, (code, name, name_en, icon) in enumerate(AMENITIES, start=1):
        Amenity.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "icon": icon, "sort": sort * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("stations", "0002_network")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
