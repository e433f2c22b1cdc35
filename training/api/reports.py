"""The programme's results (training.reports.queries), with the filters of
the reports page, read by its own filter form so that they mean exactly
the same."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _

from training.api import fields as f
from training.api.core import bp, operation
from training.api.problems import ApiProblem
from training.certificates.models import CertificateKind
from training.curricula.models import Theme
from training.people.models import OrganisationKind
from training.reports import projection, queries
from training.reports.forms import ReportFilterForm

TAG = ["Reports"]


class ReportQuery(f.Schema):
    """The reports page's filters; the period filters on the session's
    start date, the country is where the session was held."""

    class Meta:
        unknown = "exclude"

    date_from = f.Date()
    date_to = f.Date()
    country = f.Str(validate=f.country())
    theme = f.Enum(Theme)
    curriculum = f.Id(strict=False, metadata={"description": "A curriculum's id"})
    organisation_kind = f.Enum(OrganisationKind)
    partner = f.Id(strict=False, metadata={"description": "A partner organisation's id"})


class HeadlineSchema(f.Schema):
    sessions_held = f.Int(required=True)
    people_trained = f.Int(required=True)
    person_trainings = f.Int(required=True)
    women = f.Int(required=True)
    share_of_women = f.Float(required=True, allow_none=True)
    completions = f.Int(required=True)
    completion_rate = f.Float(required=True, allow_none=True)
    attended_periods = f.Int(required=True)
    scheduled_periods = f.Int(required=True)
    attendance_rate = f.Float(required=True, allow_none=True)
    scored_trainings = f.Int(required=True)
    mean_knowledge_gain = f.Float(required=True, allow_none=True)
    certificates = f.Function(
        lambda h: {kind.value: h.certificates.get(kind, 0) for kind in CertificateKind},
        required=True,
        metadata={"type": "object", "description": "Valid certificates by kind."},
    )
    trainers_qualified = f.Int(required=True)


class SexRowSchema(f.Schema):
    key = f.Str(required=True, allow_none=True, metadata={"description": "null: not recorded"})
    women = f.Int(required=True)
    men = f.Int(required=True)
    total = f.Int(required=True)


class ThemeYearSchema(f.Schema):
    theme = f.Enum(Theme, required=True)
    year = f.Int(required=True)
    sessions_held = f.Int(required=True)
    people_trained = f.Int(required=True)
    person_trainings = f.Int(required=True)
    women = f.Int(required=True)
    men = f.Int(required=True)


class YearSexSchema(f.Schema):
    year = f.Int(required=True)
    women = f.Int(required=True)
    men = f.Int(required=True)


class ThemeGainSchema(f.Schema):
    theme = f.Enum(Theme, required=True)
    mean_knowledge_gain = f.Float(required=True)
    scored_trainings = f.Int(required=True)


class ReportSchema(f.Schema):
    filters = f.Function(
        lambda report: report.filters.query_args(),
        required=True,
        metadata={"type": "object", "description": "The filters applied."},
    )
    headline = f.Nested(HeadlineSchema, required=True)
    by_country = f.List(f.Nested(SexRowSchema), required=True)
    by_organisation_kind = f.List(f.Nested(SexRowSchema), required=True)
    by_theme_year = f.List(f.Nested(ThemeYearSchema), required=True)
    trained_by_year = f.List(f.Nested(YearSexSchema), required=True)
    gain_by_theme = f.List(f.Nested(ThemeGainSchema), required=True)


@bp.route("/reports", tags=TAG)
@operation("reports.view", "reports:read", responses=(422,))
@bp.arguments(ReportQuery, location="query")
@bp.response(200, ReportSchema)
def report(_args: dict[str, Any]):
    """Every figure of the reports page (people trained by sex, country,
    organisation kind, theme and year; attendance, completion, knowledge
    gain, certificates), under the same filters, as current as the page."""
    form = ReportFilterForm(request.args)
    if not form.validate():
        raise ApiProblem(
            422,
            "invalid",
            _("Some values are not valid: %(fields)s.", fields=", ".join(sorted(form.errors))),
            errors={
                "query": {
                    name: [str(m) for m in messages] for name, messages in form.errors.items()
                }
            },
        )
    projection.catch_up()  # the sessions a write marked stale, rewritten first
    return queries.build_report(form.filters())
