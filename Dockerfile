# One image for every role; the role is chosen at run time (`start --role ...`).
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Every process serves /healthz, /readyz and /metrics (and the api role its APIs): in a container
# it listens on every interface; outside one it defaults to loopback.
ENV HTTP_HOST=0.0.0.0
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/activation-fleet.js"]
CMD ["start", "--role", "all"]
