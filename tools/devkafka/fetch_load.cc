// devkafka-fetch-load: a bounded loopback load that shows what one Fetch costs
// leadflow-devkafka as its logs grow (bench/RESULTS.md, issue 21).
//
// A producer writes --messages small records at --rate per second, round
// robin over --partitions partitions of --topic, with linger.ms=0 so nearly
// every record is its own record batch (the mock keeps one entry per batch).
// A consumer (no group, assigned at the end of every partition) follows the
// tail meanwhile. Every --window seconds a line gives the records produced so
// far, the Fetch requests the consumer sent (librdkafka statistics) and
// devkafka's CPU (from /proc/<--devkafka-pid>/stat) per second and per fetch.
// At the end a second consumer reads every partition from the beginning and
// checks that each record is there once, in offset order.
//
//   devkafka-fetch-load --bootstrap 127.0.0.1:P --devkafka-pid PID
//       [--topic T] [--partitions 4] [--messages 200000] [--rate 4000]
//       [--window 5] [--max-seconds 120]
//
// Exit 0 if every record was produced and read back, 1 otherwise, 2 on usage.
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string bootstrap;
  std::string topic = "devkafka.fetch-load";
  int partitions = 4;
  long messages = 200000;
  long rate = 4000;
  int window_s = 5;
  int max_seconds = 120;
  long devkafka_pid = 0;
};

bool Parse(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--bootstrap")
      o->bootstrap = value;
    else if (flag == "--topic")
      o->topic = value;
    else if (flag == "--partitions")
      o->partitions = std::atoi(value.c_str());
    else if (flag == "--messages")
      o->messages = std::atol(value.c_str());
    else if (flag == "--rate")
      o->rate = std::atol(value.c_str());
    else if (flag == "--window")
      o->window_s = std::atoi(value.c_str());
    else if (flag == "--max-seconds")
      o->max_seconds = std::atoi(value.c_str());
    else if (flag == "--devkafka-pid")
      o->devkafka_pid = std::atol(value.c_str());
    else
      return false;
  }
  return argc % 2 == 1 && !o->bootstrap.empty() && o->partitions > 0 && o->messages > 0 &&
         o->rate > 0 && o->window_s > 0;
}

// utime + stime of a process, in seconds; 0 when unknown.
double CpuSeconds(long pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt (fields 3-13)
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Fetch requests a client has sent, from its latest statistics.
std::atomic<long> g_fetches{0};

int OnStats(rd_kafka_t*, char* json, size_t len, void*) {
  nlohmann::json stats = nlohmann::json::parse(std::string(json, len), nullptr, false);
  if (stats.is_discarded()) return 0;
  long fetches = 0;
  for (const auto& [name, broker] : stats["brokers"].items()) {
    if (broker.contains("req") && broker["req"].contains("Fetch")) {
      fetches += broker["req"]["Fetch"].get<long>();
    }
  }
  g_fetches = fetches;
  return 0;
}

// A client of `o.bootstrap` with `props`; with `count_fetches`, its Fetch
// requests are counted in g_fetches (statistics every 100 ms).
rd_kafka_t* NewClient(rd_kafka_type_t type, const Options& o,
                      std::vector<std::pair<std::string, std::string>> props,
                      bool count_fetches = false) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (count_fetches) {
    rd_kafka_conf_set_stats_cb(conf, OnStats);
    props.emplace_back("statistics.interval.ms", "100");
  }
  std::vector<std::pair<std::string, std::string>> all = {{"bootstrap.servers", o.bootstrap},
                                                          {"log_level", "3"}};
  all.insert(all.end(), props.begin(), props.end());
  for (const auto& [k, v] : all) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "config %s: %s\n", k.c_str(), err);
      std::exit(2);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == nullptr) {
    std::fprintf(stderr, "rd_kafka_new: %s\n", err);
    std::exit(1);
  }
  return rk;
}

rd_kafka_topic_partition_list_t* AllPartitions(const Options& o, int64_t offset) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(o.partitions);
  for (int p = 0; p < o.partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, o.topic.c_str(), p)->offset = offset;
  }
  return list;
}

// Follows the tail until `stop`; counts what it reads.
void Follow(rd_kafka_t* consumer, const std::atomic<bool>* stop, std::atomic<long>* read) {
  while (!stop->load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) ++*read;
    rd_kafka_message_destroy(m);
  }
}

