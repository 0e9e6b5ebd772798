# bindings/grpc/grpc.cmake: `slakit serve` (included from the top-level
# CMakeLists.txt after the sla targets and slakit_gtest()). Server-side
# libraries, built with the CLI and not installed:
#   slakit_proto                 sla.v1 messages and stubs (protoc + gRPC plugin)
#   slakit_server_auth           bearer tokens (auth.h), OpenSSL's libcrypto
#   slakit_server_metrics        Prometheus text rendering (metrics.h)
#   slakit_server_metrics_http   its cpp-httplib listener (metrics_http.h)
#   slakit_server_ingest_convert IngestRequest -> batch (ingest_convert.h)
#   slakit_server                backend, service and server

find_package(Protobuf REQUIRED)  # CMake's module: Debian ships no config
find_package(gRPC CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(PkgConfig REQUIRED)
# cpp-httplib 0.11.4 from Debian is a compiled library; its pkg-config file
# carries the OPENSSL/ZLIB/BROTLI defines that must match the library's ABI.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

# ---- generated code: C++ for the server, Python for the tests' client.
set(SLAKIT_PROTO ${PROJECT_SOURCE_DIR}/proto/sla/v1/sla_service.proto)
set(SLAKIT_PROTO_OUT ${PROJECT_BINARY_DIR}/proto)
set(SLAKIT_PROTO_CC
  ${SLAKIT_PROTO_OUT}/sla/v1/sla_service.pb.cc
  ${SLAKIT_PROTO_OUT}/sla/v1/sla_service.pb.h
  ${SLAKIT_PROTO_OUT}/sla/v1/sla_service.grpc.pb.cc
  ${SLAKIT_PROTO_OUT}/sla/v1/sla_service.grpc.pb.h)
add_custom_command(OUTPUT ${SLAKIT_PROTO_CC}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SLAKIT_PROTO_OUT}
  COMMAND protobuf::protoc -I ${PROJECT_SOURCE_DIR}/proto
          --cpp_out=${SLAKIT_PROTO_OUT} --grpc_out=${SLAKIT_PROTO_OUT}
          --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
          ${SLAKIT_PROTO}
  DEPENDS ${SLAKIT_PROTO}
  COMMENT "protoc sla/v1/sla_service.proto (C++)")
add_library(slakit_proto ${SLAKIT_PROTO_CC})
target_include_directories(slakit_proto PUBLIC ${SLAKIT_PROTO_OUT})
target_link_libraries(slakit_proto PUBLIC gRPC::grpc++ protobuf::libprotobuf)
# Generated code is not ours to warn about.
target_compile_options(slakit_proto PRIVATE -w)

# Python stubs (tests only): sla/v1 from our proto, health/v1 from
# grpc-proto with -I .../grpc so that no top-level `grpc` package shadows
# python3-grpcio's.
set(SLAKIT_PY_OUT ${PROJECT_BINARY_DIR}/python_stubs)
add_custom_command(OUTPUT ${SLAKIT_PY_OUT}/sla/v1/sla_service_pb2.py
  ${SLAKIT_PY_OUT}/sla/v1/sla_service_pb2_grpc.py
  ${SLAKIT_PY_OUT}/health/v1/health_pb2.py
  ${SLAKIT_PY_OUT}/reflection/v1alpha/reflection_pb2.py
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SLAKIT_PY_OUT}
  COMMAND protobuf::protoc -I ${PROJECT_SOURCE_DIR}/proto
          --python_out=${SLAKIT_PY_OUT} --grpc_out=${SLAKIT_PY_OUT}
          --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin ${SLAKIT_PROTO}
  COMMAND protobuf::protoc -I /usr/share/grpc-proto/grpc
          --python_out=${SLAKIT_PY_OUT} --grpc_out=${SLAKIT_PY_OUT}
          --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin
          /usr/share/grpc-proto/grpc/health/v1/health.proto
          /usr/share/grpc-proto/grpc/reflection/v1alpha/reflection.proto
  DEPENDS ${SLAKIT_PROTO}
  COMMENT "protoc sla/v1, grpc.health.v1 and reflection (Python)")
add_custom_target(slakit_python_stubs ALL DEPENDS
  ${SLAKIT_PY_OUT}/sla/v1/sla_service_pb2.py)

