#include "transport/ws_connection.hpp"

#include "messages/counters.hpp"
#include "messages/protocol_json.hpp"
#include "transport/exact_allocator.hpp"
#include "transport/kernel_backlog.hpp"
#include "transport/steady_now.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <spdlog/spdlog.h>

#include <netinet/tcp.h>

namespace chat::transport {

namespace {

// As tcp_connection: a slow consumer's last words (ERROR) may take this many close timeouts.
constexpr int cut_linger_factor = 3;

// How long the peer may take to answer our CLOSE.
constexpr std::chrono::milliseconds close_answer_wait{1000};

asio::io_context& io_context_of(any_ws_stream& ws) {
  auto executor = std::visit([](auto& s) { return s.get_executor(); }, ws);
  return static_cast<asio::io_context&>(asio::query(executor, asio::execution::context));
}

// The one-encode rule for JSON: a delivery gives the same frame to many WebSocket members in a
// row on this I/O thread, so its JSON is made once. Holding the frame keeps its bytes alive, so
// their address cannot be reused by another frame while it names this one. Null: no JSON form.
const std::string* json_of(const frame& f) {
  if (bytes(f).size() < header_size) return nullptr; // not a whole frame: no JSON form
  thread_local std::optional<frame> last;
  thread_local std::optional<std::string> text;
  if (last && bytes(*last).data() == bytes(f).data()) return text ? &*text : nullptr;
  auto json = json::json_from_frame(f, json::direction::server_to_client);
  last = f;
  if (auto* ok = std::get_if<json::json_text>(&json))
    text = std::move(ok->text);
  else
    text.reset();
  return text ? &*text : nullptr;
}

std::string peer_of(const tcp::socket& s) {
  boost::system::error_code ec;
  auto ep = s.remote_endpoint(ec);
  return ec ? std::string{"?"} : ep.address().to_string() + ':' + std::to_string(ep.port());
}

} // namespace

ws_connection::ws_connection(any_ws_stream ws, const connection_limits& limits,
                             std::shared_ptr<outbound_pressure> pressure,
                             std::optional<frame> slow_consumer_notice,
                             std::shared_ptr<asio::ssl::context> tls)
    : tls_(std::move(tls)), ws_(std::move(ws)), strand_(asio::make_strand(io_context_of(ws_))),
      peer_(peer_of(socket())), native_fd_(socket().native_handle()), limits_(limits),
      pressure_(std::move(pressure)), slow_consumer_notice_(std::move(slow_consumer_notice)),
      last_read_ns_(steady_now_ns()), policy_(kernel_policy_limits(limits.max_outbound_bytes)) {
  cap_kernel_unsent(socket());
  with_stream([this](auto& ws) {
    ws.read_message_max(json::max_json_size(limits_.max_frame));
    ws.auto_fragment(false); // one frame, one WebSocket message, one write
    // Pings and pongs count as life: a browser answers our idle probe with a pong.
    ws.control_callback([this](websocket::frame_type, boost::beast::string_view) {
      last_read_ns_.store(steady_now_ns(), std::memory_order_relaxed);
    });
  });
}

tcp::socket& ws_connection::socket() {
  return with_stream([](auto& ws) -> tcp::socket& { return boost::beast::get_lowest_layer(ws); });
}

ws_connection::~ws_connection() = default;

void ws_connection::start(connection_owner owner, std::function<void()> on_closed) {
  owner_ = std::move(owner);
  on_closed_ = std::move(on_closed);
  asio::dispatch(strand_, [self = shared_from_this()] { self->read(); });
}

std::string ws_connection::peer() const {
  return peer_;
}

connection::traffic ws_connection::counters() const {
  return {bytes_in_.load(std::memory_order_relaxed), bytes_out_.load(std::memory_order_relaxed)};
}

// -- read side ---------------------------------------------------------------------------------

void ws_connection::read() {
  if (finished_ || reading_ || closing_sent_ || !may_read()) return;
  reading_ = true;
  with_stream([this](auto& ws) {
    // Its own block, of its own size: the read of an idle connection stays pending
    // (exact_allocator.hpp).
    ws.async_read(read_buffer_,
                  asio::bind_allocator(exact_allocator<void>{},
                                       asio::bind_executor(strand_, [self = shared_from_this()](
                                                                        auto ec, std::size_t) {
                                         self->on_read(ec);
                                       })));
  });
}

void ws_connection::on_read(const boost::system::error_code& ec) {
  reading_ = false;
  if (finished_) return close_when_idle(); // our own end; the owner was told already
  if (ec == websocket::error::closed) return finish("peer closed");
  if (ec) return finish("read failed: " + ec.message());
  auto n = read_buffer_.size();
  bytes_in_.fetch_add(n, std::memory_order_relaxed);
  counters::add(counters::total::bytes_in, n);
  last_read_ns_.store(steady_now_ns(), std::memory_order_relaxed);
  // As for a malformed TCP frame: reading stops for good, the owner answers ERROR and closes.
  if (!with_stream([](auto& ws) { return ws.got_text(); })) {
    read_buffer_.consume(n);
    caf::anon_send(owner_, violated_atom_v,
                   std::string{"a binary WebSocket message: this gateway speaks JSON text"});
    return;
  }
  auto text = boost::beast::buffers_to_string(read_buffer_.data());
  read_buffer_.consume(n);
  auto converted =
      json::frame_from_json(text, json::direction::client_to_server, limits_.max_frame);
  if (auto* why = std::get_if<std::string>(&converted)) {
    caf::anon_send(owner_, violated_atom_v, std::move(*why));
    return;
  }
  const auto& f = std::get<frame>(converted);
  counters::frame_in(type_of(f));
  if (unhandled_.fetch_add(1, std::memory_order_acq_rel) + 1 >= limits_.max_unhandled_frames)
    holds_.hold(read_holds::owner_behind); // frame_done() lifts it once the owner caught up
  caf::anon_send(owner_, received_atom_v, inbound_frame{type_of(f), std::string{payload_of(f)}});
  read();
}

// The same two reasons to park as tcp_connection::may_read: the owner's credit, and receivers
// anywhere on this server that are behind.
bool ws_connection::may_read() {
  if (!holds_.any() && pressure_ && pressure_->pressed() &&
      pressure_->defer([weak = weak_from_this()] {
        if (auto self = weak.lock())
          asio::post(self->strand_, [self] { self->lift(read_holds::receivers_behind); });
      }))
    holds_.hold(read_holds::receivers_behind);
  parked_ = holds_.any();
  return !parked_;
}

void ws_connection::frame_done() {
  auto resume_at = limits_.max_unhandled_frames / 2;
  if (unhandled_.fetch_sub(1, std::memory_order_acq_rel) == resume_at + 1)
    asio::post(strand_, [self = shared_from_this()] { self->lift(read_holds::owner_behind); });
}

void ws_connection::lift(read_holds::reason r) {
  if (!holds_.lift(r) || finished_ || !parked_) return;
  parked_ = false;
  read();
}

// -- write side --------------------------------------------------------------------------------

void ws_connection::send(frame f) {
  enqueue(std::vector<frame>{std::move(f)});
}

void ws_connection::send(const frame_batch& batch) {
  enqueue(caf::get<0>(batch));
}

template <class Frames> void ws_connection::enqueue(const Frames& frames) {
  std::size_t size = 0;
  for (const auto& f : frames) {
    size += bytes(f).size();
    if (bytes(f).size() >= header_size) counters::frames_out(type_of(f)); // see tcp_connection
  }
  bool start = false;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (ending_ != ending::open || judge_outbound(size)) return;
    start = out_.push(frames, size) == decltype(out_)::pushed::started;
    // As tcp_connection: while the queue is long, a timer judges it again, so pressing ends
    // (and a cut comes) even when no new frame arrives to be judged with.
    if (!watching_ && out_.bytes_owed() > limits_.max_outbound_bytes / 4) {
      watching_ = true;
      asio::post(strand_, [self = shared_from_this()] { self->watch_outbound(); });
    }
  }
  if (start) asio::post(strand_, [self = shared_from_this()] { self->write_next(); });
}

