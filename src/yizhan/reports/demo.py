"""Demo hazard reports: a few hundred across the city in every state, some with photos, so the
queues, the public map and the history pages have something real to show. Written in bulk
(docs/BENCHMARKS.md, "Demo load"): the pictures are processed once and their files reused."""

import datetime as dt
import io
import random

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw
from shapely.geometry import Point, shape
from shapely.prepared import prep

from yizhan.accounts.models import Role, RoleAssignment, User
from yizhan.core import bulk, events, workdays
from yizhan.core.images import process_photo
from yizhan.core.notifications import Notice, notify_each
from yizhan.core.pii import blind_index
from yizhan.reports import services
from yizhan.reports.events import REPORT_VERIFIED, ReportVerified
from yizhan.reports.models import Category, Follower, Photo, Report, ReportEvent, State

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


# How many distinct pictures the demo's reports share: each is made and put through the
# real photo pipeline (`core.images.process_photo`) once, stored once, and reused.
DEMO_PICTURES = 12


def _photo(rng: random.Random) -> SimpleUploadedFile:
    image = Image.new(
        "RGB", (640, 480), (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200))
    )
    draw = ImageDraw.Draw(image)
    for _shape in range(8):
        x, y = rng.randint(0, 600), rng.randint(0, 440)
        draw.rectangle(
            [x, y, x + rng.randint(20, 160), y + rng.randint(20, 120)],
            fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)),
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")


def _pictures() -> list[tuple[str, int, int, str]]:
    """(stored name, width, height, perceptual hash) of the demo's pictures: processed once
    each, written once (a later load finds them in the media folder and writes nothing)."""
    storage = Photo._meta.get_field("image").storage
    pictures = []
    for k in range(DEMO_PICTURES):
        processed = process_photo(_photo(random.Random(k)))
        name = f"reports/demo/{k:02d}.jpg"
        if not storage.exists(name):
            name = storage.save(name, ContentFile(processed.content))
        pictures.append((name, processed.width, processed.height, processed.phash))
    return pictures


def _due_at(category, start):
    """End of the Nth working day after the day the report arrived (Asia/Shanghai), as the
    submission service sets it."""
    local = timezone.localtime(start)
    day = workdays.add_working_days(local.date(), category.response_days)
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(23, 59, 59)), timezone.get_current_timezone()
    )


# The steps a demo report went through, by how far it got: (action, from, to, by the officer?)
STEPS = [
    ("accepted", State.SUBMITTED, State.ACCEPTED, True),
    ("started", State.ACCEPTED, State.IN_PROGRESS, True),
    ("resolved", State.IN_PROGRESS, State.RESOLVED, True),
    ("closed", State.RESOLVED, State.CLOSED, False),
]


