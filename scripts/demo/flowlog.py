#!/usr/bin/python3
"""Reads microsegd's flow log and writes it as flow records (docs/flows.md) for microsegctl --flows.

  flowlog.py LOG OUT NAME=ADDRESS...

A log already in the flow record format is copied as it is. The daemon's earlier format (protocol
numbers, identity numbers, "local"/"remote") is converted: identity names come from the lab's
addresses given as NAME=ADDRESS (anything else is world). A stopgap until every microsegd build
writes flow records itself.
"""
import json, sys

PROTOCOLS = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}


def convert(e, names):
    if "localAddress" in e:
        return e
    protocol = e["protocol"]
    ingress = e["direction"] == "ingress"
    record = {
        "time": e["time"],
        "kind": e["kind"],
        "direction": e["direction"],
        "protocol": PROTOCOLS.get(protocol, str(protocol)),
        "localAddress": e["local"],
        "localPort": e["localPort"],
        "remoteAddress": e["remote"],
        "remotePort": e["remotePort"],
        "policyPort": e["localPort"] if ingress else e["remotePort"],
        "localIdentity": names.get(e["local"], "world"),
        "localIdentityId": e.get("localIdentity", 0),
        "remoteIdentity": names.get(e["remote"], "world"),
        "remoteIdentityId": e.get("remoteIdentity", 0),
        "rule": e.get("ruleName"),
        "ruleId": e.get("rule", 0),
        "verdict": e["verdict"],
        "reason": e["reason"],
        "packets": e.get("packets", 0),
        "bytes": e.get("bytes", 0),
        "suppressed": e.get("suppressed", 0),
        "policyGeneration": e.get("generation", 0),
    }
    return record


def main():
    log, out, *pairs = sys.argv[1:]
    names = {address: name for name, address in (p.split("=", 1) for p in pairs)}
    with open(log) as source, open(out, "w") as target:
        for line in source:
            if line.strip() and not line.startswith("#"):
                target.write(json.dumps(convert(json.loads(line), names)) + "\n")


if __name__ == "__main__":
    main()
