# Stand-in for ghcr.io/ggml-org/llama.cpp:server-<build>: the project's own CPU build of the same llama.cpp tag
# (model-servers/build-llama-server.sh), configured by the same LLAMA_ARG_* variables, with curl for the
# healthcheck, as /app/llama-server like the official image.
ARG BASE
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin llama
COPY llama-server /app/llama-server
ENV LLAMA_ARG_HOST=0.0.0.0
USER llama
WORKDIR /app
EXPOSE 8080
ENTRYPOINT ["/app/llama-server"]
