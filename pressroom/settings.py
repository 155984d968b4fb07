"""One settings object for every part of Pressroom.

Values come, highest priority first, from explicit arguments (the CLI's flags), environment variables
``PRESSROOM_*``, an optional ``pressroom.toml`` in the working directory (or the file named by
``PRESSROOM_CONFIG``), then the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRESSROOM_", extra="ignore")

    # --- store -------------------------------------------------------------------------------
    store_dir: Path = Field(Path(".pressroom"), description="Folder of the embedded Chroma store.")
    chroma_url: str | None = Field(None, description="URL of a Chroma server; overrides store_dir.")
    collection: str = Field("pressroom", description="Name prefix of the Chroma collections.")

    # --- embedding ---------------------------------------------------------------------------
    embedding_model: str = Field(
        "",
        description="Local sentence-transformers folder or hub name; empty = the packaged all-MiniLM-L6-v2.",
    )
    embedding_backend: Literal["openvino", "torch"] = Field(
        "openvino", description="What runs the model: OpenVINO (faster on CPU) or torch (sentence-transformers as is)."
    )
    embedding_precision: Literal["int8", "bf16", "fp32"] = Field(
        "int8", description="int8 weights with dynamic activation quantization, bfloat16, or full fp32 (see README)."
    )
    hf_offline: bool = Field(True, description="Set HF_HUB_OFFLINE=1 so nothing is fetched from a hub.")
    embed_batch_size: int = Field(8, ge=1, description="Small batches pad less; 8 measured fastest on 2 cores.")

    # --- chunking ----------------------------------------------------------------------------
    chunk_chars: int = Field(1000, ge=100, description="Largest chunk in characters (a longer sentence is split).")
    chunk_overlap_sentences: int = Field(0, ge=0)
    max_article_chars: int = Field(2_000_000, ge=1000, description="Longer articles are skipped.")
    max_file_mb: float = Field(25.0, gt=0, description="Larger files are skipped.")

    # --- retrieval ---------------------------------------------------------------------------
    top_k: int = Field(5, ge=1, le=50, description="Passages handed to the answerer.")
    candidates: int = Field(30, ge=1, description="Candidates each retriever contributes before fusion.")
    rrf_k: int = Field(60, ge=1)
    max_chunks_per_article: int = Field(2, ge=1)
    rerank: bool = True
    cross_encoder: str | None = Field(None, description="Local CrossEncoder folder; replaces the default rerank.")

    # --- answering ---------------------------------------------------------------------------
    refusal_threshold: float | None = Field(
        None,
        description="Refuse when the answerability probability is below this; empty = the threshold fitted with the "
        "model (python -m pressroom.eval.fit_answerer); `pressroom eval --calibrate` suggests one.",
    )
    llm_backend: Literal["extractive", "openai", "ollama", "llamacpp"] = "extractive"
    llm_model: str = ""
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_gguf_path: str | None = None
    llm_temperature: float = 0.0
    llm_seed: int | None = Field(
        None, description="openai/ollama/llamacpp: a sampling seed, so that the same question gets the same reply."
    )
    llm_timeout: float = Field(
        60.0,
        gt=0,
        description="openai/ollama: seconds to wait for the server to connect and for each streamed token; then the "
        "extractive answer is shown with a note.",
    )
    llm_max_tokens: int = Field(256, ge=16, description="Longest reply; bounds a model that rambles or loops.")

    # --- ui ----------------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = Field(None, description="user:password; required to bind anywhere but loopback.")
    upload_max_mb: float = Field(20.0, gt=0)
    upload_max_records: int = Field(
        2000, ge=1, description="Rows and articles one upload may hold; the rest are reported, not read."
    )
    concurrency_limit: int = Field(4, ge=1)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("PRESSROOM_CONFIG", "pressroom.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))

    def index_key(self) -> list[str | int]:
        """The settings that decide what an index holds: a change to any of them re-embeds every article (they are
        part of each article's content hash), and an eval store built under other values is another store."""
        return [
            self.embedding_model,
            self.embedding_backend,
            self.embedding_precision,
            self.chunk_chars,
            self.chunk_overlap_sentences,
        ]

    def apply_environment(self) -> None:
        """Process-wide switches that must be set before any model library loads."""
        if self.hf_offline:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # Chroma's telemetry tries the network on every client start; it only costs time here.
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        # transformers draws a progress bar for every model load, noise in a CLI's output.
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        # llama.cpp's OpenMP threads spin while they wait by default; on 2 shared cores that halved SmolLM2's prompt
        # speed (44 vs 99 tokens/s over a 535-token prompt with other jobs running). Read when llama.cpp loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