void ws_connection::cork(bool on) {
  if (on == corked_) return;
  corked_ = on;
  int value = on ? 1 : 0;
  ::setsockopt(native_fd_, IPPROTO_TCP, TCP_CORK, &value, sizeof value); // off: sends the rest
}

void ws_connection::probe() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->finished_ || self->closing_sent_) return;
    self->ping_due_ = true;
    self->write_next();
  });
}

// One WebSocket message per frame, written in turn; a due ping goes first. A cut keeps only
// what is already written: the rest of the taken frames is dropped for the notice.
void ws_connection::write_next() {
  if (finished_ || write_pending_ || closing_sent_) return;
  auto self = shared_from_this();
  if (ping_due_) {
    ping_due_ = false;
    write_pending_ = true;
    with_stream([&](auto& ws) {
      ws.async_ping({}, asio::bind_executor(strand_, [self](auto ec) {
                      self->write_pending_ = false;
                      if (self->finished_) return self->close_when_idle();
                      if (ec) return self->finish("ping failed: " + ec.message());
                      self->write_next();
                    }));
    });
    return;
  }
  for (;;) {
    if (!dropped_for_cut_) {
      std::lock_guard<std::mutex> guard{out_mutex_};
      if (ending_ == ending::cut) { // the taken frames not yet written go with the queue
        dropped_for_cut_ = true;
        in_flight_.resize(next_);
        out_.in_flight_left(0);
      }
    }
    if (next_ == in_flight_.size()) {
      in_flight_.clear();
      next_ = 0;
      bool more = false;
      bool closing = false;
      {
        std::lock_guard<std::mutex> guard{out_mutex_};
        more = out_.take_all(in_flight_);
        closing = ending_ != ending::open;
      }
      if (!more) {
        cork(false);
        if (closing) close_handshake();
        return;
      }
      // Beast writes one WebSocket message per send(); corked, the kernel sends a burst of
      // them as full segments instead of a packet each (BENCHMARKS.md "WebSocket against TCP").
      if (in_flight_.size() > 1) cork(true);
    }
    const auto& f = in_flight_[next_++];
    auto size = bytes(f).size();
    auto* json = json_of(f);
    if (!json) {
      // A frame with no JSON form (a binary PING payload): the browser cannot be given it.
      spdlog::debug("websocket peer={} frame of {} bytes not sent: it has no JSON form", peer_,
                    size);
      std::lock_guard<std::mutex> guard{out_mutex_};
      out_.took(size, next_ == in_flight_.size());
      continue;
    }
    text_ = *json; // a copy: the write may outlive the next frame's JSON on this thread
    write_pending_ = true;
    auto written = asio::bind_executor(strand_, [self, size](auto ec, std::size_t n) {
      self->write_pending_ = false;
      if (self->finished_) return self->close_when_idle();
      if (ec) return self->finish("write failed: " + ec.message());
      self->bytes_out_.fetch_add(n, std::memory_order_relaxed);
      counters::add(counters::total::bytes_out, n);
      {
        std::lock_guard<std::mutex> guard{self->out_mutex_};
        self->out_.took(size, self->next_ == self->in_flight_.size());
      }
      self->write_next();
    });
    with_stream([&](auto& ws) {
      ws.text(true);
      ws.async_write(asio::buffer(text_), std::move(written));
    });
    return;
  }
}

