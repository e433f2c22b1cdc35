"""Time duplicate detection as the registry grows (issue 13).

    .venv/bin/python bench/bench_duplicates.py [--sizes 10000 100000] [--lookups 200]
                                               [--database-url URL]

For each size, a fresh database (a temporary SQLite file unless
--database-url names an empty PostgreSQL one) receives that many
participants by bulk INSERT, with names drawn from a realistic pool (40
given names × 60 family names of the region, so a common name is shared by
dozens of people) and their search keys. Then it times:

- the form's check (people.services.find_duplicates: the duplicate rule and
  the candidates, a sound-alike name in any organisation), per lookup,
  averaged over --lookups spellings;
- the import's check of a 2,000-row file (find_lookalikes, all rows at once).

Duplicate matching must not grow with the square of the registry: each
figure at 100,000 should stay within a small factor of the one at 10,000
(the look-ups go through indexes; only the matches found grow).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from config import TestConfig
from training import create_app
from training.extensions import db
from training.people.models import Organisation, OrganisationKind, Participant
from training.people.services import PersonKeys, find_duplicates, find_lookalikes
from training.text import match_key, search_key, sound_key

GIVEN = (
    "Aïcha Moussa Fatoumata Ibrahim Mariam Oumar Hawa Abdoulaye Aminata Mamadou Kadiatou "
    "Souleymane Awa Boubacar Salimata Issa Zeinab Mahamat Hadjé Abakar Khadija Sidi Mariem "
    "Cheikh Aïssata Yacouba Ramatou Seydou Halima Adama Djénéba Idrissa Rokia Hamidou Safiatou "
    "Brahim Achta Alassane Bintou Lassana"
).split()
FAMILY = (
    "Traoré Diallo Ouédraogo Mahamat Issoufou Keïta Sow Coulibaly Cissé Konaté Sawadogo Kaboré "
    "Zongo Compaoré Maïga Touré Diarra Sidibé Koné Sangaré Abdou Moussa Amadou Hamani Garba "
    "Saïdou Ousmane Abakar Idriss Hassan Brahim Adoum Ahmat Deby Youssouf Ould-Ahmed Ould-Sidi "
    "Mint-Mohamed Ba Fall Ndiaye Sy Kane Diop Camara Bah Barry Sylla Kouyaté Dembélé Fofana "
    "Doumbia Ballo Bagayoko Tangara Guindo Togo Dicko Cissoko Samaké"
).split()
# Ways the same names are written on another service's list.
RESPELL = {"ou": "u", "é": "e", "ï": "i", "mm": "m", "y": "i"}


def respelled(name: str) -> str:
    for old, new in RESPELL.items():
        if old in name and random.random() < 0.5:
            name = name.replace(old, new)
    return name.upper() if random.random() < 0.3 else name


def fill(size: int) -> None:
    organisation = Organisation(
        name="Police nationale", acronym="PN", country="ML", kind=OrganisationKind.POLICE
    )
    db.session.add(organisation)
    db.session.flush()
    table = Participant.__table__
    rows = []
    for index in range(1, size + 1):
        given, family = random.choice(GIVEN), random.choice(FAMILY)
        rows.append(
            {
                "given_name": given,
                "family_name": family,
                "search_name": search_key(given, family),
                "match_name": match_key(given, family),
                "sound_name": sound_key(given, family),
                "sex": "M",
                "nationality": "ML",
                "organisation_id": organisation.id,
                "email": f"p{index}@bench.example",
                "phone": f"+223 7{index:07d}",
            }
        )
    for start in range(0, len(rows), 5000):
        db.session.execute(table.insert(), rows[start : start + 5000])
    db.session.commit()


def measure(size: int, lookups: int, url: str | None) -> dict[str, float]:
    random.seed(13)
    folder = tempfile.TemporaryDirectory()

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url or f"sqlite:///{folder.name}/duplicates.sqlite3"

    app = create_app(Config())
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        fill(size)
        filled = time.perf_counter() - started
        spellings = [
            (respelled(random.choice(GIVEN)), respelled(random.choice(FAMILY)))
            for _ in range(lookups)
        ]
        times, found = [], []
        for given, family in spellings:
            started = time.perf_counter()
            matches = find_duplicates(
                given_name=family if random.random() < 0.2 else given,
                family_name=given if random.random() < 0.2 else family,
                organisation_id=None,
                email=None,
                phone=None,
            )
            times.append(time.perf_counter() - started)
            found.append(len(matches))
        keys = [
            PersonKeys.of(
                given_name=respelled(random.choice(GIVEN)),
                family_name=respelled(random.choice(FAMILY)),
                organisation_id=1,
                email=f"p{random.randint(1, size)}@bench.example"
                if random.random() < 0.1
                else None,
                phone=None,
            )
            for _ in range(2000)
        ]
        started = time.perf_counter()
        find_lookalikes(keys)
        batch = time.perf_counter() - started
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Participant))
        db.session.remove()
        db.drop_all()
    folder.cleanup()
    return {
        "participants": float(count or 0),
        "fill_s": filled,
        "form_median_ms": statistics.median(times) * 1000,
        "form_p95_ms": sorted(times)[int(len(times) * 0.95) - 1] * 1000,
        "form_candidates_median": statistics.median(found),
        "import_2000_rows_s": batch,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    results = [measure(size, args.lookups, args.database_url) for size in args.sizes]
    print(
        f"{'participants':>12} {'form median':>12} {'form p95':>10} {'candidates':>10} "
        f"{'2,000-row import check':>23}"
    )
    for result in results:
        print(
            f"{int(result['participants']):>12,} {result['form_median_ms']:>10.1f}ms "
            f"{result['form_p95_ms']:>8.1f}ms {result['form_candidates_median']:>10.0f} "
            f"{result['import_2000_rows_s']:>21.2f}s"
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        growth = last["participants"] / first["participants"]
        print(
            f"registry ×{growth:.0f}: form check ×"
            f"{last['form_median_ms'] / first['form_median_ms']:.1f}, import check ×"
            f"{last['import_2000_rows_s'] / first['import_2000_rows_s']:.1f}"
        )


if __name__ == "__main__":
    main()
