"""QR codes for printed documents, fast enough to draw hundreds per second.

A certificate's QR code holds a signed payload of about 400 characters
(training.certificates.cose), version 15 or so at error correction Q, some
6,000 modules: ReportLab's encoder (`reportlab.graphics.barcode.qrencoder`)
takes milliseconds for it, more than the rest of the page. So the symbol is
built here from ReportLab's tables (block sizes, generator polynomials,
function patterns, the order data modules are placed in), with three
shortcuts, each checked module for module against ReportLab's own encoding
(tests/pdf/test_certificate.py):

- a fixed mask pattern instead of the eight-way search: any of the eight
  masks gives a valid QR code (ISO/IEC 18004 §7.8: the mask is written in
  the format information and every reader undoes it); the search only
  avoids patterns marginally harder to read, which does not matter for a
  code printed large;
- the error correction by a shift register held in one integer, each data
  byte XOR-ing a precomputed row into it;
- per version, level and mask, everything but the data computed once: the
  function patterns, the format and version information, the mask, and the
  place of every data bit in the matrix, so that a symbol is one integer XOR
  and one gather (`operator.itemgetter`) of its bits.

Text made only of QR's alphanumeric characters (digits, capitals, space and
$%*+-./:) is encoded in alphanumeric mode, 5.5 bits a character; anything
else as UTF-8 bytes, 8 bits a character.

`draw_qr` paints the dark modules as one image mask (a 1-bit inline image
in the fill colour, without interpolation): one short operator sequence per
code, where a path of rectangles would take thousands.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from reportlab.graphics.barcode import qrencoder
from reportlab.pdfgen.canvas import Canvas

# Mask 0, (row + column) mod 2 == 0: a checkerboard.
FIXED_MASK_PATTERN = 0
# M: 15 % of the symbol may be lost (a fold, a stain) and it still reads.
ERROR_CORRECTION = "M"
QUIET_ZONE = 4  # modules of white around the symbol, as the standard asks
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
LEVELS = {
    "L": qrencoder.QRErrorCorrectLevel.L,
    "M": qrencoder.QRErrorCorrectLevel.M,
    "Q": qrencoder.QRErrorCorrectLevel.Q,
    "H": qrencoder.QRErrorCorrectLevel.H,
}
_ALPHANUMERIC_TEXT = re.compile(r"[0-9A-Z $%*+\-./:]*")
_ALPHANUMERIC_PAIR = re.compile(r"..", re.S)
# Each pair of alphanumeric characters as its 11 bits (45 x first + second),
# and a single last character as its 6 bits.
_PAIR_BITS = {
    first + second: format(45 * index + other, "011b")
    for index, first in enumerate(ALPHANUMERIC)
    for other, second in enumerate(ALPHANUMERIC)
}
_LAST_BITS = {character: format(index, "06b") for index, character in enumerate(ALPHANUMERIC)}
_EXP = qrencoder.EXP_TABLE
_LOG = qrencoder.LOG_TABLE
_MODE_ALPHANUMERIC, _MODE_BYTES = 0b0010, 0b0100
# Bits of the character count, by mode, for versions 1-9, 10-26 and 27-40.
_COUNT_BITS = {_MODE_ALPHANUMERIC: (9, 11, 13), _MODE_BYTES: (8, 16, 16)}
_PAD = (0xEC, 0x11)


@dataclass(frozen=True)
class QrSymbol:
    """A QR code: its version, the modules on a side, and its modules row
    after row from the top left, "1" dark and "0" light."""

    version: int
    size: int
    modules: str
    alphanumeric: bool

    def rows(self) -> list[str]:
        return [
            self.modules[start : start + self.size]
            for start in range(0, len(self.modules), self.size)
        ]


def is_alphanumeric(text: str) -> bool:
    """Whether QR's alphanumeric mode can hold `text` (capitals, digits,
    space and $%*+-./: only)."""
    return _ALPHANUMERIC_TEXT.fullmatch(text) is not None


@lru_cache(maxsize=160)
def _blocks(version: int, level: int) -> tuple[tuple[int, int], ...]:
    """(codewords, data codewords) of each error-correction block."""
    return tuple(
        (block.totalCount, block.dataCount)
        for block in qrencoder.QRRSBlock.getRSBlocks(version, level)
    )


@lru_cache(maxsize=64)
def _generator_rows(ec_count: int) -> tuple[int, ...]:
    """For each byte value f, f times the generator polynomial of degree
    `ec_count` (leading 1 dropped) in GF(256), as one integer of
    `ec_count` bytes."""
    polynomial = qrencoder.QRUtil.getErrorCorrectPolynomial(ec_count)
    generator = [_LOG[coefficient] for coefficient in polynomial.num[1:]]
    rows = [0]
    for factor in range(1, 256):
        log_factor = _LOG[factor]
        rows.append(
            int.from_bytes(bytes(_EXP[(log_factor + log_g) % 255] for log_g in generator), "big")
        )
    return tuple(rows)


def _error_correction(data: bytes, ec_count: int) -> bytes:
    """The remainder of data·x^ec_count divided by the generator (the same
    bytes as ReportLab's QRPolynomial.mod), by a shift register of
    `ec_count` bytes held in one integer."""
    rows = _generator_rows(ec_count)
    shift = 8 * (ec_count - 1)
    keep = (1 << (8 * ec_count)) - 1
    remainder = 0
    for byte in data:
        remainder = ((remainder << 8) & keep) ^ rows[(remainder >> shift) ^ byte]
    return remainder.to_bytes(ec_count, "big")


def _segment(text: str) -> tuple[int, int, int, int]:
    """(mode, character count, data bits as an integer, how many bits)."""
    if is_alphanumeric(text):
        bits = "".join(map(_PAIR_BITS.__getitem__, _ALPHANUMERIC_PAIR.findall(text)))
        if len(text) % 2:
            bits += _LAST_BITS[text[-1]]
        return _MODE_ALPHANUMERIC, len(text), int(bits or "0", 2), len(bits)
    data = text.encode("utf-8")
    return _MODE_BYTES, len(data), int.from_bytes(data, "big"), 8 * len(data)


def _interleave(blocks: list[bytes]) -> bytes:
    """The first byte of every block, then the second of every block, and
    so on; blocks are at most one byte apart in length, the short ones first."""
    shortest = min(len(block) for block in blocks)
    equal = [block[:shortest] for block in blocks]
    head = bytes(itertools.chain.from_iterable(zip(*equal, strict=True)))
    return head + bytes(block[shortest] for block in blocks if len(block) > shortest)


def _count_bits(mode: int, version: int) -> int:
    small, medium, large = _COUNT_BITS[mode]
    return small if version < 10 else medium if version < 27 else large


def codewords(text: str, level: str = ERROR_CORRECTION) -> tuple[int, bytes]:
    """(the smallest version that holds `text`, its codewords: data and
    error correction, interleaved as they are placed)."""
    level_code = LEVELS[level]
    mode, count, value, bits = _segment(text)
    for version in range(1, 41):
        capacity = 8 * sum(data for _total, data in _blocks(version, level_code))
        count_bits = _count_bits(mode, version)
        length = 4 + count_bits + bits
        if length <= capacity:
            break
    else:
        raise ValueError(f"QR data too long ({length} bits at level {level})")
    stream = (((mode << count_bits) | count) << bits) | value
    terminator = min(4, capacity - length)
    padding = -(length + terminator) % 8
    stream <<= terminator + padding
    length += terminator + padding
    filler = bytes(itertools.islice(itertools.cycle(_PAD), (capacity - length) // 8))
    data = stream.to_bytes(length // 8, "big") + filler
    data_blocks, ec_blocks, offset = [], [], 0
    for total, data_count in _blocks(version, level_code):
        block = data[offset : offset + data_count]
        offset += data_count
        data_blocks.append(block)
        ec_blocks.append(_error_correction(block, total - data_count))
    return version, _interleave(data_blocks) + _interleave(ec_blocks)


@dataclass(frozen=True)
class _Layout:
    size: int
    data_bits: int  # data modules, in placement order
    mask: int  # the mask's bits in placement order, as one integer
    gather: itemgetter  # masked bits + "01" -> modules, row after row


@lru_cache(maxsize=160)
def _layout(version: int, level: int, pattern: int) -> _Layout:
    """Everything about a symbol but its data, once per version, level and
    mask: the function patterns with their format and version information
    (from ReportLab's own QRCode.makeImpl), the data modules in the order
    ReportLab places them (QRCode._dataPosIterator), and the mask."""
    probe = qrencoder.QRCode(version, level)
    probe.dataCache = [0] * sum(total for total, _data in _blocks(version, level))
    probe.makeImpl(False, pattern)
    size = probe.moduleCount
    # The generator behind dataPosIterator, uncached; private, not in the stubs.
    positions = list(probe._dataPosIterator())  # type: ignore[attr-defined]
    order = {position: index for index, position in enumerate(positions)}
    light, dark = len(positions), len(positions) + 1
    indices = []
    for row in range(size):
        for column in range(size):
            index = order.get((column, row))
            if index is None:
                index = dark if probe.modules[row][column] else light
            indices.append(index)
    mask_function = qrencoder.QRUtil.getMask(pattern)
    mask = int("".join("1" if mask_function(row, column) else "0" for column, row in positions), 2)
    return _Layout(size, len(positions), mask, itemgetter(*indices))


def qr_symbol(text: str, level: str = ERROR_CORRECTION) -> QrSymbol:
    """The QR code of `text` at error correction `level` (L, M, Q or H),
    with the fixed mask pattern. Not cached: every certificate's text is
    its own."""
    version, data = codewords(text, level)
    layout = _layout(version, LEVELS[level], FIXED_MASK_PATTERN)
    bits = int.from_bytes(data, "big") << (layout.data_bits - 8 * len(data))
    placed = format(bits ^ layout.mask, "b").zfill(layout.data_bits) + "01"
    return QrSymbol(version, layout.size, "".join(layout.gather(placed)), is_alphanumeric(text))


def qr_modules(text: str, level: str = ERROR_CORRECTION) -> tuple[tuple[bool, ...], ...]:
    """The matrix of dark (True) and light modules encoding `text`."""
    return tuple(tuple(module == "1" for module in row) for row in qr_symbol(text, level).rows())


def _image_mask(symbol: QrSymbol) -> str:
    """The symbol as a 1-bit image, rows padded to whole bytes, in hex."""
    padding = "0" * (-symbol.size % 8)
    bits = padding.join(symbol.rows()) + padding
    return int(bits, 2).to_bytes(len(bits) // 8, "big").hex()


def draw_qr(
    canvas: Canvas, text: str, x: float, y: float, size: float, level: str = ERROR_CORRECTION
) -> float:
    """Draw the QR code of `text` as a `size`-point square (quiet zone
    included) with its bottom-left corner at (x, y), in the current fill
    colour. Returns the width of the symbol itself (without the quiet
    zone), in points."""
    symbol = qr_symbol(text, level)
    module = size / (symbol.size + 2 * QUIET_ZONE)
    width = module * symbol.size
    # An image mask paints its 1 samples (Decode [1 0]) in the fill colour;
    # without /Interpolate, viewers and printers keep the modules square.
    canvas.addLiteral(
        f"q {width:.4f} 0 0 {width:.4f} {x + module * QUIET_ZONE:.4f} "
        f"{y + module * QUIET_ZONE:.4f} cm\n"
        f"BI /W {symbol.size} /H {symbol.size} /IM true /BPC 1 /D [1 0] /F /AHx\n"
        f"ID {_image_mask(symbol)}> EI Q"
    )
    return width
