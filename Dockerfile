# hrbot in a container: a slim image, run as a user with no login and no home, that works with
# a read-only root file system. The service's own folder (made by `hrbot init`) is mounted at
# /srv/hrbot and is never part of the image, so a new image keeps the service's answers.
#     docker build -t hrbot .
# Walk-through (polling, webhook replicas behind nginx, upgrades): docs/deploy.md.
ARG PYTHON=3.12

FROM python:${PYTHON}-slim AS build
WORKDIR /src
COPY . .
RUN sh deploy/install.sh /opt/hrbot /src

FROM python:${PYTHON}-slim
COPY --from=build /opt/hrbot /opt/hrbot
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin hrbot
# /opt/hrbot/cache: the content's phrases as deploy/install.sh prepared them, only read here
ENV PATH=/opt/hrbot/bin:$PATH \
    HRBOT_CACHE_DIR=/opt/hrbot/cache \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /srv/hrbot
# 8080: webhook mode (telegram.port); 9090: polling mode's /healthz and /metrics
# (monitoring.port). Both need listen: 0.0.0.0 in the config to be reached from outside.
EXPOSE 8080 9090
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["hrbot", "health", "--config", "/srv/hrbot/config.yaml"]
ENTRYPOINT ["hrbot"]
CMD ["run", "--config", "/srv/hrbot/config.yaml"]
