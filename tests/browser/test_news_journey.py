"""News end to end in a real browser: the city writes a notice on the desktop console,
sends it for review and publishes it; a rider reads it on a phone with pinyin on (ruby over
whole words, the toggle remembered), comments under a nickname; a moderator approves on the
desktop; the comment appears under the notice."""

from tests.conftest import PASSWORD
from yizhan.news.defaults import ensure
from yizhan.news.models import Article, Category, Comment


def log_in(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_the_city_publishes_a_notice_a_rider_reads_it_with_pinyin_and_comments(
    city, page, shot, browser, live_server, transactional_db
):
    ensure(Category)
    desk = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=live_server.url
    )
    staff = desk.new_page()
    staff.set_default_timeout(15000)
    log_in(staff, "13900000001")
    staff.goto("/news/console/")
    staff.get_by_role("link", name="写文章").click()
    staff.get_by_label("标题").fill("关于暴雨天气骑手出行安全的通知")
    staff.locator("#id_category").select_option("notice")
    staff.get_by_label("正文").fill(
        "各位骑手朋友：\n\n近期我市有**暴雨**，请注意行车安全，长期在户外工作要重视防护。"
        "遇到积水、井盖缺失，可用随手拍告诉社区。\n\n七里河区、皋兰县各驿站提供雨衣。"
        "<script>alert('x')</script>"
    )
    staff.get_by_role("button", name="保存草稿").click()
    staff.get_by_role("button", name="送审").click()
    assert staff.get_by_text("已送审。").is_visible()
    staff.get_by_role("button", name="审核通过并发布").click()
    assert staff.get_by_text("已发布。").is_visible()
    staff_shot(staff, "news-01-console-published")
    article = Article.objects.get()
    assert article.status == "published"

    log_in(page, "13800000001")
    page.get_by_role("link", name="资讯").first.click()
    page.get_by_role("link", name="关于暴雨天气骑手出行安全的通知").click()
    assert page.get_by_text("首页").first.is_visible()
    assert "alert" not in page.content()
    page.get_by_role("button", name="全部").click()
    ruby = page.locator(".body ruby.py").first
    assert ruby.is_visible()
    assert page.locator(".body rt", has_text="cháng").count() >= 1  # 长期: cháng
    assert page.locator("h1 rt").count() > 0
    shot("news-02-rider-reads-with-pinyin")

    page.get_by_label("昵称").fill("雨天骑手")
    page.get_by_label("你的评论").fill("谢谢提醒！驿站的雨衣很及时。")
    page.get_by_role("button", name="发表评论").click()
    assert page.get_by_text("谢谢！评论经审核后显示。").is_visible()
    assert page.get_by_text("待审核").first.is_visible()
    shot("news-03-comment-waiting")

    staff.goto("/news/moderation/")
    assert staff.get_by_text("谢谢提醒！驿站的雨衣很及时。").is_visible()
    staff_shot(staff, "news-04-moderation-queue")
    staff.get_by_role("button", name="同意").click()  # "Approve", as the other consoles say it
    assert staff.get_by_text("已通过，评论已公开显示。").is_visible()
    assert Comment.objects.get().status == "published"

    page.reload()
    assert page.locator(".comment-list").get_by_text("谢谢提醒！驿站的雨衣很及时。").is_visible()
    assert page.locator(".comment-list").get_by_text("雨天骑手").is_visible()
    assert page.locator(".body ruby.py").first.is_visible()  # the toggle is remembered
    shot("news-05-comment-appears")
    desk.close()


def staff_shot(staff_page, name):
    from tests.browser.conftest import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    staff_page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
