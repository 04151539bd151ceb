# The one image of the API, the worker, the ops projector and the store migration (one command
# each; see docker-compose.yml and deploy/helm/dealflow). Node 24 LTS; package.json accepts 20, 22, 24.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schemas schemas
COPY domain domain
COPY activities activities
COPY workflows workflows
COPY store store
COPY adapters adapters
COPY services services
RUN npx tsc -p tsconfig.build.json

FROM node:24.21.0-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
# The worker bundles dist/workflows (plain JavaScript) with webpack at start.
COPY --from=build /app/dist ./
# The web pages are served from beside the compiled app (services/api/web.ts).
COPY web web
USER node
# Small young-generation semispaces keep the API ~20 MB smaller at the same request rate (BENCHMARKS.md).
CMD ["node", "--max-semi-space-size=4", "services/api/server.js"]
