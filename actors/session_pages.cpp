// session_pages.cpp -- a session's paged requests (docs/PROTOCOL.md "Version 2"): WHO, LIST and
// HISTORY. Each asks the directory or a channel for one page and cuts the answer until it fits
// one frame for this client, saying where the next page starts.
#include "actors/session_requests.hpp"

#include "messages/frame_encoder.hpp"

#include <algorithm>

namespace chat::session_detail {

namespace {

// A reply that would not fit in one frame: `drop_one` removes one entry (and says where the
// client goes on from), until it fits or nothing is left to drop.
template <class Reply, class DropOne>
void send_fitting(session_ptr self, Reply& r, DropOne drop_one) {
  auto encoded = v2::encode(r);
  auto body = [&] { return bytes(encoded).size() - header_size + 1; };
  while (body() > max_body(self->state) && drop_one())
    encoded = v2::encode(r);
  self->state.conn->send(std::move(encoded));
}

// WHO and LIST pages lose entries from their end; the client asks again from the last entry it
// got (`next`).
template <class Reply, class Entries, class KeyOf>
void send_page(session_ptr self, Reply& r, Entries& entries, KeyOf key_of) {
  send_fitting(self, r, [&] {
    if (entries.empty()) return false;
    entries.pop_back();
    r.next = entries.empty() ? std::string{} : key_of(entries.back());
    return true;
  });
}

// An entry that would not fit even in a page of its own (a message someone sent in parts, for a
// client that takes none) is left out; `next_before` still says where older entries begin.
void leave_out_too_long(session_ptr self, v2::history_reply& r) {
  auto most = max_body(self->state);
  auto alone_too_long = [&](const history_entry& e) {
    if (e.text.size() + 1024 < most) return false; // the other fields take far less than that
    v2::history_reply alone{r.ref, r.channel, {r.page.epoch, {e}, 0}};
    return payload_of(v2::encode(alone)).size() + 1 > most;
  };
  auto& entries = r.page.entries;
  entries.erase(std::remove_if(entries.begin(), entries.end(), alone_too_long), entries.end());
}

// HISTORY pages keep their newest entries: the oldest go, and `next_before` starts there.
void send_history_page(session_ptr self, v2::history_reply& r) {
  leave_out_too_long(self, r);
  auto& entries = r.page.entries;
  send_fitting(self, r, [&] {
    if (entries.empty()) return false;
    entries.erase(entries.begin());
    r.page.next_before = entries.empty() ? 0 : entries.front().offset;
    return true;
  });
}

} // namespace

void on_who(session_ptr self, const inbound_frame& f) {
  auto who = decoded_or_error(self, v2::decode_who_request(f.payload));
  if (!who || !logged_in(self, who->ref) || !valid_channel(self, who->ref, who->channel)) return;
  auto& st = self->state;
  auto ref = who->ref;
  auto name = who->channel;
  auto handler = [self, ref, name](uint32_t total, std::vector<std::string>& names,
                                   std::string& next) {
    v2::who_reply r{ref, name, total, std::move(names), std::move(next)};
    send_page(self, r, r.names, [](const std::string& n) { return n; });
  };
  auto on_error = [self, ref](caf::error& err) { send_reply(self, ref, refusal_reason(err)); };
  // Through the directory even for a channel the session is in: in a cluster only the
  // directory's node sees the members of every node.
  self->request(st.directory, caf::infinite, who_atom_v, name, who->after,
                page_limit(self, who->limit))
      .then(handler, on_error);
}

void on_history(session_ptr self, const inbound_frame& f) {
  auto ask = decoded_or_error(self, v2::decode_history_request(f.payload));
  if (!ask || !logged_in(self, ask->ref) || !valid_channel(self, ask->ref, ask->channel)) return;
  auto& st = self->state;
  auto i = st.channels.find(ask->channel);
  if (i == st.channels.end()) return send_reply(self, ask->ref, "not a member of " + ask->channel);
  auto ref = ask->ref;
  auto name = ask->channel;
  self->request(i->second.channel, caf::infinite, history_atom_v, ask->before,
                page_limit(self, ask->limit))
      .then(
          [self, ref, name](history_page& page) {
            v2::history_reply r{ref, name, std::move(page)};
            send_history_page(self, r);
          },
          [self, ref](caf::error& err) { send_reply(self, ref, refusal_reason(err)); });
}

void on_list(session_ptr self, const inbound_frame& f) {
  auto list = decoded_or_error(self, v2::decode_list_request(f.payload));
  if (!list || !logged_in(self, list->ref)) return;
  auto ref = list->ref;
  self->request(self->state.directory, caf::infinite, list_atom_v, list->after,
                page_limit(self, list->limit))
      .then(
          [self, ref](uint32_t total, std::vector<std::string>& names,
                      std::vector<uint32_t>& counts, std::string& next) {
            v2::list_reply r{ref, total, {}, std::move(next)};
            for (std::size_t i = 0; i < names.size() && i < counts.size(); ++i)
              r.channels.push_back({std::move(names[i]), counts[i]});
            send_page(self, r, r.channels, [](const v2::channel_count& c) { return c.name; });
          },
          [self, ref](caf::error& err) { send_reply(self, ref, refusal_reason(err)); });
}

} // namespace chat::session_detail
