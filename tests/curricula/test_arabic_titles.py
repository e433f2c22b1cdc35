"""Curricula and modules can carry an Arabic title (optional): entered in a
right-to-left field, shown, searched; Arabic documents fall back to the
French title without one."""

from __future__ import annotations

from tests import factories
from tests.curricula.test_views import FORM, MODULE
from training.curricula.models import Curriculum, Module, localised_title
from training.extensions import db

TITLE_AR = "التحقيق في الجريمة المنظمة"


def test_the_arabic_titles_are_entered_shown_and_searched(client, login_as):
    login_as("coordinator")
    page = client.get("/curricula/new").get_data(as_text=True)
    field = page[page.index('name="title_ar"') - 300 : page.index('name="title_ar"') + 300]
    assert 'dir="rtl"' in field and 'lang="ar"' in field
    assert client.post("/curricula/new", data={**FORM, "title_ar": TITLE_AR}).status_code == 303
    curriculum = db.session.scalar(db.select(Curriculum))
    assert curriculum.title_ar == TITLE_AR
    url = f"/curricula/{curriculum.id}/modules/new"
    assert client.post(url, data={**MODULE, "title_ar": "مقدمة"}).status_code == 303
    assert db.session.scalar(db.select(Module)).title_ar == "مقدمة"
    shown = client.get(f"/curricula/{curriculum.id}").get_data(as_text=True)
    assert f'<dd class="col-7" lang="ar" dir="rtl">{TITLE_AR}</dd>' in shown
    found = client.get("/curricula", query_string={"q": "الجريمة المنظمة"}).get_data(as_text=True)
    assert "OC-01" in found


def test_the_arabic_title_is_optional(client, login_as):
    login_as("coordinator")
    assert client.post("/curricula/new", data={**FORM, "title_ar": ""}).status_code == 303
    curriculum = db.session.scalar(db.select(Curriculum))
    assert curriculum.title_ar is None
    assert curriculum.title("ar") == FORM["title_fr"]


def test_a_title_in_arabic_falls_back_to_the_french_or_the_english(app):
    curriculum = factories.make_curriculum(title_ar=None)
    assert curriculum.title("ar") == curriculum.title_fr
    assert localised_title("In English", "En français", None, "ar", fallback="en") == "In English"
    assert localised_title("In English", "En français", TITLE_AR, "ar") == TITLE_AR
    assert localised_title("In English", "En français", TITLE_AR, "fr") == "En français"
    assert localised_title("In English", "En français", TITLE_AR, "en") == "In English"


def test_a_too_long_arabic_title_is_a_form_error(client, login_as):
    login_as("coordinator")
    response = client.post("/curricula/new", data={**FORM, "title_ar": "م" * 251})
    assert response.status_code == 422  # as any invalid curriculum form
    assert db.session.scalar(db.select(Curriculum)) is None
