# One image for every Python service of the stack (web, worker, beat, job service).
# Build context: the project root. See docker-compose.yml.
FROM python:3.11-slim-bookworm

# WITH_SGE=1 adds the Grid Engine client and DRMAA library (for the job service's sge backend).
ARG WITH_SGE=0
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ION_VAR_DIR=/var/lib/torrent \
    ION_RESULTS_ROOT=/var/lib/torrent/results

# Compilers and headers only for wheels that may need building (pysam, mappy); samtools and
# curl are used by plugins and the pipeline.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential zlib1g-dev libbz2-dev liblzma-dev \
        libcurl4-openssl-dev samtools curl \
    && if [ "$WITH_SGE" = 1 ]; then \
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            gridengine-client gridengine-drmaa1.0; fi \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/torrent-server
COPY . .
RUN pip install --no-cache-dir --config-settings editable_mode=compat -e . \
    && useradd --system --home /var/lib/torrent --create-home ionian \
    && mkdir -p /var/lib/torrent/results \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0 \
    && chown -R ionian /var/lib/torrent

USER ionian
EXPOSE 8000
ENV GUNICORN_BIND=0.0.0.0:8000
CMD ["gunicorn", "-c", "config/gunicorn.conf.py"]
