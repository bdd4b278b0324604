# e2e: service binaries as processes, driven through their public interfaces
# (gRPC, HTTP and Kafka topics), over devkafka and a real redis-server.
#
# leadflow_e2e_test(NAME SOURCES... [TIMEOUT s] [DEPS binaries...]): a test
# binary built with tests/e2e/stack.cc; it depends on the binaries it runs
# (default: all four services and devkafka).
function(leadflow_e2e_test name)
  cmake_parse_arguments(E "" "TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT E_DEPS)
    set(E_DEPS leadflow-intake leadflow-scoring leadflow-routing leadflow-nurture)
  endif()
  if(NOT E_TIMEOUT)
    set(E_TIMEOUT 300)
  endif()
  leadflow_test(${name} e2e TIMEOUT ${E_TIMEOUT}
    SOURCES ${E_SOURCES} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/stack.cc
    LIBS leadflow_testing leadflow_common leadflow_grpc PkgConfig::HTTPLIB)
  add_dependencies(${name} ${E_DEPS} leadflow-devkafka)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
endfunction()

# The pipeline: every service, gRPC and topic input, the wall, kcat, SIGTERM.
leadflow_e2e_test(pipeline_e2e_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/pipeline_test.cc)

# Nurture: the customer/prospect wall under randomised traffic, and a SIGKILL
# restart (both on a test copy of config/ with short nurture step delays).
leadflow_e2e_test(audience_wall_e2e_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/audience_wall_test.cc)
leadflow_e2e_test(nurture_restart_e2e_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/nurture_restart_test.cc)

# Routing over the real leadflow-routing binary: WatchAssignments, accept/reject/close over gRPC.
leadflow_e2e_test(routing_feedback_e2e_test TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/routing_feedback_test.cc DEPS leadflow-routing)

# Scoring over the real leadflow-scoring binary: engagement rescoring to MQL,
# Explain over gRPC, and model hot reload (bad file refused, good file picked up).
leadflow_e2e_test(scoring_service_e2e_test TIMEOUT 180
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/scoring_service_test.cc DEPS leadflow-scoring)

# Personal data: erasure over gRPC through every service, and consent withdrawal
# in scoring and routing (docs/privacy.md).
leadflow_e2e_test(privacy_e2e_test TIMEOUT 180 SOURCES ${CMAKE_CURRENT_LIST_DIR}/privacy_test.cc)

# The wall when Redis fails: intake's and nurture's registry views are rebuilt
# from accounts.changes on a fresh start, after FLUSHALL and after a Redis
# restart without persistence; a listed customer is never taken for a prospect.
leadflow_e2e_test(registry_view_e2e_test TIMEOUT 300
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/registry_view_test.cc)

# Nothing grows forever: a few thousand leads driven to terminal states over the
# real binaries, then the retained Redis bytes per lead against the bounds of
# docs/state.md (built on the fault tests' lead mix and accounting).
leadflow_test(state_bytes_e2e_test e2e TIMEOUT 300
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/state_bytes_test.cc
  LIBS leadflow_fault_harness)
foreach(dep leadflow-intake leadflow-scoring leadflow-routing leadflow-nurture leadflow-devkafka)
  add_dependencies(state_bytes_e2e_test ${dep})
endforeach()

# Closed by default: scoring's and nurture's gRPC methods refuse callers
# without a key or without the method's scope (config/callers.json).
leadflow_e2e_test(caller_scope_e2e_test TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/caller_scope_test.cc)

# Routing order over the real binaries and the demo CRM registry: named
# accounts reach their named owner; a deal of 50 mln or more reaches a
# key-account manager whatever its score (docs/domain-rules.md §3, §5).
leadflow_e2e_test(named_accounts_and_large_deals_e2e_test TIMEOUT 240
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/named_accounts_and_large_deals_test.cc)

# Proactive customer programmes: the registry's customers enrolled in the
# yearly satisfaction audit on its schedule (scaled clock), never a prospect;
# answers reach the account owner; no cycle re-sent after a SIGKILL or a
# FLUSHALL (docs/domain-rules.md §7).
leadflow_e2e_test(customer_programmes_e2e_test TIMEOUT 300
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/customer_programmes_test.cc)

# Team queues ranked by score: freed slots go to the highest BANT product, then
# total score, ties to the oldest, across a routing kill and a loss of its Redis
# state (docs/domain-rules.md, config/README.md queue_order).
leadflow_e2e_test(ranked_queue_e2e_test TIMEOUT 240
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ranked_queue_test.cc)

# Deal stages over the real binaries: a lead accepted, moved through stages by
# gRPC (AdvanceStage) and by sales.feedback.<team>, and a stall of a stage
# with a 3 s maximum on deals.stalls and in the metric.
leadflow_e2e_test(deal_stages_e2e_test TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/deal_stages_test.cc)

# Buying committees: every assignment shows the account's coverage (buyer
# classes engaged, decision maker known), over leads.assigned and routing's
# GetLead, and it survives an intake restart (docs/domain-rules.md §2).
leadflow_e2e_test(buying_committee_e2e_test TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/buying_committee_test.cc)

# Notifications (issue 19.4, docs/notifier.md): the real leadflow-notifier
# against a loopback receiver that fails, stalls past the client timeout and
# causes duplicates, with a SIGKILL half-way: nothing lost, one event id per
# event, signatures valid, a dead endpoint dead-lettered on notifications.dead.
leadflow_e2e_test(notifier_fault_e2e_test TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/notifier_fault_test.cc DEPS leadflow-notifier)
target_link_libraries(notifier_fault_e2e_test PRIVATE notifier_domain nlohmann_json::nlohmann_json)

# Rule simulation on real history (issue 19.1, docs/simulation.md): the demo's
# traffic (sample leads, a vacation queue drained by closes) over the real
# binaries, then `leadflow-cli simulate`: the rules routing ran give an empty
# diff; a candidate without the small-deals team rule moves those leads.
leadflow_e2e_test(simulate_e2e_test TIMEOUT 300 SOURCES ${CMAKE_CURRENT_LIST_DIR}/simulate_test.cc
  DEPS leadflow-intake leadflow-scoring leadflow-routing leadflow-nurture leadflow-cli)

# The SLA escalation ladder over the real binaries on a scaled SLA clock
# (LEADFLOW_ROUTING_SLA_TIME_SCALE): remind, escalate, re-assign in order,
# once each, across a routing kill (docs/domain-rules.md §5).
leadflow_e2e_test(sla_ladder_e2e_test TIMEOUT 180
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/sla_ladder_test.cc)

# Holiday calendars and out-of-office windows (issue 19.2,
# docs/domain-rules.md "Calendars") over the real routing binary: holiday and
# out-of-office reps skipped, the SLA paused, windows set over gRPC and on
# reps.out-of-office, and rebuilt from the topic after a FLUSHALL.
leadflow_e2e_test(calendars_e2e_test TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/calendars_test.cc DEPS leadflow-routing leadflow-cli)

# RuleSimulationService.SimulateRules over the real routing binary (issue
# 19.1, docs/simulation.md): the sample leads flow, then a team caller is
# refused and the "rules:simulate" caller sees an empty diff for the live
# rules and moves for a changed weight.
leadflow_e2e_test(simulate_rules_grpc_e2e_test TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/simulate_rules_grpc_test.cc
  DEPS leadflow-intake leadflow-scoring leadflow-routing leadflow-nurture leadflow-cli)
