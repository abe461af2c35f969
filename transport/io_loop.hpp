// io_loop.hpp -- the io_context and the threads that run it (ARCHITECTURE.md "Threads").
// Owned by main() of each app and by test fixtures; one per process is enough.
#pragma once

#include <boost/asio.hpp>

#include <cstddef>
#include <optional>
#include <thread>
#include <vector>

namespace chat::transport {

class io_loop {
public:
  explicit io_loop(std::size_t threads);
  ~io_loop(); // drain_and_join()

  boost::asio::io_context& context() { return ioc_; }

  // Lets run() return once no work is left (sockets closed, timers done), then joins.
  void drain_and_join();

  // Makes run() return now, abandoning pending work (last resort after a shutdown timeout).
  void stop() { ioc_.stop(); }

private:
  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
};

} // namespace chat::transport
