#!/usr/bin/env python3
"""The dkimpy side of `cargo bench --bench dkim`: verify every message of a folder with dkimpy
(the Python reference implementation, PyPI `dkimpy`), fetching keys over DNS from the same local
server mailsleuth asks, one query per signature as dkimpy does by default.

usage: dkim_dkimpy.py FOLDER SERVER_IP PORT   -> prints "PASSED TOTAL"
"""
import os
import sys

import dkim
import dns.resolver


def main():
    folder, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = [ip]
    res.port = port
    res.lifetime = 5.0

    def dnsfunc(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        try:
            answer = res.resolve(name, "TXT")
        except Exception:
            return None
        return b"".join(b"".join(r.strings) for r in answer)

    total = passed = 0
    for entry in sorted(os.listdir(folder)):
        with open(os.path.join(folder, entry), "rb") as f:
            message = f.read()
        total += 1
        if dkim.verify(message, dnsfunc=dnsfunc):
            passed += 1
    print(passed, total)


if __name__ == "__main__":
    main()