def seed(*, rng: random.Random, communities, count: int) -> int:
    """`count` reports across the city in every state, written in bulk: one INSERT each for
    the reports, their photos, followers, history rows and notices (as the services would
    have written them, step by step), and "report.verified" announced for the closed ones,
    so the points bank awards their reporters once the task worker runs."""
    categories = list(Category.objects.filter(active=True))
    reporters = list(
        User.objects.filter(worker__isnull=False).order_by("id").values_list("id", flat=True)[:400]
    )
    # Not their encrypted mobile and name: 800 decryptions that nothing here reads.
    reporters = list(User.objects.filter(id__in=reporters).defer("mobile", "name").order_by("id"))
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
    spots = {}  # community id → a point inside it (its boundary parsed once)
    demo_worker = User.objects.filter(mobile_index=blind_index("13800000001")).first()
    pictures = _pictures()
    now = timezone.now()
    resolved_note, confirmed_note = "已联系物业处理完毕", _("Confirmed fixed by the reporter")
    plans = []
    for n in range(count):
        category = rng.choice(categories)
        community = rng.choice(urban[:12]) if n % 4 == 0 else rng.choice(urban)
        if community.pk not in spots:
            area = prep(shape(community.boundary))
            spots[community.pk] = (area, area.context.representative_point())
        area, point = spots[community.pk]
        for _try in range(20):  # a spot near the middle, inside the community it is routed to
            lat = point.y + rng.uniform(-0.0005, 0.0005)
            lng = point.x + rng.uniform(-0.0005, 0.0005)
            if area.contains(Point(lng, lat)):
                break
        else:
            lat, lng = point.y, point.x
        reporter = demo_worker if (n % 25 == 0 and demo_worker) else rng.choice(reporters)
        moment = now - dt.timedelta(hours=rng.randint(1, 24 * 40))
        with_photo = category.photo_required or n % 3 == 0
        description = rng.choice(DESCRIPTIONS.get(category.code, ["隐患"]))
        roll = rng.random()
        if reporter == demo_worker and n % 50 == 0:
            roll = 0.9  # the demo worker sees reports through to the end, and their points
        community_id = community.pk
        officer = officers.get(community_id) or city_officer
        steps = 0 if roll < 0.35 or officer is None else 1 + (roll > 0.55) + (roll > 0.7)
        steps += steps == 3 and roll > 0.85 and reporter is not None
        # Each step some hours after the one before, and never after now: the history reads
        # as it happened, not as the moment the demo was loaded.
        times, at = [], moment
        for _step in range(steps):
            at = min(at + dt.timedelta(hours=rng.uniform(1, 30)), now - dt.timedelta(minutes=5))
            times.append(at)
        report = Report(
            reporter=reporter,
            client_key=f"demo-{n}",
            category=category,
            description=description,
            lat=round(lat, 7),
            lng=round(lng, 7),
            community_id=community_id,
            department_id=category.department_id,
            due_at=_due_at(category, moment),
            state=STEPS[steps - 1][2] if steps else State.SUBMITTED,
            resolved_at=times[2] if steps >= 3 else None,
            closed_at=times[3] if steps >= 4 else None,
            verified_at=times[3] if steps >= 4 else None,
        )
        plans.append((report, moment, officer, steps, with_photo, n, times))
    Report.objects.bulk_create([p[0] for p in plans], batch_size=500)
    bulk.update(Report, "created_at", [(p[0].pk, p[1]) for p in plans])  # auto_now_add: after
    photos, followers, history, notices = [], [], [], []
    when = []  # each history row's moment, in the order of `history`
    for report, moment, officer, steps, with_photo, n, times in plans:
        picture = pictures[n % len(pictures)]
        if with_photo:
            photos.append(_photo_row(report, Photo.Kind.BEFORE, picture))
        if steps >= 3:
            photos.append(_photo_row(report, Photo.Kind.AFTER, pictures[(n + 5) % len(pictures)]))
        followers.append(Follower(report=report, user=report.reporter))
        history.append(
            ReportEvent(
                report=report, actor=report.reporter, action="submitted", to_state="submitted"
            )
        )
        when.append(moment)
        url = reverse("reports:detail", args=[report.pk])
        params = {"id": report.pk, "category": report.category.name}
        if not steps and officer is not None:
            notices.append(
                Notice(
                    user=officer,
                    message=services.QUEUED,
                    params=params,
                    url=url,
                    verb="report.queue",
                )
            )
        for (action, old, new, by_officer), at in zip(STEPS[:steps], times, strict=True):
            when.append(at)
            history.append(
                ReportEvent(
                    report=report,
                    actor=officer if by_officer else report.reporter,
                    action=action,
                    from_state=old,
                    to_state=new,
                    note=resolved_note
                    if action == "resolved"
                    else confirmed_note
                    if action == "closed"
                    else "",
                )
            )
            if by_officer:  # the reporter hears of each step the officer takes
                notices.append(
                    Notice(
                        user=report.reporter,
                        message=services.CHANGED,
                        params={**params, "state": State(new).label},
                        url=url,
                        verb=f"report.{action}",
                    )
                )
        if steps >= 4:
            events.publish(
                REPORT_VERIFIED,
                **ReportVerified(
                    report_id=report.pk,
                    reporter_id=report.reporter_id,
                    category=report.category.code,
                ),
            )
    Photo.objects.bulk_create(photos, batch_size=500)
    Follower.objects.bulk_create(followers, batch_size=500)
    ReportEvent.objects.bulk_create(history, batch_size=500)
    # created_at is auto_now_add: set it after
    bulk.update(ReportEvent, "created_at", zip((e.pk for e in history), when, strict=True))
    notify_each(notices=notices)
    return len(plans)


def _photo_row(report, kind, picture) -> Photo:
    name, width, height, phash = picture
    return Photo(report=report, kind=kind, image=name, width=width, height=height, phash=phash)
