# The callcenter application image: controller, Celery worker and beat, web page.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng ffmpeg sox \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY scripts/requirements.py scripts/
RUN python scripts/requirements.py > /tmp/requirements.txt && pip install --no-cache-dir -r /tmp/requirements.txt
COPY callcenter callcenter
COPY dialplans dialplans
COPY ivr_scripts ivr_scripts
ENV PYTHONPATH=/app
ENTRYPOINT ["python", "-m", "callcenter"]
