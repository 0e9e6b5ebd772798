#include "probes/tcp_checker.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "probes/internal/http_request.h"

namespace sla {
namespace probes {
namespace {

// How long one wait (for the resolver or a connect) may last before
// `cancel` and the deadline are looked at again.
constexpr absl::Duration kSlice = absl::Milliseconds(20);

struct HostPort {
  std::string host;  // without brackets
  std::string port;  // digits, 1..65535
};

absl::StatusOr<HostPort> ParseAddress(absl::string_view address) {
  const auto bad = [address](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("address '", address, "' is not host:port or [v6]:port",
                     why.empty() ? "" : " (", why, why.empty() ? "" : ")"));
  };
  HostPort hp;
  absl::string_view port;
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos) return bad("no ']'");
    hp.host = std::string(address.substr(1, close - 1));
    in6_addr v6;
    if (inet_pton(AF_INET6, hp.host.c_str(), &v6) != 1) {
      return bad(absl::StrCat("'", hp.host, "' is not an IPv6 address"));
    }
    if (address.substr(close + 1, 1) != ":") return bad("no port");
    port = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos) return bad("no port");
    hp.host = std::string(address.substr(0, colon));
    if (hp.host.empty()) return bad("no host");
    if (hp.host.find(':') != std::string::npos) {
      return bad("IPv6 addresses go in brackets");
    }
    port = address.substr(colon + 1);
  }
  int n = 0;
  if (port.empty() ||
      !std::all_of(port.begin(), port.end(),
                   [](char c) {
                     return absl::ascii_isdigit(static_cast<unsigned char>(c));
                   }) ||
      !absl::SimpleAtoi(port, &n) || n < 1 || n > 65535) {
    return bad("the port must be 1..65535");
  }
  hp.port = std::string(port);
  return hp;
}

std::string ErrnoText(int e) {
  char buf[256];
  // GNU strerror_r: returns the message, in buf or static.
  return strerror_r(e, buf, sizeof(buf));
}

struct Address {
  sockaddr_storage addr;
  socklen_t len;
  std::string text;  // "10.0.0.5:5432", "[::1]:5432"
};

std::vector<Address> Addresses(const addrinfo* list) {
  std::vector<Address> out;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Address a{};
    std::memcpy(&a.addr, ai->ai_addr, ai->ai_addrlen);
    a.len = ai->ai_addrlen;
    char host[INET6_ADDRSTRLEN] = {0};
    if (ai->ai_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
      inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
      a.text = absl::StrCat(host, ":", ntohs(in->sin_port));
    } else if (ai->ai_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
      inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
      a.text = absl::StrCat("[", host, "]:", ntohs(in6->sin6_port));
    } else {
      continue;
    }
    out.push_back(std::move(a));
  }
  return out;
}

// getaddrinfo; returns 0 or an EAI_ code with its description in `error`.
int Lookup(const HostPort& hp, int flags, std::vector<Address>* out,
           std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(hp.host.c_str(), hp.port.c_str(), &hints, &list);
  if (rc != 0) {
    *error = rc == EAI_SYSTEM ? ErrnoText(errno) : gai_strerror(rc);
    return rc;
  }
  *out = Addresses(list);
  freeaddrinfo(list);
  return 0;
}

// A lookup on a helper thread, which the check may stop waiting for.
struct PendingLookup {
  absl::Mutex mu;
  bool done ABSL_GUARDED_BY(mu) = false;
  int rc ABSL_GUARDED_BY(mu) = 0;
  std::string error ABSL_GUARDED_BY(mu);
  std::vector<Address> addresses ABSL_GUARDED_BY(mu);
};

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }

 private:
  int fd_;
};

// The probe's own side cannot connect anywhere: not the target's fault.
bool LocalError(int e) {
  return e == ENETUNREACH || e == EADDRNOTAVAIL || e == EAFNOSUPPORT ||
         e == EACCES || e == EPERM || e == EMFILE || e == ENFILE ||
         e == ENOBUFS || e == ENOMEM;
}

class TcpChecker final : public Checker {
 public:
  TcpChecker(HostPort target, absl::Duration timeout)
      : target_(std::move(target)), timeout_(timeout) {}

  CheckResult Check(const std::atomic<bool>& cancel) override {
    const internal::Stopwatch watch;
    CheckResult r = Run(watch, cancel);
    r.latency = watch.Elapsed();
    return r;
  }

 private:
  static CheckResult Result(Outcome o, std::string reason) {
    CheckResult r;
    r.outcome = o;
    r.reason = std::move(reason);
    return r;
  }

