# Stand-in for nginxinc/nginx-unprivileged: Debian's nginx run as uid 101 on port 8080, pid and temp files under
# /tmp, site configuration from /etc/nginx/conf.d/*.conf, wget for healthchecks (as in the official image).
ARG BASE
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light wget \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled /etc/nginx/conf.d/* \
 && usermod -u 101 www-data && groupmod -g 101 www-data \
 && install -d -o 101 -g 101 /var/cache/nginx /usr/share/nginx/html \
 && chown -R 101:101 /var/lib/nginx /var/log/nginx
COPY nginx.conf /etc/nginx/nginx.conf
STOPSIGNAL SIGQUIT
USER 101
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
