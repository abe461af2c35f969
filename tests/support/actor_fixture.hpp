// actor_fixture.hpp -- a deterministic CAF actor system for GoogleTest (cookbook section 8):
// one thread, a virtual clock, nothing runs unless the test says so. Used by actor unit tests.
#pragma once

#include "messages/errors.hpp"
#include "messages/type_ids.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

namespace caf { // otherwise GoogleTest prints caf::error as "8-byte object <...>"
inline void PrintTo(const error& x, std::ostream* os) {
  *os << to_string(x);
}
} // namespace caf

namespace chat::test {

class actor_fixture : public ::testing::Test {
protected:
  static caf::actor_system_config& init(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.add_message_types<caf::id_block::chat>();
    cfg.add_error_category(error_category, render_error);
    return cfg;
  }
  actor_fixture()
      : sys(init(cfg)), sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
        self(sys, true) {}
  ~actor_fixture() override { sched.run(); }

  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  caf::scoped_actor self; // hidden: ~actor_system does not wait for it
};

} // namespace chat::test
