"""QR codes for printed documents, fast enough to draw hundreds per second.

ReportLab's encoder (`reportlab.graphics.barcode.qrencoder`, behind its
`QrCodeWidget`) builds the symbol nine times: once for each of the eight
mask patterns, to score them, then once more with the winner. Profiling a
certificate showed that choice taking most of the page's time. Any of the
eight masks gives a valid QR code (ISO/IEC 18004 §7.8: the mask is written in
the format information and every reader undoes it); the scoring only avoids
patterns that are marginally harder to read, which does not matter for a
short URL printed large. So we keep ReportLab's encoder and skip the choice.

The modules are then drawn as one filled path in module units (one
`re` operator per horizontal run of dark modules), not as a Group of
Rect shapes, which spares the renderer thousands of objects per page.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.pdfgen.canvas import Canvas

# Mask 0, (row + column) mod 2 == 0: a checkerboard, the cheapest to apply.
FIXED_MASK_PATTERN = 0
# M: 15 % of the symbol may be lost (a fold, a stain) and it still reads.
ERROR_CORRECTION = "M"
QUIET_ZONE = 4  # modules of white around the symbol, as the standard asks
_DARK_RUN = re.compile(b"\x01+")


_EXP = qrencoder.EXP_TABLE
_LOG = qrencoder.LOG_TABLE


@lru_cache(maxsize=64)
def _generator_logs(ec_count: int) -> tuple[int, ...]:
    """The Reed-Solomon generator polynomial of degree `ec_count` (leading 1
    dropped), as logarithms; ReportLab recomputes it for every block."""
    polynomial = qrencoder.QRUtil.getErrorCorrectPolynomial(ec_count)
    return tuple(_LOG[coefficient] for coefficient in polynomial.num[1:])


@lru_cache(maxsize=64)
def _generator_products(ec_count: int) -> tuple[tuple[int, ...], ...]:
    """For each byte value f, f times the generator's coefficients in
    GF(256): the shift register below then XORs a whole row at once."""
    generator = _generator_logs(ec_count)
    rows = [(0,) * ec_count]
    for factor in range(1, 256):
        log_factor = _LOG[factor]
        rows.append(tuple(_EXP[(log_factor + log_g) % 255] for log_g in generator))
    return tuple(rows)


def _error_correction(data: list[int], ec_count: int) -> list[int]:
    """The remainder of data·x^ec_count divided by the generator: the same
    bytes as ReportLab's QRPolynomial.mod, by the usual shift register."""
    products = _generator_products(ec_count)
    remainder = [0] * ec_count
    for byte in data:
        row = products[byte ^ remainder[0]]
        remainder = [a ^ b for a, b in zip(remainder[1:], row, strict=False)]
        remainder.append(row[-1])
    return remainder


