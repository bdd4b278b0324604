# e2e: a source's rate limit holds across two leadflow-intake replicas sharing
# one redis-server and devkafka (Redis token bucket, docs/security.md).
leadflow_e2e_test(intake_rate_limit_e2e_test TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/intake_rate_limit_test.cc DEPS leadflow-intake)
target_link_libraries(intake_rate_limit_e2e_test PRIVATE leadflow_auth)
