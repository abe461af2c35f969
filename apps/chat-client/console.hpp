// console.hpp -- chat-client's standard input and output. On a terminal: line editing and
// history (libedit), and lines from the server printed ABOVE the prompt without disturbing what
// the user is typing. On a pipe: plain lines in, plain lines out.
// Owned by main(); print() and stop() may be called from any thread (the client's callbacks).
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace chat {

class console {
public:
  explicit console(std::string prompt);
  ~console();

  console(const console&) = delete;
  console& operator=(const console&) = delete;

  // True when standard input is a terminal (and so line editing is on).
  bool interactive() const { return interactive_; }

  // The next line typed, or nothing when input ended or stop() was called. Lines queued by
  // print() meanwhile are written out while it waits.
  std::optional<std::string> read_line();

  // Queues one line for output; thread-safe. Written by read_line() (or by flush()).
  void print(std::string line);

  // Writes what print() queued; call from the thread that calls read_line().
  void flush();

  // Makes read_line() return nothing; thread-safe.
  void stop();

  // Shows `prompt` from now on (the current channel changed). Call from the thread that calls
  // read_line(), between lines: nothing half-typed is lost then.
  void set_prompt(std::string prompt);

private:
  void wake();
  void write_above_prompt(const std::deque<std::string>& lines);
  std::optional<std::string> read_plain();
  std::optional<std::string> read_edited();

  std::string prompt_;
  bool interactive_;
  int wake_pipe_[2] = {-1, -1}; // print()/stop() -> the reading thread
  std::mutex mutex_;            // guards queued_ and stopped_
  std::deque<std::string> queued_;
  bool stopped_ = false;
  std::string pending_input_; // plain mode: bytes read after the last newline
  bool input_ended_ = false;
};

} // namespace chat
