# Bounded libFuzzer runs (25 s each) of the intake, routing and decode fuzzers
# in their own small clang build (tests/fuzz, driven by scripts/fuzz --target).
# Longer runs on demand: scripts/fuzz --target decode --seconds 3600.
find_program(LEADFLOW_FUZZ_CLANGXX NAMES clang++ clang++-14)
if(LEADFLOW_FUZZ_CLANGXX)
  foreach(t intake routing decode)
    add_test(NAME ${t}_fuzz_smoke
      COMMAND ${CMAKE_SOURCE_DIR}/scripts/fuzz --target ${t} --seconds 25
              --build-dir ${CMAKE_BINARY_DIR}/fuzz/tests)
    # One build directory for all targets: never build it twice at once.
    set_tests_properties(${t}_fuzz_smoke PROPERTIES
      LABELS fuzz TIMEOUT 420 RESOURCE_LOCK leadflow_fuzz_tests_build
      ENVIRONMENT "LEADFLOW_FUZZ_CXX=${LEADFLOW_FUZZ_CLANGXX}")
  endforeach()
endif()
