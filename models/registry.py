"""Where trained models live (one folder, ``var/models`` by default) and how each is rebuilt.

Every file carries its config, the ids its indices stand for and the checkpoint schema version,
so inference can rebuild a model without the training data.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer

from models import checkpoint
from models.bilstm import BiLstmConfig, BiLstmKT
from models.graph_embed import GraphEmbedConfig, GraphEncoder
from models.irt import IrtConfig, IrtParams
from models.kt_data import KTData
from models.predictors import BiLstmPredictor, ProgressPredictor
from models.progress import ProgressConfig, ProgressLSTM
from models.progress_data import ProgressDataConfig, item_texts_from_skills
from models.transitions import QuestionTransitions
from tutor.errors import DataFormatError
from tutor.mastery import BktParams

IRT_FILE = "irt.npz"
BILSTM_FILE = "bilstm.pt"
EMBED_FILE = "graph_embed.pt"
VECTORS_FILE = "item_vectors.npz"
PROGRESS_FILE = "progress.pt"


@dataclasses.dataclass(frozen=True)
class IrtModel:
    params: IrtParams
    item_ids: tuple[str, ...]
    student_ids: tuple[str, ...]
    student_responses: np.ndarray  # int64 (n_students,) responses each theta rests on
    config: IrtConfig


def save_irt(folder: Path, model: IrtModel) -> Path:
    path = _ready(folder) / IRT_FILE
    p = model.params
    np.savez(path, schema_version=checkpoint.SCHEMA_VERSION, a=p.a, b=p.b, theta=p.theta,
             theta_var=p.theta_var, item_responses=p.item_responses,
             item_ids=np.array(model.item_ids, dtype=str),
             student_ids=np.array(model.student_ids, dtype=str),
             student_responses=model.student_responses,
             config=json.dumps(dataclasses.asdict(model.config)))
    return path


def load_irt(folder: Path) -> IrtModel:
    path = folder / IRT_FILE
    try:
        with np.load(path, allow_pickle=False) as z:
            if int(z["schema_version"]) != checkpoint.SCHEMA_VERSION:
                raise DataFormatError(f"{path} has schema {int(z['schema_version'])}; expected "
                                      f"{checkpoint.SCHEMA_VERSION}: retrain with "
                                      "`kgtutor train irt`")
            params = IrtParams(a=z["a"], b=z["b"], theta=z["theta"],
                               item_responses=z["item_responses"], theta_var=z["theta_var"])
            return IrtModel(params, tuple(z["item_ids"].tolist()),
                            tuple(z["student_ids"].tolist()), z["student_responses"],
                            IrtConfig(**json.loads(str(z["config"]))))
    except FileNotFoundError:
        raise DataFormatError(f"{path} not found; run `kgtutor train irt` first") from None
    except (KeyError, ValueError, OSError) as e:
        raise DataFormatError(f"{path} is not an IRT checkpoint: {e}") from None


def save_bilstm(folder: Path, model: BiLstmKT, transitions: QuestionTransitions,
                item_ids: tuple[str, ...], skill_ids: tuple[str, ...], training: object,
                dataset: str | None = None) -> Path:
    """The Bi-LSTM with the transition table it is mixed with (one sequence model);
    ``dataset``: the graph dataset it serves, when its ids do not say (``dataset:q:...``)."""
    path = _ready(folder) / BILSTM_FILE
    checkpoint.save(path, "bilstm", model, model.config,
                    {"item_ids": list(item_ids), "skill_ids": list(skill_ids),
                     "dataset": dataset,
                     "skill_width": int(model.item_skills.shape[1]),
                     "training": dataclasses.asdict(training),  # type: ignore[call-overload]
                     "transitions": {k: torch.from_numpy(v)
                                     for k, v in transitions.arrays().items()}})
    return path


def load_bilstm(folder: Path) -> tuple[BiLstmKT, dict]:
    """The model and its ``extra`` (item_ids, skill_ids, training settings, transitions)."""

    def build(config: dict, extra: dict) -> torch.nn.Module:
        c = BiLstmConfig(**config)
        # item_skills is a buffer: the state dict fills it in right after
        return BiLstmKT(c, np.full((c.n_items, int(extra["skill_width"])), -1, dtype=np.int64))

    model, _, extra = checkpoint.load(folder / BILSTM_FILE, "bilstm", build)
    model.use_item_skills(model.item_skills[:-1].numpy())  # type: ignore[operator]
    return model, extra  # type: ignore[return-value]


def save_embed(folder: Path, encoder: GraphEncoder, vectors: np.ndarray,
               item_ids: tuple[str, ...], n_skills: int) -> Path:
    folder = _ready(folder)
    checkpoint.save(folder / EMBED_FILE, "graph_embed", encoder, encoder.config,
                    {"n_skills": n_skills, "item_ids": list(item_ids)})
    np.savez(folder / VECTORS_FILE, vectors=vectors, item_ids=np.array(item_ids, dtype=str))
    return folder / VECTORS_FILE


def load_item_vectors(folder: Path, item_ids: tuple[str, ...]) -> np.ndarray:
    """The saved question vectors, checked to line up with ``item_ids``."""
    path = folder / VECTORS_FILE
    try:
        with np.load(path, allow_pickle=False) as z:
            saved, vectors = tuple(z["item_ids"].tolist()), z["vectors"]
    except FileNotFoundError:
        raise DataFormatError(f"{path} not found; run `kgtutor train embed` first") from None
    if saved != tuple(item_ids):
        raise DataFormatError(f"{path} was trained on other questions; rerun `kgtutor train "
                              "embed` on this dataset")
    return vectors


def load_embed(folder: Path) -> tuple[GraphEncoder, dict]:
    model, _, extra = checkpoint.load(
        folder / EMBED_FILE, "graph_embed",
        lambda c, extra: GraphEncoder(GraphEmbedConfig(**c), int(extra["n_skills"])))
    return model, extra  # type: ignore[return-value]


def save_progress(folder: Path, model: ProgressLSTM, data_config: ProgressDataConfig,
                  vectorizer: TfidfVectorizer, kt: KTData, dataset: str | None = None) -> Path:
    """The model plus what featurises new steps the same way: TF-IDF vocabulary and idf, the
    questions' ids, KPs and texts; ``dataset`` as for :func:`save_bilstm`."""
    path = _ready(folder) / PROGRESS_FILE
    checkpoint.save(path, "progress", model, model.config, {
        "dataset": dataset,
        "skill_ids": list(kt.skill_ids), "skill_names": list(kt.skill_names),
        "item_ids": list(kt.item_ids), "item_skills": kt.item_skills.tolist(),
        "data_config": dataclasses.asdict(data_config),
        "vocabulary": {t: int(i) for t, i in vectorizer.vocabulary_.items()},
        "idf": [float(x) for x in vectorizer.idf_]})
    return path