// Reads every partition from the beginning; true if each holds its records
// once, at offsets 0, 1, 2, ...
bool ReadBack(const Options& o, long expected, double* seconds) {
  g_fetches = 0;
  rd_kafka_t* c = NewClient(RD_KAFKA_CONSUMER, o,
                            {{"group.id", "devkafka-fetch-load"}, {"enable.auto.commit", "false"}},
                            /*count_fetches=*/true);
  rd_kafka_poll_set_consumer(c);
  rd_kafka_topic_partition_list_t* list = AllPartitions(o, RD_KAFKA_OFFSET_BEGINNING);
  rd_kafka_assign(c, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<int64_t> next(static_cast<std::size_t>(o.partitions), 0);
  long read = 0;
  bool ordered = true;
  const auto start = Clock::now();
  while (read < expected && Clock::now() - start < std::chrono::seconds(o.max_seconds)) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      int64_t& want = next[static_cast<std::size_t>(m->partition)];
      if (m->offset != want) ordered = false;
      want = m->offset + 1;
      ++read;
    }
    rd_kafka_message_destroy(m);
  }
  *seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const auto settle = Clock::now() + std::chrono::milliseconds(300);  // the last statistics
  while (Clock::now() < settle) {
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 50)) rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
  std::printf("read back from the beginning: %ld of %ld records in %.2f s, %s\n", read, expected,
              *seconds, ordered ? "every partition in offset order" : "OFFSETS OUT OF ORDER");
  return read == expected && ordered;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: %s --bootstrap HOST:PORT [--devkafka-pid PID] [--topic T] "
                 "[--partitions N] [--messages N] [--rate N] [--window S] [--max-seconds S]\n",
                 argv[0]);
    return 2;
  }
  rd_kafka_t* producer = NewClient(RD_KAFKA_PRODUCER, o, {{"linger.ms", "0"}, {"acks", "all"}});
  rd_kafka_t* consumer = NewClient(
      RD_KAFKA_CONSUMER, o,
      {{"group.id", "unused"}, {"enable.auto.commit", "false"}, {"fetch.wait.max.ms", "100"}},
      /*count_fetches=*/true);
  rd_kafka_poll_set_consumer(consumer);

  // The topic exists once the first record is delivered (auto-created).
  char value[200];
  std::memset(value, 'v', sizeof value);
  rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(o.topic.c_str()), RD_KAFKA_V_PARTITION(0),
                    RD_KAFKA_V_VALUE(value, sizeof value), RD_KAFKA_V_END);
  rd_kafka_flush(producer, 10000);
  rd_kafka_topic_partition_list_t* list = AllPartitions(o, RD_KAFKA_OFFSET_END);
  rd_kafka_assign(consumer, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::atomic<bool> stop{false};
  std::atomic<long> followed{0};
  std::thread follower(Follow, consumer, &stop, &followed);
  std::this_thread::sleep_for(std::chrono::seconds(1));

  std::printf("%8s %10s %10s %9s %12s %14s\n", "t s", "produced", "followed", "fetches",
              "devkafka cpu", "cpu per fetch");
  const auto start = Clock::now();
  auto window_start = start;
  double window_cpu = CpuSeconds(o.devkafka_pid);
  long window_fetches = g_fetches;
  long produced = 1;
  double total_cpu = 0;
  long total_fetches = 0;
  while (produced < o.messages && Clock::now() - start < std::chrono::seconds(o.max_seconds)) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const long due =
        std::min(o.messages, 1 + static_cast<long>(elapsed * static_cast<double>(o.rate)));
    for (; produced < due; ++produced) {
      std::snprintf(value, sizeof value, "%ld", produced);
      rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(o.topic.c_str()),
                        RD_KAFKA_V_PARTITION(static_cast<int32_t>(produced % o.partitions)),
                        RD_KAFKA_V_VALUE(value, sizeof value),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    rd_kafka_poll(producer, 1);
    const auto now = Clock::now();
    if (now - window_start >= std::chrono::seconds(o.window_s)) {
      const double cpu = CpuSeconds(o.devkafka_pid);
      const long fetches = g_fetches;
      const double secs = std::chrono::duration<double>(now - window_start).count();
      const long df = fetches - window_fetches;
      total_cpu += cpu - window_cpu;
      total_fetches += df;
      std::printf("%8.1f %10ld %10ld %9ld %8.3f cores %11.1f us\n",
                  std::chrono::duration<double>(now - start).count(), produced, followed.load(), df,
                  (cpu - window_cpu) / secs,
                  df > 0 ? (cpu - window_cpu) * 1e6 / static_cast<double>(df) : 0.0);
      std::fflush(stdout);
      window_start = now;
      window_cpu = cpu;
      window_fetches = fetches;
    }
  }
  rd_kafka_flush(producer, 30000);
  const double produce_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  follower.join();
  std::printf(
      "produced %ld records in %.1f s; the tail follower read %ld; devkafka %.2f cpu s "
      "for %ld fetches in the windows (%.1f us per fetch)\n",
      produced, produce_seconds, followed.load(), total_cpu, total_fetches,
      total_fetches > 0 ? total_cpu * 1e6 / static_cast<double>(total_fetches) : 0.0);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_destroy(producer);
  const double before = CpuSeconds(o.devkafka_pid);
  double seconds = 0;
  const bool ok = ReadBack(o, produced, &seconds);
  const double cpu = CpuSeconds(o.devkafka_pid) - before;
  std::printf("devkafka cpu while reading back: %.2f s for %ld fetches (%.1f us per fetch)\n", cpu,
              g_fetches.load(), g_fetches > 0 ? cpu * 1e6 / static_cast<double>(g_fetches) : 0.0);
  return ok ? 0 : 1;
}
