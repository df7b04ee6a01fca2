#!/usr/bin/env python3
"""Measures a UDP echo's round trips per second with a window of datagrams in flight: the load of
benchmarks/udp-echo.

    udp-echo-client.py HOST PORT SECONDS WARMUP [WINDOW] [BYTES]

Sends WINDOW (default 32) datagrams of BYTES (default 64) to HOST:PORT, then one more for each echo that
comes back, so that WINDOW stay in flight; a datagram lost (no echo for 200 ms) is replaced and counted.
After WARMUP seconds it counts echoes per second for SECONDS seconds and prints one line per second
("second N ECHOES") and at the end "lost N". The same client loads both targets, so it bounds both alike.
"""
import socket
import sys
import time


def main():
    host, port, seconds, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    window = int(sys.argv[5]) if len(sys.argv) > 5 else 32
    size = int(sys.argv[6]) if len(sys.argv) > 6 else 64
    payload = b"m" * size
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.connect((host, port))
    s.settimeout(0.2)
    for _ in range(window):
        s.send(payload)
    lost = 0
    start = time.monotonic()
    measuring = start + warmup
    end = measuring + seconds
    tick = measuring + 1
    second = 0
    count = 0
    while True:
        try:
            s.recv(65535)
        except socket.timeout:
            lost += 1
            s.send(payload)
            continue
        except ConnectionRefusedError:
            lost += 1
            s.send(payload)
            continue
        now = time.monotonic()
        if now >= end:
            print("second", second + 1, count, flush=True)  # the last one, which ends the run
            break
        if now >= measuring:
            if now >= tick:
                second += 1
                print("second", second, count, flush=True)
                count = 0
                tick += 1
            count += 1
        s.send(payload)
    print("lost", lost, flush=True)


main()
