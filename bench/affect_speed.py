"""How long the affect detectors take on this machine, on the committed fixtures.

    .venv/bin/python bench/affect_speed.py

Prints the voice warm-up (numba compiling librosa's code, once per process), then the median
time per call of each detector on each fixture over a few repeats, and the tag it gives.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from models.face_affect import detect_face
from models.voice_affect import detect_voice, warm_up

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "affect"
REPEATS = 5


def timed(fn, *args):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    started = time.perf_counter()
    warm_up()
    print(f"voice warm-up: {time.perf_counter() - started:.2f} s\n")
    print("| fixture | ms per call | tag | confidence |")
    print("|---|---:|---|---:|")
    for path in sorted(FIXTURES.glob("voice_*.wav")):
        seconds, r = timed(detect_voice, path.read_bytes(), 0)
        print(f"| {path.name} | {seconds * 1000:.0f} | {r.tag} | {r.confidence:.2f} |")
    for path in sorted(FIXTURES.glob("*.jpg")):
        seconds, r = timed(detect_face, [path.read_bytes()], 0)
        tag = "no face" if r is None else r.tag
        conf = "" if r is None else f"{r.confidence:.2f}"
        print(f"| {path.name} | {seconds * 1000:.0f} | {tag} | {conf} |")


if __name__ == "__main__":
    main()
