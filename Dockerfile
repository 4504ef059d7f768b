# syntax=docker/dockerfile:1
# One image for all four services; the command picks one (default: ingest):
#   docker run hookline:local node apps/delivery/dist/main.js
# Migrations: node node_modules/typeorm/cli.js migration:run -d libs/database/dist/data-source.js
# docker-compose.yml runs the migrations and all four services from this image.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app

# Only the npm manifests (root + every workspace), so the install layers below are rebuilt only
# when one of them changes. COPY cannot glob while keeping directories, hence cp --parents.
FROM base AS manifests
COPY . /src
RUN cd /src && mkdir /manifests \
 && cp --parents package.json package-lock.json .npmrc libs/*/package.json apps/*/package.json /manifests/

FROM base AS build
COPY --from=manifests /manifests/ ./
# --ignore-scripts: the image's own Node 24 runs the build, so the `node` devDependency's
# installer (which would fetch a second Node) is skipped; @swc/core's native binary comes from
# its per-platform optional dependency, not from an install script.
# install --no-save, not ci: see scripts/lib/deps.sh for why npm ci rejects this lockfile.
RUN --mount=type=cache,target=/root/.npm npm install --no-save --ignore-scripts --no-audit --no-fund
COPY . .
# Called directly (not `npm run`) so `node` is the image's, not node_modules/.bin's. It also
# bundles the console and portal into apps/console/dist (static files ingest serves; the
# runtime stage installs none of their build-time packages, which are devDependencies).
RUN bash scripts/build.sh \
 && mkdir /out && cp -r --parents libs/*/dist apps/*/dist /out/

FROM base AS runtime
ENV NODE_ENV=production
COPY --from=manifests /manifests/ ./
# Production dependencies only (none has an install script); this also links
# node_modules/@hookline/<name> to libs/<name>, whose package.json exports point at dist/.
RUN --mount=type=cache,target=/root/.npm npm install --no-save --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /out/ ./
# Code stays root-owned and read-only to the service; nothing is written to disk at runtime.
USER node
EXPOSE 8080 8081 8082 8083
# No init process: node is PID 1 (the base image's entrypoint execs it). The services handle
# SIGTERM themselves (drain Kafka work for HOOKLINE_SHUTDOWN_GRACE, then exit) and spawn no
# children to reap. For the one-shot migration, compose sets `init: true`.
STOPSIGNAL SIGTERM
CMD ["node", "apps/ingest/dist/main.js"]
