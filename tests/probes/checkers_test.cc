// Tests of the active checkers (probes/http_checker.h, scenario_checker.h,
// tcp_checker.h, metric_checker.h, checker_factory.h) against servers
// started here on 127.0.0.1:0: an HTTP server (cpp-httplib) that can fail,
// hang, be slow, redirect, echo and serve metrics; an HTTPS server with a
// self-signed certificate that openssl makes in a temporary directory; raw
// listening sockets; closed ports. Nothing but 127.0.0.1 (and ::1 when the
// host has it) is contacted; timeouts are at most a few hundred ms.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/config.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "probes/checker_factory.h"
#include "probes/http_checker.h"
#include "probes/metric_checker.h"
#include "probes/probe.h"
#include "probes/scenario_checker.h"
#include "probes/tcp_checker.h"
#include "sla/probe_config.h"

namespace sla::probes {
namespace {

using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::Lt;
using ::testing::MatchesRegex;

constexpr char kMetrics[] =
    "# HELP connected_devices Devices connected now.\n"
    "# TYPE connected_devices gauge\n"
    "connected_devices{hub=\"main\",zone=\"eu\"} 42\n"
    "connected_devices{hub=\"backup\",zone=\"eu\"} 7\n"
    "connected_devices{hub=\"backup\",zone=\"us\"} 9 1704067200000\n"
    "connected_devices{hub=\"q\\\"uote\"} NaN\n"
    "queue_depth 0.5\n";

// An HTTP or HTTPS server on 127.0.0.1 (a free port):
//   GET  /ok            200 "all systems go"
//   GET  /status/503    503 "down"
//   GET  /hang          answers only when the server is destroyed (or 30 s)
//   GET  /slow          200 "ok" after 150 ms
//   GET  /redirect      302 to /ok
//   *    /echo          200 "<method>|<X-Probe header>|<body>"
//   GET  /big           200, 2 MiB of 'a' then "MARKER"
//   POST /login         200 {"token":"abc123"} + X-Session: s-42 when the
//                       body has "user":"probe", else 403
//   GET  /cart          200 "cart: 3 items" with "Authorization: Bearer
//                       abc123", else 401
//   GET  /metrics       kMetrics
//   GET  /bad-metrics   text that is not the text format
class TestServer {
 public:
  // Plain HTTP, or HTTPS with the given PEM files.
  explicit TestServer(const std::string& cert = "",
                      const std::string& key = "") {
    if (cert.empty()) {
      server_ = std::make_unique<httplib::Server>();
    } else {
      server_ = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    }
    httplib::Server& s = *server_;
    s.Get("/ok", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("all systems go", "text/plain");
    });
    s.Get("/status/503", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_content("down", "text/plain");
    });
    s.Get("/hang", [this](const httplib::Request&, httplib::Response& res) {
      release_.WaitForNotificationWithTimeout(absl::Seconds(30));
      res.set_content("late", "text/plain");
    });
    s.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      absl::SleepFor(absl::Milliseconds(150));
      res.set_content("ok", "text/plain");
    });
    s.Get("/redirect", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/ok");
    });
    const auto echo = [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(
          absl::StrCat(req.method, "|", req.get_header_value("X-Probe"), "|",
                       req.body),
          "text/plain");
    };
    s.Get("/echo", echo);
    s.Post("/echo", echo);
    s.Put("/echo", echo);
    s.Delete("/echo", echo);
    s.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(2 << 20, 'a') + "MARKER", "text/plain");
    });
    s.Post("/login", [](const httplib::Request& req, httplib::Response& res) {
      if (req.body.find("\"user\":\"probe\"") == std::string::npos) {
        res.status = 403;
        return;
      }
      res.set_header("X-Session", "s-42");
      res.set_content("{\"token\":\"abc123\",\"ttl\":60}", "application/json");
    });
    s.Get("/cart", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != "Bearer abc123") {
        res.status = 401;
        return;
      }
      res.set_content("cart: 3 items", "text/plain");
    });
    s.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kMetrics, "text/plain; version=0.0.4");
    });
    s.Get("/bad-metrics", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok 1\nconnected_devices{hub=main} 1\n", "text/plain");
    });
    port_ = s.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    const absl::Time until = absl::Now() + absl::Seconds(5);
    while (!s.is_running() && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer() {
    release_.Notify();
    server_->stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::string Url(absl::string_view path, bool tls = false) const {
    return absl::StrCat(tls ? "https" : "http", "://127.0.0.1:", port_, path);
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  absl::Notification release_;
  int port_ = -1;
  std::thread thread_;
};

// A port on 127.0.0.1 that nothing listens on: bound, then released.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// A listening TCP socket on 127.0.0.1 or ::1 that never accepts.
class Listener {
 public:
  explicit Listener(int backlog, bool v6 = false) {
    fd_ = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (v6) {
      sockaddr_in6 addr = {};
      addr.sin6_family = AF_INET6;
      addr.sin6_addr = in6addr_loopback;
      socklen_t len = sizeof(addr);
      if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
          listen(fd_, backlog) == 0 &&
          getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port_ = ntohs(addr.sin6_port);
      }
    } else {
      sockaddr_in addr = {};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      socklen_t len = sizeof(addr);
      if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
          listen(fd_, backlog) == 0 &&
          getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port_ = ntohs(addr.sin_port);
      }
    }
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() {
    for (int fd : clients_) close(fd);
    if (fd_ >= 0) close(fd_);
  }

  int port() const { return port_; }

  // Connects clients until one stays pending (the accept queue is full, so
  // the kernel drops further SYNs). False if that does not happen.
  bool FillBacklog() {
    for (int i = 0; i < 16; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      clients_.push_back(fd);
      sockaddr_in addr = {};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(port_));
      if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
        continue;
      }
      if (errno != EINPROGRESS) return false;
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, 100) == 0) return true;  // still pending after 100 ms
    }
    return false;
  }

 private:
  int fd_ = -1;
  int port_ = -1;
  std::vector<int> clients_;
};