class _BitBuffer(qrencoder.QRBitBuffer):
    """ReportLab's bit buffer, accumulating in one integer rather than bit
    by bit."""

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length

    def putBit(self, bit: bool) -> None:
        self.put(1 if bit else 0, 1)

    def getLengthInBits(self) -> int:
        return self.length

    @property
    def buffer(self) -> list[int]:
        padded = self.value << (-self.length % 8)
        return list(padded.to_bytes((self.length + 7) // 8, "big"))


def create_codewords(version: int, level: int, data_list: list) -> list[int]:
    """ReportLab's QRCode.createData (bit stream, terminator, padding,
    interleaved blocks) with the fast error correction above."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, level)
    buffer = _BitBuffer()
    for data in data_list:
        data.write(buffer, version)
    capacity = sum(block.dataCount for block in blocks) * 8
    if buffer.getLengthInBits() > capacity:
        raise ValueError(f"QR data too long ({buffer.getLengthInBits()} > {capacity} bits)")
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    pads = itertools.cycle((qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1))
    while buffer.getLengthInBits() < capacity:
        buffer.put(next(pads), 8)
    offset = 0
    data_blocks, ec_blocks = [], []
    codewords = buffer.buffer
    for block in blocks:
        data_blocks.append(codewords[offset : offset + block.dataCount])
        offset += block.dataCount
        ec_blocks.append(_error_correction(data_blocks[-1], block.totalCount - block.dataCount))
    return [
        byte
        for group in itertools.chain(
            itertools.zip_longest(*data_blocks), itertools.zip_longest(*ec_blocks)
        )
        for byte in group
        if byte is not None
    ]


@lru_cache(maxsize=40)
def _data_positions(version: int) -> tuple[tuple[int, int], ...]:
    """(column, row) of every data module of a version, in placement order."""
    probe = qrencoder.QRCode(version, qrencoder.QRErrorCorrectLevel.L)
    probe.version, probe.moduleCount = version, version * 4 + 17
    # The uncached generator behind dataPosIterator; private, not in the stubs.
    return tuple(probe._dataPosIterator())  # type: ignore[attr-defined]


@lru_cache(maxsize=320)
def _mask_bits(version: int, pattern: int) -> tuple[bool, ...]:
    mask = qrencoder.QRUtil.getMask(pattern)
    return tuple(bool(mask(row, column)) for column, row in _data_positions(version))


class FixedMaskQRCode(qrencoder.QRCode):
    """ReportLab's encoder with a fixed mask pattern instead of the
    eight-way search, the error correction by shift register, and the data
    module positions computed once per version."""

    mask_pattern = FIXED_MASK_PATTERN

    def make(self) -> None:
        if self.version is None:
            self.version = self.calculate_version()
        self.dataCache = create_codewords(self.version, self.errorCorrectLevel, self.dataList)
        self.makeImpl(False, self.mask_pattern)

    def mapData(self, data: list[int], maskPattern: int) -> None:
        positions = _data_positions(self.version)
        mask = _mask_bits(self.version, maskPattern)
        bits = bin(int.from_bytes(bytes(data), "big"))[2:].zfill(len(data) * 8)
        bits += "0" * (len(positions) - len(bits))
        modules = self.modules
        for (column, row), bit, masked in zip(positions, bits, mask, strict=False):
            modules[row][column] = (bit == "1") ^ masked


class FixedMaskQrCodeWidget(QrCodeWidget):
    """ReportLab's own QR widget, encoding with a fixed mask."""

    qr: FixedMaskQRCode

    def __init__(self, value: str = "", **kw: object) -> None:
        # Not super().__init__: it would first try the numeric, alphanumeric
        # and kanji encodings in turn; a URL is bytes.
        self.value = value
        for name, attribute in kw.items():
            setattr(self, name, attribute)
        self.__dict__["qr"] = FixedMaskQRCode(
            self.qrVersion, getattr(qrencoder.QRErrorCorrectLevel, self.barLevel)
        )
        self.addData(qrencoder.QR8bitByte(value))


@lru_cache(maxsize=1024)
def qr_modules(value: str, level: str = ERROR_CORRECTION) -> tuple[tuple[bool, ...], ...]:
    """The matrix of dark (True) and light modules encoding `value`."""
    widget = FixedMaskQrCodeWidget(value, barLevel=level)
    widget.qr.make()
    return tuple(tuple(row) for row in widget.qr.modules)


@lru_cache(maxsize=1024)
def qr_path_operators(value: str, level: str = ERROR_CORRECTION) -> tuple[int, str]:
    """(module count, PDF path operators) drawing the dark modules in a
    coordinate system of one unit per module, origin at the bottom left of
    the quiet zone."""
    modules = qr_modules(value, level)
    count = len(modules)
    operators: list[str] = []
    for row_index, row in enumerate(modules):
        y = count - 1 - row_index + QUIET_ZONE
        operators.extend(
            f"{run.start() + QUIET_ZONE} {y} {run.end() - run.start()} 1 re"
            for run in _DARK_RUN.finditer(bytes(row))
        )
    operators.append("f")
    return count, "\n".join(operators)


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of `value` as a `size`-point square (quiet zone
    included) with its bottom-left corner at (x, y), in the current fill
    colour."""
    count, operators = qr_path_operators(value)
    scale = size / (count + 2 * QUIET_ZONE)
    canvas.saveState()
    canvas.transform(scale, 0, 0, scale, x, y)
    canvas.addLiteral(operators)
    canvas.restoreState()
