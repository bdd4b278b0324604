# Bounded libFuzzer runs (25 s each) of the intake, routing and decode fuzzers
# in their own small clang build (tests/fuzz, driven by scripts/fuzz --target).
# Longer runs on demand: scripts/fuzz --target decode --seconds 3600.
find_program(LEADFLOW_FUZZ_CLANGXX NAMES clang++ clang++-14)
if(LEADFLOW_FUZZ_CLANGXX)
  # Seconds each took (build included) in a fresh-clone CI run.
  set(cost_intake 97)
  set(cost_routing 59)
  set(cost_decode 32)
  foreach(t intake routing decode)
    add_test(NAME ${t}_fuzz_smoke
      COMMAND ${CMAKE_SOURCE_DIR}/scripts/fuzz --target ${t} --seconds 25
              --build-dir ${CMAKE_BINARY_DIR}/fuzz/tests)
    # One build directory for all targets: never build it twice at once.
    # COST: the three are among the longest tests (build and run), so CTest
    # starts them first, even in a fresh build directory with no timing
    # history, instead of leaving them for the end on one core; their clang
    # build takes one core (LEADFLOW_FUZZ_BUILD_JOBS=1), the other keeps
    # running the other tests (docs/testing.md, "Build time").
    set_tests_properties(${t}_fuzz_smoke PROPERTIES
      LABELS fuzz TIMEOUT 420 RESOURCE_LOCK leadflow_fuzz_tests_build
      COST ${cost_${t}}
      ENVIRONMENT "LEADFLOW_FUZZ_CXX=${LEADFLOW_FUZZ_CLANGXX};LEADFLOW_FUZZ_BUILD_JOBS=1")
  endforeach()
endif()
