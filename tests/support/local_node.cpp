#include "tests/support/local_node.hpp"

#include "messages/errors.hpp"
#include "messages/type_ids.hpp"

namespace chat::test {

namespace {

caf::actor_system_config& configure(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::chat>();
  cfg.add_error_category(error_category, render_error);
  return cfg;
}

} // namespace

local_node::local_node(server_options options, std::size_t io_threads)
    : io_(io_threads), sys_(configure(cfg_)) {
  options.io_loops = io_.contexts();
  server_.emplace(sys_, io_.context(), options);
  server_->start();
}

local_node::~local_node() {
  server_->stop();
  server_->wait_closed(std::chrono::seconds(5));
  server_.reset();
  io_.drain_and_join();
}

} // namespace chat::test
