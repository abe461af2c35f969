#include "transport/io_loop.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace chat::transport {

io_loop::io_loop(std::size_t threads) {
  loops_.resize(threads < 1 ? 1 : threads);
  for (auto& l : loops_) {
    l.context = std::make_unique<boost::asio::io_context>(1); // one thread runs it
    l.work.emplace(l.context->get_executor());
  }
  for (auto& l : loops_)
    l.thread = std::thread([ioc = l.context.get()] {
      // Handlers do not throw (error_code overloads everywhere); this is the last line of
      // defence so that a bug is reported instead of std::terminate without a word.
      for (;;) {
        try {
          ioc->run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("I/O handler threw: {}", e.what());
        }
      }
    });
}

io_loop::~io_loop() {
  drain_and_join();
}

std::vector<boost::asio::io_context*> io_loop::contexts() const {
  std::vector<boost::asio::io_context*> all;
  for (auto& l : loops_)
    all.push_back(l.context.get());
  return all;
}

void io_loop::drain_and_join() {
  for (auto& l : loops_)
    l.work.reset();
  for (auto& l : loops_)
    if (l.thread.joinable()) l.thread.join();
}

void io_loop::stop() {
  for (auto& l : loops_)
    l.context->stop();
}

} // namespace chat::transport