// Upper bounds that only show a check did not wait for what it must not
// wait for (a server that hangs for 30 s, a 30 s probe timeout). They are
// loose on purpose: CI runs these tests on 2 cores while it compiles.
constexpr absl::Duration kPrompt = absl::Seconds(5);

// Runs one check without cancellation.
CheckResult RunCheck(Checker& checker) {
  std::atomic<bool> cancel{false};
  return checker.Check(cancel);
}

// Runs one check and sets `cancel` from another thread after 100 ms;
// `took` is the wall time of the check.
CheckResult RunCancelledAfter100ms(Checker& checker, absl::Duration* took) {
  std::atomic<bool> cancel{false};
  std::thread canceller([&cancel] {
    absl::SleepFor(absl::Milliseconds(100));
    cancel.store(true);
  });
  const absl::Time start = absl::Now();
  CheckResult r = checker.Check(cancel);
  *took = absl::Now() - start;
  canceller.join();
  return r;
}

std::unique_ptr<Checker> MustMake(
    absl::StatusOr<std::unique_ptr<Checker>> checker) {
  EXPECT_TRUE(checker.ok()) << checker.status();
  return checker.ok() ? *std::move(checker) : nullptr;
}

HttpProbeConfig Http(std::string url) {
  HttpProbeConfig c;
  c.url = std::move(url);
  return c;
}

// A host name that can never resolve, without asking any DNS server: glibc
// refuses to build a query for a label longer than 63 characters.
std::string UnresolvableHost() { return std::string(64, 'a') + ".invalid"; }

// ------------------------------------------------------------------- HTTP

class HttpCheckerTest : public ::testing::Test {
 protected:
  CheckResult Check(const HttpProbeConfig& c,
                    absl::Duration timeout = absl::Seconds(5)) {
    std::unique_ptr<Checker> checker = MustMake(MakeHttpChecker(c, timeout));
    if (checker == nullptr) return {};
    return RunCheck(*checker);
  }

  TestServer server_;
};

TEST_F(HttpCheckerTest, OkWhenStatusAndBodyAreAsExpected) {
  HttpProbeConfig c = Http(server_.Url("/ok"));
  c.expect_status = {200};
  c.expect_body = "systems";
  c.expect_body_regex = R"(^all \w+ go$)";
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kOk);
  EXPECT_EQ(r.reason, "");
  EXPECT_GT(r.latency, absl::ZeroDuration());
  EXPECT_LT(r.latency, kPrompt);
}

TEST_F(HttpCheckerTest, EmptyExpectStatusMeansAny2xx) {
  CheckResult r = Check(Http(server_.Url("/ok")));
  EXPECT_EQ(r.outcome, Outcome::kOk);

  r = Check(Http(server_.Url("/status/503")));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "status 503 (expected 2xx)");

  r = Check(Http(server_.Url("/nowhere")));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "status 404 (expected 2xx)");
}

TEST_F(HttpCheckerTest, UnexpectedStatusNamesTheExpectedOnes) {
  HttpProbeConfig c = Http(server_.Url("/status/503"));
  c.expect_status = {200};
  EXPECT_EQ(Check(c).reason, "status 503 (expected 200)");
  c.expect_status = {200, 204};
  EXPECT_EQ(Check(c).reason, "status 503 (expected 200 or 204)");
  // A 503 that is expected (a maintenance page) is fine.
  c.expect_status = {503};
  EXPECT_EQ(Check(c).outcome, Outcome::kOk);
}

TEST_F(HttpCheckerTest, BodyChecks) {
  HttpProbeConfig c = Http(server_.Url("/ok"));
  c.expect_body = "nope";
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "body lacks \"nope\"");

  c.expect_body = "";
  c.expect_body_regex = "^go";
  r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "body does not match /^go/");
}

TEST_F(HttpCheckerTest, SlowAnswerFailsTheLatencyThreshold) {
  HttpProbeConfig c = Http(server_.Url("/slow"));
  c.latency_threshold = absl::Milliseconds(50);
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_THAT(r.reason, MatchesRegex("slow: [0-9]+ ms > 50 ms"));
  EXPECT_GE(r.latency, absl::Milliseconds(150));

  c.latency_threshold = absl::Seconds(3);
  EXPECT_EQ(Check(c).outcome, Outcome::kOk);
}

TEST_F(HttpCheckerTest, HangingServerTimesOut) {
  CheckResult r = Check(Http(server_.Url("/hang")), absl::Milliseconds(300));
  EXPECT_EQ(r.outcome, Outcome::kTimeout);
  EXPECT_EQ(r.reason, "timed out after 300ms");
  EXPECT_GE(r.latency, absl::Milliseconds(290));
  EXPECT_LT(r.latency, absl::Milliseconds(300) + kPrompt);
}

TEST_F(HttpCheckerTest, ClosedPortIsRefused) {
  const int port = FreePort();
  ASSERT_GT(port, 0);
  CheckResult r = Check(Http(absl::StrCat("http://127.0.0.1:", port, "/")));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "connection refused");
}

TEST_F(HttpCheckerTest, UnresolvableHostIsAnError) {
  CheckResult r = Check(Http(absl::StrCat("http://", UnresolvableHost(), "/")));
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason,
            absl::StrCat("Could not resolve host: ", UnresolvableHost()));
}

TEST_F(HttpCheckerTest, RedirectsAreFollowedOnlyWhenAsked) {
  HttpProbeConfig c = Http(server_.Url("/redirect"));
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "status 302 (expected 2xx)");

  c.follow_redirects = true;
  c.expect_body = "systems";
  r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;
}

