"""Nationalities as people write them in a nominee file."""

from __future__ import annotations

import pytest

from training.enrollment.nationalities import DEMONYMS, SHORT_NAMES, country_code

# (country, French name, English name, French masculine and feminine, English)
COUNTRIES = [
    ("BF", "Burkina Faso", "Burkina Faso", "Burkinabè", "Burkinabè", "Burkinabe"),
    ("TD", "Tchad", "Chad", "Tchadien", "Tchadienne", "Chadian"),
    ("ML", "Mali", "Mali", "Malien", "Malienne", "Malian"),
    ("MR", "Mauritanie", "Mauritania", "Mauritanien", "Mauritanienne", "Mauritanian"),
    ("NE", "Niger", "Niger", "Nigérien", "Nigérienne", "Nigerien"),
    ("SN", "Sénégal", "Senegal", "Sénégalais", "Sénégalaise", "Senegalese"),
    ("GN", "Guinée", "Guinea", "Guinéen", "Guinéenne", "Guinean"),
    ("CI", "Côte d’Ivoire", "Côte d’Ivoire", "Ivoirien", "Ivoirienne", "Ivorian"),
    ("GH", "Ghana", "Ghana", "Ghanéen", "Ghanéenne", "Ghanaian"),
    ("TG", "Togo", "Togo", "Togolais", "Togolaise", "Togolese"),
    ("BJ", "Bénin", "Benin", "Béninois", "Béninoise", "Beninese"),
    ("NG", "Nigeria", "Nigeria", "Nigérian", "Nigériane", "Nigerian"),
    ("CM", "Cameroun", "Cameroon", "Camerounais", "Camerounaise", "Cameroonian"),
    (
        "CF",
        "République centrafricaine",
        "Central African Republic",
        "Centrafricain",
        "Centrafricaine",
        "Central African",
    ),
    ("SD", "Soudan", "Sudan", "Soudanais", "Soudanaise", "Sudanese"),
    ("LY", "Libye", "Libya", "Libyen", "Libyenne", "Libyan"),
    ("DZ", "Algérie", "Algeria", "Algérien", "Algérienne", "Algerian"),
    ("MA", "Maroc", "Morocco", "Marocain", "Marocaine", "Moroccan"),
    # UN staff and trainers
    ("FR", "France", "France", "Français", "Française", "French"),
    ("BE", "Belgique", "Belgium", "Belge", "Belge", "Belgian"),
    ("CA", "Canada", "Canada", "Canadien", "Canadienne", "Canadian"),
    ("AT", "Autriche", "Austria", "Autrichien", "Autrichienne", "Austrian"),
    ("IT", "Italie", "Italy", "Italien", "Italienne", "Italian"),
    ("DE", "Allemagne", "Germany", "Allemand", "Allemande", "German"),
    ("GB", "Royaume-Uni", "United Kingdom", "Britannique", "Britannique", "British"),
    ("US", "États-Unis", "United States", "Américain", "Américaine", "American"),
    ("NL", "Pays-Bas", "Netherlands", "Néerlandais", "Néerlandaise", "Dutch"),
    ("CH", "Suisse", "Switzerland", "Suisse", "Suisse", "Swiss"),
    ("TN", "Tunisie", "Tunisia", "Tunisien", "Tunisienne", "Tunisian"),
    ("KE", "Kenya", "Kenya", "Kényan", "Kényane", "Kenyan"),
    ("RW", "Rwanda", "Rwanda", "Rwandais", "Rwandaise", "Rwandan"),
    ("IN", "Inde", "India", "Indien", "Indienne", "Indian"),
    ("BD", "Bangladesh", "Bangladesh", "Bangladais", "Bangladaise", "Bangladeshi"),
    ("PK", "Pakistan", "Pakistan", "Pakistanais", "Pakistanaise", "Pakistani"),
    ("JO", "Jordanie", "Jordan", "Jordanien", "Jordanienne", "Jordanian"),
    ("EG", "Égypte", "Egypt", "Égyptien", "Égyptienne", "Egyptian"),
]


@pytest.mark.parametrize("row", COUNTRIES, ids=[row[0] for row in COUNTRIES])
def test_each_country_by_name_code_and_demonym(row):
    code, *spellings = row
    import pycountry

    alpha_3 = pycountry.countries.get(alpha_2=code).alpha_3
    for spelling in (*spellings, code, code.lower(), alpha_3, alpha_3.lower()):
        assert country_code(spelling) == code, spelling


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        # Short and common forms
        ("Burkina", "BF"),
        ("burkina-faso", "BF"),
        ("Tchad", "TD"),
        ("Cote d Ivoire", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("COTE-D'IVOIRE", "CI"),
        ("Ivory Coast", "CI"),
        ("RCI", "CI"),
        ("Centrafrique", "CF"),
        ("RCA", "CF"),
        ("Guinée Conakry", "GN"),
        ("Guinée-Bissau", "GW"),
        ("RDC", "CD"),
        ("USA", "US"),
        ("République du Niger", "NE"),
        ("Republic of Chad", "TD"),
        ("République islamique de Mauritanie", "MR"),
        ("le Mali", "ML"),
        ("Nigéria", "NG"),
        # Accents, case and spacing do not matter
        ("NIGERIENNE", "NE"),
        ("nigerienne", "NE"),
        ("  Nigérienne  ", "NE"),
        ("MALIENNE", "ML"),
        ("burkinabe", "BF"),
        ("Burkinabé", "BF"),
        ("TCHADIENNE", "TD"),
        ("sénégalaise", "SN"),
        # Niger is never Nigeria, nor Nigerien Nigerian
        ("Niger", "NE"),
        ("Nigeria", "NG"),
        ("Nigérien", "NE"),
        ("Nigérian", "NG"),
        ("Nigérienne", "NE"),
        ("Nigériane", "NG"),
        ("Nigerien", "NE"),
        ("Nigerian", "NG"),
        ("NER", "NE"),
        ("NGA", "NG"),
        ("Soudan du Sud", "SS"),
        ("Soudan", "SD"),
    ],
)
def test_spellings_people_write(spelling, code):
    assert country_code(spelling) == code


@pytest.mark.parametrize("spelling", ["", "   ", "Atlantide", "Nige", "Niger Nigeria", "Sahel"])
def test_what_names_no_country(spelling):
    assert country_code(spelling) is None


def test_every_spelling_of_the_tables_reads_as_its_own_country():
    """A spelling two countries share would keep the first one silently."""
    for table in (DEMONYMS, SHORT_NAMES):
        for code, spellings in table.items():
            for spelling in spellings:
                assert country_code(spelling) == code, (spelling, code)
