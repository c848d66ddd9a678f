# syntax=docker/dockerfile:1.7
# The evaluation worker (Dramatiq + LangChain against the evaluator model server). Scales by replica count:
#   docker compose up --scale worker-evaluation=4
# Build from the repository root: docker build -f worker/evaluation.Dockerfile .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Base + the `worker` group only: no FastAPI, no DeepFace/OpenCV.
# deps.py keeps its repository path: it finds pyproject.toml two directories above itself.
COPY pyproject.toml ./
COPY infra/docker/deps.py infra/docker/
COPY requirements/constraints.txt requirements/
RUN python infra/docker/deps.py worker > /tmp/requirements.txt \
 && pip install -c requirements/constraints.txt -r /tmp/requirements.txt

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
 && install -d -o app -g app /var/lib/rehearsal /var/lib/rehearsal/prometheus
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY core/ core/
COPY worker/ worker/
# Bytecode compiled once here: the code is read-only at run time, and every healthcheck starts an interpreter.
RUN python -m compileall -q core worker
# dramatiq_prom_db: the Prometheus middleware's multiprocess directory, writable by the non-root user.
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/app PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    ENVIRONMENT=production LOG_FORMAT=json VAR_DIR=/var/lib/rehearsal \
    WORKER_METRICS_PORT=9191 dramatiq_prom_db=/var/lib/rehearsal/prometheus
USER app
EXPOSE 9191
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=4 \
  CMD ["python", "-m", "core.healthcheck", "worker", "evaluation"]
CMD ["python", "-m", "worker", "evaluation"]
