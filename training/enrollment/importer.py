"""Bulk import of nominees from a CSV or XLSX file.

Three steps: `read_file()` (training.enrollment.import_files) turns the
file's bytes into plain rows, `check_rows()` lists every row's problems
against the database and what each row's words stand for (sex, country,
organisation), and `import_rows()` nominates them in the caller's
transaction: all of them, or, when asked, only the valid ones; it raises
before writing anything when a row it would import has an error.

An organisation cell is matched folded against every organisation's name
and acronym. When it matches several, the row's country (its nationality,
or a country written after the name: "Gendarmerie nationale (Niger)")
settles it when it can; otherwise, and when it matches none or only one of
another country than the row's, the check asks the coordinator
(`OrganisationQuestion`, one per distinct value) and the rows wait for the
answer: never a silent guess.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import ngettext

from training.domain import DomainError
from training.enrollment.import_files import (
    COLUMN_TITLES,
    EXAMPLE_EMAIL,
    MAX_ROWS,
    ImportFileError,
    NomineeFile,
    TemplateLists,
    read_file,
    read_rows,
    rejects_file,
    template_csv,
    template_headings,
    template_xlsx,
)
from training.enrollment.models import Enrollment
from training.enrollment.nationalities import country_code, spelling_key
from training.enrollment.services import nominate_many
from training.extensions import db
from training.formatting import country_choices, country_name, format_day
from training.people.models import Organisation, OrganisationKind, Participant, Sex
from training.people.services import (
    ParticipantDetails,
    PersonKeys,
    create_participants,
    find_candidates_many,
    find_lookalikes,
    name_ar_problem,
    normalise_email,
)
from training.text import fold

if TYPE_CHECKING:
    from training.auth.models import User
    from training.sessions.models import TrainingSession

__all__ = [
    "MAX_ROWS",
    "ImportCheck",
    "ImportFileError",
    "ImportRow",
    "NomineeFile",
    "OrganisationQuestion",
    "OrganisationSuggestion",
    "TemplateLists",
    "check_file",
    "check_rows",
    "country_code",
    "import_rows",
    "organisation_key",
    "organisation_keys",
    "organisation_text",
    "read_file",
    "read_rows",
    "rejects_file",
    "suggest_organisation",
    "template_csv",
    "template_headings",
    "template_lists",
    "template_xlsx",
]

_SEX_VALUES = {
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "femme": Sex.FEMALE,
    "feminin": Sex.FEMALE,
    "feminine": Sex.FEMALE,
    "woman": Sex.FEMALE,
    "mme": Sex.FEMALE,
    "madame": Sex.FEMALE,
    "mlle": Sex.FEMALE,
    "mrs": Sex.FEMALE,
    "ms": Sex.FEMALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "h": Sex.MALE,
    "homme": Sex.MALE,
    "masculin": Sex.MALE,
    "masculine": Sex.MALE,
    "man": Sex.MALE,
    "mr": Sex.MALE,
    "monsieur": Sex.MALE,
}


@dataclass
class ImportRow:
    """One line of the file: its values, what it resolves to, its problems."""

    line: int
    values: dict[str, str]
    sex: Sex | None = None
    nationality: str | None = None
    organisation: Organisation | None = None
    # The folded organisation cell, when the coordinator must settle it.
    question: str | None = None
    existing: Participant | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.values.get('given_name', '')} {self.values.get('family_name', '')}".strip()


@dataclass
class OrganisationQuestion:
    """An organisation cell the registry does not settle: the organisations
    it may be (none: unknown), the lines that wait, their nationalities
    (most frequent first), and the coordinator's choice once made."""

    key: str
    value: str
    candidates: list[Organisation]
    lines: list[int] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    chosen: Organisation | None = None

    @property
    def is_unknown(self) -> bool:
        return not self.candidates


@dataclass
class ImportCheck:
    rows: list[ImportRow]
    questions: list[OrganisationQuestion] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors]

    @property
    def can_import(self) -> bool:
        """Every row is ready: the whole file can be imported."""
        return bool(self.rows) and self.error_count == 0

    @property
    def can_import_valid(self) -> bool:
        """Some rows are ready and some are not: the ready ones can be
        imported alone, the others sent back."""
        return 0 < self.error_count < len(self.rows)

    @property
    def open_questions(self) -> list[OrganisationQuestion]:
        return [question for question in self.questions if question.chosen is None]

    def problems(self) -> dict[int, list[str]]:
        """Each line with errors, and its errors."""
        return {row.line: row.errors for row in self.rows if row.errors}


