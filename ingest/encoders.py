"""Backends that turn texts into normalised vectors with one sentence-transformers model: torch or OpenVINO, at a
chosen precision.

The OpenVINO path imports neither sentence-transformers nor torch once its graph is cached: it tokenises with the
`tokenizers` library from the model's own tokenizer.json (the file sentence-transformers' fast tokenizer reads, so
the tokens are the same; tests/integration/test_embedder.py checks them) and runs the compiled graph. Importing
sentence-transformers took 7.6 s of a cold `pressroom ask`'s 11-13 s.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

Backend = Literal["openvino", "torch"]
Precision = Literal["int8", "bf16", "fp32"]

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pressroom" / "openvino"

# OpenVINO quantizes activations on the fly in groups of this many channels, over int8 weights. Measured on 2 AVX-512
# cores against fp32 vectors of 400 news chunks: 64 gave 84 chunks/s at cosine >= 0.996, 128 gave 88/s at >= 0.994
# (mean 0.999), 256 was slower (66/s) and worse (>= 0.991).
DYNAMIC_QUANTIZATION_GROUP = "128"
# Part of the cached graph's key: bump it when the conversion below changes, so old graphs are not reused.
# 2: the graph's input names are saved beside it, for tokenising without sentence-transformers.
GRAPH_VERSION = 2


class Encoder(Protocol):
    dimension: int

    def encode(self, texts: list[str], batch_size: int, show_progress: bool = False) -> np.ndarray: ...


class TorchEncoder:
    """sentence-transformers as it is; ``bf16`` pays off only on CPUs with native bfloat16, ``int8`` is torch's
    dynamic quantization of the linear layers (per channel: mean cosine 0.979 to fp32, per tensor was 0.927)."""

    def __init__(self, path: str, precision: Precision) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        kwargs = {"torch_dtype": torch.bfloat16} if precision == "bf16" else {}
        self.model = SentenceTransformer(path, device="cpu", model_kwargs=kwargs)
        self.dimension = int(self.model.get_embedding_dimension())
        if precision == "int8":
            with warnings.catch_warnings():
                # torch marks eager dynamic quantization deprecated in favour of torchao, which is not installed here.
                warnings.simplefilter("ignore")
                qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
                self.model = torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear: qconfig})

    def encode(self, texts: list[str], batch_size: int, show_progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(
            texts, batch_size=batch_size, convert_to_numpy=True, show_progress_bar=show_progress
        ).astype(np.float32)
        # Normalised here, in float32: under bf16 the model's own normalisation leaves norms up to 1.002.
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class OpenVinoEncoder:
    """The model's whole sentence-embedding graph (transformer, pooling, normalisation) compiled by OpenVINO.

    On the 2-core AVX-512 machine this project is measured on, fp32 weights with bf16 inference ran 2.4x torch fp32
    with vectors at cosine 0.99996; int8 weights (NNCF, no calibration data) with dynamic activation quantization ran
    3.1x at cosine >= 0.994. The converted graph is cached on disk, keyed by the model's files and the library versions.
    """

    def __init__(self, path: str, precision: Precision, cache: Path = CACHE) -> None:
        import openvino as ov

        config: dict[str, str] = {"PERFORMANCE_HINT": "THROUGHPUT"}
        if precision == "fp32":
            config["INFERENCE_PRECISION_HINT"] = "f32"
        elif precision == "bf16":
            config["INFERENCE_PRECISION_HINT"] = "bf16"  # OpenVINO falls back to f32 where the CPU has no bf16
        else:
            config["DYNAMIC_QUANTIZATION_GROUP_SIZE"] = DYNAMIC_QUANTIZATION_GROUP
        graph = _graph(path, precision == "int8", cache)
        self._names: list[str] = json.loads((graph.parent / "inputs.json").read_text())
        self.tokenizer = _tokenizer(Path(path))
        core = ov.Core()
        # OpenVINO keeps the compiled form too (keyed by graph and config): compiling took 1-2 s of every start.
        core.set_property({"CACHE_DIR": str(cache / "compiled")})
        self.compiled = core.compile_model(graph, "CPU", config)
        self.dimension = int(self.compiled.output(0).get_partial_shape()[1].get_length())
        self._requests = int(self.compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))

    def _tokenize(self, texts: list[str]) -> dict[str, np.ndarray]:
        encodings = self.tokenizer.encode_batch(texts)
        features = {
            "input_ids": [e.ids for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
        }
        return {name: np.array(features[name], dtype=np.int64) for name in self._names}

    def encode(self, texts: list[str], batch_size: int, show_progress: bool = False) -> np.ndarray:
        import openvino as ov
        from tqdm.auto import tqdm

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Longest first, as sentence-transformers does: neighbours in a batch have similar lengths, so little padding.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        starts = range(0, len(texts), batch_size)
        # One request per stream keeps both cores busy; a lone query needs just one.
        queue = ov.AsyncInferQueue(self.compiled, min(len(starts), self._requests))
        queue.set_callback(lambda request, rows: out.__setitem__(rows, request.get_output_tensor(0).data))
        for start in tqdm(starts, disable=not show_progress, desc="embedding", unit="batch"):
            rows = order[start : start + batch_size]
            inputs = self._tokenize([texts[i] for i in rows])
            # Tokenising the next batch overlaps the network running on the previous ones.
            queue.start_async([inputs[name] for name in self._names], rows)
        queue.wait_all()
        return out


def _tokenizer(root: Path) -> Any:
    """The model's fast tokenizer, truncating and padding as sentence-transformers does for it."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
    # sentence-transformers truncates at the model's max_seq_length, not at the tokenizer file's own setting.
    max_length = json.loads((root / "sentence_bert_config.json").read_text())["max_seq_length"]
    tokenizer.enable_truncation(max_length)
    pad = json.loads((root / "tokenizer_config.json").read_text()).get("pad_token", "[PAD]")
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id(pad), pad_token=pad)  # to the longest in the batch
    return tokenizer


