# probes/checkers.cmake: the active checkers (included from the top-level
# CMakeLists.txt after bindings/grpc/grpc.cmake).
#   probes_prom_text   ParsePromText (prom_text.h): Abseil only; the
#                      Prometheus importer reuses it
#   probes_checkers    MakeHttpChecker, MakeScenarioChecker, MakeTcpChecker,
#                      MakeMetricChecker, MakeChecker (libcurl, sockets)
# The gRPC health checker is elsewhere (scheduler.cmake), so that these link
# no gRPC.

add_library(probes_prom_text probes/prom_text.cc)
target_link_libraries(probes_prom_text PUBLIC absl::status absl::statusor
  absl::strings)

find_package(CURL REQUIRED)  # Debian libcurl4-openssl-dev
add_library(probes_checkers
  probes/internal/http_request.cc
  probes/http_checker.cc
  probes/scenario_checker.cc
  probes/tcp_checker.cc
  probes/metric_checker.cc
  probes/checker_factory.cc)
# The public headers include sla/probe_config.h (sla_probe_config, header
# only: no yaml-cpp here).
target_link_libraries(probes_checkers
  PUBLIC sla_probe_config absl::status absl::statusor absl::strings absl::time
  # re2: Debian's libre2-dev (headers in /usr/include/re2; no CMake package),
  # linked by name so that the installed package needs nothing more.
  PRIVATE probes_prom_text CURL::libcurl re2 absl::flat_hash_map
          absl::flat_hash_set absl::synchronization Threads::Threads)

foreach(lib probes_prom_text probes_checkers)
  target_include_directories(${lib} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/slakit>)
endforeach()

if(SLAKIT_BUILD_TESTS)
  slakit_gtest(prom_text_test tests/probes/prom_text_test.cc probes_prom_text)
  # Starts HTTP(S) servers (cpp-httplib) and sockets on 127.0.0.1:0 and makes
  # a self-signed certificate with the openssl command.
  find_package(PkgConfig REQUIRED)
  if(NOT TARGET PkgConfig::HTTPLIB)
    pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
  endif()
  slakit_gtest(checkers_test tests/probes/checkers_test.cc probes_checkers
    probes_prom_text PkgConfig::HTTPLIB absl::synchronization)
endif()
