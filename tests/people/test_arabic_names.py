"""A participant's name in Arabic script: entered beside the Latin spelling
(a right-to-left field), shown on their page and in the list, found by a
search in either script, whatever the way the Arabic is spelt."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tests.people.test_views import _participant_form
from training.audit.models import AuditEvent
from training.extensions import db
from training.people.models import Participant
from training.text import fold


@pytest.mark.parametrize(
    ("spelling", "folded"),
    [
        ("أَحْمَد", "احمد"),  # vowel marks and the hamza dropped
        ("إبراهيم", "ابراهيم"),
        ("آمنة", "امنه"),  # madda dropped, teh marbuta as heh
        ("مصطفى", "مصطفي"),  # alef maqsura as yeh
        ("ٱلسيد", "السيد"),  # alef wasla
        ("محـــمد", "محمد"),  # tatweel
        ("عائشة ٢٠٢٦", "عايشه 2026"),  # hamza on yeh, Arabic-Indic digits
    ],
)
def test_arabic_is_folded_for_matching(spelling, folded):
    assert fold(spelling) == folded


def test_the_form_takes_the_name_in_arabic_right_to_left(client, login_as):
    login_as("coordinator")
    page = client.get("/participants/new").get_data(as_text=True)
    assert 'name="name_ar"' in page
    field = page[page.index('name="name_ar"') - 300 : page.index('name="name_ar"') + 300]
    assert 'dir="rtl"' in field and 'lang="ar"' in field
    response = client.post("/participants/new", data=_participant_form(name_ar="موسى تراوري"))
    assert response.status_code == 303
    participant = db.session.scalar(sa.select(Participant))
    assert participant.name_ar == "موسى تراوري"
    assert participant.search_name == "moussa traore موسي تراوري"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "participant.created")
    )
    assert "موسى تراوري" in str(event.changes)
    page = client.get(f"/participants/{participant.id}").get_data(as_text=True)
    assert '<span dir="rtl" lang="ar">موسى تراوري</span>' in page


@pytest.mark.parametrize("name_ar", ["Moussa Traoré", "موسى Traoré", "1234"])
def test_a_name_in_arabic_without_arabic_letters_is_refused(client, login_as, name_ar):
    login_as("coordinator")
    response = client.post("/participants/new", data=_participant_form(name_ar=name_ar))
    assert response.status_code == 400
    assert "Write the name in Arabic script in Arabic letters only." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 0


def test_the_arabic_name_is_optional_and_can_be_removed(client, login_as):
    participant = factories.make_participant(
        given_name="Awa", family_name="Diallo", name_ar="عوا ديالو"
    )
    db.session.commit()
    login_as("coordinator")
    form = _participant_form(given_name="Awa", family_name="Diallo", name_ar="")
    assert client.post(f"/participants/{participant.id}/edit", data=form).status_code == 303
    db.session.expire_all()
    participant = db.session.get(Participant, participant.id)
    assert participant.name_ar is None and participant.search_name == "awa diallo"


@pytest.mark.parametrize(
    "query",
    ["فاطمة", "فاطمه", "فَاطِمَة", "الزهراء", "الزهراء فاطمة", "FATIMA", "zahra mint"],
)
def test_search_finds_either_spelling(client, login_as, query):
    factories.make_participant(
        given_name="Fatima", family_name="Zahra Mint Ahmed", name_ar="فاطمة الزهراء بنت أحمد"
    )
    factories.make_participant(given_name="Awa", family_name="Diallo", name_ar="عوا ديالو")
    db.session.commit()
    login_as("coordinator")
    page = client.get("/participants", query_string={"q": query}).get_data(as_text=True)
    assert "ZAHRA MINT AHMED, Fatima" in page and "DIALLO" not in page
    assert '<span class="text-muted" dir="rtl" lang="ar">فاطمة الزهراء بنت أحمد</span>' in page


def test_an_arabic_search_finds_nobody_without_that_name(client, login_as):
    factories.make_participant(given_name="Awa", family_name="Diallo")
    db.session.commit()
    login_as("coordinator")
    page = client.get("/participants", query_string={"q": "أحمد"}).get_data(as_text=True)
    assert "No participant matches this search." in page
