"""The news categories every city starts with. Used by the data migration and by tests that
rebuild a flushed database."""

CATEGORIES = [
    ("notice", "通知公告", 10),
    ("news", "新闻动态", 20),
    ("guide", "办事指南", 30),
    ("policy", "政策解读", 40),
]


def ensure(Category) -> None:
    for code, name, order in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "order": order})
