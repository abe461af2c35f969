// cluster_tls.hpp -- what chat-server adds to CAF's OpenSSL module for cluster links
// (docs/CLUSTER.md "TLS between nodes"): the log lines of a refused peer, which CAF itself does
// not write, and the loopback check behind the warning for plain links.
#pragma once

#include <string>

namespace chat {

// From now on, a TLS handshake of a cluster link that fails on a certificate is logged
// (spdlog warn, "cluster: TLS ..."), on the side that refuses and on the side refused. Call once,
// before the actor system starts, when the cluster uses TLS.
void log_cluster_tls_refusals();

// Whether `host` (an address or "localhost") can only be reached from this machine.
bool is_loopback_host(const std::string& host);

} // namespace chat
