# Mirrors `make run`: CPU torch first, the package, the default models fetched at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ATELIER_HOME=/var/lib/atelier \
    HF_HUB_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false

WORKDIR /app
# The CPU build of torch: the default index would pull a multi-GB CUDA build.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY atelier ./atelier
COPY models ./models
COPY prompts ./prompts
COPY service ./service
COPY evaluation ./evaluation
RUN pip install --no-cache-dir . && atelier models fetch defaults

EXPOSE 8000
CMD ["atelier", "serve", "--host", "0.0.0.0", "--port", "8000"]
