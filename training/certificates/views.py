"""Certificates: the coordinator's session page, downloads, the participant's
portal and the public verification pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from training.auth.forms import ConfirmForm
from training.certificates import graduates, services
from training.certificates.forms import (
    IssueAllForm,
    IssueOneForm,
    ReissueForm,
    RevokeForm,
    VerifyForm,
)
from training.certificates.home import participant_trainings
from training.certificates.models import Certificate, CertificateKind, CertificateStatus, group_code
from training.domain import DomainError
from training.enrollment.models import Enrollment
from training.extensions import db, limiter
from training.permissions import require
from training.sessions.models import TrainingSession
from training.web.downloads import send_download
from training.web.errors import refuse
from training.web.loaders import found, load, load_child

bp = Blueprint("certificates", __name__)


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _session_page(training_session: TrainingSession, status: int = 200, **forms):
    rows = services.session_eligibility(training_session)
    issued = sum(1 for row in rows if row.certificate is not None)
    issuable = sum(1 for row in rows if row.issuable)
    return render_template(
        "certificates/session.html",
        training_session=training_session,
        rows=rows,
        issued_count=issued,
        issuable_count=issuable,
        issue_all_form=forms.get("issue_all_form") or IssueAllForm(),
        issue_one_form=forms.get("issue_one_form"),
        failed_enrollment_id=forms.get("failed_enrollment_id"),
        kinds=list(CertificateKind),
        confirm_form=ConfirmForm(),
        qualified_here=(
            graduates.qualified_through(training_session)
            if training_session.is_training_of_trainers
            else 0
        ),
    ), status


@bp.route("/sessions/<int:session_id>/certificates")
@require("certificates.manage")
def session_certificates(session_id: int):
    training_session = load(TrainingSession, session_id, "certificates.manage")
    return _session_page(training_session)


@bp.route("/sessions/<int:session_id>/certificates/issue", methods=["POST"])
@require("certificates.manage")
def issue_all(session_id: int):
    training_session = load(TrainingSession, session_id, "certificates.manage")
    form = IssueAllForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = services.issue_all_eligible(training_session, current_user)
    except DomainError as error:
        refuse(error)
        return _session_page(training_session, 409)
    db.session.commit()
    if result.issued:
        flash(
            ngettext(
                "%(num)d certificate issued.", "%(num)d certificates issued.", len(result.issued)
            ),
            "success",
        )
    else:
        flash(_("No certificate to issue: every eligible participant already holds one."), "info")
    return redirect(url_for("certificates.session_certificates", session_id=session_id))


@bp.route("/sessions/<int:session_id>/certificates/issue-one", methods=["POST"])
@require("certificates.manage")
def issue_one(session_id: int):
    training_session = load(TrainingSession, session_id, "certificates.manage")
    form = IssueOneForm()
    if not form.validate_on_submit() or form.enrollment_id.data is None:
        flash(_("Check the form: %(errors)s", errors=_form_errors(form)), "danger")
        return _session_page(
            training_session, 400, issue_one_form=form, failed_enrollment_id=form.enrollment_id.data
        )
    enrollment = load_child(Enrollment, form.enrollment_id.data, training_session.id, "session_id")
    kind = CertificateKind(form.kind.data) if form.kind.data else None
    try:
        certificate = services.issue_certificate(
            enrollment, current_user, kind=kind, override_reason=form.reason.data
        )
    except DomainError as error:
        refuse(error)
        return _session_page(
            training_session, 422, issue_one_form=form, failed_enrollment_id=enrollment.id
        )
    db.session.commit()
    flash(
        _(
            "Certificate %(serial)s issued to %(name)s.",
            serial=certificate.serial,
            name=certificate.holder_name,
        ),
        "success",
    )
    return redirect(url_for("certificates.session_certificates", session_id=session_id))


def _form_errors(form) -> str:
    return "; ".join(
        _("%(label)s: %(errors)s", label=getattr(form, name).label.text, errors=" ".join(errors))
        for name, errors in form.errors.items()
        if hasattr(form, name)
    )


def _certificate_or_404(serial: str, action: str):
    return found(services.get_certificate(serial), action)


@bp.route("/certificates/<serial>/revoke", methods=["POST"])
@require("certificates.manage")
def revoke(serial: str):
    certificate = _certificate_or_404(serial, "certificates.manage")
    training_session = certificate.enrollment.training_session
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("A reason is required to revoke a certificate."), "danger")
        return _session_page(training_session, 400)
    try:
        services.revoke_certificate(certificate, current_user, form.reason.data)
    except DomainError as error:
        refuse(error)
        return _session_page(training_session, 409)
    db.session.commit()
    flash(_("Certificate %(serial)s revoked.", serial=serial), "success")
    return redirect(url_for("certificates.session_certificates", session_id=training_session.id))


@bp.route("/certificates/<serial>/reissue", methods=["POST"])
@require("certificates.manage")
def reissue(serial: str):
    certificate = _certificate_or_404(serial, "certificates.manage")
    training_session = certificate.enrollment.training_session
    form = ReissueForm()
    if not form.validate_on_submit():
        flash(_("Say what is corrected to reissue a certificate."), "danger")
        return _session_page(training_session, 400)
    try:
        replacement = services.reissue_certificate(certificate, current_user, form.reason.data)
    except DomainError as error:
        refuse(error)
        return _session_page(training_session, 409)
    db.session.commit()
    flash(
        _(
            "Certificate %(new)s issued; it replaces %(old)s, now revoked.",
            new=replacement.serial,
            old=serial,
        ),
        "success",
    )
    return redirect(url_for("certificates.session_certificates", session_id=training_session.id))


@bp.route("/sessions/<int:session_id>/certificates.zip")
@require("certificates.manage")
def session_zip(session_id: int):
    return _session_file(session_id, "zip", "application/zip", services.session_zip)


@bp.route("/sessions/<int:session_id>/certificates.pdf")
@require("certificates.manage")
def session_print(session_id: int):
    return _session_file(session_id, "pdf", "application/pdf", services.merged_pdf)


def _session_file(
    session_id: int, extension: str, mimetype: str, build: Callable[[list[Certificate]], bytes]
):
    """Every certificate of the session in one file (`build` makes it), or
    back to the certificates page when none is issued yet."""
    training_session = load(TrainingSession, session_id, "certificates.manage")
    certificates = services.session_certificates(training_session, with_pdf=True)
    if not certificates:
        flash(_("No certificate has been issued for this session yet."), "warning")
        return redirect(url_for("certificates.session_certificates", session_id=session_id))
    name = f"certificates-{services.ascii_name(training_session.code)}.{extension}"
    return send_download(build(certificates), name, mimetype)


@bp.route("/certificates/<serial>.pdf")
@require("certificates.download")
def download(serial: str):
    """The certificate's frozen PDF. A revoked one is no longer served (410
    Gone): a copy printed from it would look valid; its verification page
    says it was revoked. The frozen bytes stay in the database untouched."""
    certificate = _certificate_or_404(serial, "certificates.download")
    if certificate.status == CertificateStatus.REVOKED:
        explanation = _(
            "Certificate %(serial)s was revoked on %(day)s: it is no longer valid and its PDF "
            "is no longer available. Its verification page says it was revoked.",
            serial=certificate.serial,
            day=format_date(certificate.revoked_at, "long"),
        )
        return render_template(
            "errors/error.html", code=410, title=_("Certificate revoked"), explanation=explanation
        ), 410
    return send_download(
        certificate.pdf or b"", services.download_name(certificate), "application/pdf"
    )


@bp.route("/me")
@require("me.view")
def my_trainings():
    return render_template("certificates/me.html", trainings=participant_trainings(current_user))


@bp.route("/verify")
@limiter.shared_limit(_verify_limit, scope="verify")
def verify():
    """The public look-up form. A code sent with it leads to the code's own
    page, whose address can be shared."""
    form = VerifyForm(request.args)
    if request.args and form.validate():
        code = services.normalise_code(form.code.data)
        if code:
            return redirect(url_for("certificates.verify_code", code=code))
        form.code.errors.append(_("Type the code printed under the QR code."))
    return render_template("certificates/verify.html", form=form, result=None)


@bp.route("/verify/<code>")
@limiter.shared_limit(_verify_limit, scope="verify")
def verify_code(code: str):
    result = services.verify(code, datetime.now(UTC).date())
    form = VerifyForm(data={"code": group_code(services.normalise_code(code))})
    status = 404 if result.state == "unknown" else 200
    return render_template("certificates/verify.html", form=form, result=result), status


@bp.route("/sessions/<int:session_id>/certificates/qualify-trainers", methods=["POST"])
@require("certificates.manage")
def qualify_graduates(session_id: int):
    """A training of trainers: its graduates enter the trainer registry,
    qualified for the curriculum."""
    training_session = load(TrainingSession, session_id, "certificates.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = graduates.qualify_graduates(training_session, actor=current_user)
    except DomainError as error:
        refuse(error)
        return _session_page(training_session, 409)
    db.session.commit()
    if result.qualified:
        flash(
            ngettext(
                "%(num)d graduate is now qualified to deliver %(code)s.",
                "%(num)d graduates are now qualified to deliver %(code)s.",
                len(result.qualified),
                code=training_session.curriculum.code,
            ),
            "success",
        )
    else:
        flash(_("Every graduate of this session is already qualified as a trainer."), "info")
    return redirect(url_for("certificates.session_certificates", session_id=session_id))