# --- organisations -----------------------------------------------------------------


def organisation_key(text: str | None) -> str:
    """An organisation's name or acronym as compared: folded, without
    punctuation or spaces ("P.N." is "PN", "Gendarmerie Nationale" is
    "gendarmerie nationale")."""
    return spelling_key(text).replace(" ", "")


def organisation_keys(nominee_file: NomineeFile) -> set[str]:
    """Every organisation cell of the file, as compared."""
    return {
        organisation_key(record["organisation"])
        for record in nominee_file.records()
        if record.get("organisation")
    } - {""}


_Index = dict[str, list[Organisation]]
_COUNTRY_AFTER = re.compile(r"^(.*\S)\s*\(([^()]+)\)\s*$")
_LABEL_SEPARATORS = (" — ", " – ", " - ")


def _organisation_index() -> _Index:
    index: _Index = {}
    for organisation in db.session.scalars(sa.select(Organisation).order_by(Organisation.id)):
        keys = {organisation_key(organisation.name), organisation_key(organisation.acronym)}
        for key in keys - {""}:
            index.setdefault(key, []).append(organisation)
    return index


def _named(value: str, index: _Index) -> tuple[list[Organisation], str | None]:
    """The organisations a cell names, and the country it names with them:
    the name or acronym alone, a country in brackets after it (the XLSX
    template's lists: "Police nationale du Niger (Niger)"), or a label
    "acronym — name"."""
    found = index.get(organisation_key(value))
    if found:
        return found, None
    bracketed = _COUNTRY_AFTER.match(value)
    if bracketed:
        country = country_code(bracketed.group(2))
        if country:
            inner, _ = _named(bracketed.group(1), index)
            return inner, country
    for separator in _LABEL_SEPARATORS:
        if separator in value:
            acronym, _, name = value.partition(separator)
            by_name = index.get(organisation_key(name), [])
            both = [o for o in by_name if organisation_key(o.acronym) == organisation_key(acronym)]
            if both or by_name:
                return both or by_name, None
    return [], None


def _settle(
    row: ImportRow, index: _Index, day: date, questions: dict[str, OrganisationQuestion]
) -> None:
    """The row's organisation when its cell and country settle it, else the
    question it waits on; a partnership ended before the session is an
    error."""
    value = row.values.get("organisation", "")
    if not organisation_key(value):
        return  # empty, or a dash or a slash for "none"
    named, country_named = _named(value, index)
    current = [organisation for organisation in named if organisation.is_active_on(day)]
    if named and not current:
        ended = named[0]
        row.errors.append(
            _(
                "The partnership with %(organisation)s ended on %(date)s.",
                organisation=ended.name,
                date=format_day(ended.active_until) if ended.active_until else "—",
            )
        )
        return
    country = country_named or row.nationality
    if country and len(current) > 1:
        in_country = [organisation for organisation in current if organisation.country == country]
        if len(in_country) == 1:
            row.organisation = in_country[0]
            return
    if len(current) == 1 and not (country and current[0].country and current[0].country != country):
        row.organisation = current[0]
        return
    key = organisation_key(value)
    question = questions.setdefault(
        key,
        OrganisationQuestion(
            key=key,
            value=value,
            candidates=sorted(current, key=lambda o: (o.country or "", o.name, o.id)),
        ),
    )
    question.lines.append(row.line)
    if row.nationality:
        question.countries.append(row.nationality)
    row.question = key


def _answer(
    checked: list[ImportRow],
    questions: dict[str, OrganisationQuestion],
    choices: dict[str, int],
) -> list[OrganisationQuestion]:
    """Apply the coordinator's choices; the rows still waiting get an error."""
    chosen_ids = {identifier for key, identifier in choices.items() if key in questions}
    chosen = {
        organisation.id: organisation
        for organisation in (
            db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(chosen_ids)))
            if chosen_ids
            else []
        )
    }
    for key, question in questions.items():
        question.chosen = chosen.get(choices.get(key, 0))
        question.countries = [code for code, _ in Counter(question.countries).most_common()]
    for row in checked:
        if row.question is None:
            continue
        question = questions[row.question]
        if question.chosen is not None:
            row.organisation = question.chosen
        elif question.is_unknown:
            row.errors.append(
                _(
                    "Unknown organisation “%(value)s”: create it or choose one above the "
                    "table, or leave the cell empty.",
                    value=question.value,
                )
            )
        else:
            row.errors.append(
                _(
                    "Which organisation is “%(value)s”? Choose it above the table.",
                    value=question.value,
                )
            )
    return sorted(questions.values(), key=lambda question: question.lines[0])


