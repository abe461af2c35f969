// bounded_run.hpp -- how the tests' own Asio clients wait: run the client's io_context until its
// operation has completed or a timeout passes. Used by tests/process/ws_client, tls_client and
// tests/web/tls_client, whose calls each wait for one operation of their own, and by transport
// tests that drive a loop of their own (wait_memory_test, ws_socket_test).
#pragma once

#include <boost/asio.hpp>

#include <chrono>
#include <type_traits>

namespace chat::test {

namespace detail {

// Whether the wait is over: `done` is a bool or an optional a handler sets, or a predicate.
template <class Done> bool holds(const Done& done) {
  if constexpr (std::is_invocable_v<const Done&>)
    return done();
  else
    return static_cast<bool>(done);
}

// Runs `ioc` until `done` or `limit`. The limit is a timer, never run_for or run_one_until:
// Asio 1.26's io_uring backend leaves the kernel timeout of a timed run behind, and its late
// completion is taken for an operation at a stack address long gone (asio #1284).
template <class Done>
void run_for_at_most(boost::asio::io_context& ioc, const Done& done,
                     std::chrono::milliseconds limit) {
  ioc.restart();
  bool expired = false;
  bool timer_ended = false;
  boost::asio::steady_timer timer{ioc, limit};
  timer.async_wait([&](auto ec) {
    expired = !ec;
    timer_ended = true;
  });
  while (!holds(done) && !expired && ioc.run_one() > 0) {
  }
  timer.cancel();
  while (!timer_ended && ioc.run_one() > 0) {
  }
}

} // namespace detail

// True if `done` (see holds) became true within `timeout`; the loop is left as it is (a test's
// pending operations stay pending). Also the way to show that nothing completes for a while:
// run_until(ioc, [] { return false; }, 20ms).
template <class Done>
bool run_until(boost::asio::io_context& ioc, const Done& done, std::chrono::milliseconds timeout) {
  detail::run_for_at_most(ioc, done, timeout);
  return detail::holds(done);
}

// True if `done` (a bool, or an optional result the operation's handler sets) became true within
// `timeout`. Past it, the operation on `socket` is cancelled, and then, if even that does not end
// it within a second, the socket is closed: the handler runs before the caller's locals it refers
// to are gone.
template <class Done>
bool run_until(boost::asio::io_context& ioc, const Done& done, std::chrono::milliseconds timeout,
               boost::asio::ip::tcp::socket& socket) {
  detail::run_for_at_most(ioc, done, timeout);
  if (detail::holds(done)) return true;
  boost::system::error_code ignored;
  socket.cancel(ignored);
  detail::run_for_at_most(ioc, done, std::chrono::seconds{1});
  if (!detail::holds(done)) {
    socket.close(ignored);
    detail::run_for_at_most(ioc, done, std::chrono::seconds{1});
  }
  return false;
}

} // namespace chat::test