TEST_F(HttpCheckerTest, SendsMethodHeadersAndBody) {
  HttpProbeConfig c = Http(server_.Url("/echo"));
  c.headers = {"X-Probe: p1"};
  c.expect_body = "GET|p1|";
  EXPECT_EQ(Check(c).reason, "");

  c.method = "POST";
  c.body = "{\"a\":1}";
  c.expect_body = "POST|p1|{\"a\":1}";
  EXPECT_EQ(Check(c).reason, "");

  c.method = "PUT";
  c.body = "put-body";
  c.expect_body = "PUT|p1|put-body";
  EXPECT_EQ(Check(c).reason, "");

  c.method = "DELETE";
  c.body = "";
  c.expect_body = "DELETE|p1|";
  EXPECT_EQ(Check(c).reason, "");

  // HEAD reads no body.
  c = Http(server_.Url("/ok"));
  c.method = "HEAD";
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;
}

TEST_F(HttpCheckerTest, ReadsAtMostOneMebibyteOfBody) {
  HttpProbeConfig c = Http(server_.Url("/big"));
  c.expect_body = "aaaa";
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;

  // The marker is past the first MiB, so it is never seen.
  c.expect_body = "MARKER";
  r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "body lacks \"MARKER\"");
}

TEST_F(HttpCheckerTest, RegexSearchesTheBodyAsRead) {
  HttpProbeConfig c = Http(server_.Url("/big"));
  // The marker is past the first MiB, which is all that is read.
  c.expect_body_regex = "MARKER";
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "body does not match /MARKER/");

  c.expect_body_regex = "a{100}";
  EXPECT_EQ(Check(c).outcome, Outcome::kOk);
  // The end of the first MiB is searched too.
  c.expect_body_regex = "a{1000}$";
  EXPECT_EQ(Check(c).outcome, Outcome::kOk);
}

// Patterns that make a backtracking engine (std::regex, PCRE) take
// exponential time or overflow the stack: RE2 answers in linear time, so the
// check ends with its answer, not with its timeout. With std::regex the
// first took over 30 s on a body like this one (its time doubles with each
// "a"), and the second overflowed an 8 MiB stack on 16 KiB of "a".
TEST_F(HttpCheckerTest, PathologicalRegexesAnswerWithoutBacktracking) {
  HttpProbeConfig c = Http(server_.Url("/echo"));
  c.method = "POST";
  c.body = "status: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";  // echoed, no match
  c.expect_body_regex = R"(status: (\w+)*$)";
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, R"(body does not match /status: (\w+)*$/)");

  c = Http(server_.Url("/big"));
  c.expect_body_regex = "^(a|b)*c";
  r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "body does not match /^(a|b)*c/");
}

TEST(HttpCheckerMakeTest, RegexesAreRe2Syntax) {
  HttpProbeConfig c;
  c.url = "http://127.0.0.1:1/";
  c.expect_body_regex = "(?=lookahead)";  // ECMAScript, not RE2
  absl::StatusOr<std::unique_ptr<Checker>> made =
      MakeHttpChecker(c, absl::Seconds(1));
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(made.status().message(),
              HasSubstr("body regex /(?=lookahead)/ is not a valid regex"));
}

TEST_F(HttpCheckerTest, CancelReturnsPromptly) {
  std::unique_ptr<Checker> checker =
      MustMake(MakeHttpChecker(Http(server_.Url("/hang")), absl::Seconds(30)));
  ASSERT_NE(checker, nullptr);
  absl::Duration took;
  CheckResult r = RunCancelledAfter100ms(*checker, &took);
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason, "cancelled");
  EXPECT_LT(took, kPrompt);
  EXPECT_LT(r.latency, kPrompt);

  // Already cancelled: nothing is sent.
  std::atomic<bool> cancel{true};
  r = checker->Check(cancel);
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason, "cancelled");
}