# --- the rows on their own ------------------------------------------------------------


def _email_problem(email: str) -> str | None:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _("“%(email)s” is not a valid email address.", email=email)
    return None


# The longest text each column may hold: the database's, which the forms
# enforce too (a longer cell is a row error, never a database error).
def _max_length(name: str) -> int:
    length = cast(sa.String, Participant.__table__.c[name].type).length
    if length is None:  # pragma: no cover - each of these columns is a String(n)
        raise TypeError(f"participant.{name} has no maximum length")
    return length


_MAX_LENGTHS = {
    name: _max_length(name)
    for name in ("given_name", "family_name", "name_ar", "rank", "function", "email", "phone")
}


def _resolve(row: ImportRow) -> None:
    """What the row's words stand for: sex and country."""
    values = row.values
    row.sex = _SEX_VALUES.get(spelling_key(values.get("sex", "")))
    if values.get("nationality"):
        row.nationality = country_code(values["nationality"])


def _problems(row: ImportRow) -> list[str]:
    """What is wrong with the row on its own, before any comparison."""
    values = row.values
    problems = []
    if not values.get("given_name") or not values.get("family_name"):
        problems.append(_("The given name and the family name are both required."))
    for name, limit in _MAX_LENGTHS.items():
        if len(values.get(name, "")) > limit:
            problems.append(
                _(
                    "The %(column)s is longer than %(limit)d characters.",
                    column=COLUMN_TITLES[name],
                    limit=limit,
                )
            )
    if len(values.get("name_ar", "")) <= _MAX_LENGTHS["name_ar"]:
        name_ar = name_ar_problem(values.get("name_ar"))
        if name_ar:
            problems.append(name_ar)
    if row.sex is None:
        problems.append(_("Sex must be F or M (found “%(value)s”).", value=values.get("sex", "")))
    if spelling_key(values.get("nationality")) and row.nationality is None:
        problems.append(_("Unknown country “%(value)s”.", value=values["nationality"]))
    email = normalise_email(values.get("email"))
    if email and len(email) <= _MAX_LENGTHS["email"]:
        problem = _email_problem(email)
        if problem:
            problems.append(problem)
    return problems


# --- the rows against each other and the registry --------------------------------------


def _keys(row: ImportRow) -> PersonKeys:
    return PersonKeys.of(
        given_name=row.values.get("given_name"),
        family_name=row.values.get("family_name"),
        organisation_id=row.organisation.id if row.organisation else None,
        email=row.values.get("email"),
        phone=row.values.get("phone"),
    )


def _earlier_line(keys: PersonKeys, line: int, seen: dict[tuple[str, Any], int]) -> int | None:
    """The first earlier line of the file that this row duplicates (the same
    rule as against the database), remembering this row's keys."""
    found: list[tuple[str, Any]] = []
    found += [("name", (keys.name_key, keys.organisation_id))] if keys.name_key else []
    found += [("email", keys.email)] if keys.email else []
    found += [("phone", keys.phone)] if keys.phone else []
    earlier = next((seen[key] for key in found if key in seen), None)
    for key in found:
        seen.setdefault(key, line)
    return earlier


def _match(row: ImportRow, lookalikes: list[Participant], enrolled: set[int]) -> None:
    """The registered participant the row names (a name match first), who is
    nominated instead of a new record, unless already enrolled."""
    row.existing = lookalikes[0] if lookalikes else None
    if row.existing is None:
        return
    if row.existing.id in enrolled:
        row.errors.append(
            _("%(name)s is already enrolled in this session.", name=row.existing.full_name)
        )
    else:
        row.notes.append(
            _(
                "Matches the registered participant %(name)s, who will be nominated.",
                name=row.existing.full_name,
            )
        )


