import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import geohash

lats = st.floats(min_value=-90, max_value=90, allow_nan=False)
lngs = st.floats(min_value=-180, max_value=180, allow_nan=False)


def test_known_geohashes_from_the_literature():
    # geohash.org's example point, and Wikipedia's worked example ("ezs42" = 42.6, -5.6).
    assert geohash.encode(57.64911, 10.40744, 11) == "u4pruydqqvj"
    assert geohash.encode(42.6, -5.6, 5) == "ezs42"
    south, west, north, east = geohash.bounds("ezs42")
    assert (round(south, 3), round(north, 3)) == (42.583, 42.627)
    assert (round(west, 3), round(east, 3)) == (-5.625, -5.581)


def test_corners_of_the_world():
    # First bits: lng >= 0 -> 1, lat >= 0 -> 1, then lower halves -> 0: 0b11000 = 24 = "s".
    assert geohash.encode(0.0, 0.0, 4) == "s000"
    assert geohash.encode(-90.0, -180.0, 6) == "000000"
    assert geohash.encode(90.0, 180.0, 6) == "zzzzzz"


@pytest.mark.parametrize(
    ("precision", "height", "width"),
    [(8, 180 / 2**20, 360 / 2**20), (7, 180 / 2**17, 360 / 2**18), (6, 180 / 2**15, 360 / 2**15)],
)
def test_cell_sizes(precision, height, width):
    assert geohash.cell_size(precision) == (height, width)


def test_cell_sizes_in_metres_match_the_sizes_the_api_documents():
    metres_per_degree = 111_320
    height, width = geohash.cell_size(8)
    assert round(height * metres_per_degree) == 19 and round(width * metres_per_degree) == 38
    height, width = geohash.cell_size(7)
    assert round(height * metres_per_degree) == 153 == round(width * metres_per_degree)


def test_rejects_what_is_not_a_geohash():
    for bad in ("", "abc", "u4pr!"):
        with pytest.raises(ValueError):
            geohash.to_index(bad)
    with pytest.raises(ValueError):
        geohash.encode(91, 0, 5)


@given(lats, lngs, st.integers(min_value=1, max_value=12))
def test_point_lies_in_its_cell_and_index_round_trips(lat, lng, precision):
    code = geohash.encode(lat, lng, precision)
    assert len(code) == precision
    south, west, north, east = geohash.bounds(code)
    assert south <= lat <= north and west <= lng <= east
    x, y = geohash.to_index(code)
    assert geohash.from_index(x, y, precision) == code
    # Independent arithmetic: away from a cell edge, the index is the floor of offset / cell size.
    height, width = geohash.cell_size(precision)
    lng_bits, lat_bits = geohash.axis_bits(precision)
    for value, size, index, bits in ((lng + 180, width, x, lng_bits), (lat + 90, height, y, lat_bits)):
        steps = value / size
        if abs(steps - round(steps)) > 1e-6:
            assert index == min(math.floor(steps), 2**bits - 1)


@given(lats, lngs)
def test_coarser_cells_are_prefixes(lat, lng):
    finest = geohash.encode(lat, lng, 8)
    assert geohash.encode(lat, lng, 7) == finest[:7]
    assert geohash.encode(lat, lng, 6) == finest[:6]


@given(lats, lngs, lats, lngs)
def test_string_order_is_monotonic_in_both_axes(lat1, lng1, lat2, lng2):
    # The store's sort-key ranges rely on it: a cell north-east of another never sorts before it.
    south, north = sorted((lat1, lat2))
    west, east = sorted((lng1, lng2))
    assert geohash.encode(south, west, 7) <= geohash.encode(north, east, 7)


@given(lats, lngs, st.integers(min_value=2, max_value=12), st.data())
def test_suffix_decoding_adds_the_suffix_bits_to_the_prefix_index(lat, lng, precision, data):
    code = geohash.encode(lat, lng, precision)
    cut = data.draw(st.integers(min_value=1, max_value=precision - 1))
    lng_bits, lat_bits = geohash.axis_bits(precision)
    prefix_lng_bits, prefix_lat_bits = geohash.axis_bits(cut)
    prefix_x, prefix_y = geohash.to_index(code[:cut])
    dx, dy = geohash.suffix_decoder(cut)(code[cut:])
    assert geohash.to_index(code) == (
        (prefix_x << (lng_bits - prefix_lng_bits)) | dx,
        (prefix_y << (lat_bits - prefix_lat_bits)) | dy,
    )
