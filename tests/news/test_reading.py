"""The pinyin reading aid: inline annotations cleaned so nothing is ever doubled, whole
words read by context, ruby drawn for every character or only the rarer ones, and the
accuracy on the word-in-context corpus."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.template import Context, Template
from hypothesis import given, settings
from hypothesis import strategies as st

from yizhan.news import accuracy, reading

CORPUS = Path(__file__).with_name("reading_corpus.tsv")


@pytest.mark.parametrize(
    ("broken", "clean"),
    [
        ("新(xīn)(xīn)政策", "新政策"),
        ("一个(gè)(gè)站点", "一个站点"),
        ("积分兑换(duìhuàn)(duìhuàn)规则", "积分兑换规则"),
        ("快递员(yuán)休息", "快递员休息"),
        ("兑换（duìhuàn）", "兑换"),
        ("兑换 (dui4 huan4)", "兑换"),
        ("绿(lǜ)色通道", "绿色通道"),
        ("世界卫生组织(WHO)发布", "世界卫生组织(WHO)发布"),
        ("第（一）条", "第（一）条"),
        ("2026年(试行)", "2026年(试行)"),
        ("中(guo)", "中(guo)"),
    ],
)
def test_inline_annotations_are_cleaned_and_other_brackets_kept(broken, clean):
    assert reading.clean(broken) == clean


def test_a_doubled_annotation_never_comes_back_doubled():
    assert reading.inline("新(xīn)(xīn)的兑换(duìhuàn)(duìhuàn)") == "新(xīn)的(de)兑换(duìhuàn)"
    html = str(reading.ruby("兑换(duìhuàn)(duìhuàn)"))
    assert html.count("duì") == 1 and "(duìhuàn)" not in html


def test_whole_words_not_half_words():
    assert reading.inline("快递员(yuán)") == "快递员(kuàidìyuán)"


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("骑手到银行办事", "银行", "yínháng"),
        ("雨天行走要小心", "行走", "xíngzǒu"),
        ("建立长期机制", "长期", "chángqī"),
        ("志愿服务队队长", "队长", "duìzhǎng"),
        ("这一点很重要", "重要", "zhòngyào"),
        ("请重新登录", "重新", "chóngxīn"),
        ("骑手还是司机", "还是", "háishì"),
        ("按时还款", "还款", "huánkuǎn"),
        ("大家觉得很好", "觉得", "juéde"),
        ("在驿站睡觉", "睡觉", "shuìjiào"),
        ("播放音乐", "音乐", "yīnyuè"),
        ("让人快乐", "快乐", "kuàilè"),
        ("调解纠纷", "调解", "tiáojiě"),
        ("开展调查", "调查", "diàochá"),
        ("皋兰县的驿站", "皋兰县", "gāolánxiàn"),
        ("在七里河区", "七里河区", "qīlǐhéqū"),
        ("安宁区", "安宁区", "ānníngqū"),
        ("榆中县", "榆中县", "yúzhōngxiàn"),
        ("喧咖驿站", "喧咖", "xuānkā"),
        ("西安的站点", "西安", "xī'ān"),
    ],
)
def test_polyphones_and_city_words_are_read_by_context(text, word, expected):
    at = text.index(word)
    got = accuracy.readings_in(text)[at : at + len(word)]
    assert reading._join_syllables(got) == expected


def test_rare_mode_annotates_only_characters_outside_the_first_tier():
    assert len(reading.common_characters()) == 3500
    html = str(reading.ruby("皋兰县的银行", reading.RARE))
    assert html.count("<rt") == 1 and "gāo" in html  # 皋 is not in the first tier
    assert str(reading.ruby("银行", reading.RARE)) == "银行"


def test_ruby_is_escaped_and_keeps_the_text_clean():
    html = str(reading.ruby("<b>银行</b>"))
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert '<rt aria-hidden="true">yín</rt>' in html and "<rp>(</rp>" in html


def test_html_annotation_leaves_tags_code_and_existing_ruby_alone():
    fragment = '<p>兑换(duìhuàn)积分 <a href="/x?a=1&amp;b=2">银行</a> <code>行长</code></p>'
    once = reading.ruby_html(fragment)
    assert 'href="/x?a=1&amp;b=2"' in once and "<code>行长</code>" in once
    assert reading.ruby_html(once) == once


def test_cached_rendering_is_keyed_by_the_text():
    first, cached = reading.ruby_html_cached("<p>缓存测试：银行</p>")
    again, cached_again = reading.ruby_html_cached("<p>缓存测试：银行</p>")
    assert (cached, cached_again) == (False, True) and first == again


han = st.sampled_from(list("银行长重还觉乐调兑换新个快递员兰州皋七里河的了地得为一不中"))
texts = st.lists(
    st.one_of(han, st.sampled_from(["(", ")", "（", "）", " ", "，", "a", "x", "ī", "1", "\n"])),
    max_size=40,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(texts)
def test_annotating_an_annotated_text_gives_the_same_result(text):
    once = reading.inline(text)
    assert reading.inline(once) == once
    assert str(reading.ruby(once)) == str(reading.ruby(text))


@settings(max_examples=80, deadline=None)
@given(texts)
def test_ruby_html_is_idempotent(text):
    fragment = f"<p>{reading.html.escape(text)}</p>"
    once = reading.ruby_html(fragment)
    assert reading.ruby_html(once) == once


def test_accuracy_on_the_word_in_context_corpus_is_at_least_99_percent():
    pairs = accuracy.load(CORPUS)
    assert len(pairs) >= 300
    polyphones = {"银行", "行走", "长期", "队长", "重要", "重新", "还是", "还款"}
    polyphones |= {"觉得", "睡觉", "音乐", "快乐", "调解", "调查"}
    assert polyphones <= {p.word for p in pairs}
    correct, misses = accuracy.evaluate(pairs)
    assert correct / len(pairs) >= 0.99, [(m.pair.sentence, m.pair.word, m.got) for m in misses]


def test_the_command_prints_word_level_pinyin_and_ruby(capsys):
    call_command("pinyin", "兑换(duìhuàn)(duìhuàn)积分")
    assert capsys.readouterr().out.strip() == "兑换(duìhuàn)积分(jīfēn)"
    call_command("pinyin", "--ruby", "--rare", "皋兰")
    assert capsys.readouterr().out.strip().startswith('<ruby class="py">皋<rp>(</rp>')


def test_the_command_refuses_bad_input():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="NUL"):
        call_command("pinyin", "兰州\x00")
    with pytest.raises(CommandError, match="Give some text"):
        call_command("pinyin", " ")


def test_other_apps_use_the_template_filter_for_station_names():
    html = Template('{% load pinyin %}{{ name|pinyin_ruby }}|{{ name|pinyin_ruby:"rare" }}').render(
        Context({"name": "皋兰县工会驿站"})
    )
    everything, rare = html.split("|")
    assert everything.count("<rt") == 7
    assert rare.count("<rt") == 2 and "gāo" in rare and "yì" in rare  # 皋 and 驿 are rarer
