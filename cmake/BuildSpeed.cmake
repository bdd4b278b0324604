# Build-time settings for CI's stage 1 (docs/testing.md, "Build time").
# All default to off, so a plain configure (and the Dockerfile) build as
# before and an existing build directory does not rebuild; scripts/build turns
# them on for a fresh configure (-DLEADFLOW_LINKER="lld;gold"
# -DLEADFLOW_TEST_CXX_FLAGS=-O1).
#
#   LEADFLOW_LINKER          linkers to try for every executable, first that
#                            works wins (-fuse-ld=lld, then gold); bfd, the
#                            default, takes 3-5 times as long per link.
#   LEADFLOW_TEST_CXX_FLAGS  extra compile flags for the test binaries' own
#                            sources (the *_test.cc files; the service
#                            libraries they test keep the build's flags).
#
# Not used: a precompiled header of the tests' third-party headers (gtest,
# gmock, gRPC, protobuf, json, the standard library). It saved a further tenth
# of a test's compile, but GCC 12 then reported -Warray-bounds false positives
# from inside libstdc++'s std::string in test code (errors under -Werror), which
# the system-header rule hides without it (docs/testing.md, "Build time").

set(LEADFLOW_LINKER "" CACHE STRING
  "Linkers to try, in order (e.g. lld;gold); empty: the compiler's default")
set(LEADFLOW_TEST_CXX_FLAGS "" CACHE STRING
  "Extra compile flags for the test binaries' own sources (e.g. -O1)")

if(LEADFLOW_LINKER)
  include(CheckLinkerFlag)
  set(_leadflow_linker "")
  foreach(ld IN LISTS LEADFLOW_LINKER)
    check_linker_flag(CXX "-fuse-ld=${ld}" LEADFLOW_LINKER_${ld}_WORKS)
    if(LEADFLOW_LINKER_${ld}_WORKS)
      set(_leadflow_linker ${ld})
      break()
    endif()
  endforeach()
  if(_leadflow_linker)
    message(STATUS "leadflow: linking with -fuse-ld=${_leadflow_linker}")
    add_link_options(-fuse-ld=${_leadflow_linker})
  else()
    message(STATUS "leadflow: none of ${LEADFLOW_LINKER} works; the default linker")
  endif()
endif()

# leadflow_test_build_settings(target): the settings above, for one test binary
# (called by leadflow_test).
function(leadflow_test_build_settings target)
  target_compile_options(${target} PRIVATE ${LEADFLOW_TEST_CXX_FLAGS})
endfunction()
