# The Alcove web client: the SvelteKit build, served by the Node server of
# @sveltejs/adapter-node. Build from the repository root:
#   docker build -t alcove-web .
# Run-time settings are environment variables: PORT, HOST, ORIGIN and
# ALCOVE_HOMESERVER_URL (docker-compose.yml sets them).

ARG NODE_IMAGE=node:24-bookworm-slim

# Build stage: every dependency, then `vite build` into build/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# The server imports the packages in "dependencies" at run time (adapter-node
# does not bundle them), so the image needs them, and nothing else.
FROM ${NODE_IMAGE} AS runtime-dependencies
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# package.json marks the build output as ES modules ("type": "module").
COPY package.json ./
COPY --from=runtime-dependencies /app/node_modules ./node_modules
COPY --from=build /app/build ./build
# The image's unprivileged user; the server writes no files.
USER node
EXPOSE 3000
CMD ["node", "build"]
