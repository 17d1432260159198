# One image for the gateway, the worker and the simulator: the production build
# (scripts/build.mjs) run by `node` itself, under tini. No pnpm, npx or tsx at run time.
#   gateway (default):  node --enable-source-maps dist/gateway.js
#   worker:             node --enable-source-maps dist/worker.js
#   simulator (demos):  node dist/simulator.js

# Build: production dependencies only, then the bundles, built against exactly
# the node_modules the image ships (an import of a dev-only package fails here).
FROM node:20-slim AS build
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install --global pnpm@10.34.8
WORKDIR /app
# Downloads depend on the lockfile alone, so this layer survives source changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch --prod
COPY . .
RUN pnpm install --prod --frozen-lockfile --offline && node scripts/build.mjs

FROM node:20-slim
# tini is PID 1: it forwards SIGTERM to node (which drains) and reaps zombies.
# In the image rather than `docker run --init` / compose `init: true`, so
# Kubernetes and plain `docker run` get it too.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The bundles import third-party packages by their path under node_modules/.pnpm, and
# packages/db reads ../../../migrations from its source's place: keep the layout.
COPY --from=build /app/node_modules/.pnpm node_modules/.pnpm
COPY --from=build /app/dist dist
COPY --from=build /app/migrations migrations
COPY --from=build /app/breakwater.yaml breakwater.yaml
# Embedded mode's PGlite data directory (BREAKWATER_DATA_DIR), writable by the runtime user.
RUN mkdir -p .breakwater && chown node:node .breakwater
ENV HOST=0.0.0.0 PORT=8787 NODE_ENV=production
EXPOSE 8787
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "dist/gateway.js"]
