"""The curriculum page in French: removing a module and retiring the
curriculum are two actions with two names; durations in hours and
half-days; a module's title in the reader's language."""

from __future__ import annotations

from tests import factories
from training.curricula.models import CurriculumStatus
from training.extensions import db


def test_removing_a_module_and_retiring_the_curriculum_have_distinct_labels(client, login_as):
    curriculum = factories.make_curriculum(modules=1)
    db.session.commit()
    login_as("coordinator", locale="fr")
    page = client.get(f"/curricula/{curriculum.id}").text
    assert "Supprimer le module" in page
    assert "Mettre hors service" in page
    assert ">Retirer<" not in page


def test_a_retired_curriculum_is_hors_service(client, login_as):
    curriculum = factories.make_curriculum(status=CurriculumStatus.RETIRED)
    db.session.commit()
    login_as("coordinator", locale="fr")
    assert "Hors service" in client.get(f"/curricula/{curriculum.id}").text


def test_durations_are_in_hours_and_half_days(client, login_as):
    curriculum = factories.make_curriculum(modules=3)
    curriculum.modules[0].duration_minutes = 90
    db.session.commit()
    login_as("coordinator", locale="fr")
    page = client.get(f"/curricula/{curriculum.id}").text
    # 90 + 180 + 180 minutes.
    assert "1\u00a0h\u00a030" in page and "3\u00a0h" in page
    assert "7\u00a0h\u00a030 · 3 demi-journées" in page
    assert "minutes" not in page.replace("Durée (minutes)", "")


def test_a_module_flash_names_it_in_the_readers_language(client, login_as):
    curriculum = factories.make_curriculum(modules=2)
    curriculum.modules[0].title_en = "Financial investigations"
    curriculum.modules[0].title_fr = "Enquêtes financières"
    db.session.commit()
    module_id = curriculum.modules[0].id
    login_as("coordinator", locale="fr")
    page = client.post(
        f"/curricula/{curriculum.id}/modules/{module_id}/remove", follow_redirects=True
    ).text
    assert "Module «\u00a0Enquêtes financières\u00a0» supprimé." in page
    assert "Financial investigations" not in page
