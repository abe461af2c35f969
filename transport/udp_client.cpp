// udp_client.cpp -- the client's UDP session once its cookie is known: frames out packed into
// DATA datagrams on the connection's strand, datagrams in checked for the session's cookie and
// cut into frames for the owner, and the ways the session ends. The handshake that makes it is
// in udp_client_handshake.cpp.
#include "transport/udp_client.hpp"

#include <openssl/crypto.h>

#include <sys/socket.h>

#include <sstream>

namespace chat::transport {

namespace {

std::string udp_server_text(const asio::ip::udp::socket& s) {
  boost::system::error_code ec;
  std::ostringstream out;
  out << s.remote_endpoint(ec) << "/udp";
  return out.str();
}

} // namespace

udp_client_connection::udp_client_connection(asio::ip::udp::socket socket, const udp::cookie& c,
                                             udp_client_options options)
    : socket_(std::move(socket)), strand_(asio::make_strand(socket_.get_executor())),
      silence_(strand_), cookie_(c), options_(std::move(options)),
      peer_text_(udp_server_text(socket_)), buffer_(udp::max_max_datagram + 1),
      packer_(c, options_.max_datagram) {}

udp_client_connection::~udp_client_connection() = default;

void udp_client_connection::start(connection_owner owner) {
  asio::post(strand_, [self = shared_from_this(), owner = std::move(owner)]() mutable {
    self->owner_ = std::move(owner);
    self->arm_silence();
    self->receive();
  });
}

connection::traffic udp_client_connection::counters() const {
  return {bytes_in_.load(std::memory_order_relaxed), bytes_out_.load(std::memory_order_relaxed)};
}

// -- out -------------------------------------------------------------------------------------

template <class Frames> void udp_client_connection::enqueue(const Frames& frames) {
  bool start = false;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (!open_) return;
    queue_.insert(queue_.end(), frames.begin(), frames.end());
    start = !flush_posted_;
    flush_posted_ = true;
  }
  if (start) asio::post(strand_, [self = shared_from_this()] { self->flush(); });
}

void udp_client_connection::send(frame f) {
  std::array<frame, 1> one{std::move(f)};
  enqueue(one);
}

void udp_client_connection::send(const frame_batch& batch) {
  enqueue(frames(batch));
}

void udp_client_connection::close() {
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    if (!open_) return;
    open_ = false;
  }
  // After whatever flush is already posted: what was said before the close goes first.
  asio::post(strand_, [self = shared_from_this()] {
    self->flush();
    self->finish("closed", true);
  });
}

// Best effort, as UDP is: a datagram the kernel will not take now (its buffer is full) is lost,
// as one lost on the way would be; the protocol's answers say what arrived.
void udp_client_connection::flush() {
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    sending_.swap(queue_);
    flush_posted_ = false;
  }
  if (!finished_) {
    packer_.pack(sending_, [this](const iovec* pieces, std::size_t count, std::size_t size) {
      msghdr m{};
      m.msg_iov = const_cast<iovec*>(pieces);
      m.msg_iovlen = count;
      if (::sendmsg(socket_.native_handle(), &m, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
        bytes_out_.fetch_add(size, std::memory_order_relaxed);
    });
  }
  sending_.clear();
  if (sending_.capacity() > 64) std::vector<frame>{}.swap(sending_); // a burst is not kept
}

// -- in --------------------------------------------------------------------------------------

void udp_client_connection::receive() {
  socket_.async_receive(
      asio::buffer(buffer_),
      asio::bind_executor(
          strand_, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            if (self->finished_) return;
            if (ec == asio::error::operation_aborted) return;
            if (ec == asio::error::connection_refused)
              return self->finish("the server is gone (connection refused)", false);
            if (!ec) self->on_datagram(n);
            self->receive();
          }));
}

void udp_client_connection::on_datagram(std::size_t size) {
  bytes_in_.fetch_add(size, std::memory_order_relaxed);
  udp::datagram_limits limits{udp::max_max_datagram, options_.max_frame};
  auto decoded = udp::decode_datagram({buffer_.data(), size}, limits);
  auto* d = std::get_if<udp::datagram>(&decoded);
  if (d == nullptr) return; // malformed: dropped, as any stray datagram
  if (d->kind == udp::datagram_kind::cookie) {
    // The server answered a DATA with a fresh COOKIE: it no longer knows this session (it
    // restarted, or ended it). A new one must log in again, so this one ends here.
    if (std::equal(d->echo.begin(), d->echo.end(), cookie_.end() - udp::nonce_size))
      finish("the server no longer knows this session", false);
    return;
  }
  // Only the session's own cookie speaks for the server: anyone else who sends from its
  // address without having seen the traffic is dropped here.
  if (CRYPTO_memcmp(d->cookie.data(), cookie_.data(), cookie_.size()) != 0) return;
  arm_silence();
  if (d->kind == udp::datagram_kind::close) return finish("the server closed the session", false);
  if (d->kind != udp::datagram_kind::data || !owner_) return;
  if (!seen_.accept(d->sequence)) return; // a copy the network made: handled once already
  auto frames = d->frames;
  while (!frames.empty()) {
    auto f = udp::take_frame(frames);
    caf::anon_send(owner_, received_atom_v, inbound_frame{f.type, std::string{f.payload}});
  }
}

void udp_client_connection::arm_silence() {
  silence_.expires_after(options_.silence_timeout);
  silence_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->finish("no word from the server for too long", true);
  });
}

// -- ending ----------------------------------------------------------------------------------

void udp_client_connection::finish(std::string reason, bool say_close) {
  if (finished_) return;
  finished_ = true;
  {
    std::lock_guard<std::mutex> guard{out_mutex_};
    open_ = false;
    queue_.clear();
  }
  if (say_close) {
    auto bye = udp::encode_close(cookie_);
    if (::send(socket_.native_handle(), bye.data(), bye.size(), MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
      bytes_out_.fetch_add(bye.size(), std::memory_order_relaxed);
  }
  silence_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
  if (owner_) caf::anon_send(owner_, closed_atom_v, std::move(reason));
  owner_ = connection_owner{}; // breaks the owner <-> connection cycle
}

} // namespace chat::transport
