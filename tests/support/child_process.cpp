#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <system_error>

extern char** environ;

namespace chat::test {

namespace {

using namespace std::chrono_literals;

// How long wait() gives the reader to collect output once the child is reaped. Output comes to
// EOF at once unless a grandchild holds the pipes open.
constexpr auto output_drain_limit = 2s;
constexpr auto reap_poll_interval = 2ms;

[[noreturn]] void throw_errno(const std::string& what, int error = errno) {
  throw std::system_error{error, std::generic_category(), what};
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

std::string make_scratch_dir() {
  auto pattern = (std::filesystem::temp_directory_path() / "chat-child-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp " + pattern);
  return pattern;
}

// Three pipes, all O_CLOEXEC so no other child inherits them; posix_spawn dup2s the child's ends.
struct pipe_set {
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};

  pipe_set() {
    for (int* p : {in, out, err})
      if (::pipe2(p, O_CLOEXEC) != 0) throw_errno("pipe2");
  }
  ~pipe_set() {
    for (int* p : {in, out, err}) {
      close_fd(p[0]);
      close_fd(p[1]);
    }
  }
};

// File actions and attributes for posix_spawn: our pipes on 0/1/2, the working directory, an
// empty signal mask and default dispositions (we ignore SIGPIPE; the child must not inherit it).
class spawn_setup {
public:
  spawn_setup(const pipe_set& pipes, const std::string& working_dir) {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_adddup2(&actions_, pipes.in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions_, pipes.out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions_, pipes.err[1], STDERR_FILENO);
    posix_spawn_file_actions_addchdir_np(&actions_, working_dir.c_str());
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGCHLD})
      sigaddset(&defaults, s);
    posix_spawnattr_setsigmask(&attr_, &none);
    posix_spawnattr_setsigdefault(&attr_, &defaults);
    posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  ~spawn_setup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;

  const posix_spawn_file_actions_t* actions() const { return &actions_; }
  const posix_spawnattr_t* attr() const { return &attr_; }

private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
};

exit_status decode(int raw) {
  exit_status status;
  if (WIFEXITED(raw))
    status.code = WEXITSTATUS(raw);
  else if (WIFSIGNALED(raw))
    status.signal = WTERMSIG(raw);
  return status;
}

} // namespace

std::ostream& operator<<(std::ostream& out, const exit_status& status) {
  if (status.killed_after_timeout) return out << "did not exit in time (killed with SIGKILL)";
  if (status.signal != 0)
    return out << "killed by signal " << status.signal << " (" << strsignal(status.signal) << ')';
  return out << "exit code " << status.code;
}

child_process::child_process(std::string program, std::vector<std::string> args,
                             std::string working_dir)
    : program_{std::move(program)}, args_{std::move(args)}, working_dir_{std::move(working_dir)} {
  ignore_sigpipe_once();
  if (working_dir_.empty()) {
    working_dir_ = make_scratch_dir();
    owns_working_dir_ = true;
  }
  try {
    spawn();
  } catch (...) { // no destructor runs for us: undo what the destructor would
    close_fd(wake_fds_[0]);
    close_fd(wake_fds_[1]);
    if (owns_working_dir_) {
      std::error_code ignored;
      std::filesystem::remove_all(working_dir_, ignored);
    }
    throw;
  }
  reader_ = std::thread{[this] { read_output(); }};
}

void child_process::spawn() {
  pipe_set pipes;
  if (::pipe2(wake_fds_, O_CLOEXEC) != 0) throw_errno("pipe2");
  std::vector<char*> argv;
  argv.push_back(program_.data());
  for (auto& a : args_)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  spawn_setup setup{pipes, working_dir_};
  // The child's state directory is its working directory: a chat-server's default --data-dir
  // is under it, so every test server has a store of its own, removed with the directory.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::string_view{*e}.substr(0, 15) != "XDG_STATE_HOME=") env_strings.emplace_back(*e);
  env_strings.push_back("XDG_STATE_HOME=" + working_dir_);
  std::vector<char*> envp;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  int rc = ::posix_spawn(&pid_, program_.c_str(), setup.actions(), setup.attr(), argv.data(),
                         envp.data());
  if (rc != 0) {
    pid_ = -1;
    throw_errno("posix_spawn " + program_, rc);
  }
  std::swap(stdin_fd_, pipes.in[1]);
  std::swap(stdout_fd_, pipes.out[0]);
  std::swap(stderr_fd_, pipes.err[0]);
}