# ---- libraries
add_library(slakit_server_auth bindings/grpc/auth.cc)
target_include_directories(slakit_server_auth PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(slakit_server_auth
  PUBLIC absl::status absl::statusor absl::strings absl::flat_hash_map
  PRIVATE OpenSSL::Crypto)

add_library(slakit_server_metrics bindings/grpc/metrics.cc)
target_include_directories(slakit_server_metrics PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(slakit_server_metrics PUBLIC absl::span absl::strings)

add_library(slakit_server_metrics_http bindings/grpc/metrics_http.cc)
target_include_directories(slakit_server_metrics_http PUBLIC
  ${PROJECT_SOURCE_DIR})
target_link_libraries(slakit_server_metrics_http
  PUBLIC absl::status absl::statusor absl::synchronization Threads::Threads
  PRIVATE PkgConfig::HTTPLIB absl::memory absl::strings absl::time)

# Alert sinks (callback, command, webhook) and the command runner shared
# with remediation; no gRPC or protobuf here.
find_package(CURL REQUIRED)  # Debian libcurl4-openssl-dev

add_library(slakit_server_sinks bindings/grpc/sinks.cc
  bindings/grpc/command_runner.cc)
target_include_directories(slakit_server_sinks PUBLIC ${PROJECT_SOURCE_DIR})
# AlertView (bindings/grpc/backend.h) is the sinks' input: the targets of
# the headers backend.h includes are public, not slakit_server itself (no
# gRPC or protobuf here).
target_link_libraries(slakit_server_sinks
  PUBLIC sla_alerting sla_remediation sla_config sla_storage_store
         slakit_server_auth
         slakit_server_metrics absl::status absl::statusor absl::strings
         absl::synchronization absl::time Threads::Threads
  PRIVATE sla_window sla_json_writer CURL::libcurl absl::flat_hash_set)


# The remediation audit file of the data directory (read by `slakit report
# --data-dir` too); no gRPC here.
add_library(slakit_audit_log bindings/grpc/audit_log.cc)
target_include_directories(slakit_audit_log PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(slakit_audit_log PUBLIC sla_remediation absl::status
  absl::statusor absl::synchronization PRIVATE sla_window absl::strings
  absl::flat_hash_map)

# IngestRequest -> Backend::Ingest's batch (ingest_convert.h): the generated
# messages and Abseil, no gRPC server (tests/fuzz builds it with protobuf
# alone); backend.h is only included for NamedProbe.
add_library(slakit_server_ingest_convert bindings/grpc/ingest_convert.cc)
target_include_directories(slakit_server_ingest_convert PUBLIC
  ${PROJECT_SOURCE_DIR})
target_link_libraries(slakit_server_ingest_convert
  PUBLIC slakit_proto sla_engine absl::status absl::span
  PRIVATE absl::strings absl::time)

add_library(slakit_server bindings/grpc/backend.cc bindings/grpc/service.cc
  bindings/grpc/server.cc bindings/grpc/probe_feeder.cc)
target_include_directories(slakit_server PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(slakit_server
  PUBLIC slakit_proto slakit_server_ingest_convert slakit_server_auth
         slakit_server_metrics
         slakit_server_metrics_http slakit_server_sinks slakit_audit_log sla
         sla_alerting
         sla_remediation sla_forecast sla_config sla_report
         sla_storage_store gRPC::grpc++ absl::flat_hash_set
         probes_scheduler  # probe_feeder.h (defined in probes/*.cmake)
  PRIVATE gRPC::grpc++_reflection absl::str_format probes_checkers
          probes_grpc_health)

# ---- tests
if(SLAKIT_BUILD_TESTS)
  slakit_gtest(auth_test tests/grpc/auth_test.cc slakit_server_auth)
  # MetricsPromtoolTest runs `promtool check metrics` (Debian package
  # prometheus, installed by tools/setup.sh --test).
  find_program(SLAKIT_PROMTOOL promtool REQUIRED)
  slakit_gtest(metrics_test tests/grpc/metrics_test.cc
    slakit_server_metrics slakit_server_metrics_http PkgConfig::HTTPLIB)
  target_compile_definitions(metrics_test PRIVATE
    SLAKIT_PROMTOOL="${SLAKIT_PROMTOOL}")
  slakit_gtest(server_test tests/grpc/server_test.cc slakit_server)
  slakit_gtest(audit_log_test tests/grpc/audit_log_test.cc slakit_server)
  slakit_gtest(probe_feeder_test tests/grpc/probe_feeder_test.cc
    slakit_server)
  slakit_gtest(sinks_test tests/grpc/sinks_test.cc slakit_server_sinks
    PkgConfig::HTTPLIB)
endif()

# ---- benchmarks
if(SLAKIT_BUILD_BENCHMARKS)
  find_package(benchmark CONFIG REQUIRED)
  add_executable(grpc_benchmark bench/grpc_benchmark.cc)
  target_link_libraries(grpc_benchmark PRIVATE slakit_server probes
    benchmark::benchmark)
  if(SLAKIT_BUILD_TESTS)
    # Every benchmark runs briefly as a smoke test.
    add_test(NAME grpc_benchmark_smoke
      COMMAND grpc_benchmark --benchmark_min_time=0.01 --benchmark_filter=.)
    set_tests_properties(grpc_benchmark_smoke PROPERTIES
      ENVIRONMENT "SLAKIT_BENCH_SMOKE=1" TIMEOUT 300)
  endif()
endif()
