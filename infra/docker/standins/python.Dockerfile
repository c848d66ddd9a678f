# Stand-in for python:3.11-slim-bookworm: Debian bookworm + this machine's own CPython 3.11 build (Debian's
# python3 is 3.11.2, older than what the pinned dependencies require; the official image tracks the newest 3.11).
# Runtime libraries only: the same shared libraries CPython's extension modules link against on the host.
ARG BASE
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends libbz2-1.0 libexpat1 libffi8 liblzma5 libncursesw6 libreadline8 \
      libsqlite3-0 libssl3 libuuid1 zlib1g netbase tzdata \
 && rm -rf /var/lib/apt/lists/*
ADD cpython.tar /usr/local/
RUN ldconfig && python3 --version && python3 -m ensurepip --version >/dev/null
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
CMD ["python3"]
