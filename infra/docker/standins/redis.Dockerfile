# Stand-in for redis:7.4-alpine: Debian's redis-server (7.0) and redis-cli, run as the redis user with /data
# as its working directory, like the official image.
ARG BASE
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o redis -g redis /data /usr/local/etc/redis
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server"]
