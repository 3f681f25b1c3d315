# Spar in a container: `docker build -t spar .` (or `podman build -t spar .`).
#
# Stage 1 builds bin/spar with offline speech recognition and the C Opus codec (-tags
# pocketsphinx,libopus, cgo against Debian's pocketsphinx and libopus); stage 2 is Debian slim with the speech packages the binary uses at
# run time. The package lists follow the Makefile's APT_PKGS (TestDockerfilePackages in
# cmd/spar checks that every one is here): the -dev packages, pkg-config and gcc in the
# build stage, the libraries, the en-us model, flite, espeak-ng, redis-server and
# poppler-utils (pdftotext, which reads PDF material in the studio) at run time (sox is only
# a tool for people working on the tests). Scenarios, rubrics and web assets are
# embedded in the binary.
#
# Run one node against an external Redis (docs/DEPLOY.md):
#   docker run -p 8080:8080 -v spar-data:/var/lib/spar \
#     -e REDIS_URL=redis://redis:6379/0 -e SPAR_PUBLIC_URL=https://spar.example.com \
#     -e TWILIO_AUTH_TOKEN=... spar
# Without REDIS_URL the node starts its own redis-server under /var/lib/spar/redis (one node
# only). Mount a config at /etc/spar/spar.yaml to set more (SPAR_CONFIG points there). SIP
# and browser media need UDP ports published too (sip.listen, webrtc.port_min..port_max).

FROM golang:1.26.8-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpocketsphinx-dev libsphinxbase-dev libopus-dev pkg-config gcc \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -tags pocketsphinx,libopus -trimpath -ldflags='-s -w' -o /out/spar ./cmd/spar

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libpocketsphinx3 libsphinxbase3 libopus0 pocketsphinx pocketsphinx-en-us \
      flite espeak-ng redis-server poppler-utils \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/spar --create-home --shell /usr/sbin/nologin spar \
 && mkdir -p /etc/spar && touch /etc/spar/spar.yaml
COPY --from=build /out/spar /usr/local/bin/spar
USER spar
WORKDIR /var/lib/spar
ENV SPAR_CONFIG=/etc/spar/spar.yaml \
    SPAR_LISTEN=:8080 \
    SPAR_DATA_DIR=/var/lib/spar
VOLUME /var/lib/spar
EXPOSE 8080
# SIGTERM drains (GET /readyz turns 503, live calls get shutdown_grace, default 2m): give
# the container runtime a stop timeout above it, e.g. `docker stop -t 150`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/spar"]
CMD ["serve"]
