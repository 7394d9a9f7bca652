"""A plain progress bar for long commands (imports, generators): one line, redrawn."""

import sys
import time


class Progress:
    def __init__(self, label: str, total: int, stream=None, width: int = 30):
        self.label, self.total, self.width = label, max(total, 1), width
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self._last_draw = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last_draw > 0.2 or self.done >= self.total:
            self._last_draw = now
            self.draw()

    def draw(self) -> None:
        share = min(1.0, self.done / self.total)
        filled = int(share * self.width)
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(
            f"\r{self.label:<12} [{bar}] {share:6.1%} {self.done:>9,}/{self.total:,} {rate:,.0f}/s"
        )
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()
