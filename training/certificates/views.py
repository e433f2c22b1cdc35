"""Certificates: the coordinator's session page, downloads, the participant's
portal and the public verification pages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from training.auth.forms import ConfirmForm
from training.certificates import (
    batch,
    documents,
    graduates,
    scanner,
    services,
    signing,
    statements,
    trust,
    verification,
)
from training.certificates.forms import (
    FamilyNameForm,
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
from training.formatting import format_day
from training.jobs import services as jobs
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
    """Issue every eligible certificate not issued yet, as a job (thousands
    take longer than a request should): this checks what can be checked at
    once, queues the job and shows its page."""
    training_session = load(TrainingSession, session_id, "certificates.manage")
    form = IssueAllForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        pending = services.ready_to_issue(training_session)
    except DomainError as error:
        refuse(error)
        return _session_page(training_session, 409)
    if not pending:
        flash(_("No certificate to issue: every eligible participant already holds one."), "info")
        return redirect(url_for("certificates.session_certificates", session_id=session_id), 303)
    job = jobs.enqueue(
        batch.ISSUE_ALL,
        current_user,
        session_id=training_session.id,
        actor_id=current_user.id,
        locale=str(get_locale()),
    )
    db.session.commit()
    jobs.start(job.id)
    return redirect(url_for("jobs.show", job_id=job.id), 303)


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
    return found(documents.get_certificate(serial), action)


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
    return _session_file(session_id, "zip", "application/zip", documents.session_zip)


@bp.route("/sessions/<int:session_id>/certificates.pdf")
@require("certificates.manage")
def session_print(session_id: int):
    return _session_file(session_id, "pdf", "application/pdf", documents.print_pdf, with_pdf=False)


def _session_file(
    session_id: int,
    extension: str,
    mimetype: str,
    build: Callable[[list[Certificate]], bytes],
    with_pdf: bool = True,
):
    """Every certificate of the session in one file (`build` makes it), or
    back to the certificates page when none is issued yet. The print PDF
    reads a stored PDF only when it copies it (`with_pdf=False`)."""
    training_session = load(TrainingSession, session_id, "certificates.manage")
    certificates = documents.session_certificates(training_session, with_pdf=with_pdf)
    if not certificates:
        flash(_("No certificate has been issued for this session yet."), "warning")
        return redirect(url_for("certificates.session_certificates", session_id=session_id))
    name = f"certificates-{documents.ascii_name(training_session.code)}.{extension}"
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
            day=format_day(certificate.revoked_at, "long"),
        )
        return render_template(
            "errors/error.html", code=410, title=_("Certificate revoked"), explanation=explanation
        ), 410
    return send_download(
        certificate.pdf or b"", documents.download_name(certificate), "application/pdf"
    )


@bp.app_template_global("verification_link")
def verification_link(certificate: Certificate) -> str:
    """The address of the certificate's verification page, to send on."""
    return statements.verify_url(certificate.verification_code)


@bp.route("/me")
@require("me.view")
def my_trainings():
    return render_template("certificates/me.html", trainings=participant_trainings(current_user))


# Verification states without a certificate behind them answer 404.
_NOT_FOUND = {verification.UNKNOWN, verification.NO_MATCH}
# The issuers' acronyms in the reader's language (ONUDC and DOP in French).
_ISSUER_NAMES = {"UNODC": _l("UNODC"), "DPO": _l("DPO")}


def _issuer_name(issuer: str) -> str:
    return str(_ISSUER_NAMES.get(issuer, issuer))


def _verify_page(result=None, form=None, name_form=None):
    status = 404 if result is not None and result.state in _NOT_FOUND else 200
    return render_template(
        "certificates/verify.html",
        form=form or VerifyForm(formdata=None),
        name_form=name_form,
        result=result,
        issuer_name=_issuer_name,
    ), status


@bp.route("/verify")
@limiter.shared_limit(_verify_limit, scope="verify")
def verify():
    """The public look-up form. A serial typed there asks for the holder's
    family name next; a verification code leads to the code's own page,
    and a signed address (pasted from a scanner) to its own."""
    form = VerifyForm(request.args)
    if request.args and form.validate():
        typed = form.code.data
        serial = verification.normalise_serial(typed)
        if serial is not None:
            return _verify_page(form=form, name_form=FamilyNameForm(data={"serial": serial}))
        if signing.QR_PATH in typed.upper():
            code = typed.upper().rsplit(signing.QR_PATH, 1)[1].strip()
            return redirect(url_for("certificates.verify_signed", code=code))
        code = verification.normalise_code(typed)
        if code:
            return redirect(url_for("certificates.verify_code", code=code))
        form.code.errors.append(_("Type the serial printed beside the QR code."))
    return _verify_page(form=form)