TEST(MakeHttpCheckerTest, RejectsBadConfigs) {
  const auto error = [](const HttpProbeConfig& c,
                        absl::Duration timeout = absl::Seconds(1)) {
    absl::StatusOr<std::unique_ptr<Checker>> checker =
        MakeHttpChecker(c, timeout);
    EXPECT_EQ(checker.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(checker.status().message());
  };
  EXPECT_EQ(error(Http("ftp://127.0.0.1/x")),
            "http: url 'ftp://127.0.0.1/x' is not http:// or https://");
  EXPECT_EQ(error(Http("127.0.0.1:80/x")),
            "http: url '127.0.0.1:80/x' is not http:// or https://");
  EXPECT_EQ(error(Http("http://127.0.0.1:99999/")),
            "http: url 'http://127.0.0.1:99999/': Port number was not a "
            "decimal number between 0 and 65535");
  HttpProbeConfig c = Http("http://127.0.0.1/");
  EXPECT_EQ(error(c, absl::ZeroDuration()),
            "http: timeout 0 is not positive and finite");
  EXPECT_EQ(error(c, absl::InfiniteDuration()),
            "http: timeout inf is not positive and finite");
  c.expect_status = {200, 600};
  EXPECT_EQ(error(c), "http: expected status 600 is not in 100..599");
  c.expect_status = {99};
  EXPECT_EQ(error(c), "http: expected status 99 is not in 100..599");
  c = Http("http://127.0.0.1/");
  c.expect_body_regex = "(unclosed";
  EXPECT_THAT(error(c),
              MatchesRegex("http: body regex /\\(unclosed/ is not a valid "
                           "regex: .+"));
  c = Http("http://127.0.0.1/");
  c.method = "GE T";
  EXPECT_EQ(error(c), "http: method 'GE T' is not a word like GET or POST");
  c = Http("http://127.0.0.1/");
  c.headers = {"X-Ok: 1", "NoColon"};
  EXPECT_EQ(error(c), "http: header 'NoColon' is not \"Name: value\"");
  c.headers = {"X-A: 1\r\nX-B: 2"};
  EXPECT_EQ(error(c), "http: header 'X-A: 1\r\nX-B: 2' is not \"Name: value\"");
  c = Http("http://127.0.0.1/");
  c.latency_threshold = absl::ZeroDuration();
  EXPECT_EQ(error(c), "http: latency threshold 0 is not positive");
}

// -------------------------------------------------------------------- TLS

class HttpsCheckerTest : public ::testing::Test {
 protected:
  // A self-signed certificate for 127.0.0.1, shared by the suite.
  static void SetUpTestSuite() {
    std::string tmpl = ::testing::TempDir() + "/checkers_tlsXXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = new std::string(tmpl);
    const std::string script = absl::StrCat(
        "cd '", *dir_,
        "' && openssl req -x509 -newkey ec -pkeyopt "
        "ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem "
        ">/dev/null 2>&1");
    ASSERT_EQ(std::system(script.c_str()), 0) << "openssl failed";
  }
  static void TearDownTestSuite() {
    std::system(absl::StrCat("rm -rf '", *dir_, "'").c_str());
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    server_ = std::make_unique<TestServer>(Cert(), *dir_ + "/key.pem");
  }

  static std::string Cert() { return *dir_ + "/cert.pem"; }

  CheckResult Check(const HttpProbeConfig& c) {
    std::unique_ptr<Checker> checker =
        MustMake(MakeHttpChecker(c, absl::Seconds(5)));
    if (checker == nullptr) return {};
    return RunCheck(*checker);
  }

  static std::string* dir_;
  std::unique_ptr<TestServer> server_;
};

std::string* HttpsCheckerTest::dir_ = nullptr;

TEST_F(HttpsCheckerTest, SelfSignedCertificateFailsVerification) {
  CheckResult r = Check(Http(server_->Url("/ok", /*tls=*/true)));
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason, "SSL certificate problem: self-signed certificate");
}

TEST_F(HttpsCheckerTest, TrustedThroughCaFile) {
  HttpProbeConfig c = Http(server_->Url("/ok", /*tls=*/true));
  c.ca_file = Cert();
  c.expect_body = "systems";
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;
}

TEST_F(HttpsCheckerTest, VerificationCanBeTurnedOff) {
  HttpProbeConfig c = Http(server_->Url("/ok", /*tls=*/true));
  c.tls_verify = false;
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;
}

TEST_F(HttpsCheckerTest, UnreadableCaFileIsAnError) {
  HttpProbeConfig c = Http(server_->Url("/ok", /*tls=*/true));
  c.ca_file = *dir_ + "/missing.pem";
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason,
            absl::StrCat("error setting certificate file: ", c.ca_file));
}

// -------------------------------------------------------------- scenario

ScenarioStep Step(std::string name, std::string url) {
  ScenarioStep s;
  s.name = std::move(name);
  s.request.url = std::move(url);
  return s;
}

class ScenarioCheckerTest : public ::testing::Test {
 protected:
  // POST /login, capturing the token from the body and the session number
  // from a header.
  ScenarioStep Login() {
    ScenarioStep s = Step("login", server_.Url("/login"));
    s.request.method = "POST";
    s.request.body = R"({"user":"probe"})";
    s.captures = {{"token", "", R"re("token":"([^"]+)")re"},
                  {"session", "X-Session", R"(s-(\d+))"}};
    return s;
  }
  ScenarioStep Cart() {
    ScenarioStep s = Step("cart", server_.Url("/cart"));
    s.request.headers = {"Authorization: Bearer ${token}"};
    s.request.expect_body = "3 items";
    return s;
  }

  CheckResult Check(const ScenarioProbeConfig& c,
                    absl::Duration timeout = absl::Seconds(5)) {
    std::unique_ptr<Checker> checker =
        MustMake(MakeScenarioChecker(c, timeout));
    if (checker == nullptr) return {};
    return RunCheck(*checker);
  }

  TestServer server_;
};

TEST_F(ScenarioCheckerTest, LoginTokenIsUsedByTheNextSteps) {
  ScenarioProbeConfig c;
  ScenarioStep echo = Step("echo", server_.Url("/echo?s=${session}"));
  echo.request.method = "POST";
  echo.request.headers = {"X-Probe: ${session}"};
  echo.request.body = "token=${token};session=${session}";
  echo.request.expect_body = "POST|42|token=abc123;session=42";
  c.steps = {Login(), Cart(), echo};
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;
  EXPECT_EQ(r.reason, "");
  EXPECT_GT(r.latency, absl::ZeroDuration());
}

TEST_F(ScenarioCheckerTest, FailsAtTheFirstFailingStep) {
  ScenarioProbeConfig c;
  ScenarioStep cart = Cart();
  cart.request.headers = {"Authorization: Bearer stale-${token}"};
  // Never reached.
  ScenarioStep after = Step("after", "http://127.0.0.1:1/");
  c.steps = {Login(), cart, after};
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "step 'cart': status 401 (expected 2xx)");
}

TEST_F(ScenarioCheckerTest, FirstStepFailuresArePrefixed) {
  ScenarioProbeConfig c;
  ScenarioStep login = Login();
  login.request.body = R"({"user":"intruder"})";
  c.steps = {login, Cart()};
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "step 'login': status 403 (expected 2xx)");

  const int port = FreePort();
  ASSERT_GT(port, 0);
  login = Login();
  login.request.url = absl::StrCat("http://127.0.0.1:", port, "/login");
  c.steps = {login, Cart()};
  r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "step 'login': connection refused");
}

