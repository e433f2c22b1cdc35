"""Inside the API's blueprint every error is a problem (training.api.problems):
never an HTML page, never a trace."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from training.api.core import bp
from training.api.problems import ApiProblem, from_domain_error, from_http_error, problem_response
from training.domain import DomainError


@bp.errorhandler(ApiProblem)
def api_problem(problem: ApiProblem):
    return problem_response(problem)


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    """A service's refusal that the operation did not turn into a problem
    itself: its message and the rule's code."""
    return problem_response(from_domain_error(error))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return problem_response(from_http_error(error))


@bp.errorhandler(DataError)
def value_refused(_error: DataError):
    """A value the database cannot hold that slipped past the schemas."""
    return problem_response(
        ApiProblem(422, "value_refused", _("A value is out of the range the database holds."))
    )


@bp.errorhandler(Exception)
def unhandled(error: Exception):
    if isinstance(error, HTTPException):
        return http_error(error)
    current_app.logger.exception("Unhandled error on %s", request.path.replace("\n", "\\n"))
    return problem_response(
        ApiProblem(
            500, "internal_error", _("The error has been recorded. Please try again in a moment.")
        )
    )
