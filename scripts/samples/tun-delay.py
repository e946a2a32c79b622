#!/usr/bin/env python3
"""Userspace link delay (the kernel here has no netem): every packet the router routes into the TUN device NAME is
written back into it DELAY_MS later, and the router then forwards it on. Policy routing in record-samples.sh sends
forwarded traffic of both directions through it, so each direction gets DELAY_MS.
    tun-delay.py NAME DELAY_MS"""
import fcntl
import heapq
import os
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

name, delay = sys.argv[1], float(sys.argv[2]) / 1000.0
fd = os.open('/dev/net/tun', os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
print('ready', flush=True)
queue = []  # (due, seq, packet): packets leave in arrival order, each exactly `delay` after it came in
seq = 0
while True:
    timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
    readable, _, _ = select.select([fd], [], [], timeout)
    if readable:
        packet = os.read(fd, 65535)
        heapq.heappush(queue, (time.monotonic() + delay, seq, packet))
        seq += 1
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        os.write(fd, heapq.heappop(queue)[2])
