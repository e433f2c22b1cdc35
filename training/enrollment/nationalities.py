"""Nationalities as people write them in a nominee file: a country's name in
French or English (Babel's and pycountry's), a short or common form
("Burkina", "Tchad", "Cote d Ivoire", "RCA"), an ISO 3166 alpha-2 or alpha-3
code, or a demonym ("Nigérienne", "Malien", "Burkinabè", "Chadian").

Every spelling is compared folded (accents, case, punctuation and spacing
ignored) and whole: "Niger" is never read as "Nigeria", nor "Nigérien"
("NE") as "Nigérian" ("NG"). The tables below are data, not rules: add a
spelling where a file brings a new one.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry
from babel import Locale

from training.text import fold

# Demonyms, French (masculine and feminine, with the spellings found in
# ministries' lists) and English, for the G5 Sahel countries, their
# neighbours, and the countries of the UN staff who train.
DEMONYMS: dict[str, tuple[str, ...]] = {
    # G5 Sahel
    "BF": ("burkinabè", "burkinabé", "burkinabe", "burkinabée", "burkinais", "burkinaise"),
    "TD": ("tchadien", "tchadienne", "chadian"),
    "ML": ("malien", "malienne", "malian"),
    "MR": ("mauritanien", "mauritanienne", "mauritanian"),
    "NE": ("nigérien", "nigérienne", "nigerien", "nigerienne"),
    # Neighbours
    "NG": ("nigérian", "nigériane", "nigerian"),
    "SN": ("sénégalais", "sénégalaise", "senegalese"),
    "GN": ("guinéen", "guinéenne", "guinean"),
    "CI": ("ivoirien", "ivoirienne", "ivorian", "ivoirian"),
    "GH": ("ghanéen", "ghanéenne", "ghanaian", "ghanian"),
    "TG": ("togolais", "togolaise", "togolese"),
    "BJ": ("béninois", "béninoise", "beninese", "beninois"),
    "CM": ("camerounais", "camerounaise", "cameroonian"),
    "CF": ("centrafricain", "centrafricaine", "central african"),
    "SD": ("soudanais", "soudanaise", "sudanese"),
    "LY": ("libyen", "libyenne", "libyan"),
    "DZ": ("algérien", "algérienne", "algerian"),
    "MA": ("marocain", "marocaine", "moroccan"),
    "GM": ("gambien", "gambienne", "gambian"),
    "GW": ("bissau-guinéen", "bissau-guinéenne", "bissau-guinean"),
    "LR": ("libérien", "libérienne", "liberian"),
    "SL": ("sierra-léonais", "sierra-léonaise", "sierra leonean"),
    "CV": ("cap-verdien", "cap-verdienne", "cabo verdean", "cape verdean"),
    "TN": ("tunisien", "tunisienne", "tunisian"),
    "EG": ("égyptien", "égyptienne", "egyptian"),
    "SS": ("sud-soudanais", "sud-soudanaise", "south sudanese"),
    "GA": ("gabonais", "gabonaise", "gabonese"),
    # Countries of the UN staff, trainers and donors
    "FR": ("français", "française", "french"),
    "BE": ("belge", "belgian"),
    "CH": ("suisse", "swiss"),
    "CA": ("canadien", "canadienne", "canadian"),
    "US": ("américain", "américaine", "états-unien", "états-unienne", "american", "us"),
    "GB": ("britannique", "british", "anglais", "anglaise", "english", "uk"),
    "IE": ("irlandais", "irlandaise", "irish"),
    "DE": ("allemand", "allemande", "german"),
    "AT": ("autrichien", "autrichienne", "austrian"),
    "IT": ("italien", "italienne", "italian"),
    "ES": ("espagnol", "espagnole", "spanish"),
    "PT": ("portugais", "portugaise", "portuguese"),
    "NL": ("néerlandais", "néerlandaise", "hollandais", "hollandaise", "dutch"),
    "LU": ("luxembourgeois", "luxembourgeoise", "luxembourger"),
    "DK": ("danois", "danoise", "danish", "dane"),
    "SE": ("suédois", "suédoise", "swedish", "swede"),
    "NO": ("norvégien", "norvégienne", "norwegian"),
    "FI": ("finlandais", "finlandaise", "finnish"),
    "PL": ("polonais", "polonaise", "polish"),
    "RO": ("roumain", "roumaine", "romanian"),
    "GR": ("grec", "grecque", "greek"),
    "RU": ("russe", "russian"),
    "UA": ("ukrainien", "ukrainienne", "ukrainian"),
    "TR": ("turc", "turque", "turkish"),
    "JO": ("jordanien", "jordanienne", "jordanian"),
    "LB": ("libanais", "libanaise", "lebanese"),
    "KE": ("kényan", "kényane", "kenyan", "kenyane"),
    "RW": ("rwandais", "rwandaise", "rwandan"),
    "BI": ("burundais", "burundaise", "burundian"),
    "UG": ("ougandais", "ougandaise", "ugandan"),
    "TZ": ("tanzanien", "tanzanienne", "tanzanian"),
    "ET": ("éthiopien", "éthiopienne", "ethiopian"),
    "ZA": ("sud-africain", "sud-africaine", "south african"),
    "MG": ("malgache", "malagasy"),
    "IN": ("indien", "indienne", "indian"),
    "PK": ("pakistanais", "pakistanaise", "pakistani"),
    "BD": ("bangladais", "bangladaise", "bangladeshi"),
    "NP": ("népalais", "népalaise", "nepalese", "nepali"),
    "LK": ("sri-lankais", "sri-lankaise", "sri lankan"),
    "CN": ("chinois", "chinoise", "chinese"),
    "JP": ("japonais", "japonaise", "japanese"),
    "KR": ("sud-coréen", "sud-coréenne", "south korean"),
    "ID": ("indonésien", "indonésienne", "indonesian"),
    "BR": ("brésilien", "brésilienne", "brazilian"),
    "AR": ("argentin", "argentinian"),
    "MX": ("mexicain", "mexicaine", "mexican"),
    "CO": ("colombien", "colombienne", "colombian"),
    "HT": ("haïtien", "haïtienne", "haitian"),
    "AU": ("australien", "australienne", "australian"),
}

# Short and common forms of country names that neither Babel nor pycountry
# spells, as ministries write them.
SHORT_NAMES: dict[str, tuple[str, ...]] = {
    "BF": ("Burkina", "Haute-Volta"),
    "TD": ("Tchad",),
    "MR": ("RIM", "République islamique de Mauritanie", "Islamic Republic of Mauritania"),
    "CI": ("Côte d'Ivoire", "Cote d Ivoire", "Ivory Coast", "RCI", "Côte-d'Ivoire"),
    "CF": ("Centrafrique", "RCA", "CAR", "Central Africa"),
    "GN": ("Guinée Conakry", "Guinée-Conakry", "Guinea Conakry", "Guinea-Conakry"),
    "GW": ("Guinée Bissau", "Guinea Bissau"),
    "CD": ("RDC", "DRC", "RD Congo", "Congo Kinshasa", "Congo (RDC)"),
    "CG": ("Congo Brazzaville", "Congo (Brazzaville)"),
    "US": ("USA", "Etats-Unis d'Amérique", "United States of America"),
    "GB": ("Grande-Bretagne", "Great Britain", "Angleterre", "England"),
    "NL": ("Hollande", "Holland"),
    "NG": ("Nigéria",),
}

# Words before a country's name that change nothing: "République du Niger",
# "Republic of Chad", "le Mali".
_PREFIX = re.compile(
    r"^(?:(?:la |the )?(?:republique|republic|etat|state)(?: islamique| islamic)?"
    r"(?: federale| federal)?(?: du| de la| de l| des| de| d| of the| of)? |le |la |les |l )"
)


def spelling_key(text: str | None) -> str:
    """A spelling as compared: folded, punctuation made into spaces
    ("Côte d’Ivoire", "cote-d'ivoire" and "COTE D IVOIRE" are one)."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    """Every known spelling's key -> ISO alpha-2. Codes first, then names,
    then the short forms and demonyms: a spelling keeps its first country."""
    lookup: dict[str, str] = {}

    def add(spelling: str | None, code: str) -> None:
        key = spelling_key(spelling)
        if key:
            lookup.setdefault(key, code)

    for country in pycountry.countries:
        add(country.alpha_2, country.alpha_2)
        add(country.alpha_3, country.alpha_2)
    for locale_name in ("fr", "en"):
        for code, name in Locale.parse(locale_name).territories.items():
            if len(code) == 2 and code.isalpha() and pycountry.countries.get(alpha_2=code):
                add(name, code)
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            add(getattr(country, attribute, None), country.alpha_2)
    for code, spellings in SHORT_NAMES.items():
        for spelling in spellings:
            add(spelling, code)
    for code, spellings in DEMONYMS.items():
        for spelling in spellings:
            add(spelling, code)
    return lookup


def country_code(value: str | None) -> str | None:
    """The ISO alpha-2 code a nationality or country names, or None when it
    names none (or is empty)."""
    key = spelling_key(value)
    if not key:
        return None
    lookup = _lookup()
    found = lookup.get(key)
    if found is None:
        stripped = _PREFIX.sub("", key)
        found = lookup.get(stripped) if stripped != key else None
    return found
