"""Shared fixtures: paths to the bundled seeds, the committed English counterparts and test data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FETCHED = ROOT / "fetched"
DATA = Path(__file__).resolve().parent / "data"

# symbol slug → operative paragraph count (shared/corpus/unsc-resolutions/pairs.tsv)
PAIRS = {"S-RES-2423-2018": 72, "S-RES-2518-2020": 15, "S-RES-2589-2021": 10, "S-RES-2594-2021": 15}


def zh_seed(slug: str) -> Path:
    return SEEDS / f"{slug}.zh.txt"


def en_counterpart(slug: str) -> Path:
    return FETCHED / slug / "en.txt"


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """`untm build` of the bundled seeds, offline, once per test session (TMs, TSV, search index)."""
    from click.testing import CliRunner

    from tm.cli import cli

    folder = tmp_path_factory.mktemp("built")
    env = {"UNTM_CACHE": str(folder / "cache"), "SOURCE_DATE_EPOCH": "1795000000"}
    result = CliRunner().invoke(cli, ["build", str(SEEDS), "-o", str(folder / "out"), "--fetched", str(FETCHED),
                                      "--offline"], env=env)
    assert result.exit_code == 0, result.output
    return folder / "out"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden files")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
