"""rundb/api/serializers.py dumps(): orjson's text means what the json module's did (sorted
keys at every level, datetimes as isoformat, Decimal/UUID/set via json_default), and what orjson
refuses still serialises through the json module."""
import datetime
import decimal
import json
import uuid

from rundb.api.serializers import dumps, json_default


def reference(data):
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=json_default)


def test_same_values_and_key_order_as_the_json_module():
    data = {
        "z": 1, "a": {"y": [3, 2.5, 1e-05, 1e20, None, True], "b": "ü€\u2028"},
        "naive": datetime.datetime(2024, 1, 2, 3, 4, 5, 6), "aware": datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc),
        "day": datetime.date(2024, 1, 1), "time": datetime.time(1, 2, 3), "money": decimal.Decimal("1.25"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "tags": {"only"}, "pair": (1, 2),
    }
    text = dumps(data)
    assert json.loads(text) == json.loads(reference(data))
    assert list(json.loads(text)) == sorted(json.loads(text))
    assert list(json.loads(text)["a"]) == ["b", "y"]
    assert '"naive":"2024-01-02T03:04:05.000006"' in text and '"aware":"2024-01-02T00:00:00+00:00"' in text


def test_what_orjson_refuses_goes_through_the_json_module():
    big = {"big": 2 ** 70}
    assert dumps(big) == reference(big) and json.loads(dumps(big))["big"] == 2 ** 70
    lone = {"s": "\ud800"}
    assert dumps(lone) == reference(lone)


def test_integer_keys_become_strings_in_order():
    assert dumps({10: "a", 2: "b", "x": 1}) == '{"10":"a","2":"b","x":1}'


def test_non_finite_floats_are_valid_json():
    assert json.loads(dumps({"x": float("nan"), "y": float("inf")})) == {"x": None, "y": None}