// -- ending ------------------------------------------------------------------------------------

void ws_connection::close() {
  bool idle = false;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (ending_ != ending::open) return;
    ending_ = ending::closing;
    idle = !out_.writing();
  }
  asio::post(strand_, [self = shared_from_this(), idle] {
    self->arm_close_timer();
    if (idle) self->close_handshake(); // else write_next() does, once the queue is empty
  });
}

void ws_connection::abort(std::string reason) {
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (ending_ == ending::open) ending_ = ending::closing;
  }
  asio::post(strand_, [self = shared_from_this(), reason = std::move(reason)]() mutable {
    self->finish(std::move(reason));
  });
}

// WebSocket's closing handshake: our CLOSE, then the peer's, which the pending read (or, with
// reading parked, the close itself) receives; the close timer ends a peer that never answers.
void ws_connection::close_handshake() {
  if (finished_ || closing_sent_) return;
  if (write_pending_) return; // write_next() comes back here when the write completes
  closing_sent_ = true;
  // A browser answers our CLOSE at once; one that does not is not waited for long (shutdown
  // would otherwise wait a whole close timeout for it).
  if (close_timer_) close_timer_->cancel();
  close_timer_ = std::make_unique<asio::steady_timer>(
      strand_, std::min<std::chrono::milliseconds>(limits_.close_timeout, close_answer_wait));
  close_timer_->async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->finish("closed (the peer did not answer our CLOSE)");
  });
  write_pending_ = true;
  // Over TLS, Beast's teardown then sends close_notify (the close timer bounds its wait).
  with_stream([this](auto& ws) {
    ws.async_close(websocket::close_code::normal,
                   asio::bind_executor(strand_, [self = shared_from_this()](auto ec) {
                     self->write_pending_ = false;
                     self->finish(ec ? "close failed: " + ec.message() : std::string{"closed"});
                   }));
  });
}

void ws_connection::arm_close_timer() {
  if (finished_ || close_timer_) return;
  bool cut = false;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    cut = ending_ == ending::cut;
  }
  auto timeout = cut ? cut_linger_factor * limits_.close_timeout : limits_.close_timeout;
  close_timer_ = std::make_unique<asio::steady_timer>(strand_, timeout);
  close_timer_->async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->finish("close timed out");
  });
}

void ws_connection::tell_owner(std::string reason) {
  if (!owner_) return;
  caf::anon_send(owner_, closed_atom_v, std::move(reason));
  owner_ = nullptr;
}

// As tcp_connection::finish: shut the socket down (pending operations then complete), close
// it once none is pending. Over TLS too it is the TCP socket under the TLS stream: closing it
// with an operation pending is what Asio 1.26's io_uring backend gets wrong.
void ws_connection::finish(std::string reason) {
  if (finished_) return;
  finished_ = true;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (ending_ == ending::open) ending_ = ending::closing;
    out_.drop_waiting();
    policy_.stop_pressing();
    set_pressing(false);
  }
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  close_when_idle();
  tell_owner(std::move(reason));
  if (on_closed_) {
    auto on_closed = std::move(on_closed_);
    on_closed();
  }
}

void ws_connection::close_when_idle() {
  if (close_timer_) close_timer_->cancel();
  if (watch_timer_) watch_timer_->cancel();
  if (reading_ || write_pending_) return; // back here from their completion
  boost::system::error_code ignored;
  socket().close(ignored);
}

} // namespace chat::transport
