from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.extensions import Model
from training.orm import LabelledEnum, UTCDateTime, str_enum, utcnow
from training.text import fold


class Theme(LabelledEnum):
    COUNTER_TERRORISM = "counter_terrorism", _l("Counter-terrorism")
    ORGANIZED_CRIME = "organized_crime", _l("Organized crime")
    TRAFFICKING_AND_SMUGGLING = (
        "trafficking_and_smuggling",
        _l("Trafficking in persons and smuggling of migrants"),
    )
    FIREARMS = "firearms", _l("Firearms")
    DRUGS = "drugs", _l("Drugs")
    CORRUPTION_AND_MONEY_LAUNDERING = (
        "corruption_and_money_laundering",
        _l("Corruption and money laundering"),
    )
    HUMAN_RIGHTS_COMPLIANCE = "human_rights_compliance", _l("Human rights compliance")
    PEACEKEEPING = "peacekeeping", _l("Peacekeeping")


class CurriculumOwner(LabelledEnum):
    UNODC = "unodc", _l("UNODC")
    DPO = "dpo", _l("DPO")
    JOINT = "joint", _l("UNODC–DPO joint")


class CurriculumStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft"), "secondary"
    APPROVED = "approved", _l("Approved"), "success"
    RETIRED = "retired", lazy_pgettext("curriculum status", "Retired"), "dark"


class Curriculum(Model):
    __table_args__ = (
        sa.CheckConstraint(
            "min_attendance_percent BETWEEN 0 AND 100", name="min_attendance_percent_range"
        ),
        sa.CheckConstraint(
            "pass_mark_percent IS NULL OR pass_mark_percent BETWEEN 0 AND 100",
            name="pass_mark_percent_range",
        ),
        sa.CheckConstraint(
            "certificate_validity_months IS NULL OR certificate_validity_months > 0",
            name="certificate_validity_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    title_en: Mapped[str] = mapped_column(sa.String(250))
    title_fr: Mapped[str] = mapped_column(sa.String(250))
    # Optional: documents in Arabic fall back to the French title.
    title_ar: Mapped[Optional[str]] = mapped_column(sa.String(250))
    description: Mapped[Optional[str]] = mapped_column(sa.Text)
    # Lower-case, accent-free "code title_en title_fr title_ar", kept up to
    # date by the mapper events below, for accent-insensitive search on
    # every engine.
    search_text: Mapped[str] = mapped_column(sa.String(800), default="")
    theme: Mapped[Theme] = mapped_column(str_enum(Theme, 40))
    owner: Mapped[CurriculumOwner] = mapped_column(str_enum(CurriculumOwner, 10))
    version: Mapped[str] = mapped_column(sa.String(20), default="1.0")
    status: Mapped[CurriculumStatus] = mapped_column(
        str_enum(CurriculumStatus, 10), default=CurriculumStatus.DRAFT
    )
    min_attendance_percent: Mapped[int] = mapped_column(default=80)
    pass_mark_percent: Mapped[Optional[int]]
    certificate_validity_months: Mapped[Optional[int]]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    modules: Mapped[list[Module]] = relationship(
        back_populates="curriculum",
        order_by="Module.position",
        cascade="all, delete-orphan",
    )

    def title(self, language: str) -> str:
        """The title in `language`; in Arabic, the French one when the
        curriculum has no Arabic title (French, the G5 Sahel's working
        language, is the second language of Arabic documents there)."""
        return localised_title(self.title_en, self.title_fr, self.title_ar, language)

    @property
    def is_draft(self) -> bool:
        """Still being written: only a draft can be approved."""
        return self.status == CurriculumStatus.DRAFT

    @property
    def is_retired(self) -> bool:
        """Retired: frozen, no longer scheduled or edited."""
        return self.status == CurriculumStatus.RETIRED

    @property
    def is_editable(self) -> bool:
        return not self.is_retired

    @property
    def has_test(self) -> bool:
        """A post-test with a pass mark: without one there is no test to pass."""
        return self.pass_mark_percent is not None

    def passes(self, post_test_score: int | None) -> bool:
        """The pass rule: a post-test score at or above the pass mark (always
        true without a test; never true for a test not taken)."""
        if self.pass_mark_percent is None:
            return True
        return post_test_score is not None and post_test_score >= self.pass_mark_percent

    @property
    def total_minutes(self) -> int:
        return sum(module.duration_minutes for module in self.modules)

    @property
    def total_hours(self) -> Decimal:
        return (Decimal(self.total_minutes) / 60).quantize(Decimal("0.1"))

    def __repr__(self) -> str:
        return f"<Curriculum {self.code}>"


class Module(Model):
    __table_args__ = (
        sa.UniqueConstraint("curriculum_id", "position"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    curriculum_id: Mapped[int] = mapped_column(sa.ForeignKey("curriculum.id"))
    position: Mapped[int]
    title_en: Mapped[str] = mapped_column(sa.String(250))
    title_fr: Mapped[str] = mapped_column(sa.String(250))
    title_ar: Mapped[Optional[str]] = mapped_column(sa.String(250))
    aim: Mapped[Optional[str]] = mapped_column(sa.Text)
    learning_outcomes: Mapped[Optional[str]] = mapped_column(sa.Text)
    duration_minutes: Mapped[int]

    curriculum: Mapped[Curriculum] = relationship(back_populates="modules")

    def title(self, language: str) -> str:
        return localised_title(self.title_en, self.title_fr, self.title_ar, language)


def localised_title(
    title_en: str, title_fr: str, title_ar: str | None, language: str, fallback: str = "fr"
) -> str:
    """A curriculum's or a module's title in `language` (fr, en, ar); an
    Arabic title missing, the one in `fallback` (fr or en)."""
    if language == "ar":
        if title_ar:
            return title_ar
        language = fallback
    return title_fr if language == "fr" else title_en


@sa.event.listens_for(Curriculum, "before_insert")
@sa.event.listens_for(Curriculum, "before_update")
def _refresh_search_text(_mapper: object, _connection: object, curriculum: Curriculum) -> None:
    """Whoever writes a curriculum (service, factory, demo seed), its search
    text follows its code and titles."""
    curriculum.search_text = fold(
        f"{curriculum.code} {curriculum.title_en} {curriculum.title_fr} {curriculum.title_ar or ''}"
    )
