"""Words for snap report codes, in the reader's language."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.db.snaps.statuses import RejectReason, SnapStatus
from knowledge.snaps.categories import SnapCategory


def category_label(category: SnapCategory) -> str:
    return {
        SnapCategory.POTHOLE: _("🕳 Pothole"),
        SnapCategory.DEBRIS: _("🪨 Debris or obstacle"),
        SnapCategory.TRAFFIC_FACILITY: _("🚦 Damaged sign or light"),
        SnapCategory.WATER_ICE: _("💧 Water or ice"),
        SnapCategory.HAZARD: _("⚠️ Other safety hazard"),
        SnapCategory.PUBLIC_FACILITY: _("🏗 Public facility"),
        SnapCategory.OBSTRUCTION: _("🚧 Obstruction, illegal parking"),
        SnapCategory.OTHER: _("📌 Other"),
    }[category]


def status_label(status: SnapStatus) -> str:
    return {
        SnapStatus.NEW: _("waiting to be checked"),
        SnapStatus.VERIFIED: _("verified (发现)"),
        SnapStatus.FORWARDED: _("with an office (处置)"),
        SnapStatus.HANDLED: _("handled (反馈)"),
        SnapStatus.REJECTED: _("not taken up"),
        SnapStatus.CLOSED: _("closed (办结)"),
    }[status]


def reason_label(reason: RejectReason) -> str:
    return {
        RejectReason.SPAM: _("spam or abuse"),
        RejectReason.DUPLICATE: _("already reported"),
        RejectReason.NOT_ACTIONABLE: _("nothing anyone can act on"),
    }[reason]


def map_url(lat: float, lon: float) -> str:
    """A map link any phone opens (OpenStreetMap; no key, no app needed)."""
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=18/{lat:.5f}/{lon:.5f}"
    )
