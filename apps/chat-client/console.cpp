#include "apps/chat-client/console.hpp"

#include <editline/readline.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace chat {

namespace {

// libedit's callback interface hands a finished line to a plain function; it lands here.
std::optional<std::string>* edited_line = nullptr;
bool edited_eof = false;

void on_line(char* line) {
  if (line == nullptr) {
    edited_eof = true; // Ctrl-D on an empty line
    return;
  }
  if (*line != '\0') add_history(line);
  *edited_line = std::string{line};
  std::free(line);
}

} // namespace

console::console(std::string prompt)
    : prompt_(std::move(prompt)), interactive_(isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
  if (::pipe(wake_pipe_) == 0) {
    ::fcntl(wake_pipe_[0], F_SETFL, O_NONBLOCK);
    ::fcntl(wake_pipe_[1], F_SETFL, O_NONBLOCK);
  }
  if (interactive_) rl_callback_handler_install(prompt_.c_str(), on_line);
}

console::~console() {
  if (interactive_) {
    rl_callback_handler_remove();
    std::fputs("\n", stdout);
  }
  flush();
  for (int fd : wake_pipe_)
    if (fd >= 0) ::close(fd);
}

void console::print(std::string line) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    queued_.push_back(std::move(line));
  }
  wake();
}

void console::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopped_ = true;
  }
  wake();
}

void console::set_prompt(std::string prompt) {
  if (prompt == prompt_) return;
  prompt_ = std::move(prompt);
  if (!interactive_) return;
  // libedit shows the prompt when the handler is installed: clear the old one's line first.
  std::fputs("\r\033[2K", stdout);
  std::fflush(stdout);
  rl_callback_handler_remove();
  rl_callback_handler_install(prompt_.c_str(), on_line);
}

void console::wake() {
  char byte = 1;
  [[maybe_unused]] auto n = ::write(wake_pipe_[1], &byte, 1); // full pipe: a wake is pending
}

void console::flush() {
  std::deque<std::string> lines;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    lines.swap(queued_);
  }
  if (lines.empty()) return;
  if (interactive_) return write_above_prompt(lines);
  for (auto& l : lines)
    std::fputs((l + "\n").c_str(), stdout);
  std::fflush(stdout);
}

// Clear the prompt line, print, then let libedit redraw the prompt and the half-typed text.
void console::write_above_prompt(const std::deque<std::string>& lines) {
  std::fputs("\r\033[2K", stdout);
  for (auto& l : lines)
    std::fputs((l + "\n").c_str(), stdout);
  std::fflush(stdout);
  rl_forced_update_display();
}

std::optional<std::string> console::read_line() {
  return interactive_ ? read_edited() : read_plain();
}

std::optional<std::string> console::read_edited() {
  std::optional<std::string> line;
  edited_line = &line;
  edited_eof = false;
  for (;;) {
    flush();
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (stopped_) return std::nullopt;
    }
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue; // EINTR (a resize, say)
    if (fds[1].revents & POLLIN) {
      char drain[64];
      while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      rl_callback_read_char();
      if (line) {
        // libedit's callback mode keeps the finished line in its display state, so the next
        // redraw would show it again and lose what is typed after it: start afresh.
        rl_callback_handler_remove();
        rl_callback_handler_install(prompt_.c_str(), on_line);
        return line;
      }
      if (edited_eof) return std::nullopt;
    }
  }
}

std::optional<std::string> console::read_plain() {
  for (;;) {
    flush();
    if (auto nl = pending_input_.find('\n'); nl != std::string::npos) {
      auto line = pending_input_.substr(0, nl);
      pending_input_.erase(0, nl + 1);
      return line;
    }
    if (input_ended_) {
      if (pending_input_.empty()) return std::nullopt;
      return std::exchange(pending_input_, {}); // a last line without a newline
    }
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (stopped_) return std::nullopt;
    }
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents & POLLIN) {
      char drain[64];
      while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      char buf[4096];
      auto n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0)
        input_ended_ = true;
      else
        pending_input_.append(buf, static_cast<std::size_t>(n));
    }
  }
}

} // namespace chat