TEST_F(ScenarioCheckerTest, CaptureThatDoesNotMatchFailsItsStep) {
  ScenarioProbeConfig c;
  ScenarioStep login = Login();
  login.captures = {{"token", "", R"re("jwt":"([^"]+)")re"}};
  c.steps = {login, Cart()};
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(
      r.reason,
      R"re(step 'login': capture 'token': body does not match /"jwt":"([^"]+)"/)re");

  login.captures = {{"token", "X-Token", ".+"}};
  c.steps = {login, Cart()};
  r = Check(c);
  EXPECT_EQ(r.reason, "step 'login': capture 'token': no header 'X-Token'");

  login.captures = {{"token", "x-session", R"(t-(\d+))"}};
  c.steps = {login, Cart()};
  r = Check(c);
  EXPECT_EQ(
      r.reason,
      R"re(step 'login': capture 'token': header 'x-session' does not match /t-(\d+)/)re");
}

TEST_F(ScenarioCheckerTest, WholeMatchIsKeptWithoutAGroup) {
  ScenarioProbeConfig c;
  ScenarioStep login = Login();
  login.captures = {{"token", "", "abc\\d+"}};
  c.steps = {login, Cart()};
  EXPECT_EQ(Check(c).reason, "");
}

TEST_F(ScenarioCheckerTest, StepsShareTheTimeout) {
  ScenarioProbeConfig c;
  c.steps = {Step("slow", server_.Url("/slow")),
             Step("wait", server_.Url("/hang"))};
  CheckResult r = Check(c, absl::Milliseconds(400));
  EXPECT_EQ(r.outcome, Outcome::kTimeout);
  EXPECT_EQ(r.reason, "step 'wait': timed out after 400ms");
  EXPECT_GE(r.latency, absl::Milliseconds(390));
  EXPECT_LT(r.latency, absl::Milliseconds(400) + kPrompt);
}

TEST_F(ScenarioCheckerTest, LatencyIsEndToEnd) {
  ScenarioProbeConfig c;
  c.steps = {Step("one", server_.Url("/slow")),
             Step("two", server_.Url("/slow"))};
  c.latency_threshold = absl::Milliseconds(200);
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_THAT(r.reason, MatchesRegex("slow: [0-9]+ ms > 200 ms"));
  EXPECT_GE(r.latency, absl::Milliseconds(300));

  // A step's own threshold names the step.
  c.latency_threshold = absl::InfiniteDuration();
  c.steps[1].request.latency_threshold = absl::Milliseconds(20);
  r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_THAT(r.reason, MatchesRegex("step 'two': slow: [0-9]+ ms > 20 ms"));
}

TEST_F(ScenarioCheckerTest, BadUrlAfterSubstitutionIsAnError) {
  ScenarioProbeConfig c;
  ScenarioStep first = Step("port", server_.Url("/echo"));
  first.request.method = "POST";
  first.request.body = "99999";
  first.captures = {{"port", "", R"(\|(\d+)$)"}};
  c.steps = {first, Step("next", "http://127.0.0.1:${port}/")};
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason,
            "step 'next': url 'http://127.0.0.1:99999/': Port number was not "
            "a decimal number between 0 and 65535");
}

TEST_F(ScenarioCheckerTest, CapturedLineBreakCannotEnterAHeader) {
  ScenarioProbeConfig c;
  ScenarioStep first = Step("echo", server_.Url("/echo"));
  first.request.method = "POST";
  first.request.body = "a\r\nX-Evil: 1";
  first.captures = {{"v", "", R"((?s)\|\|(.*)$)"}};
  ScenarioStep second = Step("use", server_.Url("/ok"));
  second.request.headers = {"X-Ok: 1", "X-Value: ${v}"};
  c.steps = {first, second};
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason,
            "step 'use': header 2 has a line break after substitution");
}

TEST_F(ScenarioCheckerTest, CancelReturnsPromptly) {
  ScenarioProbeConfig c;
  c.steps = {Login(), Step("wait", server_.Url("/hang"))};
  std::unique_ptr<Checker> checker =
      MustMake(MakeScenarioChecker(c, absl::Seconds(30)));
  ASSERT_NE(checker, nullptr);
  absl::Duration took;
  CheckResult r = RunCancelledAfter100ms(*checker, &took);
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason, "cancelled");
  EXPECT_LT(took, kPrompt);
}

TEST(MakeScenarioCheckerTest, RejectsBadConfigs) {
  const auto error = [](const ScenarioProbeConfig& c,
                        absl::Duration timeout = absl::Seconds(1)) {
    absl::StatusOr<std::unique_ptr<Checker>> checker =
        MakeScenarioChecker(c, timeout);
    EXPECT_EQ(checker.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(checker.status().message());
  };
  ScenarioProbeConfig c;
  EXPECT_EQ(error(c), "scenario: no steps");

  ScenarioStep login = Step("login", "http://127.0.0.1/login");
  login.captures = {{"token", "", "t=(\\w+)"}};
  ScenarioStep cart = Step("cart", "http://127.0.0.1/cart");
  cart.request.headers = {"Authorization: Bearer ${tok}"};
  c.steps = {login, cart};
  EXPECT_EQ(error(c),
            "scenario step 'cart': ${tok} is not captured by an earlier step");

  // A step cannot use its own captures.
  ScenarioStep self = login;
  self.request.url = "http://127.0.0.1/login?t=${token}";
  c.steps = {self};
  EXPECT_EQ(error(c),
            "scenario step 'login': ${token} is not captured by an earlier "
            "step");

  c.steps = {login, Step("next", "http://127.0.0.1/${token")};
  EXPECT_EQ(error(c),
            "scenario step 'next': '${' without '}' in "
            "'http://127.0.0.1/${token'");
  c.steps = {login, Step("next", "http://127.0.0.1/${to ken}")};
  EXPECT_EQ(error(c),
            "scenario step 'next': '${to ken}' in 'http://127.0.0.1/${to ken}' "
            "does not name a capture ([A-Za-z_][A-Za-z0-9_]*)");
  c.steps = {login, Step("next", "ftp://127.0.0.1/${token}")};
  EXPECT_EQ(error(c),
            "scenario step 'next': url 'ftp://127.0.0.1/${token}' is not "
            "http:// or https://");
  c.steps = {login, Step("", "http://127.0.0.1/")};
  EXPECT_EQ(error(c), "scenario: step 2 has no name");
  c.steps = {login, login};
  EXPECT_EQ(error(c),
            "scenario step 'login': an earlier step has the same name");

  ScenarioStep bad = login;
  bad.captures = {{"token", "", "(unclosed"}};
  c.steps = {bad};
  EXPECT_THAT(error(c), MatchesRegex("scenario step 'login': capture "
                                     "'token': /\\(unclosed/ is not a valid "
                                     "regex: .+"));
  bad.captures = {{"to-ken", "", "x"}};
  c.steps = {bad};
  EXPECT_EQ(error(c),
            "scenario step 'login': capture name 'to-ken' is not an "
            "identifier ([A-Za-z_][A-Za-z0-9_]*)");
  bad.captures = {{"t", "", "x"}, {"t", "", "y"}};
  c.steps = {bad};
  EXPECT_EQ(error(c), "scenario step 'login': capture 't' appears twice");
  bad.captures = {{"t", "", ""}};
  c.steps = {bad};
  EXPECT_EQ(error(c), "scenario step 'login': capture 't' has no regex");

  bad = login;
  bad.request.expect_status = {42};
  c.steps = {bad};
  EXPECT_EQ(error(c),
            "scenario step 'login': expected status 42 is not in 100..599");

  c.steps = {login};
  EXPECT_EQ(error(c, absl::ZeroDuration()),
            "scenario: timeout 0 is not positive and finite");
  c.latency_threshold = -absl::Seconds(1);
  EXPECT_EQ(error(c), "scenario: latency threshold -1s is not positive");
}

// --------------------------------------------------------------------- TCP

CheckResult CheckTcp(const std::string& address,
                     absl::Duration timeout = absl::Seconds(2)) {
  TcpProbeConfig c;
  c.address = address;
  std::unique_ptr<Checker> checker = MustMake(MakeTcpChecker(c, timeout));
  if (checker == nullptr) return {};
  return RunCheck(*checker);
}

TEST(TcpCheckerTest, ListeningPortIsOk) {
  Listener listener(16);
  ASSERT_GT(listener.port(), 0);
  CheckResult r = CheckTcp(absl::StrCat("127.0.0.1:", listener.port()));
  EXPECT_EQ(r.outcome, Outcome::kOk);
  EXPECT_EQ(r.reason, "");
  EXPECT_LT(r.latency, kPrompt);
}

TEST(TcpCheckerTest, HostNameIsResolved) {
  // "localhost" may give ::1 first; the IPv4 listener is found anyway.
  Listener listener(16);
  ASSERT_GT(listener.port(), 0);
  CheckResult r = CheckTcp(absl::StrCat("localhost:", listener.port()));
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;
}

TEST(TcpCheckerTest, Ipv6Literal) {
  Listener listener(16, /*v6=*/true);
  if (listener.port() <= 0) GTEST_SKIP() << "no ::1 on this host";
  CheckResult r = CheckTcp(absl::StrCat("[::1]:", listener.port()));
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;
}

TEST(TcpCheckerTest, ClosedPortIsRefused) {
  const int port = FreePort();
  ASSERT_GT(port, 0);
  CheckResult r = CheckTcp(absl::StrCat("127.0.0.1:", port));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "connection refused");
}

TEST(TcpCheckerTest, UnresolvableHostIsAnError) {
  CheckResult r = CheckTcp(absl::StrCat(UnresolvableHost(), ":80"));
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_THAT(r.reason, MatchesRegex(absl::StrCat(
                            "cannot resolve '", UnresolvableHost(), "': .+")));
}

TEST(TcpCheckerTest, FullBacklogTimesOut) {
  Listener listener(0);
  ASSERT_GT(listener.port(), 0);
  if (!listener.FillBacklog()) GTEST_SKIP() << "the backlog did not fill";
  CheckResult r = CheckTcp(absl::StrCat("127.0.0.1:", listener.port()),
                           absl::Milliseconds(200));
  EXPECT_EQ(r.outcome, Outcome::kTimeout);
  EXPECT_EQ(r.reason, "timed out after 200ms");
  EXPECT_GE(r.latency, absl::Milliseconds(190));
  EXPECT_LT(r.latency, absl::Milliseconds(200) + kPrompt);

  TcpProbeConfig c;
  c.address = absl::StrCat("127.0.0.1:", listener.port());
  std::unique_ptr<Checker> checker =
      MustMake(MakeTcpChecker(c, absl::Seconds(30)));
  ASSERT_NE(checker, nullptr);
  absl::Duration took;
  r = RunCancelledAfter100ms(*checker, &took);
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason, "cancelled");
  EXPECT_LT(took, kPrompt);
}

TEST(MakeTcpCheckerTest, RejectsBadAddresses) {
  const auto error = [](const std::string& address,
                        absl::Duration timeout = absl::Seconds(1)) {
    TcpProbeConfig c;
    c.address = address;
    absl::StatusOr<std::unique_ptr<Checker>> checker =
        MakeTcpChecker(c, timeout);
    EXPECT_EQ(checker.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(checker.status().message());
  };
  const std::string pre = "tcp: address '";
  const std::string fmt = "' is not host:port or [v6]:port";
  EXPECT_EQ(error("db"), pre + "db" + fmt + " (no port)");
  EXPECT_EQ(error(":5432"), pre + ":5432" + fmt + " (no host)");
  EXPECT_EQ(error("db:"), pre + "db:" + fmt + " (the port must be 1..65535)");
  EXPECT_EQ(error("db:0"), pre + "db:0" + fmt + " (the port must be 1..65535)");
  EXPECT_EQ(error("db:65536"),
            pre + "db:65536" + fmt + " (the port must be 1..65535)");
  EXPECT_EQ(error("db:+80"),
            pre + "db:+80" + fmt + " (the port must be 1..65535)");
  EXPECT_EQ(error("db:http"),
            pre + "db:http" + fmt + " (the port must be 1..65535)");
  EXPECT_EQ(error("::1:80"),
            pre + "::1:80" + fmt + " (IPv6 addresses go in brackets)");
  EXPECT_EQ(error("[::1]"), pre + "[::1]" + fmt + " (no port)");
  EXPECT_EQ(error("[::1:80"), pre + "[::1:80" + fmt + " (no ']')");
  EXPECT_EQ(error("[db]:80"),
            pre + "[db]:80" + fmt + " ('db' is not an IPv6 address)");
  EXPECT_EQ(error("db:80", -absl::Seconds(1)),
            "tcp: timeout -1s is not positive and finite");

  TcpProbeConfig ok;
  ok.address = "[::1]:5432";
  EXPECT_TRUE(MakeTcpChecker(ok, absl::Seconds(1)).ok());
  ok.address = "db.internal:5432";
  EXPECT_TRUE(MakeTcpChecker(ok, absl::Seconds(1)).ok());
}

// ------------------------------------------------------------------ metric

class MetricCheckerTest : public ::testing::Test {
 protected:
  MetricProbeConfig Metric(
      std::string name, std::vector<std::pair<std::string, std::string>> labels,
      std::string op, double value) {
    MetricProbeConfig c;
    c.url = server_.Url("/metrics");
    c.name = std::move(name);
    c.labels = std::move(labels);
    c.op = std::move(op);
    c.value = value;
    return c;
  }

  CheckResult Check(const MetricProbeConfig& c) {
    std::unique_ptr<Checker> checker =
        MustMake(MakeMetricChecker(c, absl::Seconds(5)));
    if (checker == nullptr) return {};
    return RunCheck(*checker);
  }

  TestServer server_;
};

TEST_F(MetricCheckerTest, ComparesTheMatchingSample) {
  CheckResult r =
      Check(Metric("connected_devices", {{"hub", "main"}}, ">=", 100));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "connected_devices = 42, expected >= 100");

  r = Check(Metric("connected_devices", {{"hub", "main"}}, "<=", 100));
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;
  EXPECT_EQ(r.reason, "");

  EXPECT_EQ(
      Check(Metric("connected_devices", {{"hub", "main"}}, "==", 42)).outcome,
      Outcome::kOk);
  EXPECT_EQ(
      Check(Metric("connected_devices", {{"hub", "main"}}, "!=", 42)).reason,
      "connected_devices = 42, expected != 42");
  EXPECT_EQ(
      Check(Metric("connected_devices", {{"hub", "main"}}, ">", 41.5)).outcome,
      Outcome::kOk);
  EXPECT_EQ(
      Check(Metric("connected_devices", {{"hub", "main"}}, "<", 42)).reason,
      "connected_devices = 42, expected < 42");
  // All labels must match, in any order; a sample may carry more.
  EXPECT_EQ(Check(Metric("connected_devices",
                         {{"zone", "us"}, {"hub", "backup"}}, "==", 9))
                .outcome,
            Outcome::kOk);
  EXPECT_EQ(Check(Metric("queue_depth", {}, "<", 0.1)).reason,
            "queue_depth = 0.5, expected < 0.1");
}

TEST_F(MetricCheckerTest, NaNSatisfiesNothing) {
  CheckResult r =
      Check(Metric("connected_devices", {{"hub", "q\"uote"}}, "!=", 0));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "connected_devices = NaN, expected != 0");
}