def check_rows(
    training_session: TrainingSession,
    rows: list[dict[str, str]],
    *,
    lines: list[int] | None = None,
    choices: dict[str, int] | None = None,
) -> ImportCheck:
    """Every row with its problems: missing name, too long a value, bad sex,
    unknown country, an organisation unknown or not settled (a question for
    the coordinator, answered by `choices`: folded cell -> organisation id),
    a partnership ended, bad email, duplicate of an earlier row, already
    enrolled; and, as a note, the existing participant who will be nominated
    instead of creating a new record. Duplicates follow the people area's
    rule (people.services.find_lookalikes), for the whole file in a few
    queries. `lines` numbers the rows as in the file (else from 2)."""
    index = _organisation_index()
    lines = lines if lines is not None else list(range(2, len(rows) + 2))
    checked = [
        ImportRow(line=line, values=values) for line, values in zip(lines, rows, strict=True)
    ]
    questions: dict[str, OrganisationQuestion] = {}
    for row in checked:
        _resolve(row)
        row.errors.extend(_problems(row))
        _settle(row, index, training_session.start_date, questions)
    answered = _answer(checked, questions, choices or {})
    keys = [_keys(row) for row in checked]
    enrolled = set(
        db.session.scalars(
            sa.select(Enrollment.participant_id).where(
                Enrollment.session_id == training_session.id,
                Enrollment.is_active,
            )
        )
    )
    seen: dict[tuple[str, Any], int] = {}
    for row, row_keys, lookalikes in zip(checked, keys, find_lookalikes(keys), strict=True):
        earlier = _earlier_line(row_keys, row.line, seen)
        if earlier is not None:
            row.errors.append(_("Duplicate of line %(line)d in this file.", line=earlier))
        _match(row, lookalikes, enrolled)
    _note_similar(checked, keys)
    return ImportCheck(rows=checked, questions=answered)


def _note_similar(checked: list[ImportRow], keys: list[PersonKeys]) -> None:
    """A row that would create a new record, though registered participants
    bear the same name elsewhere or one that sounds the same, says so with
    who they are: the coordinator checks before a second record is made."""
    new = [
        (row, row_keys)
        for row, row_keys in zip(checked, keys, strict=True)
        if row.existing is None and not row.errors
    ]
    if not new:
        return
    similar = find_candidates_many([row_keys for _row, row_keys in new])
    for (row, _row_keys), people in zip(new, similar, strict=True):
        if people:
            row.notes.append(
                _(
                    "A new record will be created, but similar names are registered: "
                    "%(names)s. If one of them is this person, nominate them from the "
                    "enrollments page instead and remove this row.",
                    names="; ".join(
                        f"{person.full_name} ({person.organisation.label})"
                        if person.organisation
                        else person.full_name
                        for person in people
                    ),
                )
            )


def check_file(
    training_session: TrainingSession,
    nominee_file: NomineeFile,
    choices: dict[str, int] | None = None,
) -> ImportCheck:
    """check_rows() for a file as read, its rows numbered as in the file."""
    return check_rows(
        training_session, nominee_file.records(), lines=nominee_file.lines, choices=choices
    )


def import_rows(
    training_session: TrainingSession,
    check: ImportCheck,
    *,
    actor: User,
    valid_only: bool = False,
) -> int:
    """Nominate the rows (registering those not yet known), in one go: every
    row, refused before any write when one has an error (all or nothing);
    or, with `valid_only`, the rows without an error, refused when there is
    none. The caller commits, or rolls back on a DomainError."""
    if valid_only:
        rows = check.valid_rows
        if not rows:
            raise DomainError(_("No row is ready to import: correct the file and upload it again."))
    else:
        if not check.can_import:
            raise DomainError(
                ngettext(
                    "The file has %(num)d row with errors; correct it and upload the file again.",
                    "The file has %(num)d rows with errors; correct them and upload it again.",
                    check.error_count,
                )
            )
        rows = check.rows
    # A row without a sex has an error (refused above): each new row has one.
    new_rows = [(row, row.sex) for row in rows if row.existing is None and row.sex is not None]
    created = iter(
        create_participants(
            [
                ParticipantDetails(
                    given_name=row.values["given_name"],
                    family_name=row.values["family_name"],
                    name_ar=row.values.get("name_ar"),
                    sex=sex,
                    nationality=row.nationality,
                    organisation=row.organisation,
                    rank=row.values.get("rank"),
                    function=row.values.get("function"),
                    email=row.values.get("email"),
                    phone=row.values.get("phone"),
                )
                for row, sex in new_rows
            ],
            actor=actor,
        )
    )
    participants = [row.existing or next(created) for row in rows]
    nominate_many(training_session, participants, actor=actor)
    return len(rows)


# --- what the preview and the template offer ----------------------------------------