def _graph(path: str, int8: bool, cache: Path) -> Path:
    """The model's sentence-embedding graph in OpenVINO form, converted once (sentence-transformers, torch and NNCF
    are imported only here) and cached with the names of its inputs."""
    target = cache / _graph_key(path, int8) / "model.xml"
    if target.exists():
        return target
    import nncf
    import openvino as ov
    import transformers
    from sentence_transformers import SentenceTransformer

    # The libraries' own progress bars, config notes and NNCF's table of bit widths read like failures to a new user
    # (a trial said so twice); the caller says the model is being converted.
    nncf.set_log_level(logging.ERROR)
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    model = SentenceTransformer(path, device="cpu")
    example = model.preprocess(["an example", "a second, longer example"])
    names = [k for k, v in example.items() if hasattr(v, "numpy")]
    # Non-tensor features (the input's modality) are the same for every text: the graph keeps them as constants.
    constants = {k: v for k, v in example.items() if k not in names}
    with warnings.catch_warnings():
        # Tracing warns about every data-dependent branch in the transformer; the graph is checked by the tests.
        warnings.simplefilter("ignore")
        graph = ov.convert_model(
            _sentence_embedding_module(model, names, constants),
            example_input=tuple(example[name] for name in names),
        )
    if int8:
        with contextlib.redirect_stdout(io.StringIO()):  # NNCF's progress bar, drawn by rich on stdout
            graph = nncf.compress_weights(graph, mode=nncf.CompressWeightsMode.INT8_ASYM)
    cache.mkdir(parents=True, exist_ok=True)
    # Written beside its final place and renamed, so processes starting together never read half a file.
    scratch = Path(tempfile.mkdtemp(dir=cache))
    ov.save_model(graph, scratch / "model.xml", compress_to_fp16=False)
    (scratch / "inputs.json").write_text(json.dumps(names))
    try:
        scratch.rename(target.parent)
    except OSError:  # another process got there first; its graph is the same
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _graph_key(path: str, int8: bool) -> str:
    # Versions read from package metadata: importing NNCF only to key the cache cost half a second of every start.
    from importlib.metadata import version

    root = Path(path)
    # A local folder is keyed by its files, so an edited model converts anew; a hub name by the name alone.
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    parts = [
        str(GRAPH_VERSION),
        str(root.resolve()) if files else path,
        version("openvino"),
        version("nncf"),
        "int8" if int8 else "fp32",
    ]
    parts += [f"{p.relative_to(root)}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def _sentence_embedding_module(model: Any, names: list[str], constants: dict[str, Any]) -> Any:
    import torch

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            features = self.model({**constants, **dict(zip(names, tensors))})
            return torch.nn.functional.normalize(features["sentence_embedding"], dim=-1)

    return SentenceEmbedding().eval()


def load_encoder(path: str, backend: Backend, precision: Precision) -> Encoder:
    if backend == "openvino":
        return OpenVinoEncoder(path, precision)
    return TorchEncoder(path, precision)
