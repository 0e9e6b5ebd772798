// Tests of probes/grpc_health_checker.h against gRPC servers started here on
// 127.0.0.1:0 (default health service), a TCP listener that never speaks
// HTTP/2, a closed port, and a TLS server whose certificates openssl makes
// in a temporary directory. Every call has a deadline of at most 10 s.

#include "probes/grpc_health_checker.h"

#include <arpa/inet.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "probes/probe.h"
#include "sla/probe_config.h"

namespace sla::probes {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A gRPC server on 127.0.0.1:0 with the default health service ("" (the
// server) and "demo.Up" serving, "demo.Down" not serving) and a generic
// service that answers every other method UNIMPLEMENTED (gRPC wants at least
// one service besides health).
struct HealthServer {
  explicit HealthServer(std::shared_ptr<grpc::ServerCredentials> creds =
                            grpc::InsecureServerCredentials(),
                        bool health = true) {
    grpc::EnableDefaultHealthCheckService(health);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", creds, &port);
    builder.RegisterCallbackGenericService(&unimplemented);
    server = builder.BuildAndStart();
    grpc::EnableDefaultHealthCheckService(true);
    if (server != nullptr && health) {
      server->GetHealthCheckService()->SetServingStatus("demo.Up", true);
      server->GetHealthCheckService()->SetServingStatus("demo.Down", false);
    }
  }
  ~HealthServer() { Shutdown(); }
  void Shutdown() {
    if (server == nullptr) return;
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::seconds(1));
    server.reset();
  }
  std::string Address() const { return absl::StrCat("127.0.0.1:", port); }

  int port = 0;
  grpc::CallbackGenericService unimplemented;
  std::unique_ptr<grpc::Server> server;
};

// Accepts TCP connections (in the kernel's backlog) and never answers.
struct SilentListener {
  SilentListener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(fd, 16) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    port = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd); }
  std::string Address() const { return absl::StrCat("127.0.0.1:", port); }

  int fd = -1;
  int port = 0;
};

CheckResult Check(const GrpcHealthProbeConfig& config,
                  absl::Duration timeout = absl::Seconds(10)) {
  absl::StatusOr<std::unique_ptr<Checker>> checker =
      MakeGrpcHealthChecker(config, timeout);
  EXPECT_TRUE(checker.ok()) << checker.status();
  if (!checker.ok()) return {};
  std::atomic<bool> cancel{false};
  return (*checker)->Check(cancel);
}

GrpcHealthProbeConfig Config(const std::string& address,
                             const std::string& service = "") {
  GrpcHealthProbeConfig c;
  c.address = address;
  c.service = service;
  return c;
}

TEST(GrpcHealthCheckerTest, MakeRejectsBadConfig) {
  EXPECT_EQ(MakeGrpcHealthChecker(Config(""), absl::Seconds(1)).status(),
            absl::InvalidArgumentError("grpc_health: address is empty"));
  EXPECT_EQ(
      MakeGrpcHealthChecker(Config("127.0.0.1:1"), absl::ZeroDuration())
          .status(),
      absl::InvalidArgumentError(
          "grpc_health '127.0.0.1:1': timeout 0 must be positive and finite"));
  EXPECT_EQ(
      MakeGrpcHealthChecker(Config("127.0.0.1:1"), absl::InfiniteDuration())
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(GrpcHealthCheckerTest, ServingServerIsOk) {
  HealthServer server;
  ASSERT_NE(server.server, nullptr);
  CheckResult r = Check(Config(server.Address()));
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;
  EXPECT_EQ(r.reason, "");
  EXPECT_GT(r.latency, absl::ZeroDuration());
  EXPECT_LT(r.latency, absl::Seconds(10));
  r = Check(Config(server.Address(), "demo.Up"));
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;
  EXPECT_EQ(r.reason, "");
}

TEST(GrpcHealthCheckerTest, NotServingIsAFailure) {
  HealthServer server;
  ASSERT_NE(server.server, nullptr);
  CheckResult r = Check(Config(server.Address(), "demo.Down"));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "NOT_SERVING");
  // The whole server going down.
  server.server->GetHealthCheckService()->SetServingStatus(false);
  r = Check(Config(server.Address()));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "NOT_SERVING");
}

TEST(GrpcHealthCheckerTest, UnknownServiceIsAFailure) {
  HealthServer server;
  ASSERT_NE(server.server, nullptr);
  CheckResult r = Check(Config(server.Address(), "demo.Nope"));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.reason, "service 'demo.Nope' unknown");
}

TEST(GrpcHealthCheckerTest, ServerWithoutHealthServiceIsAnError) {
  HealthServer server(grpc::InsecureServerCredentials(), /*health=*/false);
  ASSERT_NE(server.server, nullptr);
  CheckResult r = Check(Config(server.Address()));
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason, "UNIMPLEMENTED");
}

