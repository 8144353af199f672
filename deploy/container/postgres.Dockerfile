# PostgreSQL 15 from Debian's packages, for a compose deployment that has no registry to
# pull the official image from. On first start it creates the cluster and runs the SQL in
# /run/secrets/db-init (one role and one database per slice); later starts only serve.
#
#   podman build -f deploy/container/postgres.Dockerfile -t tessera-postgres .
ARG BASE=python:3.11-slim

FROM ${BASE}
# Debian's packages with the fixes published up to UPGRADED_ON (`make compose-images`
# passes the day's date, so a later rebuild does not reuse the cached layer)
ARG UPGRADED_ON=unset
# a fixed uid, so mounted secrets can be made readable by it alone
RUN echo "Debian packages as of $UPGRADED_ON" && \
    groupadd --gid 10002 postgres && \
    useradd --uid 10002 --gid 10002 --home-dir /var/lib/postgresql --no-create-home postgres && \
    apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -qq >/dev/null && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        postgresql-15 >/dev/null && \
    rm -rf /var/lib/apt/lists/* /var/lib/postgresql/15/main /etc/postgresql && \
    mkdir -p /var/lib/postgresql/data /run/postgresql && \
    chown -R 10002:10002 /var/lib/postgresql /run/postgresql
COPY deploy/container/postgres-start /usr/local/bin/postgres-start
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
VOLUME ["/var/lib/postgresql/data"]
USER 10002:10002
EXPOSE 5432
HEALTHCHECK --interval=5s --timeout=3s --retries=10 CMD ["pg_isready", "-h", "127.0.0.1"]
ENTRYPOINT ["postgres-start"]
