# Production image for the api and the worker (one image, two start commands; see docker-compose.yml).

# Node 20.19+ is what package.json's engines asks for; bookworm-slim keeps glibc, so the
# better-sqlite3 addon built in the build stage loads unchanged in the runtime stage.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app

# Toolchain for node-gyp: better-sqlite3 12 compiles from source when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*

# Manifests first so the dependency layer stays cached until they change.
# `npm install`, not `npm ci`: the lockfile is made on our machines and lacks some
# platform-specific optional packages that npm has to add for linux here.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund

COPY . .
# tsc -p tsconfig.build.json && tsc-alias -p tsconfig.build.json, into dist/
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app

# Code and dependencies stay root-owned, so the app cannot rewrite itself; only /data is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# A named volume mounted here starts with this directory's owner, so the node user can write to it.
RUN mkdir -p /data && chown node:node /data
ENV DATA_DIR=/data

# The image's unprivileged user (uid 1000).
USER node

EXPOSE 3000
# No HEALTHCHECK here: the api and the worker listen on different ports; compose checks each.
CMD ["node", "dist/apps/api/src/main.js"]
