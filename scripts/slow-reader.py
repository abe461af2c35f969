#!/usr/bin/env python3
# slow-reader.py PORT SECONDS [BYTES_PER_S] -- one version-1 member of lobby that reads at a
# trickle (default 20,000 bytes/s) for SECONDS, then prints how much it got and how it ended.
# The slow member of BENCHMARKS.md "A slow reader" (issue "History", point 5).
import socket, struct, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
rate = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
s = socket.create_connection(('127.0.0.1', port))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
name = b'slowpoke'
s.sendall(struct.pack('<iB', len(name) + 1, 1) + name)
got, ended, tick = 0, 'still open', 0.1
end = time.monotonic() + seconds
while time.monotonic() < end:
    start = time.monotonic()
    try:
        s.settimeout(tick)
        data = s.recv(int(rate * tick))
        if not data:
            ended = 'closed by the server'
            break
        got += len(data)
    except socket.timeout:
        pass
    except OSError as e:
        ended = f'error: {e}'
        break
    time.sleep(max(0.0, tick - (time.monotonic() - start)))
print(f"slow reader: {got} bytes in {seconds:.0f} s ({got / seconds / 1000:.1f} KB/s), {ended}")
