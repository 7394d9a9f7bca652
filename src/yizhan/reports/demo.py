"""Demo hazard reports: a few hundred across the city in every state, some with photos, so the
queues, the public map and the history pages have something real to show."""

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from shapely.geometry import shape

from yizhan.accounts.models import Role, RoleAssignment, User
from yizhan.core.errors import YizhanError
from yizhan.core.pii import blind_index
from yizhan.reports import services
from yizhan.reports.models import Category, Report, ReportEvent

DESCRIPTIONS = {
    "bulky-rubbish": ["楼道口堆了旧沙发", "路边一堆装修垃圾", "废弃床垫挡住了人行道"],
    "exposed-wire": ["电线垂到头顶高度", "配电箱门开着，电线裸露", "路灯杆底部电线外露"],
    "manhole-cover": ["井盖缺了一角", "井盖不见了，很危险", "井盖松动，车过会响"],
    "damaged-road": ["路面有大坑，电动车容易摔", "人行道地砖翘起", "路面塌陷一块"],
    "fire-lane": ["消防通道停满了车", "消防通道被杂物堵住"],
    "street-light": ["这段路灯一直不亮", "路灯闪烁"],
    "waterlogging": ["下雨后积水到脚踝", "地下通道积水"],
    "street-occupation": ["水果摊占了半条人行道", "早点摊占道"],
    "other": ["小区门禁不让骑手进，只能翻栏杆", "树枝快断了"],
}


def _photo(rng: random.Random) -> SimpleUploadedFile:
    image = Image.new(
        "RGB", (640, 480), (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200))
    )
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x, y = rng.randint(0, 600), rng.randint(0, 440)
        draw.rectangle(
            [x, y, x + rng.randint(20, 160), y + rng.randint(20, 120)],
            fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)),
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")


def seed(*, rng: random.Random, communities, count: int) -> int:
    categories = list(Category.objects.filter(active=True))
    reporters = list(
        User.objects.filter(worker__isnull=False).order_by("id").values_list("id", flat=True)[:400]
    )
    reporters = list(User.objects.filter(id__in=reporters))
    officers = {
        a.community_id: a.user
        for a in RoleAssignment.objects.filter(role=Role.GRID_OFFICER).select_related("user")
    }
    city_officer = User.objects.filter(role_assignments__role=Role.DISPATCHER).first()
    urban = [
        c
        for c in communities
        if c.subdistrict.district.code in {"620102", "620103", "620104", "620105"}
    ]
    demo_worker = User.objects.filter(mobile_index=blind_index("13800000001")).first()
    made = 0
    now = timezone.now()
    for n in range(count):
        category = rng.choice(categories)
        community = rng.choice(urban[:12]) if n % 4 == 0 else rng.choice(urban)
        point = shape(community.boundary).representative_point()
        lat = point.y + rng.uniform(-0.0005, 0.0005)
        lng = point.x + rng.uniform(-0.0005, 0.0005)
        reporter = demo_worker if (n % 25 == 0 and demo_worker) else rng.choice(reporters)
        moment = now - dt.timedelta(hours=rng.randint(1, 24 * 40))
        photos = [_photo(rng)] if (category.photo_required or n % 3 == 0) else []
        try:
            report = services.report_submit(
                reporter=reporter,
                category=category,
                lat=lat,
                lng=lng,
                description=rng.choice(DESCRIPTIONS.get(category.code, ["隐患"])),
                photos=photos,
                client_key=f"demo-{n}",
                now=moment,
            ).report
        except YizhanError:
            continue
        Report.objects.filter(pk=report.pk).update(created_at=moment)
        ReportEvent.objects.filter(report=report, action="submitted").update(created_at=moment)
        officer = officers.get(report.community_id) or city_officer
        roll = rng.random()
        if report.reporter_id == getattr(demo_worker, "pk", None) and n % 50 == 0:
            roll = 0.9  # the demo worker sees reports through to the end, and their points
        if roll < 0.35 or officer is None:
            made += 1
            continue
        # Each step some hours after the one before, and never after now: the history reads
        # as it happened, not as the moment the demo was loaded.
        steps, at = {}, moment
        for action in ("accepted", "started", "resolved", "closed"):
            at = min(at + dt.timedelta(hours=rng.uniform(1, 30)), now - dt.timedelta(minutes=5))
            steps[action] = at
        services.report_accept(user=officer, report_id=report.pk)
        if roll > 0.55:
            services.report_start(user=officer, report_id=report.pk)
        if roll > 0.7:
            services.report_resolve(
                user=officer,
                report_id=report.pk,
                note="已联系物业处理完毕",
                after_photo=_photo(rng),
                now=steps["resolved"],
            )
        if roll > 0.85 and report.reporter_id:
            services.report_confirm(user=report.reporter, report_id=report.pk, now=steps["closed"])
        for event in ReportEvent.objects.filter(report=report, action__in=steps):
            ReportEvent.objects.filter(pk=event.pk).update(created_at=steps[event.action])
        made += 1
    return made