@bp.route("/verify/serial", methods=["POST"])
@limiter.shared_limit(_verify_limit, scope="verify")
def verify_serial():
    """A serial and the holder's family name. Whether the serial is unknown
    or the name wrong, the answer is the same: nothing matches."""
    name_form = FamilyNameForm()
    if not name_form.validate_on_submit():
        return _verify_page(name_form=name_form)
    result = verification.verify_by_serial(
        name_form.serial.data, name_form.family_name.data, datetime.now(UTC).date()
    )
    form = VerifyForm(formdata=None, data={"code": name_form.serial.data})
    return _verify_page(
        result, form=form, name_form=None if result.shows_certificate else name_form
    )


@bp.route("/verify/<code>")
@limiter.shared_limit(_verify_limit, scope="verify")
def verify_code(code: str):
    result = verification.verify(code, datetime.now(UTC).date())
    form = VerifyForm(formdata=None, data={"code": group_code(verification.normalise_code(code))})
    return _verify_page(result, form=form)


@bp.route("/v/<code>")  # the first rule registered below builds the links: /V/
@bp.route("/V/<code>")
@limiter.shared_limit(_verify_limit, scope="verify")
def verify_signed(code: str):
    """The address a certificate's QR code holds (upper case, so that the
    code is in QR alphanumeric mode; any case is read): its signature is
    checked, then the register."""
    return _verify_page(verification.verify_signed(code, datetime.now(UTC).date()))


def _public_document(make: Callable[[], bytes], max_age: int):
    """A signed document anyone may fetch and any cache may keep for
    `max_age` seconds; a conditional request for the same bytes is a 304."""
    try:
        content = make()
    except DomainError as error:  # no root key yet: no document either
        response = current_app.response_class(
            signing.json_bytes({"error": error.message}), status=404, mimetype="application/json"
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    response = current_app.response_class(content, mimetype="application/json")
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.set_etag(hashlib.sha256(content).hexdigest())
    return response.make_conditional(request)


@bp.route("/verify/trust-list.json")
def trust_list():
    """The signing keys, their windows and statuses, signed by the root key."""
    return _public_document(trust.trust_list_document, 3600)


@bp.route("/verify/status.json")
def status_list():
    """The revoked serials, signed by the root key, with their date and the
    date of the next update."""
    return _public_document(trust.status_document, 300)


@bp.route("/verify/root-key.json")
def root_key():
    """The root's public key: what a verifier carries to check the other two."""
    return _public_document(trust.root_key_document, 3600)


# The service worker asks for the page in each language with this header
# (a query parameter would stay in the page's own links).
SCAN_LANGUAGE_HEADER = "X-Atelier-Scan-Language"


def _scan_page_html() -> str:
    try:
        root_key = json.loads(trust.root_key_document())
    except DomainError:  # no root key yet: nothing can be checked
        root_key = None
    return render_template(
        "certificates/scan.html",
        root_key=root_key,
        kinds=list(CertificateKind),
        issuer_names={issuer: str(name) for issuer, name in _ISSUER_NAMES.items()},
    )


@bp.route("/verify/scan")
def scan():
    """The offline verifier: reads a certificate's QR code (camera or photo)
    and checks it in the browser against the signed lists its service
    worker keeps, with or without network (docs/verification.md). Public."""
    requested = request.headers.get(SCAN_LANGUAGE_HEADER, "")
    languages = current_app.config["LANGUAGES"]
    with force_locale(requested) if requested in languages else nullcontext():
        html, locale = _scan_page_html(), str(get_locale())
    response = make_response(html)
    response.headers["Content-Security-Policy"] = scanner.CONTENT_SECURITY_POLICY
    response.headers["Permissions-Policy"] = scanner.PERMISSIONS_POLICY
    response.headers["Content-Language"] = locale
    response.vary.add(SCAN_LANGUAGE_HEADER)
    return response


@bp.route("/verify/scan/sw.js")
def scan_worker():
    """The offline verifier's service worker (static/js/scan-worker.js), its
    scope the page alone, apart from the attendance worker at /sw.js. It
    names the files it keeps, fingerprinted: a new version of any makes a
    new worker. Public, and holds no one's data."""
    page = url_for("certificates.scan")
    files = scanner.worker_files(_scan_page_html())
    script = render_template(
        "certificates/scan-worker.js",
        files=files,
        version=scanner.worker_version(files),
        page=page,
        languages=list(current_app.config["LANGUAGES"]),
        default_language=current_app.config["BABEL_DEFAULT_LOCALE"],
        language_header=SCAN_LANGUAGE_HEADER,
        lists=[url_for("certificates.trust_list"), url_for("certificates.status_list")],
    )
    response = make_response(script)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    # The worker's address is under the page's: allowed to take the page itself.
    response.headers["Service-Worker-Allowed"] = page
    return response


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
