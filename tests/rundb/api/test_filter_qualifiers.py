"""Every filter qualifier of the API reference, on plain fields (``?field__<qualifier>=value``)."""
import datetime

import pytest
from django.utils import timezone

from . import factories


@pytest.fixture
def runs(db):
    when = [datetime.datetime(2019, 5, 1, 12, 34, 56, tzinfo=datetime.timezone.utc),  # a Wednesday
            datetime.datetime(2020, 2, 3, 8, 0, 0, tzinfo=datetime.timezone.utc),  # a Monday
            datetime.datetime(2021, 12, 25, 23, 59, 59, tzinfo=datetime.timezone.utc)]  # a Saturday
    rows = [
        factories.experiment("Alpha_coli", flows=100, notes="E. coli DH10B", date=when[0]),
        factories.experiment("beta_human", flows=500, notes=None, date=when[1]),
        factories.experiment("Gamma_coli_2", flows=850, notes="coli again", date=when[2], star=True),
    ]
    return {r.expName: r.pk for r in rows}


def names(api, **params):
    response = api.get("experiment/", params)
    assert response.status_code == 200, response.content
    return sorted(o["expName"] for o in response.json()["objects"])


@pytest.mark.parametrize("params, expected", [
    ({"expName": "beta_human"}, ["beta_human"]),
    ({"expName__exact": "beta_human"}, ["beta_human"]),
    ({"expName__iexact": "ALPHA_COLI"}, ["Alpha_coli"]),
    ({"expName__contains": "coli"}, ["Alpha_coli", "Gamma_coli_2"]),
    ({"expName__contains": "COLI"}, "case-sensitive"),
    ({"expName__icontains": "COLI"}, ["Alpha_coli", "Gamma_coli_2"]),
    ({"expName__in": "Alpha_coli,beta_human"}, ["Alpha_coli", "beta_human"]),
    ({"flows__gt": "100"}, ["Gamma_coli_2", "beta_human"]),
    ({"flows__gte": "500"}, ["Gamma_coli_2", "beta_human"]),
    ({"flows__lt": "500"}, ["Alpha_coli"]),
    ({"flows__lte": "500"}, ["Alpha_coli", "beta_human"]),
    ({"expName__startswith": "Gamma"}, ["Gamma_coli_2"]),
    ({"expName__istartswith": "gamma"}, ["Gamma_coli_2"]),
    ({"expName__endswith": "coli"}, ["Alpha_coli"]),
    ({"expName__iendswith": "HUMAN"}, ["beta_human"]),
    ({"flows__range": "100,500"}, ["Alpha_coli", "beta_human"]),
    ({"date__year": "2020"}, ["beta_human"]),
    ({"date__month": "12"}, ["Gamma_coli_2"]),
    ({"date__day": "1"}, ["Alpha_coli"]),
    ({"date__week_day": "2"}, ["beta_human"]),  # Sunday=1, so Monday=2
    ({"date__hour": "8"}, ["beta_human"]),
    ({"date__minute": "34"}, ["Alpha_coli"]),
    ({"date__second": "59"}, ["Gamma_coli_2"]),
    ({"date__year__gte": "2020"}, ["Gamma_coli_2", "beta_human"]),
    ({"notes__isnull": "true"}, ["beta_human"]),
    ({"notes__isnull": "false"}, ["Alpha_coli", "Gamma_coli_2"]),
    ({"expName__regex": "^[A-Z].*_coli"}, ["Alpha_coli", "Gamma_coli_2"]),
    ({"expName__iregex": "^gamma"}, ["Gamma_coli_2"]),
    ({"notes__search": "COLI"}, ["Alpha_coli", "Gamma_coli_2"]),
    ({"star": "true"}, ["Gamma_coli_2"]),
    ({"star": "False"}, ["Alpha_coli", "beta_human"]),
    ({"notes": "None"}, ["beta_human"]),
])
def test_qualifier(api, runs, params, expected):
    if expected == "case-sensitive":
        from django.db import connection

        # SQLite's LIKE ignores ASCII case, so Django's contains cannot be case-sensitive there.
        expected = ["Alpha_coli", "Gamma_coli_2"] if connection.vendor == "sqlite" else []
    assert names(api, **params) == expected


def test_in_merges_repeated_parameters(api, runs):
    assert names(api, expName__in=["Alpha_coli", "beta_human,Gamma_coli_2"]) == [
        "Alpha_coli", "Gamma_coli_2", "beta_human"]


def test_datetime_comparison_with_iso_value(api, runs):
    assert names(api, date__lt="2020-01-01T00:00:00+00:00") == ["Alpha_coli"]


def test_several_filters_combine_with_and(api, runs):
    assert names(api, expName__icontains="coli", flows__gt="200") == ["Gamma_coli_2"]


@pytest.mark.parametrize("params, message", [
    ({"flows__range": "1"}, "two comma-separated values"),
    ({"notes__isnull": "maybe"}, "takes true or false"),
    ({"expName__regex": "(unclosed"}, "Invalid regular expression"),
    ({"flows": "many"}, "Invalid resource lookup data provided (mismatched type)."),
    ({"date__gt": "yesterday"}, "Invalid resource lookup data provided (mismatched type)."),
    ({"expName__nosuchlookup": "x"}, "The 'expName' field does not support relations."),
])
def test_bad_filter_values_are_400(api, runs, params, message):
    response = api.get("experiment/", params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_timezone_aware_now_filter(api, runs):
    assert names(api, date__lte=timezone.now().isoformat()) == ["Alpha_coli", "Gamma_coli_2", "beta_human"]
