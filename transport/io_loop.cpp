#include "transport/io_loop.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace chat::transport {

io_loop::io_loop(std::size_t threads) : ioc_(static_cast<int>(threads)) {
  work_.emplace(ioc_.get_executor());
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] {
      // Handlers do not throw (error_code overloads everywhere); this is the last line of
      // defence so that a bug is reported instead of std::terminate without a word.
      for (;;) {
        try {
          ioc_.run();
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

void io_loop::drain_and_join() {
  work_.reset();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

} // namespace chat::transport
