# The Anvil function runtime image: Deno running Anvil's runtime host (server/src/main/deno/host.ts),
# as every Project's Deno Deployment runs it. Build from the repository root:
#   docker build -f server/deno-runtime.Dockerfile -t ghcr.io/anvil-dev/anvil-deno-runtime:1.6.0 .
# The servers push function code and decrypted secrets to it (their DENO_RUNTIME_URL), authenticated by
# a token the host reads from ANVIL_RUNTIME_TOKEN. It needs no database and no keys, and nothing from the
# network at run time: Deno and the SDK functions import come from npm here, at build time.

FROM node:22-bookworm-slim AS build
# The layout of server/target/deno, which the server build makes the same way (server/pom.xml):
# the host's files, and `npm install` of package.json beside them.
WORKDIR /opt/anvil/deno
COPY server/src/main/deno/package.json server/src/main/deno/package-lock.json ./
# npm installs the deno package's binary for this platform only (@deno/linux-x64-glibc or
# linux-arm64-glibc); it goes on the PATH, and the npm packages carrying it are not needed at run time.
RUN npm ci --no-audit --no-fund --ignore-scripts --loglevel=error \
    && install -m 0755 node_modules/@deno/linux-*-glibc/deno /usr/local/bin/deno \
    && rm -rf node_modules/deno node_modules/@deno \
    && /usr/local/bin/deno --version
COPY server/src/main/deno/deno.json server/src/main/deno/*.ts ./

FROM debian:bookworm-slim
RUN groupadd --system --gid 10001 anvil && useradd --system --uid 10001 --gid anvil --no-create-home anvil
COPY --from=build /usr/local/bin/deno /usr/local/bin/deno
COPY --from=build /opt/anvil/deno/ /opt/anvil/deno/
WORKDIR /opt/anvil/deno
# Read-only root filesystem: the host writes no files; a cache Deno may want goes to /tmp (the pod's
# writable emptyDir). TLS roots are Deno's own, so the image needs no ca-certificates.
ENV DENO_DIR=/tmp/deno \
    DENO_NO_UPDATE_CHECK=1 \
    NO_COLOR=1
USER 10001:10001
EXPOSE 7133
# The command and arguments the operator sets on the Deno Deployment (DenoDeployment; DenoRuntimeImageTest
# checks they agree): network and the token variable only, --on-stuck=exit so a host with a worker it
# cannot stop drains (503 on /health) and exits for the orchestrator to restart.
ENTRYPOINT ["deno", "run", "--no-prompt", "--no-remote", "--no-check", "--unstable-net", "--allow-net", "--allow-env=ANVIL_RUNTIME_TOKEN", "--v8-flags=--max-old-space-size=256", "--config", "/opt/anvil/deno/deno.json", "/opt/anvil/deno/host.ts"]
CMD ["--port=7133", "--hostname=0.0.0.0", "--on-stuck=exit", "--timeout-ms=60000"]
