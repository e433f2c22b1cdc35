"""The fields and validators of the API's schemas: marshmallow's, with their
messages translated into the language the client asks for
(Accept-Language), and text cleaned at the door as the pages' forms clean
it (training.web.forms)."""

from __future__ import annotations

import enum
import typing
from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, validate

from training.orm import MAX_ID
from training.text import clean


class _Translated:
    """A field whose error messages are lazy translations, read in the
    request's language when the error is made."""

    error_messages: dict[str, Any]

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        message = str(self.error_messages[key])
        return ValidationError(message.format(**kwargs) if kwargs else message)


_BASE = {
    "required": _l("A value is required."),
    "null": _l("This value cannot be null."),
    "validator_failed": _l("Invalid value."),
}


class Str(_Translated, ma.fields.String):
    """One line of text, cleaned (control characters out, spaces folded)."""

    default_error_messages = {
        **_BASE,
        "invalid": _l("Not a valid text."),
        "invalid_utf8": _l("Not a valid text."),
    }
    multiline = False

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        return clean(text, multiline=self.multiline)


class Text(Str):
    """Several lines of text, cleaned, line breaks kept."""

    multiline = True


class Int(_Translated, ma.fields.Integer):
    default_error_messages = {
        **_BASE,
        "invalid": _l("Not a whole number."),
        "too_large": _l("Number too large."),
    }

    def __init__(self, *, strict: bool = True, **kwargs: Any) -> None:
        # In a JSON body a number is a number ("5" is not); in a query
        # string every value is text.
        super().__init__(strict=strict, **kwargs)


class Id(Int):
    """The id of a record: a whole number the database can hold."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", between(1, MAX_ID))
        super().__init__(**kwargs)


class Float(_Translated, ma.fields.Float):
    default_error_messages = {
        **_BASE,
        "invalid": _l("Not a number."),
        "too_large": _l("Number too large."),
        "special": _l("Not a number."),
    }


class Bool(_Translated, ma.fields.Boolean):
    default_error_messages = {**_BASE, "invalid": _l("Not true or false.")}

    def __init__(self, **kwargs: Any) -> None:
        # JSON true and false only: "yes", 1 or "on" are not booleans.
        super().__init__(truthy={True}, falsy={False}, **kwargs)


class Date(_Translated, ma.fields.Date):
    default_error_messages = {
        **_BASE,
        "invalid": _l("Not a date (YYYY-MM-DD)."),
        "format": _l("Not a date (YYYY-MM-DD)."),
    }


class DateTime(_Translated, ma.fields.DateTime):
    default_error_messages = {
        **_BASE,
        "invalid": _l("Not a date and time."),
        "invalid_awareness": _l("Not a date and time."),
        "format": _l("Not a date and time."),
    }


class Enum(_Translated, ma.fields.Enum):
    """A member of a str-based enum, by its value."""

    default_error_messages = {**_BASE, "unknown": _l("Must be one of: {choices}.")}

    def __init__(self, enum_class: type[enum.Enum], **kwargs: Any) -> None:
        super().__init__(enum_class, by_value=True, **kwargs)


class List(_Translated, ma.fields.List):
    default_error_messages = {**_BASE, "invalid": _l("Not a list.")}


class Nested(_Translated, ma.fields.Nested):
    default_error_messages = {**_BASE, "type": _l("Not an object.")}


class Dict(_Translated, ma.fields.Dict):
    default_error_messages = {**_BASE, "invalid": _l("Not an object.")}


class UUID(_Translated, ma.fields.UUID):
    default_error_messages = {**_BASE, "invalid_uuid": _l("Not a UUID.")}


class Function(ma.fields.Function):
    """A value computed from the object, in responses only; its type for
    the description goes in `metadata={"type": ...}`."""


class Email(Str):
    """An email address, as the pages' forms accept one."""

    def __init__(self, **kwargs: Any) -> None:
        validators = [
            length(254),
            validate.Email(error=typing.cast(str, _l("Not a valid email address."))),
        ]
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return super()._deserialize(value, attr, data, **kwargs).strip()


# Validators ---------------------------------------------------------------


def length(maximum: int, minimum: int | None = None) -> validate.Length:
    """Text of at most `maximum` characters (at least `minimum`: 1 for a
    text that must not be blank once cleaned)."""
    if minimum:
        message = _l("Between {min} and {max} characters.")
        if minimum == 1:
            message = _l("A text of at most {max} characters is required.")
    else:
        message = _l("At most {max} characters.")
    return validate.Length(min=minimum, max=maximum, error=typing.cast(str, message))


def between(minimum: int, maximum: int) -> validate.Range:
    return validate.Range(
        min=minimum, max=maximum, error=typing.cast(str, _l("A number from {min} to {max}."))
    )


def code_pattern() -> validate.Regexp:
    """The codes of curricula and sessions, as their forms accept them."""
    return validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        error=typing.cast(str, _l("Use letters, digits, dots and dashes only.")),
    )


def country() -> validate.OneOf:
    """An ISO 3166 alpha-2 country code, as the forms' country lists offer."""
    import pycountry

    return one_of(sorted(country.alpha_2 for country in pycountry.countries))


def one_of(choices: typing.Iterable[str]) -> validate.OneOf:
    return validate.OneOf(list(choices), error=typing.cast(str, _l("Must be one of: {choices}.")))


class Schema(ma.Schema):
    """The base of every schema of the API: unknown fields are refused (a
    body holds only what the operation takes), messages translated."""

    error_messages = {"unknown": _l("Unknown field."), "type": _l("Not an object.")}

    class Meta:
        unknown = ma.RAISE
