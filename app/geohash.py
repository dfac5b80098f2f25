"""Geohash cells as integer grid indices, and the base-32 strings that name them.

A geohash of precision p has 5*p bits, interleaved longitude-first: ceil(5p/2) bits of
longitude and floor(5p/2) of latitude. Each axis bit halves the interval; a value on a
midpoint goes to the upper half. Working on the (x, y) indices of that grid keeps the
covering of a viewport exact: the midpoints are dyadic fractions of 360 and 180, so the
bisection below has no rounding error, and a cell's bounds are exact multiples of its size.

The base-32 alphabet is in ASCII order, so comparing two geohashes of one precision as
strings compares their positions on the Z-order curve; the store relies on that.
"""

from __future__ import annotations

ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def axis_bits(precision: int) -> tuple[int, int]:
    """(longitude bits, latitude bits) of a geohash of this many characters."""
    if not 1 <= precision <= 12:
        raise ValueError(f"geohash precision must be 1..12, got {precision}")
    bits = 5 * precision
    return (bits + 1) // 2, bits // 2


def cell_size(precision: int) -> tuple[float, float]:
    """(height in degrees of latitude, width in degrees of longitude) of one cell."""
    lng_bits, lat_bits = axis_bits(precision)
    return 180.0 / (1 << lat_bits), 360.0 / (1 << lng_bits)


def _bisect(value: float, low: float, high: float, bits: int) -> int:
    index = 0
    for _ in range(bits):
        mid = (low + high) / 2
        index <<= 1
        if value >= mid:
            index |= 1
            low = mid
        else:
            high = mid
    return index


def cell_index(lat: float, lng: float, precision: int) -> tuple[int, int]:
    """(x, y) grid index of the cell containing the point; x counts eastward, y northward."""
    lng_bits, lat_bits = axis_bits(precision)
    return _bisect(lng, -180.0, 180.0, lng_bits), _bisect(lat, -90.0, 90.0, lat_bits)


def from_index(x: int, y: int, precision: int) -> str:
    """The geohash naming cell (x, y) of the grid of this precision."""
    lng_bits, lat_bits = axis_bits(precision)
    code = 0
    # Interleave from the most significant bit: longitude, latitude, longitude, ...
    for i in range(5 * precision):
        if i % 2 == 0:
            lng_bits -= 1
            code = (code << 1) | ((x >> lng_bits) & 1)
        else:
            lat_bits -= 1
            code = (code << 1) | ((y >> lat_bits) & 1)
    chars = []
    for shift in range(5 * (precision - 1), -1, -5):
        chars.append(ALPHABET[(code >> shift) & 31])
    return "".join(chars)


def encode(lat: float, lng: float, precision: int) -> str:
    """The geohash of the cell containing (lat, lng)."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0):
        raise ValueError(f"point out of range: lat {lat}, lng {lng}")
    x, y = cell_index(lat, lng, precision)
    return from_index(x, y, precision)


# Per character: how its 5 bits split into longitude and latitude bits. A character at an even
# position starts with a longitude bit (3 lng + 2 lat bits), at an odd position with a latitude bit
# (2 + 3). A pair of characters from an even position always adds 5 bits to each axis, so decoding
# goes two characters at a time through a 1,024-entry table (the heatmap decodes thousands per request).
def _split(value: int, first_is_lng: bool) -> tuple[int, int]:
    x = y = 0
    for i in range(5):
        bit = (value >> (4 - i)) & 1
        if (i % 2 == 0) == first_is_lng:
            x = (x << 1) | bit
        else:
            y = (y << 1) | bit
    return x, y


_EVEN = {c: _split(v, True) for c, v in _VALUE.items()}
_ODD = {c: _split(v, False) for c, v in _VALUE.items()}
_PAIRS = {
    a + b: ((_EVEN[a][0] << 2) | _ODD[b][0], (_EVEN[a][1] << 3) | _ODD[b][1])
    for a in ALPHABET
    for b in ALPHABET
}


def to_index(geohash: str) -> tuple[int, int]:
    """(x, y) grid index of a geohash at its own precision."""
    if not geohash:
        raise ValueError("not a geohash: empty string")
    x = y = 0
    try:
        end = len(geohash) - len(geohash) % 2
        for i in range(0, end, 2):
            px, py = _PAIRS[geohash[i : i + 2]]
            x = (x << 5) | px
            y = (y << 5) | py
        if end < len(geohash):
            cx, cy = _EVEN[geohash[end]]
            x = (x << 3) | cx
            y = (y << 2) | cy
    except KeyError:
        raise ValueError(f"not a geohash: {geohash!r}") from None
    return x, y


def suffix_decoder(prefix_length: int):
    """A function (suffix) -> (x, y) giving the index bits a suffix adds after a prefix of this length.

    Cells read from one partition share its prefix, so only their last characters need decoding:
    x = (prefix_x << suffix_lng_bits) | suffix_x, and likewise for y.
    """
    if prefix_length % 2 == 0:
        return to_index

    def decode(suffix: str) -> tuple[int, int]:
        try:
            x, y = _ODD[suffix[0]]
            for i in range(1, len(suffix) - 1, 2):
                px, py = _PAIRS[suffix[i : i + 2]]
                x, y = (x << 5) | px, (y << 5) | py
            if len(suffix) % 2 == 0:
                cx, cy = _EVEN[suffix[-1]]
                x, y = (x << 3) | cx, (y << 2) | cy
        except (KeyError, IndexError):
            raise ValueError(f"not a geohash suffix: {suffix!r}") from None
        return x, y

    return decode


def index_bounds(x: int, y: int, precision: int) -> tuple[float, float, float, float]:
    """(south, west, north, east) of cell (x, y)."""
    height, width = cell_size(precision)
    return -90.0 + y * height, -180.0 + x * width, -90.0 + (y + 1) * height, -180.0 + (x + 1) * width


def bounds(geohash: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a geohash cell."""
    x, y = to_index(geohash)
    return index_bounds(x, y, len(geohash))


def center(geohash: str) -> tuple[float, float]:
    """(lat, lng) of the middle of a geohash cell."""
    south, west, north, east = bounds(geohash)
    return (south + north) / 2, (west + east) / 2
