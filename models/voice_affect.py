"""Voice affect from one short clip: pitch, loudness, speech rate and pauses, then rules.

The clip is read from memory (WAV, FLAC, OGG: whatever soundfile reads), mixed to mono and
resampled to 16 kHz; the silence before the first and after the last word is cut (``PAUSE_DB``
below the loudest 25 ms frame), so a late start of the recording is no pause. Measures:

* ``f0_hz``: median pitch of the voiced frames (librosa's pyin, 65-500 Hz);
* ``f0_st``: spread of the pitch in semitones, (P90 - P10) / 2.56: the standard deviation of a
  normal distribution, but not thrown by the odd octave error of pyin;
* ``rms_dbfs``: level of the speech frames in dB re full scale (full-scale square 0, sine -3);
* ``onset_rate``: spectral onsets per second of speech, a syllable-rate proxy;
* ``pause_ratio``: share of the frames between first and last word below the pause level;
* ``speech_s``: seconds of sound above the pause level.

Rules: ``RULES``, first match wins; confidence: :func:`_rule`. The thresholds were set on
espeak-ng clips, with no per-speaker baseline: docs/affect.md gives their values and limits.
Nothing is written anywhere and nothing is logged: audio lives only in memory, for the call.
librosa compiles pyin with numba on its first call (seconds; ~20 s the very first time on a
machine, while numba fills its cache), so a server calls :func:`warm_up` once at start-up.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import librosa
import numpy as np
import soundfile as sf

from tutor.affect import AffectReading, AffectSource, AffectTag
from tutor.errors import InvalidInput

SR = 16_000
MAX_BYTES = 25_000_000  # 60 s of 48 kHz stereo float32 is 23 MB
MAX_SECONDS = 60.0
MIN_SECONDS = 0.5
FRAME, HOP = 400, 160  # 25 ms frames every 10 ms for the loudness and pause measures
PAUSE_DB = 30.0  # a frame this far below the clip's loudest one is a pause
SILENT_DBFS = -60.0  # a clip whose loudest frame is below this holds no speech


def detect_voice(audio: bytes, ts: int) -> AffectReading:
    """Tag one spoken clip; InvalidInput when it is unreadable, too long, or holds no voice."""
    measures = voice_measures(_load(audio))
    tag, confidence = _rule(measures)
    return AffectReading(tag, round(confidence, 3), AffectSource.VOICE, ts, measures)


def warm_up() -> None:
    """Run the pyin and onset code once on a synthetic vowel so numba compiles now, not later."""
    t = np.arange(SR) / SR
    f0 = 140 * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))
    vowel = 0.3 * np.sin(2 * np.pi * np.cumsum(f0) / SR) * (np.sin(2 * np.pi * 4 * t) > -0.5)
    voice_measures(vowel.astype(np.float32))


def voice_measures(y: np.ndarray) -> dict[str, float]:
    """The five measures of a mono 16 kHz clip (see the module docstring)."""
    rms = librosa.feature.rms(y=y, frame_length=FRAME, hop_length=HOP, center=True)[0]
    peak = float(rms.max(initial=0.0))
    if peak <= 0 or 20 * np.log10(peak) < SILENT_DBFS:
        raise InvalidInput("no voice in the clip: it is silent")
    loud = rms >= peak * 10 ** (-PAUSE_DB / 20)
    first, last = np.flatnonzero(loud)[[0, -1]]
    span = loud[first:last + 1]
    speech = y[max(0, first * HOP - FRAME // 2):last * HOP + FRAME // 2]  # frames are centred
    if speech.size < SR // 4:
        raise InvalidInput("no voiced speech found in the clip: under 0.25 s of sound")
    f0, voiced, _ = librosa.pyin(speech, fmin=65.0, fmax=500.0, sr=SR, frame_length=1024,
                                 hop_length=256)
    f0 = f0[voiced & np.isfinite(f0)]
    if f0.size < 3:
        raise InvalidInput("no voiced speech found in the clip")
    median = float(np.median(f0))
    onsets = librosa.onset.onset_detect(y=speech, sr=SR, hop_length=HOP, wait=1)
    speech_s = span.sum() * HOP / SR
    return {
        "f0_hz": median,
        "f0_st": float(np.subtract(*np.percentile(12 * np.log2(f0 / median), [90, 10])) / 2.56),
        "rms_dbfs": float(20 * np.log10(np.sqrt(np.mean(rms[first:last + 1][span] ** 2)))),
        "onset_rate": float(len(onsets) / speech_s),
        "pause_ratio": float(1 - span.mean()),
        "speech_s": float(speech_s),
    }


def _load(audio: bytes) -> np.ndarray:
    """Decode in memory to mono float32 at 16 kHz, refusing what is not a short audio clip."""
    if not isinstance(audio, bytes | bytearray) or not 0 < len(audio) <= MAX_BYTES:
        raise InvalidInput(f"give the clip as 1 to {MAX_BYTES} bytes of WAV, FLAC or OGG audio")
    try:
        with sf.SoundFile(io.BytesIO(audio)) as f:
            seconds = f.frames / f.samplerate
            if not MIN_SECONDS <= seconds <= MAX_SECONDS:
                raise InvalidInput(f"the clip lasts {seconds:.1f} s; give "
                                   f"{MIN_SECONDS}-{MAX_SECONDS:.0f} s")
            y, sr = f.read(dtype="float32", always_2d=True), f.samplerate
    except (sf.LibsndfileError, RuntimeError, TypeError) as e:
        raise InvalidInput(f"not a readable audio clip: {e}") from None
    if not np.isfinite(y).all():
        raise InvalidInput("the clip holds NaN or infinite samples")
    y = y.mean(axis=1)
    return librosa.resample(y, orig_sr=sr, target_sr=SR) if sr != SR else y


@dataclass(frozen=True)
class Cue:
    """``measure`` above (or below) ``threshold``; ``scale`` past it counts as fully clear."""

    measure: str
    above: bool
    threshold: float
    scale: float

    def margin(self, m: dict[str, float]) -> float:
        """How far past the threshold, in scales; negative when the cue does not hold."""
        d = (m[self.measure] - self.threshold) / self.scale
        return d if self.above else -d


LOUD, QUIET = Cue("rms_dbfs", True, -19.0, 6.0), Cue("rms_dbfs", False, -38.0, 6.0)
ENERGETIC = Cue("rms_dbfs", True, -27.0, 6.0)
HIGH, LOW = Cue("f0_hz", True, 150.0, 30.0), Cue("f0_hz", False, 85.0, 15.0)
LIVELY, MONOTONE = Cue("f0_st", True, 2.6, 1.0), Cue("f0_st", False, 1.0, 0.5)
FAST, SLOW = Cue("onset_rate", True, 8.5, 2.0), Cue("onset_rate", False, 5.5, 2.0)
PAUSED = Cue("pause_ratio", True, 0.4, 0.2)

# (tag, cues that must all hold, cues of which at least ``need`` must hold, need); first wins
RULES: tuple[tuple[AffectTag, tuple[Cue, ...], tuple[Cue, ...], int], ...] = (
    (AffectTag.NEGATIVE, (LOUD,), (HIGH, FAST), 1),  # agitated: loud, and high or fast
    (AffectTag.FATIGUED, (), (QUIET, LOW, MONOTONE, SLOW), 3),
    (AffectTag.CONFUSED, (PAUSED,), (), 0),  # hesitant: long pauses between words
    (AffectTag.POSITIVE, (LIVELY, ENERGETIC), (), 0),
)


def _rule(m: dict[str, float]) -> tuple[AffectTag, float]:
    """The first rule that holds, with ``0.5 + 0.5 * clip(weakest needed margin, 0, 1)``; when
    none holds, ``neutral`` with the same of how far the nearest rule is from holding."""
    scores = []
    for tag, every, some, need in RULES:
        needed = [c.margin(m) for c in every] + sorted((c.margin(m) for c in some),
                                                       reverse=True)[:need]
        score = min(needed)
        if score >= 0:
            return tag, 0.5 + 0.5 * min(score, 1.0)
        scores.append(score)
    return AffectTag.NEUTRAL, 0.5 + 0.5 * min(-max(scores), 1.0)
