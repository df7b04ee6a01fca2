#!/usr/bin/env python3
"""Floods one interface with Ethernet frames for a bounded time: the load of benchmarks/tap-echo.

    tap-sender.py IFACE DST_MAC SECONDS [FRAME_BYTES] [RATE]

Sends FRAME_BYTES-byte frames (default 60, the Ethernet minimum without FCS) from IFACE's own MAC address to
DST_MAC with the local experimental EtherType 0x88B5, which no protocol of the kernel handles, so echoed
frames cost the kernel no more than their delivery. One sendmmsg(2) call (through ctypes: Python's socket
module has none) hands 64 frames to an AF_PACKET socket that bypasses the qdisc, so the sender is limited
by the kernel, not by Python (about 850,000 frames/s into a veth here). RATE frames per second (0, the
default: as fast as possible) paces the batches, without bursts to catch up. Prints the number of frames the kernel accepted and how many
of them the TAP driver dropped because its queue was full (the interface's tx_dropped).
"""
import ctypes
import socket
import sys
import time

ETHERTYPE = 0x88B5
BATCH = 64
SOL_PACKET = 263
PACKET_QDISC_BYPASS = 20


class Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class Msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32), ("iov", ctypes.POINTER(Iovec)),
                ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class Mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", Msghdr), ("len", ctypes.c_uint)]


def main():
    iface, dst, seconds = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), float(sys.argv[3])
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 60
    rate = float(sys.argv[5]) if len(sys.argv) > 5 else 0
    with open(f"/sys/class/net/{iface}/address") as f:
        src = bytes.fromhex(f.read().strip().replace(":", ""))
    frame = dst + src + ETHERTYPE.to_bytes(2, "big") + bytes(range(256)) * 64
    frame = frame[:size]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    sock.setsockopt(SOL_PACKET, PACKET_QDISC_BYPASS, 1)
    sock.bind((iface, 0))
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(frame, len(frame))
    iov = Iovec(ctypes.addressof(buffer), len(frame))
    messages = (Mmsghdr * BATCH)()
    for message in messages:
        message.hdr.iov = ctypes.pointer(iov)
        message.hdr.iovlen = 1
    sendmmsg = libc.sendmmsg
    fd = sock.fileno()
    dropped_before = tx_dropped(iface)
    sent = 0
    start = time.monotonic()
    deadline = start + seconds
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        if rate > 0:
            due = start + sent / rate
            if due > now:
                time.sleep(due - now)
            elif now - due > 0.002:
                # Late (a sleep overslept, the core was busy): forget the backlog rather than send it in one
                # burst, which would overflow the TAP's 500-frame queue however fast the reader is on average.
                start = now - sent / rate
        n = sendmmsg(fd, messages, BATCH, 0)
        if n > 0:
            sent += n
        elif ctypes.get_errno() not in (105, 11):  # ENOBUFS, EAGAIN: the queue is full, go on
            raise OSError(ctypes.get_errno(), "sendmmsg failed")
    print(sent, tx_dropped(iface) - dropped_before)


def tx_dropped(iface):
    with open(f"/sys/class/net/{iface}/statistics/tx_dropped") as f:
        return int(f.read())


if __name__ == "__main__":
    main()
