// name_claims.hpp -- the names one cluster node owns (name_owner.hpp) and which node holds each:
// the registry that makes a name unique across nodes. A new LOGIN is first come, first served.
// A holder claiming its name again (after a membership change, which is how a healed partition
// shows) may find it held elsewhere too: then the earlier login keeps it, equal times going to
// the smaller holder address, so every owner decides the same way.
// Used by the node actor; no actor code, so tests drive it directly.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <tuple>
#include <unordered_map>

namespace chat {

class name_claims {
public:
  struct claim {
    std::string holder; // the holding node's cluster address
    int64_t since = 0;  // login time, nanoseconds since the epoch on the holder's clock
  };

  enum class verdict {
    granted,         // the name is the claimant's (again)
    granted_evicted, // the claimant won over an earlier-recorded, later login: evict `loser`
    refused,         // someone else logged in earlier
  };

  // `fresh`: a new LOGIN, not a holder's claim again. `alive(holder)`: whether a recorded holder
  // is still a reachable node; a claim held by a node that is gone is void.
  verdict settle(const std::string& name, int64_t since, const std::string& holder, bool fresh,
                 const std::function<bool(const std::string&)>& alive, std::string* loser) {
    auto i = claims_.find(name);
    if (i == claims_.end() || i->second.holder == holder) {
      claims_[name] = claim{holder, since};
      return verdict::granted;
    }
    auto& current = i->second;
    if (!alive(current.holder)) {
      current = claim{holder, since};
      return verdict::granted;
    }
    if (fresh || std::tie(current.since, current.holder) <= std::tie(since, holder))
      return verdict::refused;
    if (loser) *loser = current.holder;
    current = claim{holder, since};
    return verdict::granted_evicted;
  }

  void release(const std::string& name, const std::string& holder) {
    auto i = claims_.find(name);
    if (i != claims_.end() && i->second.holder == holder) claims_.erase(i);
  }

  // Drops every claim `pred(name, claim)` selects; returns how many.
  template <class Pred> std::size_t drop_if(Pred pred) {
    std::size_t dropped = 0;
    for (auto i = claims_.begin(); i != claims_.end();) {
      if (pred(i->first, i->second)) {
        i = claims_.erase(i);
        ++dropped;
      } else {
        ++i;
      }
    }
    return dropped;
  }

  std::size_t size() const { return claims_.size(); }

private:
  std::unordered_map<std::string, claim> claims_;
};

} // namespace chat
