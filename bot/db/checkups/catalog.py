"""Checkup providers, services and slot templates: the catalogue's SQL."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.checkups.models import CheckupProviderRow, CheckupServiceRow, SlotTemplateRow


class CatalogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def has_providers(self) -> bool:
        count = await self.session.scalar(select(func.count()).select_from(CheckupProviderRow))
        return bool(count)

    async def providers(self) -> list[CheckupProviderRow]:
        return list(await self.session.scalars(select(CheckupProviderRow)))

    async def services(self) -> list[CheckupServiceRow]:
        return list(
            await self.session.scalars(
                select(CheckupServiceRow).order_by(CheckupServiceRow.position, CheckupServiceRow.id)
            )
        )

    async def templates(self) -> list[SlotTemplateRow]:
        return list(
            await self.session.scalars(select(SlotTemplateRow).order_by(SlotTemplateRow.id))
        )

    async def upsert(
        self, providers: list[CheckupProviderRow], services: list[CheckupServiceRow]
    ) -> None:
        """Providers and services by id: new ones added, known ones updated."""
        for row in [*providers, *services]:
            await self.session.merge(row)
        await self.session.flush()

    async def replace_templates(self, templates: list[SlotTemplateRow]) -> None:
        """The given templates replace the stored ones of the same provider and service."""
        for provider_id, service_id in {(t.provider_id, t.service_id) for t in templates}:
            await self.session.execute(
                delete(SlotTemplateRow).where(
                    SlotTemplateRow.provider_id == provider_id,
                    SlotTemplateRow.service_id == service_id,
                )
            )
        self.session.add_all(templates)
        await self.session.flush()
