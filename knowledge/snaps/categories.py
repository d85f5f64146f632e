"""The snap report categories: fixed codes; their names live in the message catalogs."""

from __future__ import annotations

import enum


class SnapCategory(enum.StrEnum):
    POTHOLE = "pothole"  # 路面坑洼
    DEBRIS = "debris"  # 抛洒物/障碍物
    TRAFFIC_FACILITY = "traffic_facility"  # 交通设施损坏: signs, lights, guard rails
    WATER_ICE = "water_ice"  # 积水/结冰
    HAZARD = "hazard"  # 安全隐患
    PUBLIC_FACILITY = "public_facility"  # 市政设施
    OBSTRUCTION = "obstruction"  # 占道/违停
    OTHER = "other"  # 其他
