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

# Nurture: the customer/prospect wall under randomised traffic, and a SIGKILL
# restart (both on a test copy of config/ with short nurture step delays).
foreach(t audience_wall nurture_restart)
  leadflow_test(${t}_e2e_test e2e TIMEOUT 300
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/${t}_test.cc ${CMAKE_CURRENT_LIST_DIR}/stack.cc
    LIBS leadflow_testing leadflow_common leadflow_grpc)
  foreach(dep leadflow-intake leadflow-scoring leadflow-routing leadflow-nurture leadflow-devkafka)
    add_dependencies(${t}_e2e_test ${dep})
  endforeach()
  target_compile_definitions(${t}_e2e_test PRIVATE
    LEADFLOW_BIN_DIR_DEFAULT="${CMAKE_BINARY_DIR}/bin"
    LEADFLOW_SOURCE_DIR_DEFAULT="${CMAKE_SOURCE_DIR}")
  target_link_libraries(${t}_e2e_test PRIVATE PkgConfig::HTTPLIB)
  target_include_directories(${t}_e2e_test PRIVATE ${CMAKE_SOURCE_DIR})
endforeach()

# Routing over the real leadflow-routing binary: WatchAssignments, accept/reject/close over gRPC.
leadflow_test(routing_feedback_e2e_test e2e TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/routing_feedback_test.cc ${CMAKE_CURRENT_LIST_DIR}/stack.cc
  LIBS leadflow_testing leadflow_common leadflow_grpc)
add_dependencies(routing_feedback_e2e_test leadflow-routing leadflow-devkafka)
target_compile_definitions(routing_feedback_e2e_test PRIVATE
  LEADFLOW_BIN_DIR_DEFAULT="${CMAKE_BINARY_DIR}/bin"
  LEADFLOW_SOURCE_DIR_DEFAULT="${CMAKE_SOURCE_DIR}")
target_link_libraries(routing_feedback_e2e_test PRIVATE PkgConfig::HTTPLIB)
target_include_directories(routing_feedback_e2e_test PRIVATE ${CMAKE_SOURCE_DIR})

# Scoring over the real leadflow-scoring binary: engagement rescoring to MQL,
# Explain over gRPC, and model hot reload (bad file refused, good file picked up).
leadflow_test(scoring_service_e2e_test e2e TIMEOUT 180
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/scoring_service_test.cc ${CMAKE_CURRENT_LIST_DIR}/stack.cc
  LIBS leadflow_testing leadflow_common leadflow_grpc)
add_dependencies(scoring_service_e2e_test leadflow-scoring leadflow-devkafka)
target_compile_definitions(scoring_service_e2e_test PRIVATE
  LEADFLOW_BIN_DIR_DEFAULT="${CMAKE_BINARY_DIR}/bin"
  LEADFLOW_SOURCE_DIR_DEFAULT="${CMAKE_SOURCE_DIR}")
target_link_libraries(scoring_service_e2e_test PRIVATE PkgConfig::HTTPLIB)
target_include_directories(scoring_service_e2e_test PRIVATE ${CMAKE_SOURCE_DIR})
