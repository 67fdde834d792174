# Réciproque application image: the same code and lock file as `make run`, served by daphne (ASGI).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=marketplace.settings.prod \
    VIRTUAL_ENV=/app/.venv PATH=/app/.venv/bin:$PATH

RUN apt-get update \
    && apt-get install -y --no-install-recommends gdal-bin libgeos-c1v5 libproj25 gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN python -m venv .venv && .venv/bin/pip install --no-cache-dir uv==0.13.8 \
    && .venv/bin/uv pip sync --python .venv/bin/python requirements.lock

COPY . .
RUN .venv/bin/uv pip install --python .venv/bin/python --no-deps -e . \
    && SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdef \
       DATABASE_URL=postgis://build@localhost/build \
       python manage.py collectstatic --no-input -v 0 \
    && useradd --system --uid 1000 reciproque && mkdir -p /app/var/media && chown -R reciproque /app/var

USER reciproque
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4).status != 200)"
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "marketplace.asgi:application"]
