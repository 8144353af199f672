# The console's image: its Python distribution with tessera-common, and the front-end
# packages its pages load (GOV.UK Frontend, oidc-client-ts) with the stylesheet built from
# them, installed from package-lock.json at build time so no page loads anything from the
# internet. Node.js is in the assets stage only; the image runs Python alone.
#
#   podman build --format docker -f deploy/container/console.Dockerfile -t tessera-console .
#
# BASE as in deploy/container/Dockerfile: any image with Python 3.11 and its venv module,
# Debian-based (the assets stage installs Debian's nodejs and npm).
ARG BASE=python:3.11-slim

FROM ${BASE} AS assets
RUN apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        nodejs npm >/dev/null && \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY services/console/package.json services/console/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY services/console/styles styles
# Only what the console serves is kept: each package's browser build and the stylesheet.
RUN npm run --silent build && \
    mkdir -p /assets/node_modules/govuk-frontend/dist \
             /assets/node_modules/oidc-client-ts/dist && \
    cp -r node_modules/govuk-frontend/dist/govuk /assets/node_modules/govuk-frontend/dist/ && \
    cp -r node_modules/oidc-client-ts/dist/browser /assets/node_modules/oidc-client-ts/dist/ && \
    cp -r build /assets/build

FROM ${BASE} AS build
WORKDIR /src
COPY requirements.lock ./
COPY services services
RUN python3 -m venv /opt/venv && \
    /opt/venv/bin/pip install --no-cache-dir --quiet --disable-pip-version-check \
        --constraint requirements.lock ./services ./services/console && \
    printf '#!/bin/sh\nexec /opt/venv/bin/python -m services.console "$@"\n' \
        > /opt/venv/bin/tessera-slice && \
    chmod 0755 /opt/venv/bin/tessera-slice

FROM ${BASE}
# as deploy/container/Dockerfile: the base's Debian fixes up to the day of the build
ARG UPGRADED_ON=unset
RUN echo "Debian packages as of $UPGRADED_ON" && apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -qq >/dev/null && \
    rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/venv /opt/venv
COPY --from=assets /assets /opt/console
# The console keeps no state and writes nothing: no volume, a read-only root file system.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TESSERA_SLICE=console \
    TESSERA_CONSOLE_HOST=0.0.0.0 TESSERA_CONSOLE_PORT=8000 \
    TESSERA_CONSOLE_NODE_MODULES=/opt/console/node_modules \
    TESSERA_CONSOLE_BUILD_DIR=/opt/console/build
USER 10001:0
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=10s --start-period=20s --retries=3 \
    CMD ["tessera-slice", "health"]
ENTRYPOINT ["tessera-slice"]
CMD ["serve"]
