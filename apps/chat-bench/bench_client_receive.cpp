// bench_client_receive.cpp -- what a bench_client does with each frame it receives: answers for
// its login and join, checks every stamped message (v1 broadcast, MSG or DM) for order and
// duplicates and times it, and frees its sender's pacer slots as its own messages come back or
// are acknowledged.
#include "apps/chat-bench/bench_client.hpp"

#include "apps/chat-bench/large_message.hpp"
#include "apps/chat-bench/stamp.hpp"
#include "apps/chat-bench/v2_load.hpp"
#include "apps/chat-bench/v2_wire.hpp"
#include "messages/protocol_v2.hpp"

namespace chat::bench {

void bench_client::on_frame(inbound_kind kind, std::string_view payload, uint64_t arrived_ns) {
  bench_stats::this_thread_shard().add(counter::frames_in);
  switch (kind) {
  case inbound_kind::broadcast:
    return on_broadcast(payload, arrived_ns);
  case inbound_kind::login_reply:
    return on_login_reply(payload);
  case inbound_kind::ping:
    framing_.encode_pong(out_, payload);
    return flush();
  case inbound_kind::error:
    return on_server_error(payload);
  case inbound_kind::hello_reply:
    return on_hello_reply(payload);
  case inbound_kind::msg:
    return on_msg(payload, arrived_ns);
  case inbound_kind::dm:
    return on_dm(payload, arrived_ns);
  case inbound_kind::reply:
    return on_reply(payload, arrived_ns);
  case inbound_kind::part:
    return on_part(payload, arrived_ns);
  case inbound_kind::other: // PRESENCE, and whatever else a newer server may send
    return;
  }
}

void bench_client::on_broadcast(std::string_view payload, uint64_t arrived_ns) {
  // Our text is the last --payload bytes: "<name>: <text>" (chat) or the text (asio-example);
  // anything shorter carries no stamp of ours.
  std::string_view text;
  if (payload.size() >= plan_.payload) text = payload.substr(payload.size() - plan_.payload);
  on_stamped(text, arrived_ns);
}

void bench_client::on_stamped(std::string_view text, uint64_t arrived_ns) {
  auto& counts = bench_stats::this_thread_shard();
  auto s = read_stamp(text);
  if (s && plan_.senders == 0) {
    // A client held by --connect-only: another process broadcast to everyone, and how long the
    // last of all receivers (over every process) waited is the figure wanted. The stamp's send
    // time is the machine's steady clock, so it compares across processes. Not split by node:
    // the sender's server index belongs to the other process's --server list.
    counts.add(counter::watched);
    return counts.latency.record(arrived_ns > s->sent_ns ? arrived_ns - s->sent_ns : 0);
  }
  if (!s || s->run != plan_.run_id || s->sender >= plan_.senders)
    return counts.add(counter::foreign);
  std::size_t window = s->sender;
  if (plan_.channels > 0) { // channel counters below are no-ops without --channels
    if (channel_of(s->sender, plan_.channels) != channel_)
      return counts.add(counter::wrong_channel);
    window = sender_rank(s->sender, plan_.channels);
  }
  auto how = seen_[window].see(s->seq);
  if (how == arrival::duplicate) {
    counts.add(counter::duplicates);
    return counts.add(channel_counter::duplicates, channel_);
  }
  if (how == arrival::reordered) {
    counts.add(counter::reordered);
    counts.add(channel_counter::reordered, channel_);
  }
  auto how_far = classify(s->sender, index_, plan_.servers.size());
  counts.add(counter::delivered_all);
  counts.add(delivered_counter(how_far, false));
  if (s->measured) {
    auto latency = arrived_ns > s->sent_ns ? arrived_ns - s->sent_ns : 0;
    counts.add(counter::delivered);
    counts.add(delivered_counter(how_far, true));
    counts.add(node_counter::delivered, server_);
    counts.latency.record(latency);
    counts.class_latency[static_cast<std::size_t>(how_far)].record(latency);
    counts.add(channel_counter::delivered, channel_);
    counts.record_channel_latency(channel_, latency);
  }
  // A DM's slot is freed by its acknowledgement instead (on_dm_ack), even one sent to oneself.
  if (sender_ && s->sender == sender_->id && !plan_.direct) own_message_settled();
}

void bench_client::own_message_settled() {
  if (!sender_ || !sender_->pacer) return;
  sender_->pacer->returned();
  own_returned_ = true;
}

void bench_client::on_login_reply(std::string_view text) {
  if (state_ != state::logging_in) return;
  if (text != "Login OK") return fail(text);
  // A version-1 server answers HELLO with ERROR "unknown frame type 7", and LOGIN anyway.
  if (plan_.v2() && !hello_answered_)
    return fail("the server did not answer HELLO: it does not speak protocol version 2");
  logged_in();
}

void bench_client::on_server_error(std::string_view text) {
  if (text != "rate limited") {
    bench_stats::this_thread_shard().add(counter::server_errors);
    return run_.note_failure("server error", text);
  }
  bench_stats::this_thread_shard().add(counter::rate_limited);
  own_message_settled(); // that broadcast will never come back: free its slot
}

// -- protocol version 2 ------------------------------------------------------------------------

void bench_client::on_hello_reply(std::string_view payload) {
  auto reply = v2::decode_hello_reply(payload);
  if (auto* hello = std::get_if<v2::hello_reply>(&reply); hello && hello->version >= v2::version) {
    hello_answered_ = true;
    if (large_) large_hello(*hello); // fails the client if the server cannot take them
  } else if (state_ == state::logging_in) {
    fail("bad HELLO reply from the server");
  }
}

void bench_client::on_msg(std::string_view payload, uint64_t arrived_ns) {
  auto msg = wire::read_msg(payload);
  if (!msg) return fail("malformed MSG from the server");
  // --large-message: a MSG not of --payload bytes is a large one (sent whole if it fit a frame)
  if (large_ && msg->text.size() != plan_.payload) return on_large_msg(msg->text, arrived_ns);
  on_stamped(msg->text, arrived_ns);
}

void bench_client::on_dm(std::string_view payload, uint64_t arrived_ns) {
  auto dm = wire::read_dm(payload);
  if (!dm) return fail("malformed DM from the server");
  on_stamped(dm->text, arrived_ns);
}

// A REPLY answers our JOIN while joining; after that a DM (always) or a MSG (only a refusal:
// an accepted MSG comes back as itself).
void bench_client::on_reply(std::string_view payload, uint64_t arrived_ns) {
  auto reply = wire::read_reply(payload);
  if (!reply) return fail("malformed REPLY from the server");
  if (state_ == state::joining) {
    if (reply->ok) return become_ready(); // "already a member" is ok too
    return fail("JOIN refused: " + std::string{reply->text});
  }
  if (state_ != state::ready) return;
  if (plan_.direct) return on_dm_ack(reply->ok, reply->ref, reply->text, arrived_ns);
  if (large_ && is_large_ref(reply->ref)) { // a large MSG holds no pacer slot
    if (!reply->ok) on_large_refused("the server refused a large MSG: " + std::string{reply->text});
    return;
  }
  if (!reply->ok) {
    on_refused(reply->text);
    own_message_settled(); // that MSG will never come back: free its slot
  }
}

void bench_client::on_dm_ack(bool ok, uint32_t ref, std::string_view text, uint64_t arrived_ns) {
  own_message_settled(); // answered either way: the DM's window slot is free
  if (!ok) return on_refused(text);
  auto& counts = bench_stats::this_thread_shard();
  counts.add(counter::acked_all);
  if (!dm_ref_is_measured(ref)) return;
  counts.add(counter::acked);
  counts.ack_latency.record(dm_ref_age_ns(ref, arrived_ns));
}

void bench_client::on_refused(std::string_view text) {
  if (text == "rate limited") return bench_stats::this_thread_shard().add(counter::rate_limited);
  bench_stats::this_thread_shard().add(counter::refused);
  run_.note_failure("refused", text);
}

} // namespace chat::bench
