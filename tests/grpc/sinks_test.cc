#include "bindings/grpc/sinks.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bindings/grpc/backend.h"
#include "bindings/grpc/command_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace sla::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Upper bounds that only show a call did not wait for what it must not
// wait for (a child that sleeps 30 s). They are loose on purpose: CI runs
// these tests on 2 cores while it compiles.
constexpr absl::Duration kPrompt = absl::Seconds(5);

AlertView TestAlert(std::string service = "we\"b") {
  AlertView a;
  a.tenant = "acme";
  a.service = std::move(service);
  a.objective = "availability";
  a.severity = "page";
  a.state = AlertState::kFiring;
  a.from = AlertState::kPending;
  a.since = absl::FromUnixSeconds(1706702400);  // 2024-01-31T12:00:00Z
  a.evidence.tier.severity = "page";
  a.evidence.tier.long_window = absl::Hours(1);
  a.evidence.tier.short_window = absl::Minutes(5);
  a.evidence.tier.factor = 14.4;
  a.evidence.long_rate = 20;
  a.evidence.short_rate = 18.5;
  a.budget_remaining = 0.93;
  return a;
}

constexpr char kTestAlertJson[] =
    R"({"tenant":"acme","service":"we\"b","objective":"availability",)"
    R"("severity":"page","state":"firing","from":"pending",)"
    R"("at":"2024-01-31T12:00:00Z","long_window":"1h","short_window":"5m",)"
    R"("factor":14.4,"long_rate":20,"short_rate":18.5,"budget_remaining":0.93,)"
    R"("top_component":null,"top_component_minutes":0})";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A file in the test's temporary directory, unique to this process
