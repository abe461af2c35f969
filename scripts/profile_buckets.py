#!/usr/bin/env python3
"""profile_buckets.py -- sorts every sample of a chat-server `perf record -g` profile into the
cost buckets BENCHMARKS.md "Where the time goes" reports (CAF, Asio, kernel send/recv, codec,
malloc, locks, ...), so that the shares add up to 100% and each sample counts once.

A sample goes to the bucket of its leaf frame (self cost), except that kernel samples are
charged to the system call or path that led there (TCP send, recv, futex, scheduler, ...):
in this VM perf has no PMU, so cpu-clock samples taken with interrupts off land on
_raw_spin_unlock_irqrestore / finish_task_switch, and only the call chain says whose they are.

Usage: perf script -i FILE.perf.data -F comm,tid,ip,sym,dso | scripts/profile_buckets.py
"""
import collections
import re
import sys

# (bucket, pattern on the whole call chain, leaf first); the first that matches wins.
KERNEL_RULES = [
    ("kernel: futex (lock/condition waits and wakes)", r"futex"),
    ("kernel: TCP send (io_uring SENDMSG / sendmsg)",
     r"tcp_sendmsg|io_sendmsg|__sys_sendmsg|sock_sendmsg|__tcp_push|tcp_write_xmit"),
    ("kernel: TCP receive (recvfrom, softirq rx)",
     r"tcp_recvmsg|__sys_recvfrom|sock_recvmsg|net_rx_action|__napi_poll|tcp_v4_rcv|"
     r"ip_rcv|process_backlog|do_softirq"),
    ("kernel: io_uring submit/wait/poll (not send)",
     r"io_uring|io_submit_sqes|io_cqring_wait|io_poll|io_issue_sqe|io_req_task|tctx_task"),
    ("kernel: epoll", r"epoll"),
    ("kernel: scheduler (context switch, wake-up, idle)",
     r"schedule|finish_task_switch|try_to_wake_up|__wake_up|nanosleep|clock_nanosleep"),
]

USER_RULES = [
    ("malloc/free", r"^(malloc|free|cfree|_int_malloc|_int_free|malloc_consolidate|"
                    r"unlink_chunk|tcache|__libc_malloc|__libc_free|operator new|operator delete|"
                    r"_int_realloc|realloc|__libc_calloc|calloc)"),
    ("locks (pthread mutex, user side)", r"pthread_mutex|__lll_lock|__lll_unlock|pthread_cond|"
                                          r"pthread_spin"),
    ("our codec (encode/decode, UTF-8)", r"chat::(frame_decoder|encode|is_valid_utf8|"
                                         r"decode|frame_encoder|login_name)"),
    ("our transport (tcp_connection, listener)", r"chat::transport::"),
    ("our actors (session, room)", r"chat::(session|room|\(anonymous namespace\)::(on_|handle|"
                                   r"deliver|accept_broadcast|release)|.*session_state|"
                                   r".*room_state)"),
    ("Asio (scheduler, strand, io_uring service)", r"boost::asio|boost::system"),
    ("CAF (scheduler, mailbox, messages, behaviours)", r"caf::"),
    ("shared_ptr / refcounts", r"_Sp_counted|std::__shared"),
    ("libc/libstdc++ other (memcpy, ...)", r".*"),
]


def bucket(frames):
    """frames: list of (symbol, dso), leaf first."""
    leaf_sym, leaf_dso = frames[0]
    if "kernel" in leaf_dso or leaf_dso.startswith("[k"):
        chain = " ".join(s for s, _ in frames)
        for name, pattern in KERNEL_RULES:
            if re.search(pattern, chain):
                return name
        return "kernel: other"
    for name, pattern in USER_RULES:
        if re.search(pattern, leaf_sym):
            # Leaves in libcaf_core without a caf:: name (its PLT, unnamed) are still CAF.
            return name
    return "other"


def main():
    per_bucket = collections.Counter()
    per_thread = collections.Counter()
    thread_bucket = collections.Counter()
    total = 0
    header = None
    frames = []

    def flush():
        nonlocal total
        if header is None or not frames:
            return
        comm = header
        if frames[0][1].endswith("libcaf_core.so.0.17.6") and "caf::" not in frames[0][0]:
            b = "CAF (scheduler, mailbox, messages, behaviours)"
        else:
            b = bucket(frames)
        per_bucket[b] += 1
        per_thread[comm] += 1
        thread_bucket[(comm, b)] += 1
        total += 1

    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            flush()
            header, frames = None, []
            continue
        if not line.startswith((" ", "\t")):
            flush()
            header = line.split()[0]
            frames = []
            continue
        m = re.match(r"\s*[0-9a-f]+\s+(.*)\s+\((.*)\)\s*$", line)
        if m:
            sym = re.sub(r"\+0x[0-9a-f]+$", "", m.group(1).strip())
            frames.append((sym, m.group(2)))
    flush()
    if total == 0:
        print("no samples")
        return
    print(f"{total} samples")
    for b, n in per_bucket.most_common():
        print(f"{100.0 * n / total:6.1f}%  {b}")
    print("by thread:")
    for comm, n in per_thread.most_common():
        print(f"{100.0 * n / total:6.1f}%  {comm}")
        for (c, b), m in sorted(thread_bucket.items(), key=lambda kv: -kv[1]):
            if c == comm and 100.0 * m / total >= 1.0:
                print(f"          {100.0 * m / total:6.1f}%  {b}")


if __name__ == "__main__":
    main()
