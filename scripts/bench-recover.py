#!/usr/bin/env python3
# bench-recover.py PORT N -- time to recover N messages (BENCHMARKS.md "History"): one client says N
# messages of 64 bytes in channel r, another logs in and JOINs asking for the last N; prints the
# time from the JOIN to the Nth replayed MSG. Needs chat-server --max-broadcast-rate=0.
import socket, struct, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
def frame(t, p): return struct.pack('<iB', len(p) + 1, t) + p
def str8(s): b = s.encode(); return bytes([len(b)]) + b
class C:
    def __init__(s):
        s.k = socket.create_connection(('127.0.0.1', port)); s.buf = b''
    def send(s, t, p): s.k.sendall(frame(t, p))
    def read(s):
        while True:
            if len(s.buf) >= 4:
                (l,) = struct.unpack('<i', s.buf[:4])
                if len(s.buf) >= 4 + l:
                    t, p = s.buf[4], s.buf[5:4 + l]; s.buf = s.buf[4 + l:]; return t, p
            d = s.k.recv(1 << 20)
            if not d: raise SystemExit('closed')
            s.buf += d
    def until(s, t):
        while True:
            ft, p = s.read()
            if ft == t: return p
def login(name):
    c = C(); c.send(7, struct.pack('<H', 2)); c.until(7); c.send(1, name.encode()); c.until(1); return c
def join(c, ref, ch, mode=0, count=0):
    c.send(8, struct.pack('<I', ref) + str8(ch) + bytes([mode]) + struct.pack('<QQI', 0, 0, count))
    return c.until(18)
a = login('writer'); join(a, 1, 'r')
text = b'x' * 64
for i in range(n):
    a.send(10, struct.pack('<I', i) + str8('r') + struct.pack('<I', len(text)) + text)
    if i % 100 == 99:
        for _ in range(100): a.until(10)
b = login('reader')
start = time.perf_counter()
j = join(b, 1, 'r', mode=2, count=n)
got = 0
while got < n:
    b.until(10); got += 1
ms = (time.perf_counter() - start) * 1000
replayed = struct.unpack('<I', j[-4:])[0]
print(f"recovered {got} messages (JOINED said {replayed}) in {ms:.1f} ms")
