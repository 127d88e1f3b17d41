#!/usr/bin/python3
"""Netmiko (Debian python3-netmiko) pushing the bench's FRR lines over one SSH session.

The same work as the fleet's row: COUNT configuration pushes, each `configure terminal`, the
lines, `end`, on one session opened once. Netmiko has no FRR driver; vtysh speaks close enough
to Cisco IOS for `cisco_ios` (prompt `frr-1#`, `terminal length 0`, `(config...)#` prompts).
The password comes in the environment (BENCH_PASSWORD), never on the command line.
MODE `default` runs Netmiko as it comes; `fast` sets fast_cli=True (Netmiko's documented switch
for shorter delays), which is how people tune it for speed.
Prints one JSON line: {"pushes", "connect_s", "push_s"}.

  BENCH_PASSWORD=... python3 netmiko_push.py HOST PORT USER COUNT NEIGHBOR MODE
"""
import json
import os
import sys
import time

from netmiko import ConnectHandler


def main() -> None:
    host, port, user, count, neighbor, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
    started = time.perf_counter()
    # Netmiko 2.4 takes any host key (paramiko AutoAddPolicy): the fleet pins the key instead.
    conn = ConnectHandler(device_type="cisco_ios", host=host, port=port, username=user, password=os.environ["BENCH_PASSWORD"], fast_cli=mode == "fast")
    connected = time.perf_counter()
    for i in range(count):
        output = conn.send_config_set(["router bgp 65001", f"neighbor {neighbor} description netmiko-{mode}-{i}", "exit"])
        if "% " in output:
            raise SystemExit(f"vtysh refused a line: {output}")
    done = time.perf_counter()
    conn.disconnect()
    print(json.dumps({"pushes": count, "connect_s": connected - started, "push_s": done - connected}))


if __name__ == "__main__":
    main()
