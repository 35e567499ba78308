# syntax=docker/dockerfile:1
# The fleetwave image: a production worker by default (`worker`), the simulator with
# `simulator …`, any other `fleet` command likewise.
#   build:   every dependency, `npm run build` (dist/ and the prebuilt workflow bundle)
#   deps:    production dependencies only
#   runtime: dist/ and those dependencies on a slim Node, as the unprivileged `node`
#            user, with FLEET_WORKFLOW_BUNDLE set so the worker starts without bundling
# Base images are pinned to an exact Node release, the one CI tests with.

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production \
    FLEET_WORKFLOW_BUNDLE=/app/dist/workflows.bundle.js
WORKDIR /app
# package.json carries "type": "module", which dist/ needs.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["worker"]
