# e2e: all four service binaries as processes, driven through their public
# interfaces (gRPC and the leads.submitted topic), over devkafka and redis-server.
leadflow_test(pipeline_e2e_test e2e TIMEOUT 300
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/pipeline_test.cc ${CMAKE_CURRENT_LIST_DIR}/stack.cc
  LIBS leadflow_testing leadflow_common leadflow_grpc)
foreach(dep leadflow-intake leadflow-scoring leadflow-routing leadflow-nurture leadflow-devkafka)
  add_dependencies(pipeline_e2e_test ${dep})
endforeach()
target_compile_definitions(pipeline_e2e_test PRIVATE
  LEADFLOW_BIN_DIR_DEFAULT="${CMAKE_BINARY_DIR}/bin"
  LEADFLOW_SOURCE_DIR_DEFAULT="${CMAKE_SOURCE_DIR}")
target_link_libraries(pipeline_e2e_test PRIVATE PkgConfig::HTTPLIB)
target_include_directories(pipeline_e2e_test PRIVATE ${CMAKE_SOURCE_DIR})
