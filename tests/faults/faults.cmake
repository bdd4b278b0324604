# Fault tests (issue 9): the real service binaries under SIGKILL, broker
# outages with injected request errors, a Redis restart, poison messages and
# overload. The fast ones run with label e2e; the 10,000-lead ones have label
# `long` and only run when LEADFLOW_LONG_TESTS=1 is set in the environment:
#   LEADFLOW_LONG_TESTS=1 ctest -L long --output-on-failure
add_library(leadflow_fault_harness STATIC
  ${CMAKE_CURRENT_LIST_DIR}/fault_harness.cc ${CMAKE_SOURCE_DIR}/tests/e2e/stack.cc)
leadflow_strict(leadflow_fault_harness)
target_link_libraries(leadflow_fault_harness PUBLIC leadflow_testing leadflow_common leadflow_grpc
  PkgConfig::HTTPLIB)
target_include_directories(leadflow_fault_harness PUBLIC ${CMAKE_SOURCE_DIR})
target_compile_definitions(leadflow_fault_harness PUBLIC
  LEADFLOW_BIN_DIR_DEFAULT="${CMAKE_BINARY_DIR}/bin"
  LEADFLOW_SOURCE_DIR_DEFAULT="${CMAKE_SOURCE_DIR}")

set(LEADFLOW_FAULT_FAST_TESTS kill redis broker overload poison pii fatal_kafka)
set(LEADFLOW_FAULT_SOURCES)
foreach(t ${LEADFLOW_FAULT_FAST_TESTS})
  list(APPEND LEADFLOW_FAULT_SOURCES ${CMAKE_CURRENT_LIST_DIR}/${t}_test.cc)
endforeach()
leadflow_test(fault_e2e_test e2e TIMEOUT 300
  SOURCES ${LEADFLOW_FAULT_SOURCES}
  LIBS leadflow_fault_harness leadflow_auth)
leadflow_test(fault_long_test long TIMEOUT 3600
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/long_test.cc
  LIBS leadflow_fault_harness)
foreach(t fault_e2e_test fault_long_test)
  foreach(dep leadflow-intake leadflow-scoring leadflow-routing leadflow-nurture leadflow-devkafka)
    add_dependencies(${t} ${dep})
  endforeach()
endforeach()