# Words of an organisation's name that say its kind, the more telling first
# ("Garde de sécurité pénitentiaire" is a prison service, not a guard).
_KIND_WORDS = (
    ("penitentiaire", OrganisationKind.PRISON_ADMINISTRATION),
    ("prison", OrganisationKind.PRISON_ADMINISTRATION),
    ("gendarmerie", OrganisationKind.GENDARMERIE),
    ("police", OrganisationKind.POLICE),
    ("surete", OrganisationKind.POLICE),
    ("garde", OrganisationKind.NATIONAL_GUARD),
    ("guard", OrganisationKind.NATIONAL_GUARD),
    ("douane", OrganisationKind.CUSTOMS),
    ("customs", OrganisationKind.CUSTOMS),
    ("parquet", OrganisationKind.PROSECUTION),
    ("procureur", OrganisationKind.PROSECUTION),
    ("prosecut", OrganisationKind.PROSECUTION),
    ("tribunal", OrganisationKind.JUDICIARY),
    ("judiciaire", OrganisationKind.JUDICIARY),
    ("court", OrganisationKind.JUDICIARY),
    ("cour ", OrganisationKind.JUDICIARY),
    ("renseignement", OrganisationKind.INTELLIGENCE),
    ("intelligence", OrganisationKind.INTELLIGENCE),
    ("armee", OrganisationKind.ARMED_FORCES),
    ("forces armees", OrganisationKind.ARMED_FORCES),
    ("army", OrganisationKind.ARMED_FORCES),
    ("centif", OrganisationKind.FINANCIAL_INTELLIGENCE_UNIT),
    ("ministere", OrganisationKind.MINISTRY),
    ("ministry", OrganisationKind.MINISTRY),
    ("ecole", OrganisationKind.TRAINING_INSTITUTE),
    ("academ", OrganisationKind.TRAINING_INSTITUTE),
    ("institut", OrganisationKind.TRAINING_INSTITUTE),
)
SECURITY_FORCE_KINDS = frozenset(
    {
        OrganisationKind.POLICE,
        OrganisationKind.GENDARMERIE,
        OrganisationKind.NATIONAL_GUARD,
        OrganisationKind.CUSTOMS,
        OrganisationKind.PRISON_ADMINISTRATION,
    }
)
_ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9./&-]{0,29}$")


@dataclass(frozen=True)
class OrganisationSuggestion:
    """What the preview's "create it" form starts from, for the coordinator
    to correct: the cell as name, or as acronym when it reads like one; the
    rows' most frequent nationality; a kind read from the name's words."""

    name: str
    acronym: str
    country: str
    kind: OrganisationKind | None
    is_security_force: bool


def suggest_organisation(question: OrganisationQuestion) -> OrganisationSuggestion:
    value = question.value.strip()
    looks_like_acronym = bool(_ACRONYM.match(value)) and " " not in value
    folded = f"{fold(value)} "
    kind = next((kind for word, kind in _KIND_WORDS if word in folded), None)
    return OrganisationSuggestion(
        name="" if looks_like_acronym else value[:200],
        acronym=value[:30] if looks_like_acronym else "",
        country=question.countries[0] if question.countries else "",
        kind=kind,
        is_security_force=kind in SECURITY_FORCE_KINDS,
    )


def organisation_text(organisation: Organisation, language: str) -> str:
    """An organisation as the XLSX template lists it and the importer reads
    it back, whatever other country has one of that name: "Gendarmerie
    nationale (Niger)"."""
    if organisation.country:
        return f"{organisation.name} ({country_name(organisation.country, language)})"
    return organisation.name


def template_lists(language: str, today: date) -> TemplateLists:
    """The XLSX template's drop-down lists (the country names in the user's
    language, the organisations in partnership today) and its example row."""
    organisations = [
        organisation
        for organisation in db.session.scalars(
            sa.select(Organisation).order_by(Organisation.name, Organisation.country)
        )
        if organisation.is_active_on(today)
    ]
    texts = sorted((organisation_text(o, language) for o in organisations), key=fold)
    example_organisation = next(
        (organisation_text(o, language) for o in organisations if o.country == "NE"),
        texts[0] if texts else "",
    )
    french = language == "fr"
    example = [
        "Aïcha",
        "EXEMPLE" if french else "EXAMPLE",
        "F",
        country_name("NE", language),
        example_organisation,
        "Lieutenant",
        "Enquêtrice" if french else "Investigator",
        EXAMPLE_EMAIL,
        "+227 90 00 00 00",
        "عائشة",
    ]
    countries = [name for _, name in country_choices(language)]
    return TemplateLists(countries=countries, organisations=texts, example=example)
