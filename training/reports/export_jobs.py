"""The participant-level export as a job (training/jobs): a programme of
tens of thousands of person-trainings takes longer to write as a workbook
than a request should wait, so the page shows its progress and the file is
kept for its owner to download."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from werkzeug.datastructures import MultiDict

from training.extensions import db
from training.jobs.services import JobFailed, JobResult, Progress, job
from training.reports import exports, projection, queries
from training.reports.forms import ReportFilterForm

PARTICIPANTS_XLSX = "reports.participants_xlsx"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows fetched at a time: a server-side cursor on PostgreSQL, so memory
# stays flat whatever the programme's size.
BATCH = 2000


def file_name(stem: str, extension: str, today: date | None = None) -> str:
    """The download's name, its stem in the reader's language (the caller
    translates it): atelier-rapport-2026-12-03.csv."""
    return f"atelier-{stem}-{(today or date.today()).isoformat()}.{extension}"


def streamed_rows(statement: sa.Select) -> Any:
    """The export's rows (a queries.training_rows statement), read BATCH at
    a time as they are written (Core rows, on the session's connection: no
    ORM work per row)."""
    # The options go with this statement only: Connection.execution_options
    # would change the session's connection for every later statement.
    return db.session.connection().execute(statement, execution_options={"yield_per": BATCH})


def _counted(rows: Iterable[Any], progress: Progress) -> Iterator[Any]:
    for row in rows:
        progress.advance()
        yield row


@job(PARTICIPANTS_XLSX, _l("Participants (Excel)"))
def participants_xlsx(progress: Progress, *, filters: dict[str, str], **_ignored: Any) -> JobResult:
    """The workbook of every person-training the filters select."""
    projection.catch_up()
    form = ReportFilterForm(MultiDict(filters))
    if not form.validate():
        raise JobFailed(_("The filters of this export are no longer valid: ask for it again."))
    statement = queries.training_rows(form.filters())
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    )
    progress.set_total(total or 0)
    table = exports.participants_table(_counted(streamed_rows(statement), progress))
    return JobResult(
        exports.participants_xlsx(table),
        file_name(pgettext("file name", "participants"), "xlsx"),
        XLSX_MIMETYPE,
    )
