# syntax=docker/dockerfile:1
# Production image: dependencies from uv.lock, no build tools in the final stage, runs as a non-root user.

FROM python:3.11-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install "uv==0.13.9"
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY piccolo_conf.py ./
COPY core/ core/
COPY accounts/ accounts/
COPY content/ content/
COPY newsletters/ newsletters/
COPY registrations/ registrations/
COPY tasks/ tasks/
COPY service/ service/
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim-bookworm
# libmagic decides uploads' types by their bytes (python-magic); Debian's stable release pins its version.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 scmi \
    && useradd --system --uid 10001 --gid scmi --home-dir /app --no-create-home scmi \
    && mkdir -p /data \
    && chown 10001:10001 /data
WORKDIR /app
COPY --from=build --chown=10001:10001 /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:$PATH" \
    DATA_DIR=/data \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["scmi", "serve", "--host", "0.0.0.0", "--port", "8000"]
