# e2e: the real curl binary against the running leadflow-intake binary
# (POST /v1/leads status codes and error bodies, API keys, rate limit).
if(TARGET intake_testing)
  leadflow_test(intake_http_e2e_test e2e TIMEOUT 180
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/intake_http_test.cc
    LIBS intake_testing)
  add_dependencies(intake_http_e2e_test leadflow-intake leadflow-devkafka)
endif()
