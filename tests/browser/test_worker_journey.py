"""A worker registers, logs out, logs in, switches to English and back — in a real browser."""

from yizhan.accounts.models import User
from yizhan.core import sms
from yizhan.core.validators import id_check_char


def test_worker_registers_logs_in_and_switches_language(city, page, shot, transactional_db):
    page.goto("/")
    assert "驿站" in page.title()
    shot("01-home-zh")
    page.get_by_role("link", name="注册成为骑手/司机").click()

    # A wrong ID number first: the field error comes back in Chinese and nothing is kept.
    page.get_by_label("真实姓名").fill("赵骑手")
    page.get_by_label("手机号").fill("13712345678")
    page.get_by_label("密码", exact=True).fill("Long-enough-9")
    page.get_by_label("确认密码").fill("Long-enough-9")
    page.get_by_label("从业类型").select_option("delivery_rider")
    page.get_by_label("所属平台").select_option(label="陇上快送")
    page.get_by_label("居民身份证号").fill("620103199001011230")
    page.get_by_label("我已阅读并同意隐私政策").check()
    page.get_by_role("button", name="创建账户").click()
    assert page.get_by_text("身份证号校验位不正确").is_visible()
    shot("02-register-error")

    good = "62010319900101123" + id_check_char("62010319900101123")
    page.get_by_label("居民身份证号").fill(good)
    page.get_by_label("密码", exact=True).fill("Long-enough-9")
    page.get_by_label("确认密码").fill("Long-enough-9")
    page.get_by_role("button", name="创建账户").click()
    # The number is proven with the code texted to it (read from the demo's outbox).
    assert page.get_by_text("137****5678").is_visible()
    page.get_by_label("短信验证码").fill(sms.last_code("13712345678"))
    page.get_by_role("button", name="创建账户").click()
    page.wait_for_url("**/me/")
    assert page.get_by_text("欢迎来到驿站").is_visible()
    # The ID number is masked on the person's own page until they tap "show".
    assert page.get_by_text(good).count() == 0
    assert page.get_by_text(good[:3] + "*" * 11 + good[-4:]).is_visible()
    page.get_by_role("button", name="显示完整信息").click()
    assert page.get_by_text(good).is_visible()
    shot("03-profile")

    page.get_by_role("button", name="退出").click()
    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("手机号").fill("13712345678")
    page.get_by_label("密码").fill("Long-enough-9")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_text("赵骑手，您好。").is_visible()

    page.get_by_role("button", name="English").click()
    assert page.get_by_text("Hello, 赵骑手.").is_visible()
    assert page.get_by_role("link", name="My account").first.is_visible()
    shot("04-home-en")
    page.get_by_role("button", name="简体中文").click()
    assert page.get_by_text("赵骑手，您好。").is_visible()
    assert User.objects.get_by_mobile("13712345678").worker.kind == "delivery_rider"


def test_grid_officer_sees_the_community_map_without_tiles(city, page, shot):
    page.goto("/login/")
    page.get_by_label("手机号").fill("13900000003")
    page.get_by_label("密码").fill("Sturdy-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="我的社区").first.click()  # menu and tile
    page.get_by_role("link", name="甲社区").click()
    page.wait_for_selector(".leaflet-interactive")  # the boundary is drawn with no tile server
    shot("05-community-map")
    assert page.locator("path.leaflet-interactive").count() == 1
