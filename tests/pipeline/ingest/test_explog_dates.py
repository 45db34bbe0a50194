"""Run date: PGM and Proton/S5 Start Time formats, ISO, folder-name and mtime fallbacks."""
import os
from datetime import datetime

import pytest

from pipeline.ingest.explog import parse_explog_text, parse_start_time
from pipeline.ingest.mapping import derive_run_info

EXPECTED = datetime(2012, 4, 30, 15, 22, 2)


@pytest.mark.parametrize("value", [
    "Mon Apr 30 15:22:02 2012",
    "04/30/2012 15:22:02",
    "2012-04-30 15:22:02",
    "2012-04-30T15:22:02",
    "2012-04-30T15:22:02.000Z",
    "  Mon  Apr 30 15:22:02   2012 ",
])
def test_start_time_formats(value):
    assert parse_start_time(value) == EXPECTED


@pytest.mark.parametrize("value", ["Mon Apr 30 15:22:02 2012", "04/30/2012 15:22:02", "not a date", None])
def test_run_date_from_start_time_or_folder_name(tmp_path, value):
    folder = tmp_path / "PGM01" / "R_2012_04_30_15_22_02_x"
    folder.mkdir(parents=True)
    text = "Experiment Name: x\nFlows: 40\n" + (f"Start Time: {value}\n" if value else "")
    info = derive_run_info(parse_explog_text(text), folder)
    assert info.date == EXPECTED


def test_run_date_falls_back_to_folder_mtime(tmp_path):
    folder = tmp_path / "PGM01" / "my_run"
    folder.mkdir(parents=True)
    os.utime(folder, (1335799322, 1335799322))
    info = derive_run_info(parse_explog_text("Experiment Name: x\nFlows: 40\nStart Time: ???\n"), folder)
    assert info.date == datetime.fromtimestamp(1335799322)
