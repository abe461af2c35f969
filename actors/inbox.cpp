#include "actors/inbox.hpp"

#include "messages/errors.hpp"

namespace chat {

std::string inbox_stream(const std::string& user) {
  return "@" + user;
}

inbox_actor::behavior_type inbox(inbox_ptr self, store::history_store_ptr store) {
  self->state.store = std::move(store);
  return {
      [self](keep_atom, const std::string& to, const std::string& from,
             const std::string& text) -> caf::result<caf::ok_atom> {
        if (!self->state.store) return make_error(errc::no_such_user, to);
        auto log = self->state.store->stream(inbox_stream(to));
        auto now = store::wall_clock_ms();
        log->append({{log->next_offset(), now, from, text}}, now);
        return caf::ok_atom_v;
      },
      [self](take_atom, const std::string& user) -> std::vector<history_entry> {
        if (!self->state.store) return {};
        return self->state.store->stream(inbox_stream(user))->take_all(store::wall_clock_ms());
      },
  };
}

} // namespace chat
