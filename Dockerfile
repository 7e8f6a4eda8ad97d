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
# Photos live on a volume shared by the bots and the console: the mount point must be ours.
RUN mkdir -p /app/data/media && chown greenbot:greenbot /app/data/media
COPY deploy/healthcheck.py /usr/local/bin/greenbot-healthcheck
WORKDIR /app
USER greenbot
ENV PATH=/venv/bin:$PATH GREENBOT_DATA_DIR=/app/data HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False PYTHONUNBUFFERED=1
# 8080: the web console (and /healthz, /readyz, /metrics, Open311); 8081: the bot's webhook.
EXPOSE 8080 8081
# A cheap HTTP probe (the old `greenbot ask` loaded the model every 30 s): /healthz by default;
# compose sets HEALTHCHECK_URL to /readyz (503 while the database is unreachable).
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "/usr/local/bin/greenbot-healthcheck"]
CMD ["greenbot", "run"]
