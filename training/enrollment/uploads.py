"""Nominee files and screening lists kept between the preview and the import.

An upload is parsed once, when it arrives; the parsed file (its format, its
headings, its rows as plain strings) waits in the database (StagedUpload),
one per coordinator and session, so that whichever app server shows the
preview, any other takes the confirmation. The client never sends the rows
back, so what is imported is exactly what was checked (and it is checked
again at import time against the database as it then is); nothing is
uploaded twice over a poor connection. An upload lasts a day; expired ones
are removed at the next upload. These functions flush; the view commits.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from training.domain import DomainError
from training.enrollment.import_files import NomineeFile, rejects_file
from training.enrollment.importer import ImportCheck, import_rows, organisation_keys
from training.enrollment.models import StagedUpload
from training.extensions import db
from training.orm import utcnow
from training.people.models import Organisation
from training.people.organisations import OrganisationDetails, create_organisation

if TYPE_CHECKING:
    from training.auth.models import User
    from training.sessions.models import TrainingSession

UPLOAD_LIFETIME = timedelta(hours=24)
NOMINEES = "nominees"
SCREENINGS = "screenings"
MAX_FILE_NAME = 255


def purge_expired() -> int:
    """Remove every upload past its expiry (anyone's): how many went."""
    result = db.session.execute(sa.delete(StagedUpload).where(StagedUpload.expires_at <= utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def _mine(owner: User, training_session: TrainingSession | None) -> sa.ColumnElement[bool]:
    """This owner's nominee file for the session, or (no session) their
    screening list."""
    if training_session is None:
        return sa.and_(
            StagedUpload.owner_id == owner.id,
            StagedUpload.kind == SCREENINGS,
            StagedUpload.session_id.is_(None),
        )
    return sa.and_(
        StagedUpload.owner_id == owner.id,
        StagedUpload.kind == NOMINEES,
        StagedUpload.session_id == training_session.id,
    )


def _delete_mine(training_session: TrainingSession | None, owner: User) -> None:
    db.session.execute(sa.delete(StagedUpload).where(_mine(owner, training_session)))


def _store(
    training_session: TrainingSession | None, owner: User, parsed: NomineeFile, file_name: str
) -> StagedUpload:
    purge_expired()
    now = utcnow()
    for attempt in range(2):
        _delete_mine(training_session, owner)
        upload = StagedUpload(
            owner_id=owner.id,
            kind=NOMINEES if training_session is not None else SCREENINGS,
            session_id=training_session.id if training_session is not None else None,
            # The name alone, whatever path an old browser sends with it.
            file_name=(file_name or "").replace("\\", "/").rsplit("/", 1)[-1][:MAX_FILE_NAME],
            file_format=parsed.format.kind,
            encoding=parsed.format.encoding,
            delimiter=parsed.format.delimiter,
            content=parsed.dump(),
            choices={},
            created_at=now,
            expires_at=now + UPLOAD_LIFETIME,
        )
        try:
            with db.session.begin_nested():
                db.session.add(upload)
        except IntegrityError:
            if attempt:
                raise
            continue  # the same coordinator's other request stored one meanwhile
        return upload
    raise AssertionError("unreachable")  # pragma: no cover


def _stored(training_session: TrainingSession | None, owner: User) -> StagedUpload | None:
    # The latest, should two requests of one coordinator have raced (a
    # screening list has no session for the unique constraint to hold).
    return db.session.scalars(
        sa.select(StagedUpload)
        .where(_mine(owner, training_session), StagedUpload.expires_at > utcnow())
        .order_by(StagedUpload.id.desc())
        .limit(1)
    ).first()


def store_upload(
    training_session: TrainingSession, owner: User, nominee_file: NomineeFile, file_name: str
) -> StagedUpload:
    """Keep the parsed file for this coordinator and session, replacing any
    earlier upload of theirs for the session (a second click on "Check the
    file" over a slow link replaces the first, never fails)."""
    return _store(training_session, owner, nominee_file, file_name)


def stored_upload(training_session: TrainingSession, owner: User) -> StagedUpload | None:
    """This coordinator's upload for the session, unless it has expired."""
    return _stored(training_session, owner)


def store_screening_list(owner: User, screening_file: NomineeFile, file_name: str) -> StagedUpload:
    """Keep a parsed screening list for this coordinator, replacing any
    earlier one of theirs."""
    return _store(None, owner, screening_file, file_name)


def stored_screening_list(owner: User) -> StagedUpload | None:
    """This coordinator's screening list, unless it has expired."""
    return _stored(None, owner)


def discard_screening_list(owner: User) -> None:
    _delete_mine(None, owner)


def nominee_file(upload: StagedUpload) -> NomineeFile | None:
    """The upload's file, or None when what is stored is damaged."""
    return NomineeFile.load(upload.content)


def discard_upload(training_session: TrainingSession, owner: User) -> None:
    _delete_mine(training_session, owner)


def _require_value(upload: StagedUpload, key: str) -> None:
    stored = nominee_file(upload)
    if stored is None or key not in organisation_keys(stored):
        raise DomainError(_("This organisation is not in the file any more; upload it again."))


def choose_organisation(upload: StagedUpload, key: str, organisation: Organisation) -> None:
    """Every row of the file whose organisation cell reads `key` (folded)
    and that the row's country does not settle belongs to `organisation`:
    the coordinator's choice, one per distinct value."""
    if upload.imported_at is not None:
        raise DomainError(_("This file has already been imported; upload another one."))
    _require_value(upload, key)
    upload.choices = {**(upload.choices or {}), key: organisation.id}
    db.session.flush()


def create_organisation_for(
    upload: StagedUpload, key: str, details: OrganisationDetails, *, actor: User
) -> Organisation:
    """Create the organisation a file names but the registry lacks (through
    the organisations' own service: audited, a name unique in its country)
    and choose it for the value's rows."""
    if upload.imported_at is not None:
        raise DomainError(_("This file has already been imported; upload another one."))
    _require_value(upload, key)
    organisation = create_organisation(details, actor=actor)
    choose_organisation(upload, key, organisation)
    return organisation


def rejects(stored: NomineeFile, check: ImportCheck) -> bytes:
    """The rows with problems, as the file to send back (see
    import_files.rejects_file), the problems written in the user's language."""
    return rejects_file(
        stored, check.problems(), problem_heading=_("Problem"), sheet_title=_("Nominees")
    )


def import_all(
    training_session: TrainingSession, upload: StagedUpload, check: ImportCheck, *, actor: User
) -> int:
    """Every row of the file, or none (importer.import_rows); the upload is
    done with."""
    count = import_rows(training_session, check, actor=actor)
    db.session.delete(upload)
    db.session.flush()
    return count


def import_valid(
    training_session: TrainingSession,
    upload: StagedUpload,
    stored: NomineeFile,
    check: ImportCheck,
    *,
    actor: User,
) -> int:
    """The rows without a problem (importer.import_rows, valid_only); the
    others are kept, as the file to send back, until the upload expires,
    and the parsed file goes."""
    count = import_rows(training_session, check, actor=actor, valid_only=True)
    upload.rejects = rejects(stored, check)
    upload.imported_at = utcnow()
    upload.imported_count = count
    upload.rejected_count = check.error_count
    upload.content = b""
    db.session.flush()
    return count
