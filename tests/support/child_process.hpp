// child_process.hpp -- one program run as a child with piped stdin/stdout/stderr; waits bounded.
// Used by tests/process/*_test.cpp (the real chat-server and chat-client as subprocesses).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace chat::test {

// How long tests wait for a child to say it is ready, and to exit once told to.
inline constexpr std::chrono::seconds startup_timeout{10};
inline constexpr std::chrono::seconds exit_timeout{10};

// How a child ended, as seen by child_process::wait().
struct exit_status {
  int code = -1;                     // the exit code if the child exited, else -1
  int signal = 0;                    // the signal that ended it, else 0
  bool killed_after_timeout = false; // wait() ran out of time and sent SIGKILL itself

  bool exited_with(int expected) const { return !killed_after_timeout && code == expected; }
};

std::ostream& operator<<(std::ostream& out, const exit_status& status);

// One child process. A reader thread drains stdout and stderr all the time, so the child never
// blocks on a full pipe while the test is busy elsewhere. The destructor SIGKILLs and reaps the
// child if wait() has not, so a failed assertion leaves no orphan behind.
//
// Each child runs in a fresh empty working directory (removed by the destructor) unless
// `working_dir` names one: CAF reads ./caf-application.ini, and a stray one changes options.
// Constructing the first child_process ignores SIGPIPE in this process (a write to a dead
// child's stdin must fail, not kill the test); children get the default disposition back.
class child_process {
public:
  using clock = std::chrono::steady_clock;
  using line_predicate = std::function<bool(const std::string&)>;

  // Throws std::system_error if the program cannot be started.
  child_process(std::string program, std::vector<std::string> args, std::string working_dir = {});
  ~child_process();

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& working_dir() const { return working_dir_; }

  // -- standard input -------------------------------------------------------------------------

  // Writes all of `text`; false if stdin is closed or the child has gone.
  bool write(std::string_view text);
  void close_stdin();

  // -- standard output ------------------------------------------------------------------------

  // The next stdout line (without '\n'), or nothing on timeout or end of output.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  // Reads lines until one satisfies `match` and returns it; nothing on timeout or end of output.
  std::optional<std::string> wait_for_line(const line_predicate& match,
                                           std::chrono::milliseconds timeout);
  std::optional<std::string> wait_for_line_containing(std::string_view text,
                                                      std::chrono::milliseconds timeout);

  // Everything the child has written so far, for failure messages.
  std::string stdout_text() const;
  std::string stderr_text() const;

  // -- life and death -------------------------------------------------------------------------

  // Sends `signal_number` unless the child has already been reaped.
  void send_signal(int signal_number);

  // Waits for the child to exit. If it has not after `timeout`, SIGKILLs it and says so in the
  // result. Once reaped, waits briefly for the reader to collect the last output.
  exit_status wait(std::chrono::milliseconds timeout);

  // Program, pid, stdout and stderr: what a failed assertion should print.
  std::string describe() const;

private:
  void spawn();
  void read_output();
  void kill_and_reap();
  bool has_line() const;

  std::string program_;
  std::vector<std::string> args_;
  std::string working_dir_;
  bool owns_working_dir_ = false;
  pid_t pid_ = -1;
  std::optional<exit_status> status_;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  int wake_fds_[2] = {-1, -1}; // the destructor writes to [1] to stop the reader

  mutable std::mutex mutex_; // guards everything below
  std::condition_variable changed_;
  std::string stdout_all_;
  std::size_t stdout_consumed_ = 0; // bytes of stdout_all_ already returned as lines
  std::string stderr_all_;
  bool output_ended_ = false; // the reader saw EOF on both stdout and stderr
  std::thread reader_;
};

} // namespace chat::test
