# bindings/c/c.cmake: the C ABI (bindings/c/slakit.h), included from the
# top-level CMakeLists.txt after the sla and probes targets.
#   slakit_c   libslakit_c.so.<ABI>: exports the slakit_* functions only
#              (bindings/c/slakit_c.map); the engine, Abseil-using code and
#              the C++ runtime stay inside.
#   c_abi_test tests/c/c_abi_test.c, compiled as C99 with -pedantic -Werror
#              and linked against the shared library (also run under
#              valgrind when it is installed).

# The header's version must be the project's (slakit_version()).
file(STRINGS ${PROJECT_SOURCE_DIR}/bindings/c/slakit.h SLAKIT_C_VERSION_LINE
  REGEX "^#define SLAKIT_VERSION_STRING ")
file(STRINGS ${PROJECT_SOURCE_DIR}/bindings/c/slakit.h SLAKIT_C_ABI_LINE
  REGEX "^#define SLAKIT_ABI_VERSION ")
string(REGEX REPLACE ".*\"(.*)\".*" "\\1" SLAKIT_C_VERSION
  "${SLAKIT_C_VERSION_LINE}")
string(REGEX REPLACE ".* ([0-9]+)$" "\\1" SLAKIT_C_ABI "${SLAKIT_C_ABI_LINE}")
if(NOT SLAKIT_C_VERSION STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR "bindings/c/slakit.h says version ${SLAKIT_C_VERSION}, "
    "the project is ${PROJECT_VERSION}: update SLAKIT_VERSION_*")
endif()

add_library(slakit_c SHARED bindings/c/slakit_c.cc)
target_include_directories(slakit_c PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
target_link_libraries(slakit_c PRIVATE sla sla_config sla_report
  probes_csv_reader absl::flat_hash_map absl::status absl::statusor
  absl::strings absl::synchronization absl::time)
set_target_properties(slakit_c PROPERTIES
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON
  VERSION ${PROJECT_VERSION}
  SOVERSION ${SLAKIT_C_ABI}
  LINK_DEPENDS ${PROJECT_SOURCE_DIR}/bindings/c/slakit_c.map)
target_link_options(slakit_c PRIVATE
  -Wl,--version-script=${PROJECT_SOURCE_DIR}/bindings/c/slakit_c.map
  -Wl,--no-undefined)
install(TARGETS slakit_c LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES bindings/c/slakit.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

if(SLAKIT_BUILD_TESTS)
  enable_language(C)
  add_executable(c_abi_test tests/c/c_abi_test.c)
  set_target_properties(c_abi_test PROPERTIES C_STANDARD 99
    C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  # Exactly these warnings: replaces the C++-minded directory options
  # (-Wno-unused-parameter, ...).
  set_property(TARGET c_abi_test PROPERTY COMPILE_OPTIONS
    -Wall -Wextra -Werror -pedantic)
  target_link_libraries(c_abi_test PRIVATE slakit_c Threads::Threads)
  add_test(NAME c_abi_test COMMAND c_abi_test)
  find_program(SLAKIT_VALGRIND valgrind)
  if(SLAKIT_VALGRIND)
    add_test(NAME c_abi_test_valgrind
      COMMAND ${SLAKIT_VALGRIND} --quiet --error-exitcode=1 --leak-check=full
              --errors-for-leak-kinds=definite,indirect
              $<TARGET_FILE:c_abi_test>)
    set_tests_properties(c_abi_test_valgrind PROPERTIES TIMEOUT 300)
  endif()
endif()
