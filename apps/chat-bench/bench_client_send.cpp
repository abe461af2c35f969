// bench_client_send.cpp -- bench_client's write side: broadcasts as the pacer allows, each
// stamped with its sequence and send time; one write in flight, what queues meanwhile goes next.
#include "apps/chat-bench/bench_client.hpp"

#include "apps/chat-bench/stamp.hpp"

#include <algorithm>

namespace chat::bench {

namespace {

namespace asio = boost::asio;

std::chrono::steady_clock::time_point steady_at(uint64_t ns) {
  return std::chrono::steady_clock::time_point{std::chrono::nanoseconds{ns}};
}

} // namespace

void bench_client::start_sending() {
  if (!sender_ || state_ != state::ready || sender_->pacer) return;
  auto now = steady_now_ns();
  auto start = now;
  if (plan_.rate > 0) { // spread the senders over one slot so that they do not send in step
    auto slot_ns = 1e9 / plan_.rate;
    start += static_cast<uint64_t>(slot_ns * static_cast<double>(sender_->id) /
                                   static_cast<double>(plan_.senders));
  }
  sender_->pacer.emplace(plan_.window, plan_.rate, start);
  if (sender_->pacer->rated()) {
    sender_->ticker = std::make_unique<asio::steady_timer>(executor_);
    sender_->next_tick_ns = start;
    arm_ticker();
  } else {
    pump();
  }
}

void bench_client::pump() {
  if (!sender_ || !sender_->pacer || state_ != state::ready) return;
  auto phase = run_.phase();
  if (phase != run_phase::warmup && phase != run_phase::measuring) return;
  auto now = steady_now_ns();
  auto grant = sender_->pacer->take(now);
  auto& counts = bench_stats::this_thread_shard();
  if (grant.skipped > 0) counts.add(counter::schedule_skipped, grant.skipped);
  if (plan_.max_broadcasts > 0) { // slots granted but not used stay "in flight": none follow
    auto left = plan_.max_broadcasts - std::min(plan_.max_broadcasts, sender_->next_seq);
    grant.count = std::min(grant.count, left);
  }
  if (grant.count == 0) return;
  stamp s;
  s.measured = phase == run_phase::measuring;
  s.run = plan_.run_id;
  s.sender = sender_->id;
  s.sent_ns = now;
  for (uint64_t i = 0; i < grant.count; ++i) {
    s.seq = sender_->next_seq++;
    write_stamp(sender_->text.data(), s);
    framing_.encode_broadcast(out_, sender_->text);
  }
  counts.add(counter::sent, grant.count);
  if (s.measured) {
    counts.add(counter::sent_measured, grant.count);
    auto owed = std::max<int64_t>(run_.receivers(), 0);
    auto owed_here = std::clamp<int64_t>(run_.receivers_on(server_), 0, owed);
    counts.add(counter::expected, grant.count * static_cast<uint64_t>(owed));
    counts.add(counter::expected_same_node, grant.count * static_cast<uint64_t>(owed_here));
    counts.add(counter::expected_cross_node, grant.count * static_cast<uint64_t>(owed - owed_here));
  }
  flush();
}

void bench_client::arm_ticker() {
  sender_->ticker->expires_at(steady_at(sender_->next_tick_ns));
  sender_->ticker->async_wait([this](const auto& ec) { on_tick(ec); });
}

void bench_client::on_tick(const boost::system::error_code& ec) {
  if (ec || state_ != state::ready) return; // cancelled by close()
  auto phase = run_.phase();
  if (phase != run_phase::warmup && phase != run_phase::measuring) return; // the drain began
  pump();
  // A fixed schedule; after a stall (a busy machine) it restarts from now instead of firing
  // every missed tick at once.
  auto tick = sender_->pacer->tick_ns();
  auto now = steady_now_ns();
  sender_->next_tick_ns += tick;
  if (sender_->next_tick_ns + tick < now) sender_->next_tick_ns = now + tick;
  arm_ticker();
}

void bench_client::flush() {
  if (write_busy_ || out_.empty() || state_ == state::closed) return;
  out_.swap(writing_);
  write_busy_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    [this](const auto& ec, std::size_t) { on_flushed(ec); });
}

void bench_client::on_flushed(const boost::system::error_code& ec) {
  write_busy_ = false;
  writing_.clear(); // keeps its capacity: no allocation per write once warmed up
  if (state_ == state::closed) return release_socket();
  if (ec) return fail("write: " + ec.message());
  flush();
}

} // namespace chat::bench