TEST_F(MetricCheckerTest, NoOrSeveralMatchingSamples) {
  CheckResult r =
      Check(Metric("connected_devices", {{"hub", "nope"}}, ">=", 1));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "no sample connected_devices{hub=\"nope\"}");

  r = Check(Metric("missing_metric", {}, ">=", 1));
  EXPECT_EQ(r.reason, "no sample missing_metric");

  r = Check(Metric("connected_devices", {{"hub", "backup"}}, ">=", 1));
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason,
            "2 samples match connected_devices{hub=\"backup\"}, add labels");

  r = Check(Metric("connected_devices", {}, ">=", 1));
  EXPECT_EQ(r.reason, "4 samples match connected_devices, add labels");
}

TEST_F(MetricCheckerTest, BadPagesAndStatuses) {
  MetricProbeConfig c = Metric("connected_devices", {}, ">=", 1);
  c.url = server_.Url("/bad-metrics");
  CheckResult r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason, absl::StrCat(c.url,
                                   ":2: value of label 'hub' is not in "
                                   "double quotes"));

  c.url = server_.Url("/status/503");
  r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "status 503 (expected 2xx)");

  const int port = FreePort();
  ASSERT_GT(port, 0);
  c.url = absl::StrCat("http://127.0.0.1:", port, "/metrics");
  r = Check(c);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "connection refused");
}