  CheckResult Run(const internal::Stopwatch& watch,
                  const std::atomic<bool>& cancel) const {
    if (cancel.load()) return Result(Outcome::kError, "cancelled");
    std::vector<Address> addresses;
    if (std::optional<CheckResult> failed =
            Resolve(watch, cancel, &addresses)) {
      return *failed;
    }
    // Errors by address, in order.
    std::vector<std::pair<int, const Address*>> errors;
    for (const Address& a : addresses) {
      const int e = Connect(a, watch, cancel);
      if (e == 0) return Result(Outcome::kOk, "");
      if (e == ECANCELED) return Result(Outcome::kError, "cancelled");
      if (e == ETIMEDOUT) {
        return Result(Outcome::kTimeout, internal::TimeoutReason(timeout_));
      }
      errors.emplace_back(e, &a);
    }
    if (errors.empty()) {
      return Result(Outcome::kError,
                    absl::StrCat("'", target_.host, "' has no address"));
    }
    for (const auto& [e, a] : errors) {
      if (e == ECONNREFUSED)
        return Result(Outcome::kFail, "connection refused");
    }
    const auto& [e, a] = errors.front();
    return Result(LocalError(e) ? Outcome::kError : Outcome::kFail,
                  absl::StrCat("connect to ", a->text, ": ", ErrnoText(e)));
  }

  // Fills `out`, or returns why not.
  std::optional<CheckResult> Resolve(const internal::Stopwatch& watch,
                                     const std::atomic<bool>& cancel,
                                     std::vector<Address>* out) const {
    std::string error;
    // IP literals need no lookup and cannot block.
    if (Lookup(target_, AI_NUMERICHOST, out, &error) == 0) return std::nullopt;

    auto pending = std::make_shared<PendingLookup>();
    try {
      std::thread([pending, target = target_] {
        std::vector<Address> addresses;
        std::string error;
        const int rc = Lookup(target, 0, &addresses, &error);
        absl::MutexLock lock(&pending->mu);
        pending->rc = rc;
        pending->error = std::move(error);
        pending->addresses = std::move(addresses);
        pending->done = true;
      }).detach();
    } catch (const std::system_error& e) {
      return Result(Outcome::kError,
                    absl::StrCat("cannot start a resolver thread: ", e.what()));
    }
    absl::MutexLock lock(&pending->mu);
    while (!pending->done) {
      if (cancel.load()) return Result(Outcome::kError, "cancelled");
      const absl::Duration left = timeout_ - watch.Elapsed();
      if (left <= absl::ZeroDuration()) {
        return Result(Outcome::kTimeout, internal::TimeoutReason(timeout_));
      }
      pending->mu.AwaitWithTimeout(absl::Condition(&pending->done),
                                   std::min(left, kSlice));
    }
    if (pending->rc != 0) {
      return Result(Outcome::kError,
                    absl::StrCat("cannot resolve '", target_.host,
                                 "': ", pending->error));
    }
    *out = std::move(pending->addresses);
    return std::nullopt;
  }

  // 0 when connected, ETIMEDOUT at the deadline, ECANCELED once `cancel`
  // is set, else the connect error.
  int Connect(const Address& a, const internal::Stopwatch& watch,
              const std::atomic<bool>& cancel) const {
    const int fd =
        socket(a.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    const FdCloser closer(fd);
    if (connect(fd, reinterpret_cast<const sockaddr*>(&a.addr), a.len) == 0) {
      return 0;
    }
    if (errno != EINPROGRESS) return errno;
    while (true) {
      if (cancel.load()) return ECANCELED;
      const absl::Duration left = timeout_ - watch.Elapsed();
      if (left <= absl::ZeroDuration()) return ETIMEDOUT;
      pollfd p{fd, POLLOUT, 0};
      const int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(
          absl::Ceil(std::min(left, kSlice), absl::Milliseconds(1))));
      const int n = poll(&p, 1, wait_ms);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      if (n == 0) continue;
      int so_error = 0;
      socklen_t len = sizeof(so_error);
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) {
        return errno;
      }
      return so_error;
    }
  }

  const HostPort target_;
  const absl::Duration timeout_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Checker>> MakeTcpChecker(
    const TcpProbeConfig& config, absl::Duration timeout) {
  if (absl::Status s = internal::ValidateTimeout(timeout); !s.ok()) {
    return internal::WithPrefix("tcp", s);
  }
  absl::StatusOr<HostPort> target = ParseAddress(config.address);
  if (!target.ok()) return internal::WithPrefix("tcp", target.status());
  return std::make_unique<TcpChecker>(*std::move(target), timeout);
}

}  // namespace probes
}  // namespace sla
