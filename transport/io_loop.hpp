// io_loop.hpp -- the I/O threads (ARCHITECTURE.md "Threads"): one io_context per thread, each run
// by that thread alone, so whatever lives on one loop needs no strand. Owned by main() of each
// app and by test fixtures; the server spreads its TCP connections over the loops.
#pragma once

#include <boost/asio.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace chat::transport {

class io_loop {
public:
  explicit io_loop(std::size_t threads);
  ~io_loop(); // drain_and_join()

  // The first loop: listeners, timers, clients, and every connection when there is one thread.
  boost::asio::io_context& context() { return *loops_.front().context; }

  // Every loop, the first one first (the listener spreads connections over them).
  std::vector<boost::asio::io_context*> contexts() const;

  // Lets run() return once no work is left (sockets closed, timers done), then joins.
  void drain_and_join();

  // Makes run() return now, abandoning pending work (last resort after a shutdown timeout).
  void stop();

private:
  struct loop {
    std::unique_ptr<boost::asio::io_context> context;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
    std::thread thread;
  };
  std::vector<loop> loops_;
};

} // namespace chat::transport
