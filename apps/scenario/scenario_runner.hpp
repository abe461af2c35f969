// scenario_runner.hpp -- plays a scenario against a live chat server: one real client_session
// actor per named client, connected over TCP, each step in order, every wait bounded.
// Used by the integration tests (and chat-client --script); one runner per scenario run.
#pragma once

#include "apps/scenario/scenario.hpp"
#include "messages/interfaces.hpp"
#include "transport/tls_context.hpp"

#include <boost/asio/io_context.hpp>
#include <caf/all.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace chat {

class scenario_runner {
public:
  scenario_runner(caf::actor_system& sys, boost::asio::io_context& ioc, std::string host,
                  uint16_t port, std::chrono::milliseconds step_timeout,
                  transport::tls_context_ptr tls = nullptr);
  ~scenario_runner(); // closes every client it opened, waiting (bounded) for each to end

  scenario_runner(const scenario_runner&) = delete;
  scenario_runner& operator=(const scenario_runner&) = delete;

  // Empty on success; else "line N: <step>: <what happened instead>" for the first unmet step.
  std::string run(const scenario& s);

private:
  struct client;

  client& connect(const std::string& name);
  std::string perform(const scenario_step& step);
  std::string expect_frame(client& c, const scenario_step& step);
  std::string send_with_marks(client& c, const scenario_step& step);
  std::string compare_fields(const scenario_step& step, const inbound_frame& f);
  std::string expect_same_order(client& c, const std::string& other);
  std::string expect_closed(client& c);
  std::string settle_by_sender(client& c); // checks the pending << steps of `c`
  std::string finish(client& c);           // nothing unexpected may be left over

  caf::actor_system& sys_;
  boost::asio::io_context& ioc_;
  std::string host_;
  uint16_t port_;
  transport::tls_context_ptr tls_;
  std::chrono::milliseconds step_timeout_;
  std::map<std::string, std::unique_ptr<client>> clients_;
  // What each client got in each channel: its epoch and last offset (JOIN's epoch=@ offset=@).
  struct mark {
    uint64_t epoch = 0;
    uint64_t offset = 0;
  };
  std::map<std::string, std::map<std::string, mark>> marks_;
  void track(const std::string& name, const inbound_frame& f);
  void end(client& c); // asks the client to close and waits (bounded) until it has
};

} // namespace chat
