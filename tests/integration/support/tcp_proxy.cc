#include "tests/integration/support/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>
#include <vector>

namespace dbcache::testing {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

// Writes all of data; false once the peer is gone.
bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof(address);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address),
           sizeof(address)) != 0 ||
      listen(listen_fd_, 64) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) !=
          0) {
    return;
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Loop(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

void TcpProxy::Loop() {
  // Pairs of (client, server) sockets; an entry of -1 is closed.
  std::vector<std::pair<int, int>> pairs;
  std::vector<char> buffer(64 * 1024);
  while (!stop_) {
    std::vector<pollfd> fds = {{listen_fd_, POLLIN, 0}};
    const bool forwarding = !stalled_;
    for (const auto& [a, b] : pairs) {
      fds.push_back({a, static_cast<short>(forwarding ? POLLIN : 0), 0});
      fds.push_back({b, static_cast<short>(forwarding ? POLLIN : 0), 0});
    }
    // Short, so that Stall(), Resume() and the destructor take effect soon.
    if (poll(fds.data(), fds.size(), 20) <= 0) continue;
    // Only the pairs that were polled: fds has no entries for newer ones.
    const size_t polled = pairs.size();
    for (size_t i = 0; i < polled; ++i) {
      for (int side = 0; side < 2; ++side) {
        const pollfd& p = fds[1 + 2 * i + side];
        if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const int from = side == 0 ? pairs[i].first : pairs[i].second;
        const int to = side == 0 ? pairs[i].second : pairs[i].first;
        if (from < 0 || to < 0) continue;
        const ssize_t n = recv(from, buffer.data(), buffer.size(), 0);
        if (n <= 0 || !WriteAll(to, buffer.data(), static_cast<size_t>(n))) {
          close(pairs[i].first);
          close(pairs[i].second);
          pairs[i] = {-1, -1};
        }
      }
    }
    if (fds[0].revents & POLLIN) {
      const int client = accept(listen_fd_, nullptr, nullptr);
      if (client >= 0) {
        const int server = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in target = Loopback(target_port_);
        if (connect(server, reinterpret_cast<sockaddr*>(&target),
                    sizeof(target)) == 0) {
          pairs.emplace_back(client, server);
        } else {
          close(server);
          close(client);
        }
      }
    }
    std::erase_if(pairs, [](const auto& p) { return p.first < 0; });
  }
  for (const auto& [a, b] : pairs) {
    close(a);
    close(b);
  }
}

}  // namespace dbcache::testing
