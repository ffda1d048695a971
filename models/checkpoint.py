"""Checkpoints that rebuild their model: state dict, config, model kind and a schema version."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from tutor.errors import DataFormatError

SCHEMA_VERSION = 1


def save(path: Path, kind: str, model: nn.Module, config: Any,
         extra: dict[str, Any] | None = None) -> None:
    """Write ``model`` with its dataclass ``config``; ``extra`` holds plain data (id maps...)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"schema_version": SCHEMA_VERSION, "kind": kind,
                "config": dataclasses.asdict(config), "state_dict": model.state_dict(),
                "extra": extra or {}}, path)


def load(path: Path, kind: str, build: Callable[[dict[str, Any], dict[str, Any]], nn.Module]
         ) -> tuple[nn.Module, dict[str, Any], dict[str, Any]]:
    """Rebuild a model saved by :func:`save`: ``build(config_dict, extra)`` makes the empty
    module (the file is read once, so sizes kept in ``extra`` are at hand)."""
    blob = _read(path, kind)
    model = build(blob["config"], blob["extra"])
    model.load_state_dict(blob["state_dict"])
    model.eval()
    return model, blob["config"], blob["extra"]


def _read(path: Path, kind: str) -> dict[str, Any]:
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise DataFormatError(f"checkpoint {path} not found; train the model first") from None
    except Exception as e:  # torch raises many types for a corrupt file
        raise DataFormatError(f"checkpoint {path} is unreadable: {e}") from None
    if not isinstance(blob, dict) or blob.get("schema_version") != SCHEMA_VERSION or (
            kind is not None and blob.get("kind") != kind):
        got = blob if not isinstance(blob, dict) else blob.get("kind")
        raise DataFormatError(f"checkpoint {path} is a {got!r} of schema "
                              f"{blob.get('schema_version') if isinstance(blob, dict) else None}"
                              f"; expected {kind or 'a kgtutor model'!r} of schema "
                              f"{SCHEMA_VERSION}")
    return blob
