# Stand-in for node:20-bookworm-slim: Debian bookworm + this machine's own Node.js (Debian's nodejs is 18.x; Vite
# needs ^20.19 || >=22.12). npm trusts the same CA bundle as the host.
ARG BASE
FROM ${BASE}
ADD node.tar /usr/local/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
