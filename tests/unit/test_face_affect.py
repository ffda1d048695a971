"""Face affect detector on the committed fixtures (see tests/fixtures/affect/make_fixtures.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest

from models.face_affect import MAX_BYTES, MAX_FRAMES, detect_face
from tutor.affect import AffectSource, AffectTag
from tutor.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "affect"
TS = 1_700_000_000_000
MEASURES = {"frames", "faces_found", "smile_share", "smile_strength", "eyes_closed_share",
            "eye_strength", "tilt_share", "head_roll_deg", "roll_frames", "face_travel"}


def frames(*names: str) -> list[bytes]:
    return [(FIXTURES / f"{n}.jpg").read_bytes() for n in names]


@pytest.mark.parametrize(("names", "tag"), [
    (["face_smile"], AffectTag.POSITIVE),
    (["face_tilt"], AffectTag.CONFUSED),
    (["face_eyes_closed"], AffectTag.FATIGUED),
    (["face_mouth_neutral"], AffectTag.NEUTRAL),
    (["face_smile", "face_shift_40", "face_shift_80", "face_shift_40"], AffectTag.CONFUSED),
    (["face_smile", "face_shift_2", "face_shift_4"], AffectTag.POSITIVE),
])
def test_fixture_gets_its_tag(names: list[str], tag: AffectTag) -> None:
    reading = detect_face(frames(*names), TS)
    assert reading is not None
    assert (reading.tag, reading.source, reading.ts) == (tag, AffectSource.FACE, TS)
    assert 0.0 < reading.confidence <= 1.0
    assert set(reading.measures) == MEASURES
    assert all(isinstance(v, float) for v in reading.measures.values())
    assert reading.measures["faces_found"] == len(names)


def test_measures_behind_the_tags() -> None:
    smile = detect_face(frames("face_smile"), TS).measures
    tilt = detect_face(frames("face_tilt"), TS).measures
    closed = detect_face(frames("face_eyes_closed"), TS).measures
    assert smile["smile_share"] == 1.0 and abs(smile["head_roll_deg"]) < 6
    assert abs(tilt["head_roll_deg"]) > 12
    assert closed["eyes_closed_share"] == 1.0 and closed["smile_share"] == 0.0


def test_no_face_gives_none() -> None:
    assert detect_face(frames("no_face"), TS) is None


def test_confidence_follows_frames_and_agreement() -> None:
    one = detect_face(frames("face_smile"), TS)
    three = detect_face(frames("face_smile", "face_shift_2", "face_shift_4"), TS)
    half = detect_face(frames("face_smile", "no_face"), TS)
    assert (one.confidence, three.confidence) == (0.5, 0.75)  # n / (n + 1) with full agreement
    assert half.tag is AffectTag.POSITIVE and half.confidence == pytest.approx(1 / 3, abs=1e-3)


def _png(width: int, height: int) -> bytes:
    """A small real PNG whose IHDR claims another size: decoding it would be the risk."""
    data = bytearray(cv2.imencode(".png", np.zeros((8, 8), np.uint8))[1].tobytes())
    data[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    return bytes(data)


@pytest.mark.parametrize(("bad", "message"), [
    ([], "1 to 10"),
    (frames("face_smile") * (MAX_FRAMES + 1), "1 to 10"),
    (frames("face_smile")[0], "list of PNG/JPEG"),
    ("face_smile.jpg", "list of PNG/JPEG"),
    ([b"not an image at all"], "frame 0: not a PNG or JPEG"),
    ([b"GIF89a" + bytes(100)], "frame 0: not a PNG or JPEG"),
    ([*frames("face_smile"), frames("face_smile")[0][:300]], "frame 1: not a decodable"),
    ([_png(20_000, 20_000)], "20000x20000 pixels"),
    ([b"\xff\xd8" + bytes(MAX_BYTES)], "at most"),
    ([42], "not image bytes"),
])
def test_bad_input_is_refused(bad: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        detect_face(bad, TS)  # type: ignore[arg-type]


def test_images_never_reach_disk_or_logs(sealed_disk: list[Path],
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    detect_face(frames("face_smile", "face_shift_40", "face_eyes_closed"), TS)
    detect_face(frames("no_face"), TS)
    assert [list(d.iterdir()) for d in sealed_disk] == [[], []]
    assert caplog.records == []
