#!/usr/bin/env bash
# Installs the real NE software the peers tests run against, when missing (Debian packages):
# FRRouting behind OpenSSH (CLI), yuma123 netconfd (NETCONF), Net-SNMP snmpd (SNMP), and
# Prometheus (with promtool) to scrape the fleet and check its dashboard queries and rules.
# The tests start and stop each on loopback themselves; nothing here starts a service.
set -euo pipefail
need=()
[ -x /usr/lib/frr/bgpd ] || need+=(frr)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
[ -x /usr/sbin/snmpd ] || need+=(snmpd)
command -v snmpget >/dev/null 2>&1 || need+=(snmp)
[ -x /usr/sbin/netconfd ] || need+=(netconfd)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing real NE software: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps the packages from starting their own daemons on standard ports.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${need[@]}"
  rm -f /usr/sbin/policy-rc.d
fi
