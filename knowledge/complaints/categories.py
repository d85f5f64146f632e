"""The complaint categories: fixed codes; their names live in the message catalogs and their
deadlines in the offices file (knowledge/complaints/files.py).

A consultation (咨询) is a question for a person rather than a grievance: it is not offered
when filing, it comes from "ask a person", and it is worked through the same chain. Routes
send it by the catch-all unless the offices file names it; its deadlines are those of
"other" unless the file names it."""

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
    CONSULT = "consult"  # 咨询: a question for a person


# What a driver picks on the filing form (and what a preset may open it with).
FILING_CATEGORIES: tuple[Category, ...] = tuple(c for c in Category if c is not Category.CONSULT)
# Whose deadlines a category takes when the offices file does not name it ("default" else).
DEADLINES_LIKE: dict[Category, Category] = {Category.CONSULT: Category.OTHER}
