// ready_writers.hpp -- the connections of one I/O loop that have frames to write and no write
// running. tcp_connection hands itself here from any thread (a channel's fan-out); the loop
// starts all of them in one handler, so a broadcast to N members costs one post per loop, not N.
// One per io_context (an Asio service); nothing else uses it.
#pragma once

#include <boost/asio.hpp>

#include <memory>
#include <mutex>
#include <vector>

namespace chat::transport {

class tcp_connection;

class ready_writers final : public boost::asio::execution_context::service {
public:
  using key_type = ready_writers;
  static boost::asio::execution_context::id id;

  explicit ready_writers(boost::asio::io_context& loop);

  // The ready writers of `loop` (created on first use).
  static ready_writers& of(boost::asio::io_context& loop);

  // Any thread: `writer` has frames queued and no write running; its flush() runs on the loop
  // with the others that became ready meanwhile. Each connection is added once per write
  // (outbound_queue's `started`), so the list never holds one twice.
  void add(std::shared_ptr<tcp_connection> writer);

private:
  void shutdown() override; // the loop is going away: drop the references, write nothing
  void start_all();         // loop: flush() each ready writer, in the order they came

  boost::asio::io_context::executor_type loop_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<tcp_connection>> ready_;    // under mutex_
  bool posted_ = false;                                   // under mutex_: start_all() is posted
  std::vector<std::shared_ptr<tcp_connection>> starting_; // loop only: the turn's writers
};

} // namespace chat::transport
