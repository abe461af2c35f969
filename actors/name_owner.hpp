// name_owner.hpp -- which node of a cluster decides about a login name: rendezvous hashing over
// the node addresses a node can reach (docs/CLUSTER.md "One name space"). Every node that sees
// the same members picks the same owner, and when a node comes or goes only the names it owns
// (or will own) move. Used by the node actor; pure, so tests check it directly.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace chat {

// FNV-1a, 64 bits: the same on every node and build, unlike std::hash.
inline uint64_t stable_hash(std::string_view a, std::string_view b) {
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(a);
  mix(std::string_view{"\n", 1}); // "ab"+"c" and "a"+"bc" must differ
  mix(b);
  // FNV's low bits mix poorly for short keys; a final avalanche (from MurmurHash3's fmix64).
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// The address in `nodes` (never empty: a node always counts itself) that owns `name`.
inline const std::string& name_owner(const std::set<std::string>& nodes, std::string_view name) {
  const std::string* best = &*nodes.begin();
  uint64_t best_score = 0;
  for (auto& node : nodes) {
    auto score = stable_hash(node, name);
    if (score > best_score || (score == best_score && node < *best)) {
      best = &node;
      best_score = score;
    }
  }
  return *best;
}

} // namespace chat
