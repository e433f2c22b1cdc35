"""A certificate's files: its stored PDF by serial, a session's valid
certificates, their download names, the session's ZIP of stored PDFs and
its print PDF (drawn again where the page would be the same)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload, undefer

from training.certificates.models import (
    Certificate,
    CertificateStatus,
)
from training.certificates.services import SERIAL_PATTERN
from training.certificates.statements import certificate_data, certificate_settings
from training.enrollment.models import Enrollment
from training.extensions import db
from training.pdf.certificate import render_certificates
from training.pdf.certificate_digest import render_digest
from training.sessions.models import TrainingSession
from training.text import ascii_name as _ascii_name


def get_certificate(serial: str) -> Certificate | None:
    if not SERIAL_PATTERN.match(serial):
        return None
    return db.session.scalar(
        sa.select(Certificate)
        .where(Certificate.serial == serial)
        .options(undefer(Certificate.pdf), selectinload(Certificate.enrollment))
    )


def session_certificates(
    training_session: TrainingSession, with_pdf: bool = False
) -> list[Certificate]:
    """The session's valid certificates, by holder's family name."""
    statement = (
        sa.select(Certificate)
        .join(Enrollment, Certificate.enrollment_id == Enrollment.id)
        .where(
            Enrollment.session_id == training_session.id,
            Certificate.status == CertificateStatus.VALID,
        )
        .options(
            selectinload(Certificate.enrollment).selectinload(Enrollment.participant),
            selectinload(Certificate.replaces),
        )
        .order_by(Certificate.serial)
    )
    if with_pdf:
        statement = statement.options(undefer(Certificate.pdf))
    certificates = list(db.session.scalars(statement))
    return sorted(
        certificates,
        key=lambda c: (c.enrollment.participant.family_name.casefold(), c.serial),
    )


def ascii_name(text: str) -> str:
    """A certificate file name part: ASCII capitals, digits and dashes
    ("Traoré" -> "TRAORE"; training.text.ascii_name does the folding)."""
    return _ascii_name(text, "CERTIFICATE", keep="").upper()


def download_name(certificate: Certificate) -> str:
    return f"{ascii_name(certificate.enrollment.participant.family_name)}-{certificate.serial}.pdf"


def session_zip(certificates: Sequence[Certificate]) -> bytes:
    """One stored (frozen) PDF per certificate, named FAMILY-serial.pdf."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            archive.writestr(download_name(certificate), certificate.pdf or b"")
    return buffer.getvalue()


def print_pdf(certificates: Sequence[Certificate], title: str = "") -> bytes:
    """Every certificate in one print-ready PDF, each page the page that
    was issued. A certificate whose render digest still matches what the
    renderer would draw today (its statement, the settings printed on it,
    the renderer itself) is drawn again, all of them in one document that
    shares the fonts and the artwork: hundreds a second, a few kilobytes a
    page. Any other (issued before the digest, or before a change of
    signatories, logos, address or renderer) is its stored page, copied
    unchanged; the order is kept."""
    settings = certificate_settings()
    runs: list[tuple[bool, list[Any]]] = []  # (drawn again, data or certificates)
    for certificate in certificates:
        data = certificate_data(certificate, settings)
        drawn = certificate.render_digest is not None and certificate.render_digest == (
            render_digest(data)
        )
        if not runs or runs[-1][0] != drawn:
            runs.append((drawn, []))
        runs[-1][1].append(data if drawn else certificate)
    if len(runs) == 1 and runs[0][0]:
        return render_certificates(runs[0][1], title)

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for drawn, items in runs:
        if drawn:
            writer.append(PdfReader(io.BytesIO(render_certificates(items, title))))
        else:
            for certificate in items:
                writer.append(PdfReader(io.BytesIO(certificate.pdf or b"")))
    if title:
        writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
