# syntax=docker/dockerfile:1
# The portal, with the Windows activator its downloads serve, in a small runtime image.
#   docker compose up --build        (see docker-compose.yml and the README)

# --- build: the portal, and the 32-bit activator.exe for every Windows 7 to 11 (see
#     scripts/build-activator)
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc-mingw-w64-i686 \
 && rm -rf /var/lib/apt/lists/*
RUN rustup toolchain install nightly --profile minimal --component rust-src
WORKDIR /src
COPY . .
RUN cargo +nightly build --profile activator -Z build-std=std,panic_abort \
      --target i686-win7-windows-gnu -p activator --bin activator --locked \
 && cargo build --release --locked -p server --bin portal

# --- run: the binary, the activator, certificates and time zones; no compiler, no shell tools
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --no-create-home portal \
 && mkdir /data && chown portal /data
COPY --from=build /src/target/release/portal /usr/local/bin/portal
COPY --from=build /src/target/i686-win7-windows-gnu/activator/activator.exe /usr/local/share/portal/activator.exe
ENV PORTAL_BIND=0.0.0.0:8080 \
    PORTAL_DATA_DIR=/data \
    PORTAL_DATABASE_URL=sqlite:///data/portal.db \
    PORTAL_ACTIVATOR_EXE=/usr/local/share/portal/activator.exe \
    PORTAL_LOG_FORMAT=json
VOLUME /data
USER portal
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/portal"]
CMD ["serve"]
