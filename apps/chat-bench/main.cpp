// main.cpp -- chat-bench: opens --clients connections to a local chat server, has --senders of
// them broadcast, and measures what arrives: a progress line per second on stderr, one JSON
// object on stdout. Example: chat-bench --port 7000 --clients 100 --senders 1 --duration 10s
//
// Figures: sent, delivered, expected and latency cover broadcasts sent in the measured interval
// (after --warmup, for --duration), however late they arrive before the drain ends; latency runs
// from the send time in the stamp to the kernel's receive timestamp on the receiving socket;
// duplicates and reordering count the whole run; CPU figures cover the measured interval and
// the drain. With --connect-only, "watched" counts broadcasts another chat-bench process sent
// to the held clients, and the latency figures are theirs (scripts/bench-19k.sh).
// "same_node" and "cross_node" split delivered, expected and latency by whether the receiver
// uses the sender's --server (server_spread.hpp): servers that do not relay to each other
// deliver nothing cross-node, and its expected deliveries all count as lost.
//
// --channels K and --direct speak protocol version 2 (v2_load.hpp): the JSON then names its
// "mode" and adds "per_channel" or "direct", and a text summary follows the progress on stderr.
//
// --large-message BYTES (with --channels) speaks protocol version 3: client 0 also sends a MSG
// of BYTES text in PART frames every --large-every, and the JSON adds "large" (large_report.hpp),
// whose figures the others never include.
//
// --tls connects over TLS (bench_client_tls.cpp). Every report has "tls" and "connect_phase":
// how long connecting, handshaking (--tls) and logging in took, and what it cost the servers.
//
// Exit codes: 0 done (the JSON tells how well); 1 no client could connect or log in;
// 2 bad options.
#include "apps/chat-bench/bench_config.hpp"
#include "apps/chat-bench/bench_run.hpp"
#include "apps/chat-bench/bench_tls.hpp"
#include "apps/chat-bench/large_message.hpp"
#include "apps/chat-bench/large_report.hpp"
#include "apps/chat-bench/v2_load.hpp"
#include "apps/chat-bench/v2_report.hpp"

#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <random>

namespace {

chat::bench::bench_plan make_plan(const chat::bench::bench_config& cfg,
                                  std::shared_ptr<const chat::bench::tls_client_context> tls) {
  chat::bench::bench_plan plan;
  plan.framing = cfg.framing_type();
  plan.websocket = cfg.websocket();
  plan.udp = cfg.udp();
  plan.udp_max_datagram = cfg.udp_max_datagram;
  plan.udp_rcvbuf = cfg.udp_rcvbuf;
  plan.tls = std::move(tls);
  plan.servers = cfg.server_endpoints();
  plan.source_addresses = cfg.source_addresses;
  plan.clients = cfg.clients;
  plan.senders = cfg.connect_only ? 0 : cfg.senders;
  plan.window = cfg.window;
  plan.rate = cfg.rate;
  plan.max_broadcasts = cfg.max_broadcasts;
  plan.payload = cfg.payload;
  plan.name_prefix = cfg.name_prefix;
  plan.channels = cfg.channels;
  for (std::size_t k = 0; k < cfg.channels; ++k)
    plan.channel_names.push_back(chat::bench::channel_name(k));
  plan.direct = cfg.direct;
  plan.dm_peers = cfg.dm_peers;
  if (cfg.large()) {
    plan.large_message = cfg.large_message;
    plan.large_every_ns = static_cast<uint64_t>(cfg.large_every.count());
    plan.large_text =
        std::make_shared<const std::string>(chat::bench::large_text(cfg.large_message));
    plan.large_capacity = static_cast<std::size_t>(cfg.duration / cfg.large_every) + 2;
  }
  std::random_device entropy;
  plan.run_id = entropy() ^ static_cast<uint32_t>(getpid());
  return plan;
}

} // namespace

int main(int argc, char** argv) {
  chat::bench::bench_config cfg;
  if (auto err = cfg.parse_command_line(argc, argv)) {
    std::cerr << "chat-bench: " << cfg.render(err) << " (see --help)\n";
    return 2;
  }
  if (cfg.cli_helptext_printed) return 0;
  if (auto problem = cfg.validate(); !problem.empty()) {
    std::cerr << "chat-bench: " << problem << '\n';
    return 2;
  }
  std::shared_ptr<const chat::bench::tls_client_context> tls;
  if (cfg.tls) {
    auto made = chat::bench::tls_client_context::make(cfg.tls_ca);
    if (auto* why = std::get_if<std::string>(&made)) {
      std::cerr << "chat-bench: --tls: " << *why << '\n';
      return 2;
    }
    tls = std::get<std::shared_ptr<const chat::bench::tls_client_context>>(std::move(made));
  }
  std::signal(SIGPIPE, SIG_IGN); // a write to a closed connection is an error code
  sigset_t stop_signals;         // blocked everywhere; the run takes them with sigtimedwait
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  chat::bench::bench_result result;
  try {
    chat::bench::bench_run run{cfg, make_plan(cfg, std::move(tls))};
    result = run.run();
  } catch (const std::exception& e) { // io_uring set-up, thread creation
    std::cerr << "chat-bench: " << e.what() << '\n';
    return 1;
  }
  for (auto& [kind, text] : result.failures)
    std::cerr << "chat-bench: " << kind << " (first of its kind): " << text << '\n';
  if (cfg.tls) std::cerr << "chat-bench: " << chat::bench::connect_text(cfg, result) << '\n';
  std::cerr << chat::bench::v2_text_report(cfg, result);
  std::cerr << chat::bench::large_text_report(cfg, result);
  std::cout << chat::bench::report_json(cfg, result) << std::endl;
  if (result.totals[chat::bench::counter::logged_in] > 0) return 0;
  std::cerr << "chat-bench: no client could connect and log in\n";
  return 1;
}
