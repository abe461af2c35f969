#include "examples/dice_roller/dice_roller.hpp"

#include "messages/frame_encoder.hpp"

#include <charconv>

namespace chat {

namespace {

// 1..most in plain decimal, or nothing. from_chars refuses a sign and reports overflow; a leading
// zero is refused here, so every roll has one spelling.
std::optional<uint32_t> bounded_number(std::string_view digits, uint32_t most) {
  if (digits.empty() || digits.front() == '0') return std::nullopt;
  uint32_t value = 0;
  auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (err != std::errc{} || end != digits.data() + digits.size() || value > most)
    return std::nullopt;
  return value;
}

} // namespace

std::optional<dice> parse_dice(std::string_view text) {
  auto d = text.find('d');
  if (d == std::string_view::npos) return std::nullopt;
  auto count = bounded_number(text.substr(0, d), max_dice);
  auto sides = bounded_number(text.substr(d + 1), max_sides);
  if (!count || !sides) return std::nullopt;
  return dice{*count, *sides};
}

std::string describe_roll(std::string_view user, dice d, const std::vector<uint32_t>& faces) {
  std::string text{user};
  text += " rolled " + std::to_string(d.count) + 'd' + std::to_string(d.sides) + ": ";
  uint64_t sum = 0;
  for (std::size_t i = 0; i < faces.size(); ++i) {
    text += (i == 0 ? "" : " + ") + std::to_string(faces[i]);
    sum += faces[i];
  }
  if (faces.size() > 1) text += " = " + std::to_string(sum);
  return text;
}

std::string answer_roll(std::string_view user, std::string_view payload, std::mt19937_64& rng) {
  auto d = parse_dice(payload);
  // The payload is not echoed: it may be up to a whole frame long, or not even text.
  if (!d)
    return "error: expected NdM such as 2d6, with N 1.." + std::to_string(max_dice) + " and M 1.." +
           std::to_string(max_sides);
  std::uniform_int_distribution<uint32_t> die{1, d->sides};
  std::vector<uint32_t> faces(d->count);
  for (auto& face : faces)
    face = die(rng);
  return describe_roll(user, *d, faces);
}

extension_handler::behavior_type dice_roller(dice_roller_ptr self, roster_actor roster,
                                             uint64_t seed) {
  self->state.rng.seed(seed);
  self->monitor(roster);
  self->set_down_handler([self](const caf::down_msg&) { self->quit(); }); // no server, no dice
  return {
      [self](extension_atom, uint8_t type, const std::string& user, const std::string& payload,
             const client_link& sender) {
        // The session checked the login and passed the name it logged in with: the roll is
        // announced under a name the sender cannot forge.
        self->send(sender, send_atom_v, encode(type, answer_roll(user, payload, self->state.rng)));
      },
  };
}

} // namespace chat
