# ThreadBrief, the Discord bot, as a container image.
#   docker compose up -d        (see compose.yaml and the README, "Run your own bot in five minutes")
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install '.[postgres]' \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin threadbrief \
    && mkdir -p /data /etc/threadbrief \
    && chown threadbrief:threadbrief /data

# The settings of the image: database on the volume, health and metrics endpoint on. Mount your
# own file over it to change anything else; the token comes from DISCORD_TOKEN.
COPY deploy/config.toml /etc/threadbrief/config.toml
ENV THREADBRIEF_CONFIG=/etc/threadbrief/config.toml

VOLUME ["/data"]
USER threadbrief
EXPOSE 9877
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:9877/healthz', timeout=4).status != 200)"]

ENTRYPOINT ["threadbrief"]
CMD ["run"]
