"""Voice affect detector on the committed espeak-ng clips (see tests/fixtures/affect/)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from models.voice_affect import detect_voice, warm_up
from tutor.affect import AffectSource, AffectTag
from tutor.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "affect"
TS = 1_700_000_000_000
MEASURES = {"f0_hz", "f0_st", "rms_dbfs", "onset_rate", "pause_ratio", "speech_s"}


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    """Compile librosa's numba code once for the module, as the server does at start-up."""
    assert warm_up() is None


def clip(tag: AffectTag) -> bytes:
    return (FIXTURES / f"voice_{tag.value}.wav").read_bytes()


def encode(y: np.ndarray, sr: int, fmt: str = "WAV", subtype: str | None = None) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, y, sr, format=fmt, subtype=subtype)
    return buf.getvalue()


@pytest.mark.parametrize("tag", list(AffectTag))
def test_fixture_gets_its_tag(tag: AffectTag) -> None:
    reading = detect_voice(clip(tag), TS)
    assert (reading.tag, reading.source, reading.ts) == (tag, AffectSource.VOICE, TS)
    assert 0.5 <= reading.confidence <= 1.0
    assert set(reading.measures) == MEASURES
    assert all(np.isfinite(v) for v in reading.measures.values())


def test_measures_behind_the_tags() -> None:
    m = {t: detect_voice(clip(t), TS).measures for t in AffectTag}
    assert m[AffectTag.NEGATIVE]["rms_dbfs"] > m[AffectTag.NEUTRAL]["rms_dbfs"] + 10
    assert m[AffectTag.NEGATIVE]["f0_hz"] > 1.5 * m[AffectTag.NEUTRAL]["f0_hz"]
    assert m[AffectTag.FATIGUED]["f0_st"] < 0.5 * m[AffectTag.NEUTRAL]["f0_st"]
    assert m[AffectTag.POSITIVE]["f0_st"] > 1.3 * m[AffectTag.NEUTRAL]["f0_st"]
    assert m[AffectTag.CONFUSED]["pause_ratio"] > 3 * m[AffectTag.NEUTRAL]["pause_ratio"]


def test_other_formats_rates_and_channels_read_the_same() -> None:
    y, sr = sf.read(io.BytesIO(clip(AffectTag.NEUTRAL)), dtype="float32")
    stereo = np.stack([y, y], axis=1)
    base = detect_voice(clip(AffectTag.NEUTRAL), TS).measures
    for audio in (encode(y, sr, "FLAC"), encode(stereo, sr, "WAV", "FLOAT"),
                  encode(np.repeat(y, 3), 3 * sr)):  # 48 kHz by sample repetition
        reading = detect_voice(audio, TS)
        assert reading.tag is AffectTag.NEUTRAL
        assert reading.measures["rms_dbfs"] == pytest.approx(base["rms_dbfs"], abs=1.0)
        assert reading.measures["f0_hz"] == pytest.approx(base["f0_hz"], rel=0.05)


@pytest.mark.parametrize(("bad", "message"), [
    (b"", "1 to"),
    ("voice_neutral.wav", "1 to"),
    (b"RIFF but not really a wave file", "not a readable audio clip"),
    (encode(np.zeros(61 * 8000, np.float32), 8000), "lasts 61.0 s"),
    (encode(np.zeros(1600, np.float32), 16000), "lasts 0.1 s"),
    (encode(np.zeros(16000, np.float32), 16000), "silent"),
    (encode(np.full(16000, np.nan, np.float32), 16000, "WAV", "FLOAT"), "NaN"),
    (encode(np.random.default_rng(0).normal(0, 0.1, 16000), 16000), "no voiced speech"),
    (encode(np.pad(np.full(800, 0.5, np.float32), 8000), 16000), "under 0.25 s of sound"),
])
def test_bad_input_is_refused(bad: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        detect_voice(bad, TS)  # type: ignore[arg-type]


def test_audio_never_reaches_disk_or_logs(sealed_disk: list[Path],
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for tag in (AffectTag.POSITIVE, AffectTag.CONFUSED):
        detect_voice(clip(tag), TS)
    y, sr = sf.read(io.BytesIO(clip(AffectTag.NEUTRAL)), dtype="float32")
    detect_voice(encode(np.repeat(y, 3), 3 * sr), TS)  # the resampling path too
    assert [list(d.iterdir()) for d in sealed_disk] == [[], []]
    assert caplog.records == []
