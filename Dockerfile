# Atelier as a container: the service, its CLI and the default local models, run as a non-root user.
#   docker build -t atelier .          # or: buildah bud -t atelier .
#   docker run -p 8000:8000 -v atelier-data:/var/lib/atelier atelier
# Build arguments:
#   BASE_IMAGE       any Debian-like image with python3 (3.11) and python3-venv; CI passes a local
#                    debootstrapped base because it cannot pull images.
#   TORCH_INDEX_URL  where the CPU build of torch comes from; empty = pip's configured index.
#   MODELS           what `atelier models fetch` bakes in (`defaults`, a name, or `none`).
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG MODELS=defaults

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/atelier/venv/bin:$PATH \
    ATELIER_HOME=/var/lib/atelier \
    ATELIER_MODELS_DIR=/opt/atelier/models \
    NUMBA_CACHE_DIR=/var/lib/atelier/numba \
    HF_HUB_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    OMP_NUM_THREADS=2

RUN groupadd --system --gid 10001 atelier \
    && useradd --uid 10001 --gid atelier --home-dir /var/lib/atelier --no-create-home \
       --shell /usr/sbin/nologin atelier \
    && install -d -o atelier -g atelier -m 0750 /var/lib/atelier

# The CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
RUN --mount=type=cache,target=/root/.cache/pip \
    python3 -m venv /opt/atelier/venv \
    && pip install --quiet torch==2.13.0 ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}

WORKDIR /opt/atelier/src
COPY pyproject.toml README.md requirements.lock ./
COPY atelier ./atelier
COPY models ./models
COPY prompts ./prompts
COPY service ./service
COPY evaluation ./evaluation
# Every dependency but torch from requirements.lock, each file checked by sha256.
# Models live outside the data volume, so mounting an empty volume never hides them. They belong to
# the service user: OpenVINO GenAI opens a GGUF file read-write (O_RDWR|O_APPEND), never writing to it.
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --quiet --require-hashes --no-deps -r requirements.lock \
    && pip install --quiet --no-deps --no-build-isolation . \
    && pip check \
    && if [ "$MODELS" != none ]; then atelier models fetch "$MODELS"; fi \
    && chmod -R a+rX /opt/atelier \
    && mkdir -p /opt/atelier/models && chown -R atelier:atelier /opt/atelier/models

USER atelier:atelier
WORKDIR /var/lib/atelier
VOLUME ["/var/lib/atelier"]

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["atelier", "serve", "--host", "0.0.0.0", "--port", "8000"]
