// connector.hpp -- opens client connections: resolve, connect, wrap in a tcp_connection.
// Called by chat-client, tests and chat-bench; the caller then starts the connection with its
// client_session actor as owner.
#pragma once

#include "transport/tcp_connection.hpp"
#include "transport/tls_context.hpp"

#include <boost/asio.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace chat::transport {

using connect_callback =
    std::function<void(const boost::system::error_code&, std::shared_ptr<tcp_connection>)>;

// Asynchronous: `done` runs on an I/O thread with the connection or the error. With `tls` the
// connection speaks TLS (secure()), checking that the server's certificate names `host`; the
// handshake runs once the connection is started, and its failure is the close reason.
void async_connect(asio::io_context& ioc, const std::string& host, uint16_t port,
                   const connection_limits& limits, connect_callback done,
                   tls_context_ptr tls = nullptr);

// Blocking, for a caller that is not an I/O thread (main, tests). Gives up after `timeout`
// with asio::error::timed_out, so an unreachable server never hangs the caller.
std::shared_ptr<tcp_connection> connect(asio::io_context& ioc, const std::string& host,
                                        uint16_t port, const connection_limits& limits,
                                        std::chrono::milliseconds timeout,
                                        boost::system::error_code& ec,
                                        tls_context_ptr tls = nullptr);

} // namespace chat::transport
