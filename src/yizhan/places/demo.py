"""Demo landmarks: well-known places of Lanzhou, so reports say "near 中山桥 (300 m)".

Positions are approximate (hand-placed to within a few hundred metres) and for the demo
only; a deployment imports the city's own list (`yizhan landmarks-import FILE.csv`).
"""

from pathlib import Path

from yizhan.places.services import landmarks_import_csv

CSV = Path(__file__).resolve().parent / "data" / "lanzhou_landmarks.csv"


def seed_landmarks() -> int:
    """Import the demo landmarks (idempotent); returns how many were created."""
    return landmarks_import_csv(text=CSV.read_text(encoding="utf-8")).created
