"""Navigation links for Chinese map apps.

Telegram sends WGS-84; Amap and Tencent use GCJ-02 and Baidu uses BD-09, so a raw GPS point
lands tens to hundreds of metres off. Points are converted here, at the edge, with prcoords.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

import prcoords


@dataclass(frozen=True, slots=True)
class MapLinks:
    amap: str
    baidu: str
    tencent: str


def to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    point = prcoords.wgs_gcj((lat, lon))
    return point.lat, point.lon


def to_bd09(lat: float, lon: float) -> tuple[float, float]:
    point = prcoords.wgs_bd((lat, lon))
    return point.lat, point.lon


def map_links(lat: float, lon: float, name: str, address: str = "") -> MapLinks:
    g_lat, g_lon = to_gcj02(lat, lon)
    b_lat, b_lon = to_bd09(lat, lon)
    amap = "https://uri.amap.com/marker?" + urlencode(
        {"position": f"{g_lon:.6f},{g_lat:.6f}", "name": name, "src": "warmdrive",
         "coordinate": "gaode", "callnative": 1}
    )  # fmt: skip
    baidu = "https://api.map.baidu.com/marker?" + urlencode(
        {"location": f"{b_lat:.6f},{b_lon:.6f}", "title": name, "content": address or name,
         "output": "html", "coord_type": "bd09ll", "src": "webapp.warmdrive"}
    )  # fmt: skip
    # ';' and ':' separate the marker's fields, so they cannot appear inside them.
    title, addr = (t.replace(";", " ").replace(":", " ") for t in (name, address or name))
    marker = f"coord:{g_lat:.6f},{g_lon:.6f};title:{title};addr:{addr}"
    tencent = "https://apis.map.qq.com/uri/v1/marker?" + urlencode(
        {"marker": marker, "referer": "warmdrive"}, quote_via=quote, safe=":;,"
    )
    return MapLinks(amap, baidu, tencent)
