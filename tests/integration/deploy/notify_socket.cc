#include "tests/integration/deploy/notify_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

#include "absl/time/clock.h"
#include "tests/integration/support/child_process.h"

namespace dbcache::testing {

NotifySocket::NotifySocket() {
  static std::atomic<int> counter{0};
  path_ = "/tmp/dbcache-notify-" + std::to_string(getpid()) + "-" +
          std::to_string(++counter) + ".sock";
  unlink(path_.c_str());
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
  if (bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd_);
    fd_ = -1;
    return;
  }
  reader_ = std::thread([this] { ReadLoop(); });
}

NotifySocket::~NotifySocket() {
  stop_.store(true);
  if (reader_.joinable()) reader_.join();
  if (fd_ >= 0) close(fd_);
  unlink(path_.c_str());
}

void NotifySocket::ReadLoop() {
  char buffer[4096];
  while (!stop_.load()) {
    pollfd p = {fd_, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n <= 0) continue;
    const absl::Time now = absl::Now();
    std::lock_guard<std::mutex> lock(mutex_);
    // One datagram may carry several newline-separated assignments.
    std::istringstream lines(std::string(buffer, static_cast<size_t>(n)));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) messages_.push_back({now, line});
    }
  }
}

std::vector<NotifySocket::Message> NotifySocket::Messages() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_;
}

std::optional<NotifySocket::Message> NotifySocket::WaitFor(
    const std::function<bool(const std::string&)>& match,
    absl::Duration timeout, absl::Time since) const {
  std::optional<Message> found;
  dbcache::testing::WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const Message& m : messages_) {
          if (m.at >= since && match(m.text)) {
            found = m;
            return true;
          }
        }
        return false;
      },
      timeout);
  return found;
}

std::optional<NotifySocket::Message> NotifySocket::WaitFor(
    const std::string& exact, absl::Duration timeout, absl::Time since) const {
  return WaitFor([&exact](const std::string& text) { return text == exact; },
                 timeout, since);
}

int NotifySocket::Count(const std::string& exact, absl::Time from,
                        absl::Time to) const {
  std::lock_guard<std::mutex> lock(mutex_);
  int count = 0;
  for (const Message& m : messages_) {
    if (m.at >= from && m.at < to && m.text == exact) ++count;
  }
  return count;
}

std::string NotifySocket::Dump() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  const absl::Time first =
      messages_.empty() ? absl::Now() : messages_.front().at;
  for (const Message& m : messages_) {
    out << "  +" << absl::ToInt64Milliseconds(m.at - first) << " ms  " << m.text
        << "\n";
  }
  return out.str();
}

}  // namespace dbcache::testing
