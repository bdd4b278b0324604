# ops: the Grafana dashboards and Prometheus rules against a real Prometheus
# (Debian's `prometheus`/`promtool`), and the Kubernetes manifests rendered
# with kustomize and schema-validated. scripts/bootstrap installs the tools.
# Debian's python3 (standard library only) when present; not required to
# configure (the Dockerfile configures without it).
find_program(LEADFLOW_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT LEADFLOW_PYTHON3)
  set(LEADFLOW_PYTHON3 python3)
endif()

# promtool check rules + the alert unit tests (deploy/prometheus/*.test.yml).
add_test(NAME ops_prometheus_rules
  COMMAND sh -c "promtool check rules leadflow.rules.yml && promtool test rules leadflow.rules.test.yml"
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/deploy/prometheus)
set_tests_properties(ops_prometheus_rules PROPERTIES LABELS "unit;ops" TIMEOUT 120)

# The stack + a real Prometheus: every dashboard panel query returns data.
add_test(NAME ops_dashboards_prometheus
  COMMAND ${LEADFLOW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/dashboards_test.py ${CMAKE_BINARY_DIR}/bin)
set_tests_properties(ops_dashboards_prometheus PROPERTIES LABELS "e2e;ops" TIMEOUT 300
  RUN_SERIAL TRUE)

# kustomize build of every overlay, and schema validation of what it renders.
add_test(NAME ops_manifests
  COMMAND ${CMAKE_SOURCE_DIR}/tests/ops/manifests_test.sh)
set_tests_properties(ops_manifests PROPERTIES LABELS "unit;ops" TIMEOUT 300)

# Redis's production ACL file (deploy/k8s/overlays/prod/redis) on a real
# redis-server over a unix socket: each service user confined to its keys.
add_test(NAME ops_redis_acl
  COMMAND ${CMAKE_SOURCE_DIR}/tests/ops/redis_acl_test.sh)
set_tests_properties(ops_redis_acl PROPERTIES LABELS "integration;ops" TIMEOUT 60)

# The hardening flags reach every compile, and the built binaries show them
# (full RELRO, stack protector, fortified libc calls); docs/security.md.
add_test(NAME ops_hardening
  COMMAND ${LEADFLOW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/hardening_test.py ${CMAKE_BINARY_DIR})
set_tests_properties(ops_hardening PROPERTIES LABELS "unit;ops" TIMEOUT 60)

# The code conventions of docs/architecture.md that a script can check: no
# function over 60 lines in services/*/app|domain, no Lua inside C++ strings,
# no test helper in a production folder.
add_test(NAME ops_code_shape
  COMMAND ${LEADFLOW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/code_shape_test.py ${CMAKE_SOURCE_DIR})
set_tests_properties(ops_code_shape PROPERTIES LABELS "unit;ops" TIMEOUT 60)
