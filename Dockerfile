# dbcache's image: dbcached, dbcache-web and dbcachectl on Debian bookworm.
# Used by docker-compose.yaml; builds with the same script as the README
# (scripts/build.sh), so the image and a hand build cannot drift apart.
#
#   docker build -t dbcache:local .

# --- build -------------------------------------------------------------------
FROM debian:bookworm AS build
WORKDIR /src
# Dependencies first, in a layer of their own, so that a source change does not
# reinstall them. scripts/build.sh would run the same script itself; --no-deps
# below only skips the second, no-op, run.
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh --build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN scripts/build.sh --no-deps --no-tests --build-dir /build --prefix /opt/dbcache

# --- runtime -----------------------------------------------------------------
FROM debian:bookworm-slim AS runtime
# The shared libraries the programs link (ldd), and CA certificates for
# anything that speaks TLS: install-deps.sh --run, the list the build stage's
# --build brings in too.
COPY --from=build /src/scripts/install-deps.sh /tmp/install-deps.sh
RUN /tmp/install-deps.sh --run && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh
COPY --from=build /opt/dbcache /opt/dbcache
ENV PATH=/opt/dbcache/bin:$PATH
# Fail the build here, not at run time, if a library is missing.
RUN dbcached --version && dbcache-web --version && dbcachectl --help >/dev/null
# No root needed: nothing is written but /tmp, and 8080 is not privileged.
USER 65534:65534
EXPOSE 8080
CMD ["dbcached"]
