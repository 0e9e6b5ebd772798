# probes/scheduler.cmake: the probe scheduler and the gRPC health checker
# (included from the top-level CMakeLists.txt with the CLI, after
# bindings/grpc/grpc.cmake, whose find_package(gRPC/Protobuf) it relies on).
#   slakit_grpc_health_proto  grpc.health.v1 messages and client stub
#   probes_scheduler          Scheduler (probes/scheduler.h): Abseil only
#   probes_grpc_health        MakeGrpcHealthChecker (grpc_health_checker.h)

# grpc.health.v1 from Debian's grpc-proto package. The outputs sit beside
# slakit_proto's, so both builds include "grpc/health/v1/health.grpc.pb.h".
# libgrpc++ implements its own health service with upb, so this descriptor
# does not clash with it.
set(SLAKIT_HEALTH_PROTO /usr/share/grpc-proto/grpc/health/v1/health.proto)
set(SLAKIT_HEALTH_OUT ${PROJECT_BINARY_DIR}/proto)
set(SLAKIT_HEALTH_CC
  ${SLAKIT_HEALTH_OUT}/grpc/health/v1/health.pb.cc
  ${SLAKIT_HEALTH_OUT}/grpc/health/v1/health.pb.h
  ${SLAKIT_HEALTH_OUT}/grpc/health/v1/health.grpc.pb.cc
  ${SLAKIT_HEALTH_OUT}/grpc/health/v1/health.grpc.pb.h)
add_custom_command(OUTPUT ${SLAKIT_HEALTH_CC}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SLAKIT_HEALTH_OUT}
  COMMAND protobuf::protoc -I /usr/share/grpc-proto
          --cpp_out=${SLAKIT_HEALTH_OUT} --grpc_out=${SLAKIT_HEALTH_OUT}
          --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
          ${SLAKIT_HEALTH_PROTO}
  DEPENDS ${SLAKIT_HEALTH_PROTO}
  COMMENT "protoc grpc/health/v1/health.proto (C++)")
add_library(slakit_grpc_health_proto ${SLAKIT_HEALTH_CC})
target_include_directories(slakit_grpc_health_proto PUBLIC
  ${SLAKIT_HEALTH_OUT})
target_link_libraries(slakit_grpc_health_proto PUBLIC gRPC::grpc++
  protobuf::libprotobuf)
# Generated code is not ours to warn about.
target_compile_options(slakit_grpc_health_proto PRIVATE -w)

add_library(probes_scheduler probes/scheduler.cc)
target_link_libraries(probes_scheduler
  PUBLIC sla_clock absl::status absl::statusor absl::synchronization
         absl::time Threads::Threads
  PRIVATE absl::strings)

add_library(probes_grpc_health probes/grpc_health_checker.cc)
target_link_libraries(probes_grpc_health
  PUBLIC absl::statusor absl::time
  PRIVATE slakit_grpc_health_proto gRPC::grpc++ absl::strings
          absl::synchronization)

foreach(lib probes_scheduler probes_grpc_health)
  target_include_directories(${lib} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/slakit>)
endforeach()

if(SLAKIT_BUILD_TESTS)
  slakit_gtest(scheduler_test tests/probes/scheduler_test.cc probes_scheduler
    sla_clock)
  # Starts gRPC servers on 127.0.0.1:0 and makes certificates with openssl.
  slakit_gtest(grpc_health_checker_test
    tests/probes/grpc_health_checker_test.cc probes_grpc_health gRPC::grpc++)
endif()
