# One image for every process of the full stack (docker-compose.yml): gunicorn by default;
# the worker, beat and the migrate job run the same image with another command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=backend.settings \
    VAR_DIR=/app/var \
    WEB_CONCURRENCY=3

WORKDIR /app

# DejaVu Sans, the font of the board's PDF documents (backend.board.pdf; without it they are
# set in the serif font carried by the Typst wheel).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Static files are part of the image (whitenoise serves them); no database needed for this.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --create-home --uid 10001 --user-group app \
    && mkdir -p "$VAR_DIR" \
    && chown -R app:app "$VAR_DIR"

USER app

EXPOSE 8000

CMD ["gunicorn", "backend.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--no-control-socket"]
