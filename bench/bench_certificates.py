"""How fast certificates render, next to the same certificate by WeasyPrint.

    .venv/bin/pip install -r bench/requirements.txt   # WeasyPrint, for the comparison only
    .venv/bin/python bench/bench_certificates.py

Single-threaded (one core; --pin N pins it), it prints certificates per
CPU second for
- 500 certificates in one print-ready PDF (target: 400/s or more),
- 500 certificates as separate PDFs (target: 100/s or more),
each made by Atelier's ReportLab renderer and by WeasyPrint from an HTML
page stating the same (same layout, fonts, QR code as SVG), and the ratio
(goal: 10x or more). It then times issuing a 40-participant session through
the service (render, hash and store in a database; target under 1 s).
Each figure is the best of --repeat runs: a shared machine only ever slows
a run down. Without WeasyPrint installed its column is skipped, saying so.

Before and after, side by side: the same two figures for the renderer as it
was before it stopped patching ReportLab's shared fonts and rl_config
(issue 10; its module text is taken from git history into a temporary
module, never into training/) and for the current one. Each renderer runs
in its own fresh interpreter, since the old one changes process-wide state
that would otherwise speed up or slow down the other; the two alternate,
--rounds times, best kept, and the ratio after/before is printed with the
load average (the machine is shared). --no-before skips it.

Unsigned and signed, side by side (issue 15): the certificate as it was
rendered before certificates were signed (its renderer and QR encoder taken
from git history: a version 5 code of a /verify address at level M) and as
it is now, each certificate signed in the timed loop (ES256 over its CBOR
claims, COSE_Sign1, base32: a version 15 or 16 code at level Q). Also the current
renderer printing an unsigned address, to show what the signature itself
costs. Fresh interpreters, alternating, --rounds times, best kept; the
target is signed >= 0.9 x unsigned. --no-signed skips it.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.pdf.certificate import (
    TITLES,
    CertificateData,
    render_certificate,
    render_certificates,
    sample_certificate,
)
from training.pdf.qr import QUIET_ZONE, qr_modules

TARGET_PRINT, TARGET_SEPARATE, TARGET_RATIO, TARGET_ISSUE = 400, 100, 10, 1.0
ROOT = Path(__file__).resolve().parent.parent


def pin_to_one_core(core: int | None) -> str:
    if core is None:
        return "single-threaded (one core), not pinned"
    os.sched_setaffinity(0, {core})
    return f"pinned to CPU core {core}"


_fresh_start = [0]


def fresh_batch(count: int, make: Callable[..., CertificateData] | None = None) -> list:
    """`count` certificates never rendered before in this process: new
    serials, names and QR codes (issue 18: a repetition over the same data
    would find the subsets and QR work of the run before it cached)."""
    make = make or sample_certificate
    start = _fresh_start[0]
    _fresh_start[0] += count
    return [make(index) for index in range(start + 1, start + count + 1)]


def best_rate(
    count: int,
    repeat: int,
    run: Callable[[list], object],
    make: Callable[[int], list] = fresh_batch,
) -> float:
    """Certificates per CPU second: `count` divided by the process CPU time
    of the fastest run, each run on data of its own (`make`, untimed). CPU
    time, not wall time, so that other programs on a shared machine do not
    count against the renderer; the work is single-threaded, so a CPU
    second is a second of one core."""
    timings = []
    for _ in range(repeat):
        batch = make(count)
        started = time.process_time()
        run(batch)
        timings.append(time.process_time() - started)
    return count / min(timings)


def loadavg() -> str:
    """`cat /proc/loadavg`, as printed beside every figure."""
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())


# ------------------------------------------------------------ the HTML twin

CSS = """
@page { size: A4 landscape; margin: 0; }
body { margin: 0; font-family: 'DejaVu Sans'; color: #1c2733; }
.page { position: relative; width: 297mm; height: 210mm; page-break-after: always;
        box-sizing: border-box; }
.outer { position: absolute; inset: 7mm; border: 2.6pt solid #1a5d9e; }
.band { position: absolute; inset: 9mm; border: 2.2pt dotted #009edb; }
.inner { position: absolute; inset: 10.9mm; border: 0.8pt solid #1a5d9e; }
.content { position: absolute; top: 20mm; left: 25mm; right: 25mm; text-align: center; }
.issuers { color: #1a5d9e; font-weight: bold; font-size: 9.5pt; letter-spacing: 1.2pt; }
h1 { color: #1a5d9e; font-size: 29pt; letter-spacing: 2.5pt; margin: 12mm 0 0 0; }
.sub { color: #5b6673; font-size: 14pt; }
.small { color: #5b6673; font-size: 11pt; margin-top: 8mm; }
.name { font-size: 34pt; font-weight: bold; margin-top: 3mm; }
.course { color: #1a5d9e; font-size: 18pt; font-weight: bold; margin-top: 3mm; }
.signatures { position: absolute; bottom: 30mm; left: 25mm; display: flex; gap: 15mm; }
.signature { width: 67mm; border-top: 0.6pt solid #5b6673; text-align: center; font-size: 8.5pt; }
.qr { position: absolute; right: 17mm; bottom: 22mm; width: 34mm; height: 34mm; }
.code { position: absolute; right: 53mm; bottom: 30mm; text-align: right; font-size: 8pt; }
.verify { position: absolute; bottom: 13mm; width: 100%; text-align: center; font-size: 7.5pt; }
"""


def qr_svg(value: str) -> str:
    modules = qr_modules(value, "Q")
    size = len(modules) + 2 * QUIET_ZONE
    # One path (issue 18): each row's runs of dark modules as rectangles of
    # one subpath each, as a QR library's SVG output draws them; 700 <rect>
    # elements made WeasyPrint's page 4.8x slower than Atelier's one image.
    runs = []
    for row, line in enumerate(modules):
        column = 0
        while column < len(line):
            if line[column]:
                end = column
                while end < len(line) and line[end]:
                    end += 1
                left = column + QUIET_ZONE
                runs.append(f"M{left} {row + QUIET_ZONE}h{end - column}v1H{left}z")
                column = end
            else:
                column += 1
    return (
        f'<svg class="qr" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
        f'<path d="{"".join(runs)}"/></svg>'
    )


def certificate_html(data: CertificateData) -> str:
    e = html.escape
    titles = TITLES[data.kind]
    signatures = "".join(
        f'<div class="signature"><b>{e(s.name)}</b><br>{e(s.title)}</div>' for s in data.signatories
    )
    return f"""<section class="page"><div class="outer"></div><div class="band"></div>
<div class="inner"></div><div class="content">
<div class="issuers">{e("  ·  ".join(data.issuers).upper())}</div>
<h1>{e(titles["fr"].upper())}</h1><div class="sub">{e(titles["en"])}</div>
<div class="small">Nous certifions que / This is to certify that</div>
<div class="name">{e(data.holder_name)}</div>
<div class="sub">{e(data.holder_rank or "")} · {e(data.holder_organisation or "")}</div>
<div class="small">a suivi avec succès la formation / has successfully completed the course</div>
<div class="course">{e(data.course_title_fr)}</div><div class="sub">{e(data.course_title_en)}</div>
<div>{e(data.city)}, {e(data.country_fr)} · {data.start_date:%d/%m/%Y} – {data.end_date:%d/%m/%Y}
· {data.total_hours} heures</div></div>
<div class="signatures">{signatures}</div>
<div class="code"><b>N° {e(data.serial)}</b><br>Pour vérifier : scannez le code QR<br>
<b>{e(data.verify_address)}</b></div>
{qr_svg(data.qr_text)}
<div class="verify">To verify: scan the QR code, or type the serial at
{e(data.verify_address)}</div></section>"""


def weasyprint_pdf(certificates: list[CertificateData]) -> bytes:
    from weasyprint import CSS as WeasyCSS
    from weasyprint import HTML

    body = "".join(certificate_html(data) for data in certificates)
    document = HTML(string=f"<!doctype html><html><body>{body}</body></html>")
    return document.write_pdf(stylesheets=[WeasyCSS(string=CSS)])


def stored_sizes(weasyprint_count: int) -> None:
    """The size of a stored certificate (what render_certificate makes and
    the database keeps), Latin and Arabic, next to WeasyPrint's page."""
    from training.pdf.certificate import sample_arabic_certificate

    latin = [len(render_certificate(data)) for data in fresh_batch(20)]
    arabic = [len(render_certificate(sample_arabic_certificate(index))) for index in range(1, 6)]
    line = (
        f"\nStored certificate: {sum(latin) / len(latin) / 1024:.1f} KB on average"
        f" (largest {max(latin) / 1024:.1f} KB, 20 certificates; target <= 50 KB);"
        f" in Arabic and French {sum(arabic) / len(arabic) / 1024:.1f} KB"
    )
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        pass
    else:
        line += f"; WeasyPrint's page {len(weasyprint_pdf(fresh_batch(1))) / 1024:.1f} KB"
    print(line)


# ---------------------------------------------------------------- issuing


def time_issue(participants: int) -> tuple[float, float, int]:
    """Seconds to issue a completed session's certificates through the
    service, on a fresh SQLite database (render, hash, store, commit)."""
    from config import TestConfig
    from tests import factories
    from training import create_app
    from training.certificates.keys import ensure_keys
    from training.certificates.services import issue_all_eligible
    from training.extensions import db
    from training.models import SessionStatus

    folder = tempfile.mkdtemp(prefix="atelier-bench-")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/bench.sqlite3"

    app = create_app(Config())
    with app.app_context():
        db.create_all()
        coordinator = factories.make_user("coordinator")
        training_session = factories.make_session(
            status=SessionStatus.COMPLETED, start_date=date(2026, 3, 2)
        )
        for _ in range(participants):
            enrollment = factories.enroll(training_session=training_session, post_test_score=75)
            factories.mark_all(enrollment)
        ensure_keys()  # the keys exist before the timing, as in a deployment
        db.session.commit()
        started, started_cpu = time.perf_counter(), time.process_time()
        result = issue_all_eligible(training_session, coordinator)
        db.session.commit()
        elapsed = time.perf_counter() - started  # wall time: the disk counts here
        cpu = time.process_time() - started_cpu
        db.session.remove()
        db.engine.dispose()
    return elapsed, cpu, len(result.issued)


# ------------------------------------------------------- before and after

# The change that made the renderer leave ReportLab's shared state alone:
# its parent holds the renderer as it was.
_BEFORE_MARKER = "rl_config.useA85 = 0"
_MODULE = "training/pdf/certificate.py"


def _before_source() -> tuple[str, str]:
    """(commit, text) of the certificate module before issue 10's change."""
    git = ["git", "-C", str(ROOT)]
    change = subprocess.run(
        [*git, "log", "-1", "--format=%H", "-S", _BEFORE_MARKER, "--", _MODULE],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not change:
        raise SystemExit(f"no commit removing {_BEFORE_MARKER!r} from {_MODULE}")
    text = subprocess.run(
        [*git, "show", f"{change}^:{_MODULE}"], capture_output=True, text=True, check=True
    ).stdout
    return f"{change[:10]}^", text


def _renderer(which: str, source: str | None) -> ModuleType:
    if which == "after":
        from training.pdf import certificate

        return certificate
    folder = tempfile.mkdtemp(prefix="atelier-bench-before-")
    path = Path(folder, "certificate_before.py")
    path.write_text(source or "")
    spec = importlib.util.spec_from_file_location("certificate_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def worker(which: str, count: int, repeat: int) -> None:
    """In a child interpreter: both rates of one renderer, as JSON, and a
    digest of its output (invariant=1) to show both print the same bytes."""
    source = sys.stdin.read() if which == "before" else None
    module = _renderer(which, source)

    def make(number: int) -> list:
        return fresh_batch(number, module.sample_certificate)

    batch = make(5)
    module.render_certificate(batch[0])  # prepared once per process, as in a server
    print_rate = best_rate(count, repeat, module.render_certificates, make)
    separate = best_rate(
        count, repeat, lambda fresh: [module.render_certificate(d) for d in fresh], make
    )
    from reportlab import rl_config

    rl_config.invariant = 1
    # One file and a print PDF of five, apart: issue 18 changed the first
    # (each font subset to its page) and left the second as it was.
    digest = " ".join(
        hashlib.sha256(pdf).hexdigest()
        for pdf in (module.render_certificate(batch[0]), module.render_certificates(batch))
    )
    print(json.dumps({"print": print_rate, "separate": separate, "digest": digest}))


def before_and_after(count: int, repeat: int, rounds: int, pin: int | None) -> None:
    commit, source = _before_source()
    best: dict[str, dict[str, float]] = {}
    digests: dict[str, str] = {}
    load = os.getloadavg()
    for round_index in range(rounds):
        order = ("before", "after") if round_index % 2 == 0 else ("after", "before")
        for which in order:
            command = [sys.executable, __file__, "--worker", which]
            command += ["--count", str(count), "--repeat", str(repeat)]
            if pin is not None:
                command += ["--pin", str(pin)]
            done = subprocess.run(
                command,
                input=source if which == "before" else "",
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            digests[which] = result.pop("digest")
            for key, rate in result.items():
                best.setdefault(which, {})[key] = max(best.get(which, {}).get(key, 0.0), rate)
    load_after = os.getloadavg()
    print(
        f"\nBefore ({commit}: patches rl_config and the shared fonts) and after, side by side,"
        f" {rounds} alternating rounds of {repeat} runs, each in a fresh interpreter"
    )
    print(f"{'certificates per second':<34}{'before':>10}{'after':>10}{'after/before':>14}")
    for key, label in (
        ("print", f"{count} in one print PDF"),
        ("separate", f"{count} as separate PDFs"),
    ):
        old, new = best["before"][key], best["after"][key]
        print(f"{label:<34}{old:>10.1f}{new:>10.1f}{new / old:>13.2f}x")
    before_digests, after_digests = digests["before"].split(), digests["after"].split()
    same = [
        "yes" if old == new else "no"
        for old, new in zip(before_digests, after_digests, strict=True)
    ]
    print(
        f"Same bytes before and after (invariant=1): one certificate {same[0]} (issue 18"
        f" subsets each file to its page), five in one print PDF {same[1]}"
    )
    print(
        "Load average (1, 5, 15 min) at start "
        + " ".join(f"{value:.2f}" for value in load)
        + ", at end "
        + " ".join(f"{value:.2f}" for value in load_after)
    )


# ------------------------------------------------------ unsigned and signed

# The first version of the renderer that prints a signed QR code: its parent
# holds the renderer (and QR encoder) of unsigned certificates.
_SIGNED_MARKER = "qr_text: str"
_QR_MODULE = "training/pdf/qr.py"
PUBLIC_URL = "https://atelier.example.org"


def _unsigned_sources() -> tuple[str, str, str]:
    """(commit, certificate module, QR module) as they were before
    certificates were signed; the working tree's HEAD when signing is not
    committed yet."""
    git = ["git", "-C", str(ROOT)]
    changes = subprocess.run(
        [*git, "log", "--format=%H", "-S", _SIGNED_MARKER, "--", _MODULE],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    commit = f"{changes[-1]}^" if changes else "HEAD"

    def show(path: str) -> str:
        return subprocess.run(
            [*git, "show", f"{commit}:{path}"], capture_output=True, text=True, check=True
        ).stdout

    label = subprocess.run(
        [*git, "rev-parse", "--short=10", commit], capture_output=True, text=True, check=True
    ).stdout.strip()
    return label, show(_MODULE), show(_QR_MODULE)


def _unsigned_renderer(sources: str) -> ModuleType:
    """The certificate module of unsigned certificates, importing the QR
    encoder of its time (both written to a temporary folder)."""
    certificate_source, qr_source = sources.split("\n#--- qr ---\n", 1)
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-unsigned-"))
    (folder / "qr_unsigned.py").write_text(qr_source)
    (folder / "certificate_unsigned.py").write_text(
        certificate_source.replace("from training.pdf.qr import", "from qr_unsigned import")
    )
    sys.path.insert(0, str(folder))
    import certificate_unsigned  # type: ignore[import-not-found]

    return certificate_unsigned


def _claims(data: CertificateData):
    from training.certificates.signing import Claims

    return Claims(
        serial=data.serial,
        holder_name=data.holder_name,
        course_code="CT-INV-01",
        course_title=data.course_title_fr,
        kind=data.kind,
        start_date=data.start_date,
        end_date=data.end_date,
        issued_on=data.issued_on,
        valid_until=data.valid_until,
        issuer="; ".join(data.issuers),
    )


def signing_worker(which: str, count: int, repeat: int) -> None:
    """In a child interpreter: certificates per second, one PDF and
    separate, for `which`: "unsigned" (the renderer before signing),
    "signed" (now, each certificate signed inside the timed loop) or
    "now-unsigned" (now, printing an unsigned /verify address)."""
    from dataclasses import replace

    from training.pdf import certificate

    # Every run on certificates of its own (issue 18), made untimed; what
    # the real work does per certificate (signing) stays inside the timing.
    if which == "unsigned":
        module = _unsigned_renderer(sys.stdin.read())
        qr_module = sys.modules["qr_unsigned"]

        def make(number: int) -> list:
            # Its QR codes were cached by text: each certificate's is drawn
            # once in production, so the cache is emptied before every run.
            for name in ("qr_modules", "qr_path_operators"):
                getattr(qr_module, name).cache_clear()
            return [(data, None) for data in fresh_batch(number, module.sample_certificate)]

    elif which == "signed":
        from training.certificates import signing

        module = certificate
        key = signing.new_private_key()
        kid = signing.key_id(key.public_key())

        def make(number: int) -> list:
            return [(data, _claims(data)) for data in fresh_batch(number)]

    else:
        module = certificate

        def make(number: int) -> list:
            return [
                (
                    replace(
                        data,
                        qr_text=f"{PUBLIC_URL}/verify/7KQ2M9XD4FHTZP3AQW8RLN5B{int(data.serial[-6:]):08d}",
                    ),
                    None,
                )
                for data in fresh_batch(number)
            ]

    def prepare(pairs: list) -> list:
        if which != "signed":
            return [data for data, _ in pairs]
        return [
            replace(data, qr_text=signing.qr_text(PUBLIC_URL, signing.sign_claims(claim, kid, key)))
            for data, claim in pairs
        ]

    module.render_certificate(prepare(make(1))[0])  # prepared once per process, as in a server
    print_rate = best_rate(
        count, repeat, lambda pairs: module.render_certificates(prepare(pairs)), make
    )
    separate = best_rate(
        count, repeat, lambda pairs: [module.render_certificate(d) for d in prepare(pairs)], make
    )
    print(json.dumps({"print": print_rate, "separate": separate}))


def unsigned_and_signed(count: int, repeat: int, rounds: int, pin: int | None) -> dict:
    commit, certificate_source, qr_source = _unsigned_sources()
    sources = certificate_source + "\n#--- qr ---\n" + qr_source
    best: dict[str, dict[str, float]] = {}
    load = os.getloadavg()
    kinds = ("unsigned", "signed", "now-unsigned")
    for round_index in range(rounds):
        order = kinds if round_index % 2 == 0 else tuple(reversed(kinds))
        for which in order:
            command = [sys.executable, __file__, "--signing-worker", which]
            command += ["--count", str(count), "--repeat", str(repeat)]
            if pin is not None:
                command += ["--pin", str(pin)]
            done = subprocess.run(
                command,
                input=sources if which == "unsigned" else "",
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            for key, rate in result.items():
                best.setdefault(which, {})[key] = max(best.get(which, {}).get(key, 0.0), rate)
    load_after = os.getloadavg()
    print(
        f"\nUnsigned (before signing, {commit}) and signed (now, signing included), side by"
        f" side, {rounds} alternating rounds of {repeat} runs, each in a fresh interpreter"
    )
    print(
        f"{'certificates per second':<30}{'unsigned':>10}{'signed':>10}{'signed/unsigned':>17}"
        f"{'now, unsigned URL':>19}"
    )
    for key, label in (
        ("print", f"{count} in one print PDF"),
        ("separate", f"{count} as separate PDFs"),
    ):
        old, new, plain = best["unsigned"][key], best["signed"][key], best["now-unsigned"][key]
        verdict = "ok" if new >= 0.9 * old else "MISSED"
        print(f"{label:<30}{old:>10.1f}{new:>10.1f}{new / old:>16.2f}x{plain:>19.1f} {verdict}")
    print(
        "Load average (1, 5, 15 min) at start "
        + " ".join(f"{value:.2f}" for value in load)
        + ", at end "
        + " ".join(f"{value:.2f}" for value in load_after)
    )
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=500, help="certificates per run")
    parser.add_argument(
        "--weasyprint-count", type=int, default=50, help="certificates per WeasyPrint run"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best kept)")
    parser.add_argument("--participants", type=int, default=40, help="session size to issue")
    parser.add_argument("--pin", type=int, default=None, help="pin to this CPU core (Linux)")
    parser.add_argument("--rounds", type=int, default=3, help="before/after rounds (best kept)")
    parser.add_argument("--no-before", action="store_true", help="skip before and after")
    parser.add_argument("--no-signed", action="store_true", help="skip unsigned and signed")
    parser.add_argument("--worker", choices=("before", "after"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--signing-worker",
        choices=("unsigned", "signed", "now-unsigned"),
        help=argparse.SUPPRESS,
    )
    arguments = parser.parse_args()

    if arguments.worker:
        pin_to_one_core(arguments.pin)
        worker(arguments.worker, arguments.count, arguments.repeat)
        return 0
    if arguments.signing_worker:
        pin_to_one_core(arguments.pin)
        signing_worker(arguments.signing_worker, arguments.count, arguments.repeat)
        return 0
    print(f"Atelier certificate benchmark, {pin_to_one_core(arguments.pin)}")
    print(f"cat /proc/loadavg: {loadavg()}")
    count, repeat = arguments.count, arguments.repeat
    # Fonts and artwork prepared once per process, as in a server.
    render_certificate(fresh_batch(1)[0])

    ours_print = best_rate(count, repeat, render_certificates)
    ours_separate = best_rate(count, repeat, lambda fresh: [render_certificate(d) for d in fresh])
    # As stored before issue 18: each file primed with two subsets of each
    # face (all of Latin-1), some 106 KB, which is what a one-page
    # render_certificates still makes. What the smaller files cost.
    primed_separate = best_rate(
        count, repeat, lambda fresh: [render_certificates([d]) for d in fresh]
    )

    try:
        import weasyprint  # noqa: F401
    except ImportError:
        weasy_print = weasy_separate = None
        weasy_note = "WeasyPrint is not installed: pip install -r bench/requirements.txt"
    else:
        small = arguments.weasyprint_count
        weasyprint_pdf(fresh_batch(1))  # warm-up
        weasy_print = best_rate(small, 1, weasyprint_pdf)
        weasy_separate = best_rate(small, 1, lambda fresh: [weasyprint_pdf([d]) for d in fresh])
        weasy_note = f"WeasyPrint figures from {small} certificates per run, QR as one SVG path"

    print()
    print(
        f"{'certificates per second':<34}{'ReportLab':>12}{'WeasyPrint':>12}{'ratio':>9}"
        f"{'target':>10}"
    )
    for label, ours, theirs, target in (
        (f"{count} in one print PDF", ours_print, weasy_print, TARGET_PRINT),
        (f"{count} as separate PDFs", ours_separate, weasy_separate, TARGET_SEPARATE),
    ):
        ratio = f"{ours / theirs:.1f}x" if theirs else "-"
        other = f"{theirs:.1f}" if theirs else "skipped"
        verdict = "ok" if ours >= target else "MISSED"
        print(f"{label:<34}{ours:>12.1f}{other:>12}{ratio:>9}{f'>= {target}':>10} {verdict}")
    print(f"({weasy_note}; ratio goal >= {TARGET_RATIO}x)")
    print(
        f"{count} as separate PDFs, fonts primed as before issue 18: {primed_separate:.1f}/s;"
        f" subset to each page (now) / primed: {ours_separate / primed_separate:.2f}x"
    )
    print(f"cat /proc/loadavg: {loadavg()}")
    stored_sizes(arguments.weasyprint_count)

    if not arguments.no_before:
        before_and_after(count, repeat, arguments.rounds, arguments.pin)
    if not arguments.no_signed:
        unsigned_and_signed(count, repeat, arguments.rounds, arguments.pin)

    elapsed, cpu, issued = time_issue(arguments.participants)
    verdict = "ok" if cpu < TARGET_ISSUE else "MISSED"
    print(
        f"\nIssuing a {issued}-participant session (render + hash + store + commit): "
        f"{cpu:.3f} s CPU, {elapsed:.3f} s wall (target < {TARGET_ISSUE:.0f} s CPU) {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
