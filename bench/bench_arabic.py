"""Arabic names on certificates: how fast, next to Latin ones (issue 16).

    .venv/bin/python bench/bench_arabic.py [--count 500] [--repeat 3] [--rounds 3] [--pin N]

Four renderers side by side, each in a fresh interpreter (the fonts, the
shaper's and the bidirectional algorithm's caches start empty), alternating
--rounds times, best kept; CPU time, single-threaded:

- "before": the certificate module before Arabic came (taken from git, the
  merge base with main, into a temporary module, never into training/),
  Latin names;
- "latin": the module now, the same Latin certificates (they never reach
  the shaper: the figure should not move);
- "arabic names": a French certificate of each holder with their name in
  Arabic script beside the Latin one (every name different, so each is
  shaped and ordered once: nothing is served from a cache);
- "arabic": certificates of a session held in Arabic, Arabic and French,
  every name different.

Each prints certificates per CPU second for --count in one print-ready PDF
(target: 400/s or more for Arabic names) and as separate PDFs, and the
load average (the machine is shared): read the absolute figures loosely,
the ratios to "latin" as the result.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_ARABIC_PRINT = 400
MODULE = "training/pdf/certificate.py"
KINDS = ("before", "latin", "arabic names", "arabic")

# Given names and family names as Chadian, Mauritanian and Nigerien lists
# write them in Arabic; their combinations give every certificate its own.
GIVEN = (
    "محمد", "أحمد", "عائشة", "فاطمة", "مريم", "إبراهيم", "حسن", "خديجة", "عبد الله", "يوسف",
    "زينب", "عمر", "آمنة", "موسى", "حليمة", "سيدي", "الشيخ", "أمينة", "هارون", "صفية",
)  # fmt: skip
FAMILY = (
    "ولد الشيخ أحمد", "بنت سيدي محمد", "إدريس", "محمد صالح", "أبكر", "الأمين", "ديبي",
    "ولد عبد العزيز", "بنت أحمد", "محمدو", "يعقوب", "الحسن", "ولد بوبكر", "عثمان", "آدم",
    "ماحمات", "الطاهر", "ولد محمد فال", "بنت الشيخ", "علي", "زكريا", "يحيى", "الزين", "داود",
    "بنت محمد الأمين",
)  # fmt: skip


def pin_to_one_core(core: int | None) -> str:
    if core is None:
        return "single-threaded (one core), not pinned"
    os.sched_setaffinity(0, {core})
    return f"pinned to CPU core {core}"


def best_rate(count: int, repeat: int, run: Callable[[], object]) -> float:
    """Certificates per CPU second of the fastest of `repeat` runs."""
    timings = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        timings.append(time.process_time() - started)
    return count / min(timings)


# The same names as the holders' passports spell them, for the Latin line.
GIVEN_LATIN = (
    "Mohamed", "Ahmed", "Aïcha", "Fatimata", "Mariem", "Ibrahim", "Hassan", "Khadija",
    "Abdallah", "Youssouf", "Zeinab", "Oumar", "Amina", "Moussa", "Halimé", "Sidi", "Cheikh",
    "Aminata", "Haroun", "Safiya",
)  # fmt: skip
FAMILY_LATIN = (
    "Ould Cheikh Ahmed", "Mint Sidi Mohamed", "Idriss", "Mahamat Saleh", "Abakar", "El Amine",
    "Déby", "Ould Abdel Aziz", "Mint Ahmed", "Mohamedou", "Yacoub", "El Hassan",
    "Ould Boubacar", "Ousmane", "Adam", "Mahamat", "Tahir", "Ould Mohamed Vall", "Mint Cheikh",
    "Ali", "Zakaria", "Yahya", "Ezzine", "Daoud", "Mint Mohamed Lemine",
)  # fmt: skip


def arabic_name(index: int) -> str:
    return f"{GIVEN[index % len(GIVEN)]} {FAMILY[(index // len(GIVEN)) % len(FAMILY)]}"


def latin_name(index: int) -> str:
    given = GIVEN_LATIN[index % len(GIVEN_LATIN)]
    return f"{given} {FAMILY_LATIN[(index // len(GIVEN_LATIN)) % len(FAMILY_LATIN)]}"


def _before_module(source: str) -> ModuleType:
    path = Path(tempfile.mkdtemp(prefix="atelier-bench-arabic-"), "certificate_before.py")
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("certificate_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def worker(which: str, count: int, repeat: int) -> None:
    """In a child interpreter: both rates of one renderer, as JSON."""
    if which == "before":
        module = _before_module(sys.stdin.read())
    else:
        from training.pdf import certificate as module
    # Every holder a name of their own, in both scripts where there are two.
    if which in ("before", "latin"):
        batch = [
            module.sample_certificate(index, holder_name=latin_name(index))
            for index in range(1, count + 1)
        ]
        warm = module.sample_certificate(0)
    elif which == "arabic names":
        batch = [
            module.sample_certificate(
                index, holder_name=latin_name(index), holder_name_ar=arabic_name(index)
            )
            for index in range(1, count + 1)
        ]
        warm = module.sample_certificate(0, holder_name_ar="اسم")
    else:
        batch = [
            module.sample_arabic_certificate(
                index, holder_name=latin_name(index), holder_name_ar=arabic_name(index)
            )
            for index in range(1, count + 1)
        ]
        warm = module.sample_arabic_certificate(0, holder_name_ar="اسم")
    # Fonts, artwork and the fixed wording prepared once per process, as in
    # a server; the names themselves are new to every run.
    module.render_certificate(warm)

    def clear_name_caches() -> None:
        if which in ("arabic names", "arabic"):
            from training.pdf import arabic

            arabic.lay_out_spans.cache_clear()
            arabic.shape.cache_clear()
            module.render_certificate(warm)  # the wording back in the caches

    def print_pdf() -> None:
        module.render_certificates(batch)

    def separate() -> None:
        for data in batch:
            module.render_certificate(data)

    rates = {}
    for name, run in (("print", print_pdf), ("separate", separate)):
        timings = []
        for _ in range(repeat):
            clear_name_caches()
            started = time.process_time()
            run()
            timings.append(time.process_time() - started)
        rates[name] = count / min(timings)
    print(json.dumps(rates))


def _before_source() -> tuple[str, str]:
    """(commit, text) of the certificate module at the merge base with main."""
    git = ["git", "-C", str(ROOT)]
    base = subprocess.run(
        [*git, "merge-base", "HEAD", "main"], capture_output=True, text=True, check=True
    ).stdout.strip()
    text = subprocess.run(
        [*git, "show", f"{base}:{MODULE}"], capture_output=True, text=True, check=True
    ).stdout
    return base[:10], text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500, help="certificates per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best kept)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (best kept)")
    parser.add_argument("--pin", type=int, default=None, help="pin to this CPU core (Linux)")
    parser.add_argument("--worker", choices=KINDS, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        pin_to_one_core(arguments.pin)
        worker(arguments.worker, arguments.count, arguments.repeat)
        return 0

    print(f"Atelier: Arabic names on certificates, {pin_to_one_core(arguments.pin)}")
    commit, source = _before_source()
    load = os.getloadavg()
    best: dict[str, dict[str, float]] = {}
    for round_index in range(arguments.rounds):
        order = KINDS if round_index % 2 == 0 else tuple(reversed(KINDS))
        for which in order:
            command = [sys.executable, __file__, "--worker", which]
            command += ["--count", str(arguments.count), "--repeat", str(arguments.repeat)]
            if arguments.pin is not None:
                command += ["--pin", str(arguments.pin)]
            done = subprocess.run(
                command,
                input=source if which == "before" else "",
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            for key, rate in result.items():
                best.setdefault(which, {})[key] = max(best.get(which, {}).get(key, 0.0), rate)
    load_after = os.getloadavg()
    count = arguments.count
    print(
        f"\n{arguments.rounds} alternating rounds of {arguments.repeat} runs, each renderer in a"
        f" fresh interpreter; 'before' is {MODULE} at {commit} (merge base with main)"
    )
    header = "".join(f"{which:>15}" for which in KINDS)
    print(f"{'certificates per second':<28}{header}{'target':>12}")
    for key, label in (("print", f"{count} in one print PDF"), ("separate", f"{count} separate")):
        figures = "".join(f"{best[which][key]:>15.1f}" for which in KINDS)
        target = f">= {TARGET_ARABIC_PRINT}" if key == "print" else ""
        print(f"{label:<28}{figures}{target:>12}")
    for key in ("print", "separate"):
        latin = best["latin"][key]
        ratios = ", ".join(
            f"{which} {best[which][key] / latin:.2f}x" for which in KINDS if which != "latin"
        )
        print(f"ratio to latin ({key}): {ratios}")
    worst = min(best["arabic names"]["print"], best["arabic"]["print"])
    verdict = "ok" if worst >= TARGET_ARABIC_PRINT else "MISSED"
    print(
        f"Arabic names in one print PDF: {worst:.1f}/s (target >= {TARGET_ARABIC_PRINT}) {verdict}"
    )
    print(
        "Load average (1, 5, 15 min) at start "
        + " ".join(f"{value:.2f}" for value in load)
        + ", at end "
        + " ".join(f"{value:.2f}" for value in load_after)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
