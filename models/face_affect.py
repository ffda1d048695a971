"""Face affect from a few still frames: OpenCV's Haar cascades (face, eyes, smile) plus rules.

Each frame is decoded in memory, shrunk to at most ``WORK_SIDE`` pixels, and its largest frontal
face is cropped and resized to ``FACE_SIDE`` so the cascades' neighbour counts (how many
overlapping windows agree, our strength of evidence) mean the same at any resolution. Per frame:
a smile in the lower half, eyes in the upper 60 % (none found is read as closed), head roll from
the line through the two eyes; across frames, how far the face centre travels: the larger of
its horizontal and vertical ranges, in median face widths.

Rules, first match wins (negative-state cues first: they are what the tutor acts on, and the smile
cascade is the least reliable of the three):

* eyes not found on more than half of the face frames -> ``fatigued``;
* |roll| >= ``TILT_DEG`` on more than half, or travel >= ``MOVE_FACES`` -> ``confused``;
* a smile on more than half -> ``positive``;
* otherwise ``neutral``. Never ``negative``: Haar cascades cannot see a frown.

``confidence = strength * face_share * n / (n + 1)``: ``strength`` is the share of face frames
showing the cue (for travel, ``travel / (2 * MOVE_FACES)``, capped at 1; for neutral, one minus
the strongest of those), ``face_share`` the share of the n frames with a face, and
``n / (n + 1)`` keeps one still at 0.5 at most. No face on any frame gives ``None``. Nothing is
written anywhere and nothing is logged: images live only in memory, for the call.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

import cv2
import numpy as np

from tutor.affect import AffectReading, AffectSource, AffectTag
from tutor.errors import InvalidInput

MAX_FRAMES = 10
MAX_BYTES = 4_000_000  # per encoded frame
MAX_SIDE = 4096  # decoded width or height, checked from the header before decoding
WORK_SIDE = 480  # frames are shrunk to this first: speed; a webcam face stays large enough
FACE_SIDE = 100
FACE_NEIGHBOURS = 8  # below this a "face" is too often a cat or a texture (chelsea(): 4)
EYE_NEIGHBOURS = 15  # open eyes on the fixtures: 76-107 hits; painted closed: 0
SMILE_NEIGHBOURS = 50  # astronaut(): ~200, tilted 88; its mouth inpainted: 26
TILT_DEG = 10.0
MOVE_FACES = 0.25


class _Frame(NamedTuple):
    """What one frame's largest face shows; hits are a cascade's agreeing windows."""

    x: int
    y: int
    w: int  # face side, pixels of the (shrunk) frame
    eyes: int  # eyes found with at least EYE_NEIGHBOURS hits
    eye_hits: int  # most hits of any eye candidate
    smile_hits: int
    roll: float | None  # degrees; None unless an eye was found on each side


@cache
def _cascade(name: str) -> cv2.CascadeClassifier:
    """Load a cascade that ships with OpenCV once per process."""
    clf = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if clf.empty():
        raise RuntimeError(f"OpenCV cascade {name} missing from {cv2.data.haarcascades}")
    return clf


def detect_face(frames: Sequence[bytes], ts: int) -> AffectReading | None:
    """Tag PNG/JPEG frames of one student (oldest first); None when no frame shows a face."""
    if (isinstance(frames, bytes | bytearray | str) or not isinstance(frames, Sequence)
            or not 1 <= len(frames) <= MAX_FRAMES):
        raise InvalidInput(f"give 1 to {MAX_FRAMES} image frames as a list of PNG/JPEG bytes")
    found = [f for f in (_measure(_decode(b, i)) for i, b in enumerate(frames)) if f]
    if not found:
        return None
    n, k = len(frames), len(found)
    centres = np.array([(f.x + f.w / 2, f.y + f.w / 2) for f in found])
    travel = float(np.ptp(centres, axis=0).max() / np.median([f.w for f in found]))
    rolls = [f.roll for f in found if f.roll is not None]
    measures = {
        "frames": float(n), "faces_found": float(k),
        "smile_share": sum(f.smile_hits >= SMILE_NEIGHBOURS for f in found) / k,
        "smile_strength": float(np.median([f.smile_hits for f in found])),
        "eyes_closed_share": sum(f.eyes == 0 for f in found) / k,
        "eye_strength": float(np.median([f.eye_hits for f in found])),
        "tilt_share": sum(abs(r) >= TILT_DEG for r in rolls) / k,
        "head_roll_deg": float(np.median(rolls)) if rolls else 0.0,
        "roll_frames": float(len(rolls)), "face_travel": travel,
    }
    tag, strength = _rule(measures)
    confidence = strength * k / (n + 1)  # = strength * face share * n / (n + 1)
    return AffectReading(tag, round(confidence, 3), AffectSource.FACE, ts, measures)


def _rule(m: dict[str, float]) -> tuple[AffectTag, float]:
    """The tag and the strength of its evidence in [0, 1] (see the module docstring)."""
    if m["eyes_closed_share"] > 0.5:
        return AffectTag.FATIGUED, m["eyes_closed_share"]
    moving = min(1.0, m["face_travel"] / (2 * MOVE_FACES))
    if m["tilt_share"] > 0.5 or m["face_travel"] >= MOVE_FACES:
        return AffectTag.CONFUSED, max(m["tilt_share"], moving)
    if m["smile_share"] > 0.5:
        return AffectTag.POSITIVE, m["smile_share"]
    cues = max(m["eyes_closed_share"], m["tilt_share"], m["smile_share"], moving)
    return AffectTag.NEUTRAL, 1.0 - cues


def _decode(data: bytes, i: int) -> np.ndarray:
    """Decode one frame to grey in memory, refusing non-images, huge files and huge images."""
    if not isinstance(data, bytes | bytearray) or len(data) > MAX_BYTES:
        raise InvalidInput(f"frame {i}: not image bytes of at most {MAX_BYTES} bytes")
    size = _header_size(bytes(data))
    if size is None:
        raise InvalidInput(f"frame {i}: not a PNG or JPEG image")
    w, h = size
    if not (0 < w <= MAX_SIDE and 0 < h <= MAX_SIDE):
        raise InvalidInput(f"frame {i}: {w}x{h} pixels; at most {MAX_SIDE} a side")
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise InvalidInput(f"frame {i}: not a decodable PNG or JPEG image")
    scale = WORK_SIDE / max(img.shape)
    return cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
        if scale < 1 else img


def _header_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG IHDR or a JPEG SOF marker, so a decompression bomb is never
    decoded; None when neither is found."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    i = 2 if head.startswith(b"\xff\xd8") else len(head)
    while i + 9 <= len(head) and head[i] == 0xFF:
        marker = head[i + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # SOF: P, H, W
            h, w = head[i + 5:i + 7], head[i + 7:i + 9]
            return int.from_bytes(w, "big"), int.from_bytes(h, "big")
        i += 2 if marker == 0xFF or 0xD0 <= marker <= 0xD9 else \
            2 + int.from_bytes(head[i + 2:i + 4], "big")
    return None


def _measure(grey: np.ndarray) -> _Frame | None:
    """Eyes, smile and roll of the frame's largest frontal face; None without one."""
    side = max(40, min(grey.shape) // 6)
    faces, _ = _cascade("haarcascade_frontalface_default.xml").detectMultiScale2(
        cv2.equalizeHist(grey), 1.1, FACE_NEIGHBOURS, minSize=(side, side))
    if len(faces) == 0:
        return None
    x, y, w, h = (int(v) for v in max(faces, key=lambda b: b[2] * b[3]))
    face = cv2.equalizeHist(cv2.resize(grey[y:y + h, x:x + w], (FACE_SIDE, FACE_SIDE),
                                       interpolation=cv2.INTER_AREA))
    candidates, eye_hits = _cascade("haarcascade_eye.xml").detectMultiScale2(
        face[:60], 1.05, 1, minSize=(10, 10), maxSize=(34, 34))
    eyes = [e for e, n in zip(candidates, eye_hits, strict=True) if n >= EYE_NEIGHBOURS]
    _, smile_hits = _cascade("haarcascade_smile.xml").detectMultiScale2(
        face[50:], 1.1, 1, minSize=(25, 10))
    return _Frame(x, y, w, len(eyes), int(max(eye_hits, default=0)),
                  int(max(smile_hits, default=0)), _roll(eyes))


def _roll(eyes: Sequence[np.ndarray]) -> float | None:
    """Head roll in degrees from the centres of one eye on each side of the face, or None."""
    left = [e for e in eyes if e[0] + e[2] / 2 < FACE_SIDE / 2]
    right = [e for e in eyes if e[0] + e[2] / 2 >= FACE_SIDE / 2]
    if not left or not right:
        return None
    (lx, ly, lw, _), (rx, ry, rw, _) = max(left, key=lambda e: e[2]), max(right, key=lambda e: e[2])
    return math.degrees(math.atan2((ry + rw / 2) - (ly + lw / 2), (rx + rw / 2) - (lx + lw / 2)))
