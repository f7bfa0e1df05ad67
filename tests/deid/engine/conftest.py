from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the stand-in analyzer must be importable by name (worker processes load it from the step's spec)
sys.path.insert(0, str(Path(__file__).parent))

from engine_standin import StandInAnalyzer

from sealroom.deid.engine import Deidentifier
from sealroom.deid.policy import Policy, default_policy
from sealroom.keys import SecretKey, generate_key_file

STANDIN = "engine_standin:StandInAnalyzer"


@pytest.fixture
def key() -> SecretKey:
    return SecretKey(b"test-key-0123456789abcdef-0123456789", "test")


@pytest.fixture
def other_key() -> SecretKey:
    return SecretKey(b"another-key-0123456789abcdef-012345", "test")


@pytest.fixture
def policy() -> Policy:
    return default_policy()


@pytest.fixture
def surrogate_policy(policy: Policy) -> Policy:
    for label in ("PERSON", "EMAIL", "PHONE"):
        policy = policy.with_label(label, style="surrogate")
    return policy


@pytest.fixture
def engine(key: SecretKey, policy: Policy) -> Deidentifier:
    return Deidentifier(key, policy, StandInAnalyzer())


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    generate_key_file(tmp_path / "keys" / "deid.key")
    return tmp_path / "keys" / "deid.key"


@pytest.fixture
def originals_key_file(tmp_path: Path) -> Path:
    generate_key_file(tmp_path / "keys" / "originals.key")
    return tmp_path / "keys" / "originals.key"