def load_progress(folder: Path) -> tuple[ProgressLSTM, ProgressDataConfig, TfidfVectorizer,
                                         tuple[str, ...]]:
    model, data_config, vectorizer, extra = _load_progress(folder)
    return model, data_config, vectorizer, tuple(extra["skill_ids"])


def _load_progress(folder: Path) -> tuple[ProgressLSTM, ProgressDataConfig, TfidfVectorizer,
                                          dict]:
    model, _, extra = checkpoint.load(folder / PROGRESS_FILE, "progress",
                                      lambda c, _: ProgressLSTM(ProgressConfig(**c)))
    raw = dict(extra["data_config"])
    data_config = ProgressDataConfig(**{**raw, "bkt": BktParams(**raw["bkt"])})
    vectorizer = TfidfVectorizer(vocabulary=extra["vocabulary"])
    vectorizer.idf_ = np.array(extra["idf"])
    return model, data_config, vectorizer, extra  # type: ignore[return-value]


def progress_predictor(folder: Path) -> ProgressPredictor:
    """The saved progress model, ready to answer ``weakest`` and ``progress`` by graph ids."""
    model, data_config, vectorizer, extra = _load_progress(folder)
    skill_ids = tuple(extra["skill_ids"])
    item_skills = np.array(extra["item_skills"], dtype=np.int64)
    texts = item_texts_from_skills(item_skills, extra["skill_names"])
    return ProgressPredictor(model, data_config, vectorizer, extra["item_ids"], texts,
                             item_skills, skill_ids, dataset=extra.get("dataset"))


def bilstm_predictor(folder: Path) -> BiLstmPredictor:
    model, extra = load_bilstm(folder)
    if "transitions" not in extra:
        raise DataFormatError(f"{folder / BILSTM_FILE} has no transition table (saved by an "
                              "older version): rerun `kgtutor train bilstm`")
    transitions = QuestionTransitions.from_arrays(
        model.config.n_items, **{k: v.numpy() for k, v in extra["transitions"].items()})
    return BiLstmPredictor(model, extra["item_ids"], int(extra["training"]["chunk"]),
                           transitions, dataset=extra.get("dataset"))


def _ready(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