child_process::~child_process() {
  kill_and_reap();
  if (reader_.joinable()) {
    char stop = 'x';
    [[maybe_unused]] auto n = ::write(wake_fds_[1], &stop, 1);
    reader_.join();
  }
  for (int* fd : {&stdin_fd_, &stdout_fd_, &stderr_fd_, &wake_fds_[0], &wake_fds_[1]})
    close_fd(*fd);
  if (owns_working_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(working_dir_, ignored);
  }
}

// -- standard input ---------------------------------------------------------------------------

bool child_process::write(std::string_view text) {
  while (!text.empty()) {
    if (stdin_fd_ < 0) return false;
    auto n = ::write(stdin_fd_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false; // EPIPE: the child has gone or closed its stdin
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void child_process::close_stdin() {
  close_fd(stdin_fd_);
}

// -- standard output --------------------------------------------------------------------------

bool child_process::has_line() const {
  return stdout_all_.find('\n', stdout_consumed_) != std::string::npos;
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mutex_};
  if (!changed_.wait_for(lock, timeout, [this] { return has_line() || output_ended_; }))
    return std::nullopt;
  auto nl = stdout_all_.find('\n', stdout_consumed_);
  if (nl == std::string::npos) { // output ended: hand out a last line without '\n' once
    if (stdout_consumed_ == stdout_all_.size()) return std::nullopt;
    nl = stdout_all_.size();
  }
  auto line = stdout_all_.substr(stdout_consumed_, nl - stdout_consumed_);
  stdout_consumed_ = std::min(nl + 1, stdout_all_.size());
  return line;
}

std::optional<std::string> child_process::wait_for_line(const line_predicate& match,
                                                        std::chrono::milliseconds timeout) {
  auto deadline = clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() < 0) return std::nullopt;
    auto line = read_line(left);
    if (!line) return std::nullopt;
    if (match(*line)) return line;
  }
}

std::optional<std::string>
child_process::wait_for_line_containing(std::string_view text, std::chrono::milliseconds timeout) {
  return wait_for_line(
      [text](const std::string& line) { return line.find(text) != std::string::npos; }, timeout);
}

std::string child_process::stdout_text() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return stdout_all_;
}

std::string child_process::stderr_text() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return stderr_all_;
}

// Runs on reader_ until both outputs end or the destructor writes to wake_fds_[1].
void child_process::read_output() {
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd fds[3] = {{out_open ? stdout_fd_ : -1, POLLIN, 0},
                     {err_open ? stderr_fd_ : -1, POLLIN, 0},
                     {wake_fds_[0], POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents != 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      char buf[4096];
      auto n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard<std::mutex> guard{mutex_};
      if (n <= 0)
        (i == 0 ? out_open : err_open) = false;
      else
        (i == 0 ? stdout_all_ : stderr_all_).append(buf, static_cast<std::size_t>(n));
      changed_.notify_all();
    }
  }
  std::lock_guard<std::mutex> guard{mutex_};
  output_ended_ = true;
  changed_.notify_all();
}

// -- life and death ---------------------------------------------------------------------------

void child_process::send_signal(int signal_number) {
  if (!status_ && pid_ > 0) ::kill(pid_, signal_number);
}

exit_status child_process::wait(std::chrono::milliseconds timeout) {
  if (status_) return *status_;
  auto deadline = clock::now() + timeout;
  int raw = 0;
  for (;;) {
    auto reaped = ::waitpid(pid_, &raw, WNOHANG);
    if (reaped == pid_) {
      status_ = decode(raw);
      break;
    }
    if (reaped < 0 && errno != EINTR) throw_errno("waitpid");
    if (clock::now() >= deadline) {
      kill_and_reap(); // it may have exited just now: only our SIGKILL counts as a timeout
      status_->killed_after_timeout = status_->signal == SIGKILL;
      break;
    }
    std::this_thread::sleep_for(reap_poll_interval);
  }
  std::unique_lock<std::mutex> lock{mutex_};
  changed_.wait_for(lock, output_drain_limit, [this] { return output_ended_; });
  return *status_;
}

void child_process::kill_and_reap() {
  if (status_ || pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int raw = 0;
  while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
  }
  status_ = decode(raw);
}

std::string child_process::describe() const {
  std::ostringstream out;
  out << program_ << " (pid " << pid_ << ")\n--- stdout ---\n"
      << stdout_text() << "\n--- stderr ---\n"
      << stderr_text() << "\n--------------";
  return out.str();
}

} // namespace chat::test
