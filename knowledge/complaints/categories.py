"""The complaint categories: fixed codes; their names live in the message catalogs and their
deadlines in the offices file (knowledge/complaints/files.py)."""

from __future__ import annotations

import enum


class Category(enum.StrEnum):
    FREIGHT = "freight"  # 运费纠纷
    TOLLS = "tolls"  # 高速通行费
    PLATFORM = "platform"  # 平台规则与派单
    ENFORCEMENT = "enforcement"  # 执法与罚款
    UNPAID_PAY = "unpaid_pay"  # 欠薪
    INSURANCE = "insurance"  # 保险与工伤
    STATION = "station"  # 站点服务
    OTHER = "other"  # 其他
