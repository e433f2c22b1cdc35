"""Files a scanner or a phone makes, and files that pretend to be them."""

from __future__ import annotations

import os
import struct
import zlib
from io import BytesIO

from PIL import Image
from pypdf import PdfWriter


def png(width: int = 120, height: int = 80) -> bytes:
    buffer = BytesIO()
    Image.new("L", (width, height), 255).save(buffer, "PNG")
    return buffer.getvalue()


def noisy_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: about width x height bytes."""
    buffer = BytesIO()
    Image.frombytes("L", (width, height), os.urandom(width * height)).save(buffer, "PNG")
    return buffer.getvalue()


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid PNG header announcing a huge image, in a few dozen bytes: a
    decompression bomb (made by hand: Pillow would first fill the pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def jpeg(width: int = 160, height: int = 120) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (250, 250, 245)).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def pdf(pages: int = 1, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(842, 595)
    if password is not None:
        writer.encrypt(password)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


TEXT_NAMED_PDF = b"Liste de presence, jour 1\nTraore Aicha: present\n"
# A PNG's signature followed by anything: it starts like a PNG, it is not one.
FORGED_PNG = b"\x89PNG\r\n\x1a\n" + b"<script>alert(1)</script>" * 20
CUT_SHORT_JPEG = jpeg()[:200]
