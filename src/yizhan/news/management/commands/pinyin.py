"""`yizhan pinyin TEXT`: the text with word-level pinyin after each word (兑换(duìhuàn)),
or `--ruby` for the HTML the pages draw. Reads standard input when TEXT is `-`. Inline
pinyin already in the text is cleaned first, so nothing is doubled."""

import sys

from django.core.management.base import BaseCommand, CommandError

from yizhan.news import reading

MAX_CHARS = 200_000


class Command(BaseCommand):
    help = (
        "Print TEXT with word-level pinyin (--ruby: as <ruby> HTML; --rare: rare characters only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="+", help="the text, or - to read standard input")
        parser.add_argument("--ruby", action="store_true", help="print <ruby> HTML")
        parser.add_argument(
            "--rare",
            action="store_true",
            help="with --ruby: only characters outside the first tier of 通用规范汉字表",
        )

    def handle(self, *args, **options):
        parts = options["text"]
        text = sys.stdin.read() if parts == ["-"] else " ".join(parts)
        if "\x00" in text:
            raise CommandError("The text contains a NUL character.")
        if not text.strip():
            raise CommandError("Give some text, e.g. yizhan pinyin 兰州银行")
        if len(text) > MAX_CHARS:
            raise CommandError(f"The text is longer than {MAX_CHARS} characters.")
        if options["ruby"]:
            mode = reading.RARE if options["rare"] else reading.ALL
            self.stdout.write(str(reading.ruby(text, mode)))
        else:
            self.stdout.write(reading.inline(text))
