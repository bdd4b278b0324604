# Security tests (issue 9): TLS and mutual TLS on the real service binaries.
leadflow_test(tls_e2e_test e2e TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tls_test.cc
  LIBS leadflow_testing leadflow_common leadflow_grpc)
target_include_directories(tls_e2e_test PRIVATE ${CMAKE_SOURCE_DIR})
add_dependencies(tls_e2e_test leadflow-routing leadflow-devkafka)
