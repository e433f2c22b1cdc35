"""A job's page, its status for scripts, and its result for its owner."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template

from training.jobs import services
from training.jobs.models import Job
from training.permissions import require
from training.web.downloads import send_download
from training.web.loaders import load

bp = Blueprint("jobs", __name__)

# The page asks again this often while the job is not finished.
REFRESH_SECONDS = 2


@bp.route("/jobs/<int:job_id>")
@require("jobs.view")
def show(job_id: int):
    """Where the job stands; the page refreshes itself until it is done."""
    job = load(Job, job_id, "jobs.view")
    kind = services.kind_of(job)
    progress_text = (
        kind.progress_text(job.progress, job.total)
        if kind is not None and kind.progress_text is not None and job.total
        else None
    )
    back = kind.back(dict(job.arguments or {})) if kind is not None and kind.back else None
    return render_template(
        "jobs/show.html",
        job=job,
        title=services.title(job.kind),
        progress_text=progress_text,
        back=back,
        available=services.result_available(job),
        refresh_seconds=REFRESH_SECONDS,
    )


@bp.route("/jobs/<int:job_id>.json")
@require("jobs.view")
def status(job_id: int):
    """The same, for a script: status, progress, total, percent, error."""
    job = load(Job, job_id, "jobs.view")
    return jsonify(
        id=job.id,
        status=job.status.value,
        progress=job.progress,
        total=job.total,
        percent=job.percent,
        error=job.error,
        finished=job.status.is_finished,
        result_available=services.result_available(job),
    )


@bp.route("/jobs/<int:job_id>/result")
@require("jobs.view")
def result(job_id: int):
    """What the job made, for its owner, until it expires."""
    job = load(Job, job_id, "jobs.view")
    if not services.result_available(job) or job.result is None:
        abort(404)
    return send_download(
        job.result,
        job.result_name or f"atelier-job-{job.id}",
        job.result_mimetype or "application/octet-stream",
    )
