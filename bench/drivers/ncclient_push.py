#!/usr/bin/python3
"""ncclient (Debian python3-ncclient) pushing the bench's interface change to netconfd.

COUNT changes over one NETCONF session, in one of two disciplines:
  plain:  edit-config on the candidate, commit (2 RPCs)
  locked: lock running and candidate, discard-changes, edit-config, commit, unlock both
          (7 RPCs: what the fleet's NetconfAdapter.apply sends)
The password comes in the environment (BENCH_PASSWORD). Prints one JSON line.

  BENCH_PASSWORD=... python3 ncclient_push.py HOST PORT USER COUNT MODE
"""
import json
import os
import sys
import time

from ncclient import manager

IF_NS = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
IANAIFT_NS = "urn:ietf:params:xml:ns:yang:iana-if-type"


def config(description: str) -> str:
    return (
        f'<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><interfaces xmlns="{IF_NS}"><interface><name>bench2</name>'
        f'<type xmlns:ianaift="{IANAIFT_NS}">ianaift:ethernetCsmacd</type>'
        f"<description>{description}</description><enabled>true</enabled></interface></interfaces></config>"
    )


def main() -> None:
    host, port, user, count, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
    started = time.perf_counter()
    # hostkey_verify=False: the fleet pins the host key; this driver takes any, as most scripts do.
    m = manager.connect(host=host, port=port, username=user, password=os.environ["BENCH_PASSWORD"], hostkey_verify=False, look_for_keys=False, allow_agent=False, timeout=30)
    connected = time.perf_counter()
    for i in range(count):
        if mode == "locked":
            m.lock("running")
            m.lock("candidate")
            m.discard_changes()
        m.edit_config(target="candidate", config=config(f"ncclient change {i}"))
        m.commit()
        if mode == "locked":
            m.unlock("candidate")
            m.unlock("running")
    done = time.perf_counter()
    m.close_session()
    print(json.dumps({"pushes": count, "connect_s": connected - started, "push_s": done - connected}))


if __name__ == "__main__":
    main()
