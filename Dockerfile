# GreenBot: CPU torch, the embedding model and the knowledge index baked in, non-root.
FROM python:3.11-slim AS build
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
RUN python -m venv /venv && /venv/bin/pip install --upgrade pip uv
# torch first and pinned to the CPU build, so nothing pulls CUDA wheels.
RUN /venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY . .
RUN /venv/bin/uv pip install --python /venv/bin/python --compile-bytecode .
# Convert the model and build the index at build time: a container starts answering at once.
RUN GREENBOT_DATA_DIR=/app/data /venv/bin/greenbot ingest

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 greenbot
COPY --from=build /venv /venv
COPY --from=build --chown=greenbot:greenbot /app/data /app/data
WORKDIR /app
USER greenbot
ENV PATH=/venv/bin:$PATH GREENBOT_DATA_DIR=/app/data HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False PYTHONUNBUFFERED=1
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s \
    CMD greenbot ask --json "你好" > /dev/null || exit 1
CMD ["greenbot", "run"]
