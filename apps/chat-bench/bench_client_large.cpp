// bench_client_large.cpp -- --large-message on a bench_client: the server's HELLO {3} reply sets
// the bounds; client 0 sends one large MSG into its channel every --large-every while the run
// measures, cut into PART frames that go out one per write, after whatever was queued (so its
// own normal MSGs wait behind one part at most); every client puts the PART frames it receives
// together (messages/multipart_reassembly.hpp), checks the text and times it at the arrival of
// the last part. Counted apart from the normal MSGs (bench_stats.hpp: large_*).
#include "apps/chat-bench/bench_client.hpp"

#include "apps/chat-bench/large_message.hpp"
#include "apps/chat-bench/stamp.hpp"
#include "apps/chat-bench/v2_wire.hpp"

#include <algorithm>

namespace chat::bench {

namespace {

namespace asio = boost::asio;

stats_shard& counts() {
  return bench_stats::this_thread_shard();
}

} // namespace

bool bench_client::large_hello(const v2::hello_reply& hello) {
  auto sender_name = plan_.name_prefix + std::to_string(large_sender);
  auto problem = large_limits_problem(hello, plan_.channel_names[channel_].size(),
                                      sender_name.size(), plan_.large_message);
  if (!problem.empty()) {
    fail(problem);
    return false;
  }
  large_->incoming.emplace(large_receiver_limits(hello.limits));
  if (index_ == large_sender) large_->splitter.emplace(large_splitter(hello.limits));
  return true;
}

// -- sending (client 0) -------------------------------------------------------------------------

// Ticks at half a period after the warm-up began, then every period: with --warmup and
// --duration whole multiples of --large-every, duration / every of them fall in the measured
// interval, none at its edges.
void bench_client::start_large() {
  if (!large_ || index_ != large_sender || large_->ticker) return;
  large_->ticker = std::make_unique<asio::steady_timer>(executor_);
  large_->next_tick_ns = steady_now_ns() + plan_.large_every_ns / 2;
  arm_large_ticker();
}

void bench_client::arm_large_ticker() {
  auto at = std::chrono::steady_clock::time_point{std::chrono::nanoseconds{large_->next_tick_ns}};
  large_->ticker->expires_at(at);
  large_->ticker->async_wait([this](const auto& ec) { on_large_tick(ec); });
}

void bench_client::on_large_tick(const boost::system::error_code& ec) {
  if (ec || state_ != state::ready) return; // cancelled by close()
  auto phase = run_.phase();
  if (phase != run_phase::warmup && phase != run_phase::measuring) return; // the drain began
  if (phase == run_phase::measuring) send_large();
  auto every = plan_.large_every_ns;
  auto now = steady_now_ns();
  large_->next_tick_ns += every;
  if (large_->next_tick_ns + every < now) large_->next_tick_ns = now + every; // after a stall
  arm_large_ticker();
}

void bench_client::send_large() {
  auto& l = *large_;
  // Bounded: a large MSG not all written yet (a slow socket) makes this one a skipped tick.
  if (!l.splitter || !l.outgoing.empty()) return counts().add(counter::large_skipped);
  stamp s;
  s.measured = true;
  s.run = plan_.run_id;
  s.sender = index_;
  s.seq = l.next_seq++;
  s.sent_ns = steady_now_ns();
  write_stamp(l.text.data(), s);
  auto parts = cut_large_msg(*l.splitter, l.scratch, large_ref(s.seq),
                             plan_.channel_names[channel_], l.text);
  if (parts.empty()) { // large_hello checked the bounds: not expected
    run_.note_failure("large MSG not sent", "the splitter refused it");
    return counts().add(counter::large_skipped);
  }
  uint64_t wire_bytes = 0;
  for (auto& f : parts)
    wire_bytes += bytes(f).size();
  // Owed to every member of the channel, the sender included (its own copy comes back too); the
  // time to reach all is over the others.
  auto members = static_cast<uint64_t>(std::max<int64_t>(run_.members(channel_), 0));
  counts().add(counter::large_sent);
  counts().add(counter::large_parts_out, parts.size());
  counts().add(counter::large_bytes_out, wire_bytes);
  counts().add(counter::large_expected, members);
  run_.large.sent(s.seq, s.sent_ns, members > 0 ? members - 1 : 0);
  std::move(parts.begin(), parts.end(), std::back_inserter(l.outgoing));
  flush();
}

void bench_client::take_large_part() {
  if (!large_ || large_->outgoing.empty()) return;
  const auto& part = bytes(large_->outgoing.front());
  out_.insert(out_.end(), part.begin(), part.end());
  large_->outgoing.pop_front();
}

// -- receiving (every client) -------------------------------------------------------------------

void bench_client::on_part(std::string_view payload, uint64_t arrived_ns) {
  if (!large_ || !large_->incoming) return; // a version-2 session is never sent PART
  counts().add(counter::large_parts_in);
  counts().add(counter::large_part_bytes_in, header_size + payload.size());
  auto& incoming = *large_->incoming;
  auto now = v2::reassembly_clock::now();
  if (auto due = incoming.next_expiry(); due && *due <= now)
    for (auto& dropped : incoming.expire(now))
      on_large_refused("chat-bench's reassembly dropped a large MSG: " + dropped.error);
  auto outcome = incoming.add(payload, now);
  using kind = v2::part_outcome::kind;
  if (outcome.what == kind::refused || outcome.what == kind::malformed)
    return on_large_refused("chat-bench's reassembly refused a PART: " + outcome.error);
  if (outcome.what != kind::complete) return;
  if (outcome.message.type != static_cast<uint8_t>(v2::type::msg)) return; // none of ours
  auto msg = wire::read_msg(outcome.message.payload);
  if (!msg) return fail("malformed MSG in parts from the server");
  on_large_msg(msg->text, arrived_ns);
}

// `arrived_ns`: when the bytes of its last part reached this client's socket.
void bench_client::on_large_msg(std::string_view text, uint64_t arrived_ns) {
  auto s = read_stamp(text);
  if (!s || s->run != plan_.run_id) return counts().add(counter::foreign);
  if (s->sender != large_sender) return counts().add(counter::large_corrupt);
  if (large_->seen.see(s->seq) == arrival::duplicate)
    return counts().add(counter::large_duplicates);
  if (!large_text_intact(text, *plan_.large_text)) return counts().add(counter::large_corrupt);
  counts().add(counter::large_delivered);
  counts().large_latency.record(arrived_ns > s->sent_ns ? arrived_ns - s->sent_ns : 0);
  if (index_ != large_sender) run_.large.arrived(s->seq, arrived_ns);
}

void bench_client::on_large_refused(std::string_view why) {
  counts().add(counter::large_refused);
  run_.note_failure("large MSG lost", why);
}

} // namespace chat::bench