TEST(MakeMetricCheckerTest, RejectsBadConfigs) {
  const auto error = [](const MetricProbeConfig& c,
                        absl::Duration timeout = absl::Seconds(1)) {
    absl::StatusOr<std::unique_ptr<Checker>> checker =
        MakeMetricChecker(c, timeout);
    EXPECT_EQ(checker.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(checker.status().message());
  };
  MetricProbeConfig c;
  c.url = "http://127.0.0.1/metrics";
  c.name = "up";
  c.op = "=>";
  EXPECT_EQ(error(c), "metric: op '=>' is not one of >= > <= < == !=");
  c.op = "==";
  c.name = "1up";
  EXPECT_EQ(
      error(c),
      "metric: name '1up' is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
  c.name = "up";
  c.labels = {{"job-name", "x"}};
  EXPECT_EQ(error(c),
            "metric: label name 'job-name' is not [a-zA-Z_][a-zA-Z0-9_]*");
  c.labels = {{"job", "x"}, {"job", "y"}};
  EXPECT_EQ(error(c), "metric: label 'job' is given twice");
  c.labels = {};
  c.value = std::nan("");
  EXPECT_EQ(error(c), "metric: value is NaN");
  c.value = 1;
  c.url = "file:///metrics";
  EXPECT_EQ(error(c),
            "metric: url 'file:///metrics' is not http:// or https://");
  c.url = "http://127.0.0.1/metrics";
  EXPECT_EQ(error(c, absl::ZeroDuration()),
            "metric: timeout 0 is not positive and finite");
  EXPECT_TRUE(MakeMetricChecker(c, absl::Seconds(1)).ok());
}

// ----------------------------------------------------------------- factory

TEST(MakeCheckerTest, DispatchesOnTheKind) {
  TestServer server;
  Listener listener(16);
  ASSERT_GT(listener.port(), 0);

  ProbeConfig p;
  p.name = "home";
  p.timeout = absl::Seconds(2);
  HttpProbeConfig http = Http(server.Url("/ok"));
  http.expect_body = "systems";
  p.check = http;
  std::unique_ptr<Checker> checker = MustMake(MakeChecker(p));
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(RunCheck(*checker).outcome, Outcome::kOk);

  p.check = TcpProbeConfig{absl::StrCat("127.0.0.1:", listener.port())};
  checker = MustMake(MakeChecker(p));
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(RunCheck(*checker).outcome, Outcome::kOk);

  MetricProbeConfig metric;
  metric.url = server.Url("/metrics");
  metric.name = "queue_depth";
  metric.op = ">";
  metric.value = 0;
  p.check = metric;
  checker = MustMake(MakeChecker(p));
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(RunCheck(*checker).outcome, Outcome::kOk);

  ScenarioProbeConfig scenario;
  scenario.steps = {Step("one", server.Url("/ok")),
                    Step("two", server.Url("/status/503"))};
  p.check = scenario;
  checker = MustMake(MakeChecker(p));
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(RunCheck(*checker).reason, "step 'two': status 503 (expected 2xx)");
}

TEST(MakeCheckerTest, PassesTheProbeTimeout) {
  TestServer server;
  ProbeConfig p;
  p.name = "home";
  p.timeout = absl::Milliseconds(150);
  p.check = Http(server.Url("/hang"));
  std::unique_ptr<Checker> checker = MustMake(MakeChecker(p));
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(RunCheck(*checker).reason, "timed out after 150ms");
}

TEST(MakeCheckerTest, ErrorsNameTheProbe) {
  ProbeConfig p;
  p.name = "home";
  p.check = Http("ftp://x/");
  absl::StatusOr<std::unique_ptr<Checker>> checker = MakeChecker(p);
  EXPECT_EQ(checker.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(checker.status().message(),
            "probe 'home': http: url 'ftp://x/' is not http:// or https://");

  p.name = "db";
  p.check = TcpProbeConfig{"db"};
  EXPECT_EQ(MakeChecker(p).status().message(),
            "probe 'db': tcp: address 'db' is not host:port or [v6]:port (no "
            "port)");
}

TEST(MakeCheckerTest, GrpcHealthNeedsTheHook) {
  ProbeConfig p;
  p.name = "hub";
  p.timeout = absl::Seconds(3);
  GrpcHealthProbeConfig grpc;
  grpc.address = "127.0.0.1:1";
  grpc.service = "hub.v1.Devices";
  p.check = grpc;
  absl::StatusOr<std::unique_ptr<Checker>> checker = MakeChecker(p);
  EXPECT_EQ(checker.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(checker.status().message(),
            "probe 'hub': grpc_health probes need slakit built with gRPC");

  // The hook gets the config and the probe's timeout.
  std::string seen_service;
  absl::Duration seen_timeout;
  class Fixed final : public Checker {
   public:
    CheckResult Check(const std::atomic<bool>&) override {
      CheckResult r;
      r.outcome = Outcome::kOk;
      return r;
    }
  };
  GrpcHealthFactory hook =
      [&](const GrpcHealthProbeConfig& c,
          absl::Duration timeout) -> absl::StatusOr<std::unique_ptr<Checker>> {
    seen_service = c.service;
    seen_timeout = timeout;
    return std::make_unique<Fixed>();
  };
  checker = MakeChecker(p, hook);
  ASSERT_TRUE(checker.ok()) << checker.status();
  EXPECT_EQ(RunCheck(**checker).outcome, Outcome::kOk);
  EXPECT_EQ(seen_service, "hub.v1.Devices");
  EXPECT_EQ(seen_timeout, absl::Seconds(3));

  GrpcHealthFactory failing =
      [](const GrpcHealthProbeConfig&,
         absl::Duration) -> absl::StatusOr<std::unique_ptr<Checker>> {
    return absl::InvalidArgumentError("grpc_health: empty address");
  };
  checker = MakeChecker(p, failing);
  EXPECT_EQ(checker.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(checker.status().message(),
            "probe 'hub': grpc_health: empty address");
}

}  // namespace
}  // namespace sla::probes
