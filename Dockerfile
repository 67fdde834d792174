# Réciproque application image: the code of `make run`, its runtime dependencies only (requirements-prod.lock,
# every file checked against its hash, the same versions as requirements.lock), served by uvicorn (ASGI, scripts/serve.sh).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=marketplace.settings.prod \
    VIRTUAL_ENV=/app/.venv PATH=/app/.venv/bin:$PATH PYTHONPATH=/app

RUN apt-get update \
    && apt-get install -y --no-install-recommends gdal-bin libgeos-c1v5 libproj25 gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements-prod.lock ./
# uv, beside the system Python and not in the .venv it syncs, is the one download without a hash; the image
# drops it once the .venv is made.
RUN /usr/local/bin/pip install --no-cache-dir -q uv==0.13.8 \
    && /usr/local/bin/python -m venv .venv \
    && /usr/local/bin/uv pip sync --no-cache --require-hashes --python .venv/bin/python requirements-prod.lock \
    && /usr/local/bin/pip uninstall -y -q uv

# The project is imported from /app (PYTHONPATH), not installed: installing it would fetch an unhashed build
# backend.
COPY . .
# The matching's compiled kernels (numba) are built here, cached beside their module, so that the first nightly
# batch does not spend minutes compiling.
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdef \
       DATABASE_URL=postgis://build@localhost/build \
       python manage.py collectstatic --no-input -v 0 \
    && SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdef \
       DATABASE_URL=postgis://build@localhost/build \
       python manage.py shell -c "from exchanges.matching.compact import warm_up; warm_up()" \
    && useradd --system --uid 1000 reciproque && mkdir -p /app/var/media && chown -R reciproque /app/var

USER reciproque
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4).status != 200)"
ENV HOST=0.0.0.0 PORT=8000
CMD ["bash", "scripts/serve.sh"]
