"""Test data: NIB_SHARED, else ../shared next to the repository."""
import json
import os
from pathlib import Path

import pytest


def shared_dir() -> Path:
    env = os.environ.get("NIB_SHARED")
    root = Path(env) if env else Path(__file__).resolve().parents[3].parent / "shared"
    if not (root / "models").is_dir():
        pytest.fail(f"test data not found at {root}: set NIB_SHARED to the shared/ folder")
    return root


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_dir()


@pytest.fixture(scope="session")
def stories(shared):
    import nib
    return nib.Model(shared / "models" / "stories260K", threads=1)


@pytest.fixture(scope="session")
def greedy_golden(shared):
    return json.loads((shared / "models" / "stories260K" / "golden" / "greedy.json").read_text())
