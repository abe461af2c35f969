// bench_client_send.cpp -- bench_client's write side: broadcasts (v1), MSGs to its channel or
// DMs as the pacer allows, each stamped with its sequence and send time, and what each owes the
// receivers; one write in flight, what queues meanwhile goes next.
#include "apps/chat-bench/bench_client.hpp"

#include "apps/chat-bench/stamp.hpp"
#include "apps/chat-bench/v2_load.hpp"

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
  start_large();
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
  uint64_t dm_same_node = 0; // --direct: of these DMs, those to a client of our server
  for (uint64_t i = 0; i < grant.count; ++i) {
    s.seq = sender_->next_seq++;
    write_stamp(sender_->text.data(), s);
    if (plan_.direct) {
      auto to = dm_receiver(sender_->id, s.seq, plan_.clients, plan_.dm_peers);
      if (server_of(to, plan_.servers.size()) == server_) ++dm_same_node;
      sender_->dm_to.assign(plan_.name_prefix); // within its capacity after the first DM
      sender_->dm_to += std::to_string(to);
      framing_.encode_dm(out_, dm_ref(now, s.measured), sender_->dm_to, sender_->text);
    } else if (plan_.channels > 0) { // the ref matters only in a refusal, which frees a slot
      framing_.encode_msg(out_, static_cast<uint32_t>(s.seq), plan_.channel_names[channel_],
                          sender_->text);
    } else {
      framing_.encode_broadcast(out_, sender_->text);
    }
  }
  counts.add(counter::sent, grant.count);
  if (s.measured) {
    // Owed per message: every receiver logged in (v1), every member of our channel (us
    // included), or the one receiver of a DM; split by whether they share our server.
    uint64_t owed = grant.count;
    uint64_t owed_here = dm_same_node;
    if (!plan_.direct) {
      bool channel = plan_.channels > 0;
      auto all = std::max<int64_t>(channel ? run_.members(channel_) : run_.receivers(), 0);
      auto here = std::clamp<int64_t>(
          channel ? run_.members_on(channel_, server_) : run_.receivers_on(server_), 0, all);
      owed = grant.count * static_cast<uint64_t>(all);
      owed_here = grant.count * static_cast<uint64_t>(here);
    }
    counts.add(counter::sent_measured, grant.count);
    counts.add(counter::expected, owed);
    counts.add(counter::expected_same_node, owed_here);
    counts.add(counter::expected_cross_node, owed - owed_here);
    counts.add(channel_counter::sent, channel_, grant.count); // no-ops without --channels
    counts.add(channel_counter::expected, channel_, owed);
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
  if (udp_) return udp_flush(); // bench_client_udp.cpp
  if (ws_) return ws_flush();
  if (tls_) return tls_flush();
  if (write_busy_ || state_ == state::closed) return;
  take_large_part(); // --large-message: at most one part per write, after the frames queued
  if (out_.empty()) return;
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
