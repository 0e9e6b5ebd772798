// bindings/grpc/command_runner.h: runs a configured program, without a
// shell, with a bounded run time. Shared by the command alert sink
// (sinks.h) and the remediation "command" action.
//
//   absl::StatusOr<sla::server::CommandResult> r = sla::server::RunCommand(
//       {"/usr/local/bin/page-oncall", "--team", "web"}, alert_json,
//       absl::Seconds(10), {"SLAKIT_SEVERITY=page"});
//   if (!r.ok()) return r.status();          // could not start it
//   absl::Status s = sla::server::CommandStatus(*r);  // exit 0, or why not
//
// How it runs. posix_spawn(p) of argv (a bare argv[0] is looked up in
// PATH; no shell, so nothing in argv is interpreted), in a new process
// group, with default signal dispositions and an empty signal mask, and
// with no inherited descriptor other than 0, 1 and 2 (glibc 2.34+; older
// libcs close only the close-on-exec ones). stdin is a pipe fed
// `stdin_data` and then closed (a child that exits without reading it is
// fine); stdout and stderr are pipes read concurrently, so no amount of
// input or output deadlocks. The environment is the caller's plus
// `extra_env`.
//
// Timeout. When `timeout` passes before the child exits, its process group
// gets SIGTERM, then SIGKILL after kTermGrace (or as soon as the child has
// exited, for anything it left in its group). When the child exits on its
// own, what it left running in its group is not killed, and is not waited
// for: its outputs are read for at most kDrainAfterExit more. Either way
// the child is always reaped before RunCommand returns (no zombie).
//
// Thread safety: RunCommand is thread-safe (concurrent calls run
// independent children). While it runs, SIGPIPE is blocked in the calling
// thread, and a SIGPIPE that its own writes raised is consumed, so a child
// that closes its stdin early does not kill the caller.

#ifndef BINDINGS_GRPC_COMMAND_RUNNER_H_
#define BINDINGS_GRPC_COMMAND_RUNNER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sla::server {

// Output kept of each stream: its last kOutputTail bytes.
inline constexpr size_t kOutputTail = 4096;
// After a timeout: time between SIGTERM and SIGKILL to the process group.
inline constexpr absl::Duration kTermGrace = absl::Milliseconds(500);
// After the child exited: how long outputs still held open by processes it
// left behind are read before RunCommand returns.
inline constexpr absl::Duration kDrainAfterExit = absl::Milliseconds(100);

// How one run of a command ended. Copyable value.
struct CommandResult {
  int pid = 0;              // the child's pid, also its process group id
  int exit_code = -1;       // 0..255; -1 when killed by a signal
  int signal = 0;           // the signal that killed it; 0 if none
  bool timed_out = false;   // the timeout passed and the group was killed
  std::string stdout_tail;  // the last kOutputTail bytes of stdout
  std::string stderr_tail;  // the last kOutputTail bytes of stderr
  absl::Duration took;      // from spawn to reaping
  absl::Duration timeout;   // as given to RunCommand
};

// Runs argv[0] with arguments argv[1..], writing `stdin_data` to its stdin,
// and returns how it ended once it has exited (or was killed after
// `timeout`, which must be positive). `extra_env` holds "NAME=value"
// entries added to (or replacing those of) the caller's environment.
//
// The status is OK whenever the command ran, whatever its exit code or
// signal: judge the result with CommandStatus or its fields. Errors:
// InvalidArgument for an empty argv, an empty argv[0], a timeout <= 0 or an
// extra_env entry without '='; NotFound when the program does not exist
// (or is not in PATH); PermissionDenied when it is not executable;
// Internal for other spawn failures (pipes, fork), naming errno, and when
// the exit status was lost (the process ignores SIGCHLD, or another thread
// reaped the child with waitpid(-1)).
absl::StatusOr<CommandResult> RunCommand(
    const std::vector<std::string>& argv, absl::string_view stdin_data,
    absl::Duration timeout, const std::vector<std::string>& extra_env = {});

// OK for exit code 0. Otherwise DeadlineExceeded "timed out after 2s", or
// Internal "exit 3: <first line of stderr_tail>" / "killed by signal 9
// (SIGKILL): <first line>" (without ": ..." when stderr is empty).
absl::Status CommandStatus(const CommandResult& result);

}  // namespace sla::server

#endif  // BINDINGS_GRPC_COMMAND_RUNNER_H_
