"""Virtual MFA: seeds, provisioning URI, QR PNG, and RFC 6238 code checks with replay refusal.

Codes are computed independently with pyotp at chosen instants; steps are 30 seconds.
"""

from __future__ import annotations

import base64
import struct
import zlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import segno

from stockade.auth import match_code, match_consecutive, new_seed, provisioning_uri, qr_png

SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 1, 1, 12, 0, 10, tzinfo=UTC)  # 10 s into its step
STEP = timedelta(seconds=30)


def code_at(moment: datetime, seed: str = SEED) -> str:
    return str(pyotp.TOTP(seed).at(moment))


def counter_at(moment: datetime) -> int:
    return int(moment.timestamp()) // 30


# --- seeds and provisioning ----------------------------------------------------------------


def test_seed_is_64_base32_characters_of_40_random_bytes() -> None:
    seeds = {new_seed() for _ in range(50)}
    assert len(seeds) == 50
    for seed in seeds:
        assert len(seed) == 64 and len(base64.b32decode(seed)) == 40


def test_provisioning_uri_aws_shape() -> None:
    uri = provisioning_uri(SEED, "alice-phone@123456789012")
    assert uri.startswith("otpauth://totp/alice-phone@123456789012?secret=" + SEED)
    parts = urlsplit(uri)
    assert parse_qs(parts.query) == {"secret": [SEED], "issuer": ["Stockade"]}
    # pyotp reads it back as the same generator.
    parsed = pyotp.parse_uri(uri)
    assert isinstance(parsed, pyotp.TOTP) and parsed.at(NOW) == code_at(NOW)


def test_provisioning_uri_quotes_the_label() -> None:
    uri = provisioning_uri(SEED, "my device/phone@acme corp", issuer="Acme & Co")
    assert uri.startswith("otpauth://totp/my%20device%2Fphone@acme%20corp?")
    assert uri.endswith("&issuer=Acme%20%26%20Co")
    assert "issuer" not in provisioning_uri(SEED, "x", issuer="")


def _png_pixels(png: bytes) -> tuple[int, int, list[list[int]]]:
    """A minimal PNG reader (1-bit greyscale, non-interlaced) using only the standard library."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + data) == crc
        if kind == b"IHDR":
            header = data
        elif kind == b"IDAT":
            idat += data
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, colour, interlace) == (1, 0, 0)
    stride = (width + 7) // 8
    raw = zlib.decompress(idat)
    assert len(raw) == height * (stride + 1)
    rows: list[list[int]] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            left = line[x - 1] if x else 0
            up, up_left = previous[x], previous[x - 1] if x else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
                line[x] = (line[x] + predictor) & 0xFF
        rows.append([(line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
        previous = line
    return width, height, rows


def test_qr_png_is_a_real_png_of_the_uri() -> None:
    uri = provisioning_uri(SEED, "alice-phone@123456789012")
    png = qr_png(uri)
    width, height, pixels = _png_pixels(png)
    matrix = segno.make(uri, error="m", micro=False).matrix
    size, scale, border = len(matrix), 4, 4
    assert width == height == (size + 2 * border) * scale
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            pixel = pixels[(y + border) * scale + 1][(x + border) * scale + 1]
            assert pixel == (0 if dark else 1), (x, y)  # black modules on white
    assert all(pixel == 1 for pixel in pixels[0])  # the quiet zone is white


# --- enabling: two consecutive codes -------------------------------------------------------


def test_consecutive_pair_is_accepted() -> None:
    code1, code2 = code_at(NOW - STEP), code_at(NOW)
    assert match_consecutive(SEED, code1, code2, NOW) == counter_at(NOW)


def test_consecutive_pair_in_the_next_steps_is_accepted() -> None:
    code1, code2 = code_at(NOW + STEP), code_at(NOW + 2 * STEP)
    assert match_consecutive(SEED, code1, code2, NOW) == counter_at(NOW) + 2


@pytest.mark.parametrize(("first", "second"), [(0, 2), (1, 0), (0, 0), (-2, 0)])
def test_non_consecutive_pairs_are_refused(first: int, second: int) -> None:
    code1, code2 = code_at(NOW + first * STEP), code_at(NOW + second * STEP)
    assert match_consecutive(SEED, code1, code2, NOW) is None


@pytest.mark.parametrize(("first", "accepted"), [(-2, True), (1, True), (-3, False), (2, False)])
def test_consecutive_window_edges(first: int, accepted: bool) -> None:
    code1, code2 = code_at(NOW + first * STEP), code_at(NOW + (first + 1) * STEP)
    expected = counter_at(NOW) + first + 1 if accepted else None
    assert match_consecutive(SEED, code1, code2, NOW, window=2) == expected


def test_consecutive_with_other_seed_is_refused() -> None:
    other = new_seed()
    code1, code2 = code_at(NOW - STEP, other), code_at(NOW, other)
    if (code1, code2) != (code_at(NOW - STEP), code_at(NOW)):
        assert match_consecutive(SEED, code1, code2, NOW) is None


# --- signing in: one code, never twice -----------------------------------------------------


def test_current_code_is_accepted() -> None:
    assert match_code(SEED, code_at(NOW), NOW, None) == counter_at(NOW)


@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (1, True), (-2, False), (2, False)])
def test_code_window_edges(offset: int, accepted: bool) -> None:
    result = match_code(SEED, code_at(NOW + offset * STEP), NOW, None, window=1)
    assert result == (counter_at(NOW) + offset if accepted else None)


def test_wider_window() -> None:
    assert match_code(SEED, code_at(NOW - 2 * STEP), NOW, None, window=2) == counter_at(NOW) - 2


def test_replay_is_refused() -> None:
    accepted = match_code(SEED, code_at(NOW), NOW, None)
    assert accepted is not None
    assert match_code(SEED, code_at(NOW), NOW, accepted) is None
    assert match_code(SEED, code_at(NOW), NOW + timedelta(seconds=15), accepted) is None


def test_older_code_after_a_newer_one_is_refused() -> None:
    newer = match_code(SEED, code_at(NOW), NOW, None)
    assert match_code(SEED, code_at(NOW - STEP), NOW, newer) is None
    assert match_code(SEED, code_at(NOW + STEP), NOW, newer) == counter_at(NOW) + 1


def test_wrong_code_is_refused() -> None:
    current = code_at(NOW)
    wrong = f"{(int(current) + 1) % 1_000_000:06d}"
    window = {code_at(NOW + k * STEP) for k in (-1, 0, 1)}
    if wrong not in window:
        assert match_code(SEED, wrong, NOW, None) is None


@pytest.mark.parametrize(
    "code",
    ["", "12345", "1234567", "12345a", " 123456", "\uff11\uff12\uff13\uff14\uff15\uff16", "12 345"],
)
def test_malformed_codes_are_refused_quietly(code: str) -> None:
    assert match_code(SEED, code, NOW, None) is None
    assert match_consecutive(SEED, code, code, NOW) is None


def test_leading_zero_codes_keep_six_digits() -> None:
    # Find an instant whose code starts with 0 and check it is matched as a 6-digit string.
    moment = NOW
    while not code_at(moment).startswith("0"):
        moment += STEP
    assert match_code(SEED, code_at(moment), moment, None) == counter_at(moment)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        match_code(SEED, "123456", NOW.replace(tzinfo=None), None)
