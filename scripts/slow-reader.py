#!/usr/bin/env python3
# slow-reader.py PORT SECONDS [BYTES_PER_S] [--again] -- one version-1 member of lobby that
# reads at a trickle (default 20,000 bytes/s: reads of a tenth of that every 100 ms through a
# 16 KiB receive buffer) for at most SECONDS, then prints how much it got and how it ended: the
# ERROR frame the server sent, if any, and when. With --again it logs in again each time the
# server closes it, so the room has a slow member for the whole run, and it prints one line per
# connection. The slow member of BENCHMARKS.md "Slow consumers" (issue "History", point 5).
import socket, struct, sys, time

args = [a for a in sys.argv[1:] if not a.startswith('--')]
again = '--again' in sys.argv
port, seconds = int(args[0]), float(args[1])
rate = int(args[2]) if len(args) > 2 else 20000
ERROR, TICK = 4, 0.1
end = time.monotonic() + seconds


def one_connection():
    s = socket.create_connection(('127.0.0.1', port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    name = b'slowpoke'
    s.sendall(struct.pack('<iB', len(name) + 1, 1) + name)
    got, frames, ended, error, buf = 0, 0, 'still open', None, b''
    start = time.monotonic()
    while time.monotonic() < end:
        turn = time.monotonic()
        try:
            s.settimeout(TICK)
            data = s.recv(int(rate * TICK))
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
        time.sleep(max(0.0, TICK - (time.monotonic() - turn)))
    s.close()
    took = time.monotonic() - start
    said = f'ERROR "{error[0]}" at {error[1]:.1f} s' if error else 'no ERROR'
    torn = f', {len(buf)} bytes of a torn frame' if buf else ''
    print(f"slow reader: {got} bytes, {frames} frames in {took:.1f} s "
          f"({got / max(took, 0.001) / 1000:.1f} KB/s); {said}; {ended}{torn}", flush=True)
    return ended


while time.monotonic() < end:
    if one_connection() == 'still open' or not again:
        break
