#!/usr/bin/env python3
# slow-reader.py PORT SECONDS [BYTES_PER_S] -- one version-1 member of lobby that reads at a
# trickle (default 20,000 bytes/s: 2,000-byte reads every 100 ms through a 4 KiB receive
# buffer) for at most SECONDS, then prints how much it got and how it ended: the ERROR frame
# the server sent, if any, and when. The slow member of BENCHMARKS.md "A slow reader" (issue
# "History", point 5).
import socket, struct, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
rate = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
ERROR = 4
s = socket.create_connection(('127.0.0.1', port))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
name = b'slowpoke'
s.sendall(struct.pack('<iB', len(name) + 1, 1) + name)
got, frames, ended, error, tick = 0, 0, 'still open', None, 0.1
buf = b''
start = time.monotonic()
end = start + seconds
while time.monotonic() < end:
    turn = time.monotonic()
    try:
        s.settimeout(tick)
        data = s.recv(int(rate * tick))
        if not data:
            ended = 'closed by the server'
            break
        got += len(data)
        buf += data
        while len(buf) >= 4:  # frames: int32 body length (type + payload), then the body
            body = struct.unpack_from('<i', buf)[0]
            if len(buf) < 4 + body:
                break
            frames += 1
            if buf[4] == ERROR:
                error = (buf[5:4 + body].decode(errors='replace'), time.monotonic() - start)
            buf = buf[4 + body:]
    except socket.timeout:
        pass
    except OSError as e:
        ended = f'error: {e}'
        break
    time.sleep(max(0.0, tick - (time.monotonic() - turn)))
took = time.monotonic() - start
said = f'ERROR "{error[0]}" at {error[1]:.1f} s' if error else 'no ERROR'
torn = f', {len(buf)} bytes of a torn frame' if buf else ''
print(f"slow reader: {got} bytes, {frames} frames in {took:.1f} s "
      f"({got / took / 1000:.1f} KB/s); {said}; {ended}{torn}")
