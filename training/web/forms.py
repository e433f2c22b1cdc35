"""The form base every Atelier form uses: text is cleaned at the door.

Each text field (StringField and its kinds, TextAreaField, HiddenField; not
passwords, which are taken whole) gets `training.text.clean` as its first
filter, so a control character pasted from Word, a line break in a name or a
field of spaces never reaches a service, the database, an export or a PDF.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField

from training.text import clean


def clean_line(value: Any) -> Any:
    """A single-line field's text, cleaned (None stays None)."""
    return clean(value) if isinstance(value, str) else value


def clean_paragraphs(value: Any) -> Any:
    """A multi-line field's text, cleaned, its line breaks kept."""
    return clean(value, multiline=True) if isinstance(value, str) else value


class CleanForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                text_filter = (
                    clean_paragraphs if issubclass(field_class, TextAreaField) else clean_line
                )
                # options, not the unbound field's kwargs: those are shared by
                # every instance of the form class.
                filters = options.get("filters", unbound_field.kwargs.get("filters")) or ()
                options = {**options, "filters": (text_filter, *filters)}
            return super().bind_field(form, unbound_field, options)
