# Integration tests of tools/devkafka and the leadflow_testing fixtures.
# Included from tests/integration/CMakeLists.txt:
#   include(${CMAKE_CURRENT_SOURCE_DIR}/devkafka.cmake)
# Needs the leadflow-devkafka, leadflow_testing targets; uses kcat and
# redis-server from PATH when installed (tests skip otherwise).
leadflow_test(devkafka_integration_test integration
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/devkafka_kafkatest.cc
  LIBS leadflow_testing PkgConfig::RDKAFKA nlohmann_json::nlohmann_json Threads::Threads
)
