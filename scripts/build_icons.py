"""Build the icon sprite: the Tabler icons (npm, MIT) the code names, and no others.

Icon names are found in `icon="name"` (nav entries, Python) and `{% icon "name" %}`
(templates). The sprite is one small SVG of <symbol>s served with the static files; pages
draw an icon with <svg><use href="sprite.svg#name"></svg>. Run by `make assets`.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules/@tabler/icons/icons/outline"
TARGET = ROOT / "src/yizhan/static/vendor/icons/sprite.svg"
PATTERNS = [
    re.compile(r"""icon\s*=\s*["']([a-z0-9-]+)["']"""),
    re.compile(r"""\{%\s*icon\s+["']([a-z0-9-]+)["']"""),
    re.compile(r"""data-icon=["']([a-z0-9-]+)["']"""),
]
ALWAYS = {"home", "map-pin", "camera", "message-report", "user", "bell", "chevron-right"}


def used_icons() -> set[str]:
    names = set(ALWAYS)
    for path in (ROOT / "src/yizhan").rglob("*"):
        if path.suffix in {".py", ".html", ".js"} and "vendor" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="ignore")
            for pattern in PATTERNS:
                names.update(pattern.findall(text))
    return names


def symbol(name: str) -> str:
    svg = (SOURCE / f"{name}.svg").read_text(encoding="utf-8")
    inner = svg[svg.index(">", svg.index("<svg")) + 1 : svg.rindex("</svg>")]
    inner = re.sub(r'<path stroke="none" d="M0 0h24v24H0z" fill="none"\s*/>', "", inner)
    inner = " ".join(line.strip() for line in inner.splitlines() if line.strip())
    return (
        f'<symbol id="{name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        f'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{inner}</symbol>'
    )


def main() -> int:
    names = sorted(used_icons())
    missing = [n for n in names if not (SOURCE / f"{n}.svg").exists()]
    if missing:
        print(f"unknown Tabler icons: {', '.join(missing)}", file=sys.stderr)
        return 1
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(symbol(n) for n in names)
    TARGET.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>\n',
        encoding="utf-8",
    )
    print(f"icons: {len(names)} in {TARGET.relative_to(ROOT)} ({TARGET.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
