# tests/sanitizers/sanitizers.cmake: the sanitizer test sets. Read by the
# top-level CMakeLists.txt (cmake_language(DEFER)) after every target exists,
# when SLAKIT_SANITIZE is set (CMakePresets.json: asan, tsan).
#
# Each sanitizer runs an explicit list of gtest executables, each as one
# ctest test `<sanitizer>.<executable>` with the label `asan` or `tsan`; the
# target `sanitize_tests` builds exactly those. tools/sanitize.sh builds and
# runs a set:  ctest --test-dir build-asan -L asan
# A test left out of a set says why below.

if(SLAKIT_SANITIZE STREQUAL "address,undefined")
  set(_san asan)
elseif(SLAKIT_SANITIZE STREQUAL "thread")
  set(_san tsan)
else()
  message(FATAL_ERROR "SLAKIT_SANITIZE=${SLAKIT_SANITIZE}: use "
    "address,undefined or thread")
endif()

# Any report fails the test. LeakSanitizer works as root on this machine
# (the canary's LeakIsReported proves it in every asan run).
set(SLAKIT_SANITIZER_ENV
  "ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:strict_init_order=1"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
  "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1")

# The C ABI library links with --no-undefined; the sanitizer runtime is in
# the executable that loads it, so its __asan_*/__tsan_* symbols stay
# undefined in the library.
if(TARGET slakit_c)
  target_link_options(slakit_c PRIVATE "LINKER:-z,undefs")
endif()
# The C test links with the C++ driver: the library needs the C++ parts of
# the runtimes (UBSan's vptr checks).
if(TARGET c_abi_test)
  set_target_properties(c_abi_test PROPERTIES LINKER_LANGUAGE CXX)
endif()

# ---- TSan: Debian's Abseil is not instrumented; annotate its Mutex,
# CondVar and Notification in every executable (tsan_absl_sync.cc). The
# executables export the definitions so that shared libraries (gRPC's
# included) call them too.
if(_san STREQUAL "tsan")
  add_library(slakit_tsan_absl_sync OBJECT
    ${PROJECT_SOURCE_DIR}/tests/sanitizers/tsan_absl_sync.cc)
  target_link_libraries(slakit_tsan_absl_sync PUBLIC absl::synchronization
    absl::time ${CMAKE_DL_LIBS})
  get_property(_targets DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTY BUILDSYSTEM_TARGETS)
  foreach(_t IN LISTS _targets)
    get_target_property(_type ${_t} TYPE)
    if(_type STREQUAL "EXECUTABLE")
      target_link_libraries(${_t} PRIVATE slakit_tsan_absl_sync)
      target_link_options(${_t} PRIVATE
        "LINKER:--export-dynamic-symbol=_ZN*4absl*5Mutex*"
        "LINKER:--export-dynamic-symbol=_ZN*4absl*7CondVar*"
        "LINKER:--export-dynamic-symbol=_ZN*4absl*12Notification*")
    endif()
  endforeach()
endif()

if(NOT SLAKIT_BUILD_TESTS)
  return()
endif()

# ---- the canary: deliberate errors that must be reported.
add_executable(sanitizer_canary_test
  ${PROJECT_SOURCE_DIR}/tests/sanitizers/sanitizer_canary_test.cc)
target_link_libraries(sanitizer_canary_test PRIVATE absl::synchronization
  GTest::gtest GTest::gtest_main Threads::Threads)
if(_san STREQUAL "tsan")
  target_link_libraries(sanitizer_canary_test PRIVATE slakit_tsan_absl_sync)
  target_compile_definitions(sanitizer_canary_test PRIVATE
    SLAKIT_SANITIZE_THREAD=1)
else()
  target_compile_definitions(sanitizer_canary_test PRIVATE
    SLAKIT_SANITIZE_ADDRESS=1 SLAKIT_SANITIZE_UNDEFINED=1)
endif()

# ---- the sets
# sla/ (engine, storage, alerting, config, report, ...), probes/, the C ABI,
# the CLI library and the server's libraries: everything with a gtest.
set(SLAKIT_ASAN_TESTS
  sanitizer_canary_test
  window_test objective_test minute_series_test engine_test
  engine_state_test alerting_test alerting_scenarios_test forecast_test
  remediation_test wal_test store_test contract_test composite_test
  config_test probe_config_test openslo_test catalog_test report_test
  report_html_test
  csv_reader_test synthetic_test prom_text_test checkers_test importers_test
  scheduler_test grpc_health_checker_test
  c_abi_test rules_command_test
  auth_test metrics_test server_test audit_log_test probe_feeder_test
  sinks_test
  config_bad_input_test csv_bad_input_test grpc_bad_input_test
  fuzz_regression_test fault_clock_jump_test)
# Not here: the other fault tests preload a shim (fail_sync.so) into child
# processes, which ASan refuses (its runtime must come first);
# fuzz_engine_regression_test is already built with UBSan.
# Everything that runs threads (sla/: engine, alerting, remediation, WAL and
# store group commit; probes/: CSV reader, scheduler, checkers; the C ABI;
# the server's libraries). Left out, each for a race that TSan reports
# inside Debian's uninstrumented libgrpc, not in slakit:
#   server_test, grpc_health_checker_test: every RPC reports a "data race"
#     between the client's send-metadata strings, written by grpcpp's inline
#     CallOpSet::PerformOps (call.h) on the calling thread, and their read
#     by memcpy inside libgrpc.so.29 on a gRPC thread; the hand-off between
#     the two is gRPC's own uninstrumented synchronization. ASan+UBSan run
#     both.
set(SLAKIT_TSAN_TESTS
  sanitizer_canary_test
  engine_test alerting_test remediation_test wal_test store_test
  csv_reader_test importers_test scheduler_test checkers_test
  c_abi_test
  auth_test metrics_test audit_log_test probe_feeder_test sinks_test
  csv_bad_input_test fault_clock_jump_test)

if(_san STREQUAL "tsan")
  set(_tests ${SLAKIT_TSAN_TESTS})
else()
  set(_tests ${SLAKIT_ASAN_TESTS})
endif()
set(_built)
foreach(_t IN LISTS _tests)
  if(NOT TARGET ${_t})  # e.g. the server's tests without SLAKIT_BUILD_CLI
    continue()
  endif()
  list(APPEND _built ${_t})
  add_test(NAME ${_san}.${_t} COMMAND ${_t})
  set_tests_properties(${_san}.${_t} PROPERTIES LABELS ${_san} TIMEOUT 600
    ENVIRONMENT "${SLAKIT_SANITIZER_ENV}")
endforeach()
# Reads tests/data/openslo/ from the project root.
if(TARGET openslo_test AND _san STREQUAL "asan")
  set_tests_properties(asan.openslo_test PROPERTIES
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endif()
add_custom_target(sanitize_tests DEPENDS ${_built})
