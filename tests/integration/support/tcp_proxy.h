#ifndef DBCACHE_TESTS_INTEGRATION_SUPPORT_TCP_PROXY_H_
#define DBCACHE_TESTS_INTEGRATION_SUPPORT_TCP_PROXY_H_

#include <atomic>
#include <thread>

namespace dbcache::testing {

// A TCP proxy of the test's own on loopback, between a program and a server,
// that can stop forwarding without closing anything: both ends then see a
// connection that is up and silent, as with a peer that vanished without a
// RST (half-open). Connections made while stalled are accepted and connected
// upstream, and stay silent too. Resume() forwards again, what was held
// included.
//
//   TcpProxy proxy(stack.redis_port);
//   StartDaemon({"--redis_port=" + std::to_string(proxy.port())});
//   proxy.Stall();   // the daemon's connections go silent
//   proxy.Resume();
class TcpProxy {
 public:
  explicit TcpProxy(int target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // The loopback port it listens on; -1 if it could not listen.
  int port() const { return port_; }
  void Stall() { stalled_ = true; }
  void Resume() { stalled_ = false; }

 private:
  void Loop();

  const int target_port_;
  int listen_fd_ = -1;
  int port_ = -1;
  std::atomic<bool> stalled_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace dbcache::testing

#endif  // DBCACHE_TESTS_INTEGRATION_SUPPORT_TCP_PROXY_H_
