"""What a certificate's page is drawn from: `render_digest`, a SHA-256 of
the renderer's input and of the renderer itself (`renderer_fingerprint`).

A certificate records it when issued; the session's print PDF
(training.certificates.documents) draws again the certificates whose
digest still matches and copies the stored page of any other."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from functools import lru_cache
from importlib import import_module, metadata
from pathlib import Path

from training.pdf.certificate import CertificateData
from training.pdf.fonts import FONT_BOLD, FONT_REGULAR, arabic_font_files, font_file

# What else decides how a page looks: the libraries that shape, lay out,
# format and write it, and the modules that draw it.
_RENDERER_DISTRIBUTIONS = ("reportlab", "Babel", "uharfbuzz", "python-bidi")
_RENDERER_MODULES = (
    "training.pdf.certificate",
    "training.pdf.certificate_fonts",
    "training.pdf.arabic",
    "training.pdf.fonts",
    "training.pdf.qr",
)


def _file_digest(path: str | Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _logo_digest(path: str | None) -> str | None:
    """A logo file's digest, read again only when the file changes."""
    if not path:
        return None
    try:
        found = Path(path).stat()
    except OSError:
        return "missing"
    return _stat_digest(path, found.st_mtime_ns, found.st_size)


@lru_cache(maxsize=16)
def _stat_digest(path: str, mtime_ns: int, size: int) -> str:
    return _file_digest(path)


@lru_cache(maxsize=1)
def renderer_fingerprint() -> str:
    """Once per process: a digest of the renderer itself (the source of the
    modules that draw a certificate, the font files they load, the versions
    of the libraries they call). Any change to one of them, a comment
    included, changes every render_digest."""
    parts = [f"{name}=={metadata.version(name)}" for name in _RENDERER_DISTRIBUTIONS]
    parts += [_file_digest(import_module(name).__file__ or "") for name in _RENDERER_MODULES]
    _, arabic_regular, arabic_bold = arabic_font_files()
    fonts = (font_file(FONT_REGULAR), font_file(FONT_BOLD), arabic_regular, arabic_bold)
    parts += [_file_digest(path) for path in fonts]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def render_digest(data: CertificateData) -> str:
    """What a page is drawn from, as a SHA-256 hex digest: every field of
    `data` (its repr: strings quoted and escaped, dates and signatories
    spelled out; the hours normalised, as 6 and 6.0 print alike), the
    contents of its logo files and the renderer's fingerprint. Equal
    digests mean the same drawing, so a page drawn again into a print PDF is
    the page that was stored (tests/pdf/test_print_identity.py); anything
    else that differs (another Python's repr included) only makes the print
    PDF copy the stored page instead."""
    statement = repr(dataclasses.replace(data, total_hours=data.total_hours.normalize()))
    logos = " ".join(str(_logo_digest(path)) for path in (data.logo_left, data.logo_right))
    return hashlib.sha256(f"{renderer_fingerprint()}\n{logos}\n{statement}".encode()).hexdigest()


__all__: Sequence[str] = ("render_digest", "renderer_fingerprint")