// (several test binaries may share the directory), removed at scope exit.
class TempFile {
 public:
  explicit TempFile(absl::string_view name)
      : path_(absl::StrCat(::testing::TempDir(), "/sinks_test_", getpid(), "_",
                           name)) {
    std::remove(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Processes of process group `pgid` that are not zombies (from /proc: an
// orphaned zombie waits for pid 1, which may be slow to reap in a
// container).
int LiveProcessesInGroup(int pgid) {
  int live = 0;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return -1;
  while (dirent* e = readdir(proc)) {
    const std::string stat =
        ReadFile(absl::StrCat("/proc/", e->d_name, "/stat"));
    // "pid (comm) state ppid pgrp ..."; comm may hold spaces or ')'.
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 1));
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (!(fields >> state >> ppid >> pgrp)) continue;
    if (pgrp == pgid && state != 'Z' && state != 'X') ++live;
  }
  closedir(proc);
  return live;
}

// Waits up to 10 s for the group to be gone.
bool GroupGone(int pgid) {
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (LiveProcessesInGroup(pgid) != 0) {
    if (absl::Now() > until) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

// ------------------------------------------------------------- AlertJson

TEST(AlertJsonTest, OneAlertExactWithEscapedQuote) {
  EXPECT_EQ(AlertJson(TestAlert()), kTestAlertJson);
}

// An application's objective names its top contributing component.
TEST(AlertJsonTest, ApplicationAlertNamesItsTopComponent) {
  AlertView a = TestAlert("shop");
  a.evidence.top_component = "sql";
  a.evidence.top_component_minutes = 30;
  EXPECT_THAT(AlertJson(a),
              HasSubstr(R"("budget_remaining":0.93,"top_component":"sql",)"
                        R"("top_component_minutes":30})"));
}

TEST(AlertJsonTest, NonFiniteNumbersAreNull) {
  AlertView a = TestAlert("web");
  a.evidence.long_rate = std::numeric_limits<double>::infinity();
  EXPECT_THAT(AlertJson(a), HasSubstr(R"("long_rate":null,)"));
}

// ------------------------------------------------------------ RunCommand

TEST(RunCommandTest, CatEchoesStdin) {
  absl::StatusOr<CommandResult> r =
      RunCommand({"/bin/cat"}, "hello\nworld\n", absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->signal, 0);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->stdout_tail, "hello\nworld\n");
  EXPECT_EQ(r->stderr_tail, "");
  EXPECT_TRUE(CommandStatus(*r).ok());
}

TEST(RunCommandTest, ExitCodeAndStderrLineInStatus) {
  absl::StatusOr<CommandResult> r = RunCommand(
      {"/bin/sh", "-c", "echo 'disk full' >&2; echo more >&2; exit 3"}, "",
      absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->timed_out);
  absl::Status s = CommandStatus(*r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "exit 3: disk full");

  r = RunCommand({"/bin/sh", "-c", "exit 3"}, "", absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(CommandStatus(*r).message(), "exit 3");
}

TEST(RunCommandTest, BarenameIsLookedUpInPath) {
  absl::StatusOr<CommandResult> r =
      RunCommand({"sh", "-c", "echo hi"}, "", absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stdout_tail, "hi\n");
}

TEST(RunCommandTest, ExtraEnvironmentIsAddedAndOverrides) {
  ASSERT_EQ(setenv("SLAKIT_TEST_OVERRIDDEN", "old", 1), 0);
  absl::StatusOr<CommandResult> r = RunCommand(
      {"/bin/sh", "-c",
       "printf '%s,%s' \"$SLAKIT_TEST_ADDED\" \"$SLAKIT_TEST_OVERRIDDEN\""},
      "", absl::Seconds(10),
      {"SLAKIT_TEST_ADDED=a b", "SLAKIT_TEST_OVERRIDDEN=new"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stdout_tail, "a b,new");
  EXPECT_EQ(RunCommand({"/bin/true"}, "", absl::Seconds(1), {"NOEQUALS"})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RunCommandTest, TimeoutKillsReapsAndReports) {
  const absl::Time start = absl::Now();
  absl::StatusOr<CommandResult> r =
      RunCommand({"/bin/sleep", "30"}, "", absl::Milliseconds(200));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_LT(absl::Now() - start, kPrompt);
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_EQ(r->signal, SIGTERM);
  EXPECT_GE(r->took, absl::Milliseconds(200));
  EXPECT_LT(r->took, kPrompt);
  absl::Status s = CommandStatus(*r);
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(s.message(), "timed out after 200ms");
  // Reaped: no zombie child left (the test has no other children).
  int status = 0;
  errno = 0;
  EXPECT_EQ(waitpid(r->pid, &status, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  errno = 0;
  EXPECT_EQ(waitpid(-1, &status, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(RunCommandTest, TimeoutKillsTheWholeProcessGroup) {
  // The background sleep holds stdout open and is not the direct child.
  const absl::Time start = absl::Now();
  absl::StatusOr<CommandResult> r = RunCommand(
      {"/bin/sh", "-c", "sleep 30 & sleep 30"}, "", absl::Milliseconds(200));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_LT(absl::Now() - start, kPrompt);
  EXPECT_TRUE(r->timed_out);
  EXPECT_TRUE(GroupGone(r->pid));
}

TEST(RunCommandTest, SigtermIgnoredGetsSigkillAfterGrace) {
  absl::StatusOr<CommandResult> r =
      RunCommand({"/bin/sh", "-c", "trap '' TERM; echo ready; sleep 30"}, "",
                 absl::Milliseconds(200));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_EQ(r->stdout_tail, "ready\n");
  EXPECT_LT(r->took, absl::Milliseconds(200) + kTermGrace + kPrompt);
  EXPECT_TRUE(GroupGone(r->pid));
}

TEST(RunCommandTest, ExitIsNotHeldUpByBackgroundProcessHoldingOutput) {
  absl::StatusOr<CommandResult> r = RunCommand(
      {"/bin/sh", "-c", "sleep 30 & echo done"}, "", absl::Seconds(60));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->stdout_tail, "done\n");
  EXPECT_LT(r->took, kPrompt);
  kill(-r->pid, SIGKILL);  // the leftover sleep
}

TEST(RunCommandTest, MissingProgramIsNotFound) {
  absl::StatusOr<CommandResult> r =
      RunCommand({"/nonexistent/slakit-hook"}, "x", absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("/nonexistent/slakit-hook"));
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("No such file or directory"));

  r = RunCommand({"slakit-no-such-program"}, "", absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("slakit-no-such-program"));

  int status = 0;
  errno = 0;
  EXPECT_EQ(waitpid(-1, &status, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(RunCommandTest, NotExecutableIsPermissionDenied) {
  const TempFile file("not_exec.sh");
  const std::string& path = file.path();
  std::ofstream(path) << "#!/bin/sh\nexit 0\n";
  EXPECT_EQ(RunCommand({path}, "", absl::Seconds(1)).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(RunCommandTest, BadArgumentsAreInvalid) {
  EXPECT_EQ(RunCommand({}, "", absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunCommand({""}, "", absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunCommand({"/bin/true"}, "", absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RunCommandTest, LargeStdinDoesNotDeadlock) {
  std::string input(1 << 20, '\0');
  unsigned state = 12345;
  for (char& c : input) {
    state = state * 1103515245 + 12345;
    c = static_cast<char>('a' + (state >> 16) % 26);
  }
  absl::StatusOr<CommandResult> r =
      RunCommand({"/bin/cat"}, input, absl::Seconds(20));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->stdout_tail, input.substr(input.size() - kOutputTail));
}

TEST(RunCommandTest, ChildNotReadingStdinDoesNotKillCaller) {
  // Writing to a pipe nobody reads raises SIGPIPE, which must not end us.
  const std::string input(1 << 20, 'x');
  absl::StatusOr<CommandResult> r =
      RunCommand({"/bin/true"}, input, absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  sigset_t pending;
  sigemptyset(&pending);
  ASSERT_EQ(sigpending(&pending), 0);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE));
}

TEST(RunCommandTest, KeepsOnlyTheTailOfLongOutput) {
  absl::StatusOr<CommandResult> r =
      RunCommand({"/bin/sh", "-c",
                  "i=0; while [ $i -lt 2000 ]; do echo line$i; "
                  "echo err$i >&2; i=$((i+1)); done"},
                 "", absl::Seconds(20));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stdout_tail.size(), kOutputTail);
  EXPECT_EQ(r->stderr_tail.size(), kOutputTail);
  EXPECT_THAT(r->stdout_tail, testing::EndsWith("line1999\n"));
  EXPECT_THAT(r->stderr_tail, testing::EndsWith("err1999\n"));
}

// ------------------------------------------------------------ CommandSink

TEST(CommandSinkTest, WritesAlertJsonToStdin) {
  const TempFile file("alert.json");
  const std::string& path = file.path();
  CommandSink sink({"/bin/sh", "-c", "cat > \"$1\"", "sh", path},
                   absl::Seconds(10));
  EXPECT_EQ(sink.name(), "command /bin/sh");
  ASSERT_TRUE(sink.Deliver(TestAlert()).ok());
  EXPECT_EQ(ReadFile(path), AlertJson(TestAlert()));
}

TEST(CommandSinkTest, PassesAlertInEnvironment) {
  const TempFile file("alert.env");
  const std::string& path = file.path();
  CommandSink sink(
      {"/bin/sh", "-c",
       "printf '%s %s %s' \"$SLAKIT_ALERT_SERVICE\" "
       "\"$SLAKIT_ALERT_SEVERITY\" \"$SLAKIT_ALERT_STATE\" > \"$1\"",
       "sh", path},
      absl::Seconds(10));
  ASSERT_TRUE(sink.Deliver(TestAlert("web")).ok());
  EXPECT_EQ(ReadFile(path), "web page firing");
}

TEST(CommandSinkTest, FailureNamesSinkAndExit) {
  CommandSink failing(
      {"/bin/sh", "-c", "cat >/dev/null; echo nope >&2; exit 2"},
      absl::Seconds(10));
  absl::Status s = failing.Deliver(TestAlert());
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "command /bin/sh: exit 2: nope");

  CommandSink missing({"/nonexistent/hook"}, absl::Seconds(1));
  s = missing.Deliver(TestAlert());
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()),
              StartsWith("command /nonexistent/hook: "));
}

// ------------------------------------------------------------ WebhookSink

// An httplib server on 127.0.0.1 (a free port), recording what it gets.
class TestHttpServer {
 public:
  TestHttpServer() {
    server_.Post("/hook",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   absl::MutexLock lock(&mu_);
                   body_ = req.body;
                   content_type_ = req.get_header_value("Content-Type");
                   token_ = req.get_header_value("X-Token");
                   res.status = 204;
                 });
    server_.Post("/fail", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("boom\nsecond line", "text/plain");
    });
    server_.Post("/missing", [](const httplib::Request&,
                                httplib::Response& res) { res.status = 404; });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    const absl::Time until = absl::Now() + absl::Seconds(5);
    while (!server_.is_running() && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  ~TestHttpServer() {
    server_.stop();
    thread_.join();
  }

  std::string Url(absl::string_view path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  int port() const { return port_; }
  std::string body() const {
    absl::MutexLock lock(&mu_);
    return body_;
  }
  std::string content_type() const {
    absl::MutexLock lock(&mu_);
    return content_type_;
  }
  std::string token() const {
    absl::MutexLock lock(&mu_);
    return token_;
  }

 private:
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::string body_ ABSL_GUARDED_BY(mu_);
  std::string content_type_ ABSL_GUARDED_BY(mu_);
  std::string token_ ABSL_GUARDED_BY(mu_);
};

// A port on 127.0.0.1 that nothing listens on: bound, then released.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(WebhookSinkTest, PostsExactJson) {
  TestHttpServer server;
  ASSERT_GT(server.port(), 0);
  WebhookSink sink(server.Url("/hook"), absl::Seconds(5), {"X-Token: t0k"});
  EXPECT_EQ(sink.name(),
            absl::StrCat("webhook http://127.0.0.1:", server.port()));
  absl::Status s = sink.Deliver(TestAlert());
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(server.body(), kTestAlertJson);
  EXPECT_EQ(server.content_type(), "application/json");
  EXPECT_EQ(server.token(), "t0k");
}

TEST(WebhookSinkTest, ServerErrorNamesStatusCode) {
  TestHttpServer server;
  ASSERT_GT(server.port(), 0);
  WebhookSink sink(server.Url("/fail"), absl::Seconds(5));
  absl::Status s = sink.Deliver(TestAlert());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), absl::StrCat("webhook http://127.0.0.1:",
                                      server.port(), ": HTTP 500: boom"));

  WebhookSink missing(server.Url("/missing"), absl::Seconds(5));
  s = missing.Deliver(TestAlert());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("HTTP 404"));
}

TEST(WebhookSinkTest, UnreachablePortIsUnavailable) {
  const int port = FreePort();
  ASSERT_GT(port, 0);
  WebhookSink sink(absl::StrCat("http://127.0.0.1:", port, "/hook"),
                   absl::Seconds(5));
  absl::Status s = sink.Deliver(TestAlert());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(s.message()),
              StartsWith(absl::StrCat("webhook http://127.0.0.1:", port,
                                      ": Couldn't connect to server")));
}

TEST(WebhookSinkTest, NameHidesPathQueryAndCredentials) {
  WebhookSink sink(
      "https://user:pw@hooks.example.com/services/T0/B0/s3cret?x=1",
      absl::Seconds(1));
  EXPECT_EQ(sink.name(), "webhook https://hooks.example.com");
}

TEST(WebhookSinkTest, OnlyHttpAndHttps) {
  WebhookSink sink("file:///etc/passwd", absl::Seconds(1));
  absl::Status s = sink.Deliver(TestAlert());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("not http or https"));
}

// --------------------------------------------------------- SinkDispatcher

// Records the services it receives; fails the first `failures` calls.
class RecordingSink : public AlertSink {
 public:
  explicit RecordingSink(std::string name, int failures = 0)
      : name_(std::move(name)), failures_(failures) {}
  absl::Status Deliver(const AlertView& alert) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    call_times_.push_back(absl::Now());
    if (failures_ > 0) {
      --failures_;
      return absl::UnavailableError("down");
    }
    services_.push_back(alert.service);
    return absl::OkStatus();
  }
  std::string name() const override { return name_; }
  std::vector<std::string> services() const {
    absl::MutexLock lock(&mu_);
    return services_;
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  std::vector<absl::Time> call_times() const {
    absl::MutexLock lock(&mu_);
    return call_times_;
  }

 private:
  const std::string name_;
  mutable absl::Mutex mu_;
  int failures_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<absl::Time> call_times_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> services_ ABSL_GUARDED_BY(mu_);
};

// Blocks its first delivery until Release().
class BlockingSink : public RecordingSink {
 public:
  BlockingSink() : RecordingSink("blocking") {}
  absl::Status Deliver(const AlertView& alert) override {
    if (!entered_.HasBeenNotified()) {
      entered_.Notify();
      release_.WaitForNotification();
    }
    return RecordingSink::Deliver(alert);
  }
  void WaitEntered() { entered_.WaitForNotification(); }
  void Release() { release_.Notify(); }

 private:
  absl::Notification entered_;
  absl::Notification release_;
};

template <typename T>
std::vector<std::unique_ptr<AlertSink>> Sinks(std::unique_ptr<T> a,
                                              std::unique_ptr<T> b = nullptr) {
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(std::move(a));
  if (b != nullptr) sinks.push_back(std::move(b));
  return sinks;
}

TEST(SinkDispatcherTest, DeliversInOrderToEverySink) {
  auto first = std::make_unique<RecordingSink>("first");
  auto second = std::make_unique<RecordingSink>("second");
  RecordingSink* a = first.get();
  RecordingSink* b = second.get();
  SinkDispatcher dispatcher(Sinks(std::move(first), std::move(second)));
  for (const char* s : {"s1", "s2", "s3", "s4"})
    dispatcher.Publish(TestAlert(s));
  dispatcher.Stop();
  EXPECT_THAT(a->services(), ElementsAre("s1", "s2", "s3", "s4"));
  EXPECT_THAT(b->services(), ElementsAre("s1", "s2", "s3", "s4"));
  const SinkDispatcher::Stats stats = dispatcher.stats();
  EXPECT_EQ(stats.delivered, 8);
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(stats.dropped, 0);
  EXPECT_TRUE(dispatcher.RecentErrors().empty());
}

TEST(SinkDispatcherTest, RetriesOnceAfterDefaultDelay) {
  auto sink = std::make_unique<RecordingSink>("flaky", /*failures=*/1);
  RecordingSink* flaky = sink.get();
  SinkDispatcher dispatcher(Sinks(std::move(sink)));
  dispatcher.Publish(TestAlert("s1"));
  dispatcher.Stop();
  EXPECT_EQ(flaky->calls(), 2);
  EXPECT_THAT(flaky->services(), ElementsAre("s1"));
  const std::vector<absl::Time> times = flaky->call_times();
  ASSERT_EQ(times.size(), 2u);
  EXPECT_GE(times[1] - times[0], absl::Milliseconds(950));
  EXPECT_EQ(dispatcher.stats().delivered, 1);
  EXPECT_EQ(dispatcher.stats().failed, 0);
}

TEST(SinkDispatcherTest, CountsFailureAfterOneRetryAndKeepsError) {
  auto sink = std::make_unique<RecordingSink>("broken", /*failures=*/1000);
  RecordingSink* broken = sink.get();
  SinkDispatcher dispatcher(Sinks(std::move(sink)), 1000,
                            absl::Milliseconds(5));
  dispatcher.Publish(TestAlert("web"));
  dispatcher.Stop();
  EXPECT_EQ(broken->calls(), 2);
  EXPECT_EQ(dispatcher.stats().failed, 1);
  EXPECT_EQ(dispatcher.stats().delivered, 0);
  EXPECT_THAT(dispatcher.RecentErrors(),
              ElementsAre("broken: web/availability page firing: "
                          "UNAVAILABLE: down"));
}

TEST(SinkDispatcherTest, KeepsTwentyRecentErrors) {
  auto sink = std::make_unique<RecordingSink>("broken", /*failures=*/1000);
  SinkDispatcher dispatcher(Sinks(std::move(sink)), 1000, absl::ZeroDuration());
  for (int i = 0; i < 25; ++i) dispatcher.Publish(TestAlert(absl::StrCat(i)));
  dispatcher.Stop();
  EXPECT_EQ(dispatcher.stats().failed, 25);
  const std::vector<std::string> errors = dispatcher.RecentErrors();
  ASSERT_EQ(errors.size(), 20u);
  EXPECT_THAT(errors.front(), StartsWith("broken: 5/availability"));
  EXPECT_THAT(errors.back(), StartsWith("broken: 24/availability"));
}

TEST(SinkDispatcherTest, OverflowDropsOldest) {
  auto sink = std::make_unique<BlockingSink>();
  BlockingSink* blocking = sink.get();
  SinkDispatcher dispatcher(Sinks(std::move(sink)), /*max_queue=*/2);
  dispatcher.Publish(TestAlert("a"));
  blocking->WaitEntered();  // "a" is out of the queue, being delivered
  for (const char* s : {"b", "c", "d"}) dispatcher.Publish(TestAlert(s));
  EXPECT_EQ(dispatcher.stats().dropped, 1);  // "b"
  blocking->Release();
  dispatcher.Stop();
  EXPECT_THAT(blocking->services(), ElementsAre("a", "c", "d"));
  EXPECT_EQ(dispatcher.stats().delivered, 3);
  EXPECT_EQ(dispatcher.stats().dropped, 1);
}

TEST(SinkDispatcherTest, StopDropsWhatIsLeftAfterDeadline) {
  auto sink = std::make_unique<BlockingSink>();
  BlockingSink* blocking = sink.get();
  SinkDispatcher dispatcher(Sinks(std::move(sink)));
  dispatcher.Publish(TestAlert("a"));
  blocking->WaitEntered();
  dispatcher.Publish(TestAlert("b"));
  std::thread stopper([&] { dispatcher.Stop(absl::Milliseconds(50)); });
  // Stop waits for the delivery in progress, which outlasts its deadline.
  absl::SleepFor(absl::Milliseconds(200));
  blocking->Release();
  stopper.join();
  EXPECT_THAT(blocking->services(), ElementsAre("a"));
  EXPECT_EQ(dispatcher.stats().delivered, 1);
  EXPECT_EQ(dispatcher.stats().dropped, 1);
  dispatcher.Publish(TestAlert("late"));
  EXPECT_EQ(dispatcher.stats().dropped, 2);
  dispatcher.Stop();  // idempotent
}

TEST(SinkDispatcherTest, StopCutsRetryWaitShort) {
  auto sink = std::make_unique<RecordingSink>("broken", /*failures=*/1000);
  RecordingSink* broken = sink.get();
  SinkDispatcher dispatcher(Sinks(std::move(sink)), 1000, absl::Seconds(30));
  dispatcher.Publish(TestAlert("web"));
  while (broken->calls() == 0) absl::SleepFor(absl::Milliseconds(1));
  const absl::Time start = absl::Now();
  dispatcher.Stop(absl::Milliseconds(100));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(broken->calls(), 1);  // no retry after the deadline
  EXPECT_EQ(dispatcher.stats().failed, 1);
}

TEST(SinkDispatcherTest, DeliversToRealSinks) {
  TestHttpServer server;
  ASSERT_GT(server.port(), 0);
  const TempFile file("dispatched");
  const std::string& path = file.path();
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(std::make_unique<CommandSink>(
      std::vector<std::string>{"/bin/sh", "-c", "cat > \"$1\"", "sh", path},
      absl::Seconds(10)));
  sinks.push_back(
      std::make_unique<WebhookSink>(server.Url("/hook"), absl::Seconds(5)));
  int callbacks = 0;
  sinks.push_back(
      std::make_unique<CallbackSink>("callback", [&](const AlertView&) {
        ++callbacks;  // the worker thread only, joined by Stop
        return absl::OkStatus();
      }));
  SinkDispatcher dispatcher(std::move(sinks));
  dispatcher.Publish(TestAlert());
  dispatcher.Stop();
  EXPECT_EQ(dispatcher.stats().delivered, 3);
  EXPECT_EQ(ReadFile(path), kTestAlertJson);
  EXPECT_EQ(server.body(), kTestAlertJson);
  EXPECT_EQ(callbacks, 1);
}

}  // namespace
}  // namespace sla::server
