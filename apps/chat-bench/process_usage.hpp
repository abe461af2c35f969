// process_usage.hpp -- CPU time and resident memory of a process: another one (the server,
// from /proc) and this one. Called by the run's main thread around the measured interval.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace chat::bench {

// utime + stime of every thread of `pid`, from /proc/PID/stat, in ns (at the kernel's clock
// tick resolution, usually 10 ms). Nothing if the process does not exist or cannot be read.
std::optional<uint64_t> process_cpu_ns(pid_t pid);

// Resident set size of `pid` (VmRSS in /proc/PID/status), in KiB; nothing if unreadable.
std::optional<uint64_t> process_rss_kib(pid_t pid);

// This process's user + system time so far (getrusage), in ns.
uint64_t own_cpu_ns();

} // namespace chat::bench