TEST(GrpcHealthCheckerTest, ServerDownIsAFailure) {
  HealthServer server;
  ASSERT_NE(server.server, nullptr);
  const std::string address = server.Address();
  server.Shutdown();  // nothing listens on the port any more
  CheckResult r = Check(Config(address));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_THAT(r.reason, StartsWith("unavailable: "));
  EXPECT_THAT(r.reason, HasSubstr("Connection refused"));
  EXPECT_LT(r.latency, absl::Seconds(10));
}

TEST(GrpcHealthCheckerTest, SilentServerTimesOut) {
  SilentListener listener;
  CheckResult r = Check(Config(listener.Address()), absl::Milliseconds(300));
  EXPECT_EQ(r.outcome, Outcome::kTimeout) << r.reason;
  EXPECT_EQ(r.reason, "timed out after 300ms");
  EXPECT_GE(r.latency, absl::Milliseconds(250));
  // Loose on purpose (CI runs this on 2 cores while it compiles); the
  // outcome shows the timeout worked.
  EXPECT_LT(r.latency, absl::Milliseconds(300) + absl::Seconds(5));
}

TEST(GrpcHealthCheckerTest, CancelStopsACallInFlight) {
  SilentListener listener;
  absl::StatusOr<std::unique_ptr<Checker>> checker =
      MakeGrpcHealthChecker(Config(listener.Address()), absl::Seconds(30));
  ASSERT_TRUE(checker.ok());
  std::atomic<bool> cancel{false};
  // Set while the call waits for an answer that never comes.
  std::thread canceller([&cancel] {
    absl::SleepFor(absl::Milliseconds(200));
    cancel.store(true);
  });
  const absl::Time start = absl::Now();
  CheckResult r = (*checker)->Check(cancel);
  const absl::Duration took = absl::Now() - start;
  canceller.join();
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason, "cancelled");
  EXPECT_LT(took, absl::Seconds(5));  // not the 30 s timeout
  // Already cancelled: returns at once.
  r = (*checker)->Check(cancel);
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason, "cancelled");
}

class GrpcHealthCheckerTlsTest : public ::testing::Test {
 protected:
  // A CA, a server certificate for 127.0.0.1 signed by it, and another CA.
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/grpc_health_tlsXXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    const std::string script = absl::StrCat(
        "set -e; cd '", dir_, "'; ",
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca "
        "-keyout ca.key -out ca.pem 2>/dev/null; ",
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca "
        "-keyout other.key -out other.pem 2>/dev/null; ",
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext; ",
        "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost "
        "-keyout server.key -out server.csr 2>/dev/null; ",
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -days 2 -extfile san.ext -out server.pem "
        "2>/dev/null");
    ASSERT_EQ(std::system(script.c_str()), 0) << "openssl failed";
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({Read("server.key"), Read("server.pem")});
    server_ = std::make_unique<HealthServer>(grpc::SslServerCredentials(ssl));
    ASSERT_NE(server_->server, nullptr);
  }
  void TearDown() override {
    server_.reset();
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  GrpcHealthProbeConfig TlsConfig(const std::string& ca_file) {
    GrpcHealthProbeConfig c = Config(server_->Address(), "demo.Up");
    c.tls = true;
    c.ca_file = ca_file;
    return c;
  }

  std::string dir_;
  std::unique_ptr<HealthServer> server_;
};

TEST_F(GrpcHealthCheckerTlsTest, TrustedCaIsOk) {
  CheckResult r = Check(TlsConfig(dir_ + "/ca.pem"));
  EXPECT_EQ(r.outcome, Outcome::kOk) << r.reason;
  EXPECT_EQ(r.reason, "");
}

TEST_F(GrpcHealthCheckerTlsTest, UntrustedCertificateIsAnError) {
  // Another CA, and the default roots: the certificate is not trusted.
  for (const std::string& ca : {dir_ + "/other.pem", std::string()}) {
    SCOPED_TRACE(ca);
    CheckResult r = Check(TlsConfig(ca));
    EXPECT_EQ(r.outcome, Outcome::kError);
    EXPECT_THAT(r.reason, StartsWith("tls: "));
  }
}

TEST_F(GrpcHealthCheckerTlsTest, UnreadableCaFileIsAnError) {
  CheckResult r = Check(TlsConfig(dir_ + "/missing.pem"));
  EXPECT_EQ(r.outcome, Outcome::kError);
  EXPECT_EQ(r.reason, absl::StrCat("ca_file '", dir_,
                                   "/missing.pem': No such file or directory"));
}

TEST_F(GrpcHealthCheckerTlsTest, PlaintextClientIsNotServed) {
  CheckResult r =
      Check(Config(server_->Address(), "demo.Up"), absl::Seconds(5));
  EXPECT_NE(r.outcome, Outcome::kOk);
}

}  // namespace
}  // namespace sla::probes
