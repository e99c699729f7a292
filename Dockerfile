# syntax=docker/dockerfile:1
# facexplain: the chat bot and its job workers in one CPU image (see docs/deploy.md).
# No model weights are inside: mount your model folder at /models (FACEXPLAIN_MODEL_DIR).

# --- builder: a virtualenv with torch (CPU) and facexplain with its service extras ---
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
# The same parts as scripts/setup (without the developer tools): torch first, pinned, from
# TORCH_INDEX_URL (the CPU index: an unpinned torch pulls a multi-GB CUDA build), then every
# extra with the CPU ONNX runtime.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN python -m venv /opt/venv \
    && pip install torch==2.13.0 --index-url "$TORCH_INDEX_URL"

WORKDIR /src
COPY pyproject.toml README.md ./
COPY core ./core
COPY bot ./bot
COPY adapters ./adapters
# the QA data ships in the wheel (core/qa_data links to data/qa)
COPY data ./data
# The project itself (its dependency ranges are in pyproject.toml), with every extra.
# hadolint ignore=DL3013
RUN pip install ".[all,cpu]"

# --- runtime: the virtualenv on a slim base, run as an unprivileged user ---
FROM python:3.11-slim AS runtime

# No system packages needed: the wheels bundle their libraries (torch its libgomp).
RUN groupadd --system --gid 10001 facexplain \
    && useradd --system --uid 10001 --gid facexplain --create-home --home-dir /home/facexplain facexplain \
    && mkdir -p /models /data \
    && chown facexplain:facexplain /data

COPY --from=builder /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    FACEXPLAIN_MODEL_DIR=/models \
    FACEXPLAIN_DATA_DIR=/data \
    FACEXPLAIN_LOG_FORMAT=json \
    HF_HOME=/data/cache/huggingface

USER 10001:10001
WORKDIR /home/facexplain
# Calibrations, keys, the SQLite store (when no FACEXPLAIN_DATABASE_URL) and caches.
VOLUME ["/data"]

HEALTHCHECK --interval=30s --timeout=20s --start-period=60s --retries=3 \
    CMD ["facexplain", "health"]

# The Telegram bot (FACEXPLAIN_TELEGRAM_TOKEN). Workers: `facexplain worker`.
CMD ["facexplain", "serve", "telegram"]
