# syntax=docker/dockerfile:1
# One container image recipe for every leadflow service, chosen by SERVICE:
#   docker build --build-arg SERVICE=routing -t leadflow/routing:0.1.0 .
# SERVICE is one of intake, scoring, routing, nurture, notifier (a CMake target
# leadflow-$SERVICE; the build stops naming the argument otherwise).
# Stage 1 compiles only that target with Debian's toolchain and -dev packages
# (the ones scripts/bootstrap installs), with -Werror and the hardening flags of
# CMakeLists.txt (LEADFLOW_HARDEN) left on. Stage 2 is bookworm-slim with just
# the shared libraries the binaries link (`ldd build/bin/leadflow-<svc>`),
# tzdata for rep and contact time zones, and the shipped config/ as defaults at
# /etc/leadflow (Kubernetes mounts the leadflow-rules ConfigMap over it). Runs as
# uid 65532 on a read-only root filesystem; nothing is written outside /tmp.

FROM debian:bookworm AS build
ARG SERVICE
RUN case "$SERVICE" in intake|scoring|routing|nurture|notifier) ;; \
      *) echo "Dockerfile: --build-arg SERVICE=<intake|scoring|routing|nurture|notifier> is required (got \"$SERVICE\")" >&2; exit 1 ;; \
    esac
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      protobuf-compiler libprotobuf-dev libgrpc++-dev protobuf-compiler-grpc grpc-proto \
      librdkafka-dev libhiredis-dev prometheus-cpp-dev libcpp-httplib-dev nlohmann-json3-dev \
      libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev libjemalloc-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build /build -j"$(nproc)" --target "leadflow-$SERVICE" \
 && strip "/build/bin/leadflow-$SERVICE" \
 && cp "/build/bin/leadflow-$SERVICE" /build/leadflow-service

FROM debian:bookworm-slim AS runtime
ARG SERVICE
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates tzdata \
      libgrpc++1.51 libgrpc29 libprotobuf32 librdkafka1 libhiredis0.14 libcpp-httplib0.11 \
      libprometheus-cpp-core1.0 libabsl20220623 libre2-9 libc-ares2 libssl3 libsasl2-2 \
      liblz4-1 libzstd1 libbrotli1 zlib1g libjemalloc2 \
 && rm -rf /var/lib/apt/lists/*
# The binary keeps its name (ps, crash reports); the entry point is the same in
# every image.
COPY --from=build /build/leadflow-service /usr/local/bin/leadflow-${SERVICE}
RUN ln -s "leadflow-${SERVICE}" /usr/local/bin/leadflow-service
COPY config/*.json /etc/leadflow/
ENV LEADFLOW_CONFIG_DIR=/etc/leadflow \
    LEADFLOW_GRPC_PORT=50051 \
    LEADFLOW_HTTP_PORT=8080 \
    LEADFLOW_ADMIN_PORT=8081
EXPOSE 50051 8080 8081
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/leadflow-service"]
