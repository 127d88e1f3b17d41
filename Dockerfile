# One image for every role; the role is chosen at run time (`start --role ...`).
#   docker build --build-arg BUILD_COMMIT=$(git rev-parse HEAD) -t activation-fleet .

# Build: the TypeScript sources compiled to dist/ (npm run build), with the dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ARG BUILD_COMMIT=unknown
ENV BUILD_COMMIT=${BUILD_COMMIT}
RUN npm run build

# Run: compiled JavaScript on node, production dependencies only. No sources, tests, peers or
# benchmarks; the simulated NEs (`lab`) are part of dist/.
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Every process serves /healthz, /readyz and /metrics (and the api role its APIs): in a container
# it listens on every interface; outside one it defaults to loopback.
ENV HTTP_HOST=0.0.0.0
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config ./config
ARG BUILD_COMMIT=unknown
ENV BUILD_COMMIT=${BUILD_COMMIT}
# V8's heap, sized for a container with a 512 MiB memory limit (a worker's in compose and k8s):
# old space at half the limit, the rest for new space, code, buffers and sockets. Without it V8
# sizes old space from the memory it can see and lets it grow far past the live heap: a worker
# with 100,000 queued items peaked at 312 MiB RSS; with these, under 200 (bench/RESULTS-worker-rss.md).
# Raise --max-old-space-size with the limit (half of it): a live heap beyond it ends the process.
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=8"
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/activation-fleet.js"]
CMD ["start", "--role", "all"]
