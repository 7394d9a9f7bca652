"""Article bodies: Markdown (markdown-it-py, CommonMark) → HTML → nh3 against an allow-list.

Raw HTML in the Markdown is parsed, then everything not on the list goes: <script> and
<style> with their content, event handlers (onclick=…), style attributes, and any URL that
is not http(s), mailto, tel or relative. Links get rel="noopener noreferrer nofollow".
Comments are plain text: every tag is removed and the text kept.
"""

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i", "a",
    "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
    "del", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "breaks": True}).enable("table")


def strip_control(text: str) -> str:
    """Drop NUL and other control characters (keep tab and newlines)."""
    return _CONTROL_RE.sub("", text or "")


def sanitise_html(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


def markdown_to_html(source: str) -> str:
    """The body as safe HTML."""
    return sanitise_html(_markdown().render(strip_control(source)))


def plain_text(source: str) -> str:
    """What a reader reads, without markup: for search, summaries and read-aloud."""
    text = nh3.clean(markdown_to_html(source), tags=set())
    return html.unescape(text)


def comment_text(raw: str) -> str:
    """A comment as plain text: tags removed (script and style with their content)."""
    cleaned = nh3.clean(strip_control(raw), tags=set(), clean_content_tags={"script", "style"})
    return html.unescape(cleaned).strip()
