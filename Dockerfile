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
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/activation-fleet.js"]
CMD ["start", "--role", "all"]
