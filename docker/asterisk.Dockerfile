# Asterisk 22 from Debian's package (sid has 22.x), configured from dialplans/ at start.
FROM debian:sid-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends asterisk asterisk-modules \
 && rm -rf /var/lib/apt/lists/*
USER asterisk
ENTRYPOINT ["/usr/sbin/asterisk", "-f", "-n", "-C", "/etc/callcenter-asterisk/asterisk.conf"]
