"""Street addresses come out as one whole span, in the formats of several countries."""

from __future__ import annotations

import pytest

from sealroom.deid.analyzer import Analyzer, AnalyzerConfig
from sealroom.deid.base import DETECTORS


def addresses(text: str) -> list[str]:
    analyzer = Analyzer(AnalyzerConfig(detectors=["address.v1"], ner=None))
    return [text[f.start : f.end] for f in analyzer.analyze(text)]


@pytest.mark.parametrize(
    "address",
    [
        "742 Evergreen Terrace, Springfield, IL 62704",
        "051 Cynthia Crossing Suite 205\nEast Keith, NJ 84109",
        "1600 Pennsylvania Ave NW, Washington, DC 20500",
        "Flat 43\nKayleigh Street\nPort Rosemary\nPA29 7WG",
        "221B Baker Street, London NW1 6XE",
        "6218 John Courts, East Karenville, NB X5T 9T7",
        "820 Jason Front\nSt. William, TAS, 2991",
        "Unit 31 433 Taylor Row, New Geneton, TAS, 2656",
        "Dolores-Pieper-Weg 124\n30060 Bautzen",
        "Hauptstraße 12, 10115 Berlin, Germany",
        "48, rue Lucie Brun\n85786 Gaudin-sur-Mer",
        "Calle Mayor 5, 28013 Madrid",
        "Urbanización Curro Pallarès 11 Puerta 5\nToledo, 23692",
        "Via Roma 10, 00184 Roma",
        "Keizersgracht 123, 1015 CJ Amsterdam",
        "48, Nayak Road\nAlappuzha-555678",
        "H.No. 57\nRaja\nHubli–Dharwad-375291",
        "USNS Smith\nFPO AE 12345",
        "PO Box 1234, Springfield, IL 62704",
    ],
)
def test_whole_addresses(address: str) -> None:
    text = f"Please send it to:\n{address}\n\nThanks!"
    assert addresses(text) == [address]


def test_address_inside_a_sentence() -> None:
    text = "we're moving from 40 Chavez Turn, Adammouth, TAS, 2606 to Flat 8, Clarke Ford, New Ryan, UB9 2NS. who?"
    assert addresses(text) == ["40 Chavez Turn, Adammouth, TAS, 2606", "Flat 8, Clarke Ford, New Ryan, UB9 2NS"]


def test_street_without_locality_and_sentence_full_stop() -> None:
    assert addresses("We moved to 742 Evergreen Terrace. It is nice.") == ["742 Evergreen Terrace"]
    assert addresses("I live at 12 Main St., next to the park") == ["12 Main St."]


def test_place_alone_is_not_an_address() -> None:
    assert addresses("I grew up in Springfield, IL 62704 and loved it") == []
    assert addresses("I walked 3 miles down the road today; chapter 5, page 12") == []


def test_pathological_inputs_finish() -> None:
    det = DETECTORS.get("address.v1")()
    for text in ("1 " * 2000, "12 Main Street, " * 300, "A, " * 2000 + "12345", "Flat 1\n" * 500, "9" * 5000):
        det.detect(text)  # bounded quantifiers: returns (quickly) on hostile shapes
