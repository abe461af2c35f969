#include "transport/ready_writers.hpp"

#include "transport/tcp_connection.hpp"

namespace chat::transport {

boost::asio::execution_context::id ready_writers::id;

ready_writers::ready_writers(boost::asio::io_context& loop)
    : boost::asio::execution_context::service(loop), loop_(loop.get_executor()) {}

ready_writers& ready_writers::of(boost::asio::io_context& loop) {
  return boost::asio::use_service<ready_writers>(loop);
}

void ready_writers::add(std::shared_ptr<tcp_connection> writer) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    ready_.push_back(std::move(writer));
    if (posted_) return;
    posted_ = true;
  }
  boost::asio::post(loop_, [this] { start_all(); });
}

void ready_writers::start_all() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    starting_.swap(ready_);
    posted_ = false;
  }
  for (auto& writer : starting_)
    writer->flush();
  starting_.clear();
}

void ready_writers::shutdown() {
  std::lock_guard<std::mutex> guard{mutex_};
  ready_.clear();
  starting_.clear();
}

} // namespace chat::transport
