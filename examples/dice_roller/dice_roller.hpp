// dice_roller.hpp -- an extension handler: a logged-in client's frame of type 64 ("ROLL", payload
// "NdM" such as "2d6") is answered, to that client only, with the dice rolled for it. Registered
// with server::handle_extension by dice-server (main.cpp) and by dice_roller_test.
#pragma once

#include "messages/interfaces.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

inline constexpr uint8_t roll_frame_type = 64; // the first type set aside for extensions
inline constexpr uint32_t max_dice = 20;       // bounds the answer's length
inline constexpr uint32_t max_sides = 1000;

struct dice {
  uint32_t count = 0;
  uint32_t sides = 0;
};

// "2d6" -> {2, 6}. Nothing for anything else: N is 1..max_dice and M 1..max_sides, both plain
// decimal digits (no sign, no spaces, no leading zero), and the 'd' is lower case.
std::optional<dice> parse_dice(std::string_view text);

// "ann rolled 2d6: 3 + 5 = 8"; a single die needs no sum: "ann rolled 1d20: 17".
std::string describe_roll(std::string_view user, dice d, const std::vector<uint32_t>& faces);

// The answer to one ROLL payload: a roll drawn from `rng`, or "error: ..." for a bad payload.
std::string answer_roll(std::string_view user, std::string_view payload, std::mt19937_64& rng);

struct dice_roller_state {
  std::mt19937_64 rng; // seeded once: a test that knows the seed knows every roll
  static inline const char* name = "dice_roller";
};

using dice_roller_ptr = extension_handler::stateful_pointer<dice_roller_state>;

// Answers every frame it is given with one frame of the same type, sent to the sender's session
// (the client_link), never to anyone else. Monitors `roster` and ends with it: the roster exits
// when the server goes, and an actor still running then would keep ~actor_system waiting.
extension_handler::behavior_type dice_roller(dice_roller_ptr self, roster_actor roster,
                                             uint64_t seed);

} // namespace chat
