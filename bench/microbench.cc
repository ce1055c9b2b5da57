// Microbenchmarks of what dbcached does per query: the result-set codec (a
// 75-row, 2-column result like the default workload's largest), the latency
// histogram, the cache-key digest, the workload's SQL rendering, and the
// control-message parser (once per run, but it faces untrusted input).
//
//   build/bin/dbcache_microbench                          # everything
//   build/bin/dbcache_microbench --benchmark_filter=Codec  # one family
//   build/bin/dbcache_microbench --benchmark_min_time=0.01 # a smoke run
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/clock.h"
#include "daemon/cache/codec.h"
#include "daemon/cache/digest.h"
#include "daemon/cache/result_set.h"
#include "daemon/run/control_command.h"
#include "daemon/run/histogram.h"
#include "daemon/run/run_stats.h"
#include "daemon/run/stats_json.h"
#include "daemon/run/workload/workload.h"

namespace dbcache {
namespace {

constexpr std::string_view kSql =
    "SELECT customer_id, review_id FROM reviews LIMIT 75";

// Cells shaped like the seeded reviews: an 8-digit customer id and a
// 14-character review id ("R" + 13 base-36 digits).
struct Cells {
  std::vector<std::string> customer_ids;
  std::vector<std::string> review_ids;
};

Cells MakeCells(int rows) {
  Cells cells;
  std::mt19937_64 rng(42);
  constexpr std::string_view kBase36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (int i = 0; i < rows; ++i) {
    cells.customer_ids.push_back(
        std::to_string(10'000'000 + rng() % 89'999'999));
    std::string review_id = "R";
    for (int j = 0; j < 13; ++j) review_id += kBase36[rng() % kBase36.size()];
    cells.review_ids.push_back(std::move(review_id));
  }
  return cells;
}

cache::ResultSet MakeResultSet(int rows) {
  const Cells cells = MakeCells(rows);
  cache::ResultSet result;
  result.columns = {"customer_id", "review_id"};
  for (int i = 0; i < rows; ++i) {
    result.rows.push_back({cells.customer_ids[i], cells.review_ids[i]});
  }
  return result;
}

// What the miss path does: rows straight into the writer, reused buffer.
void BM_CodecEncodeWriter(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  const Cells cells = MakeCells(rows);
  std::string value;
  for (auto _ : state) {
    cache::ResultSetWriter writer(&value);
    writer.Begin(2);
    writer.AddColumnName("customer_id");
    writer.AddColumnName("review_id");
    writer.BeginRows(static_cast<uint64_t>(rows));
    for (int i = 0; i < rows; ++i) {
      writer.AddCell(cells.customer_ids[i]);
      writer.AddCell(cells.review_ids[i]);
    }
    writer.Finish();
    benchmark::DoNotOptimize(value.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(value.size()));
  state.counters["value_bytes"] = static_cast<double>(value.size());
}
BENCHMARK(BM_CodecEncodeWriter)->Arg(1)->Arg(38)->Arg(75);

void BM_CodecEncodeResultSet(benchmark::State& state) {
  const cache::ResultSet result =
      MakeResultSet(static_cast<int>(state.range(0)));
  std::string value;
  for (auto _ : state) {
    cache::EncodeResultSet(result, &value);
    benchmark::DoNotOptimize(value.data());
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(value.size()));
}
BENCHMARK(BM_CodecEncodeResultSet)->Arg(75);

// What the hit path does: the header and the checksum, no cell walk.
void BM_CodecCheck(benchmark::State& state) {
  const std::string value =
      cache::EncodeResultSet(MakeResultSet(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    auto entry = cache::CheckResultSet(value);
    benchmark::DoNotOptimize(entry);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(value.size()));
}
BENCHMARK(BM_CodecCheck)->Arg(1)->Arg(38)->Arg(75);

// The full structural check, without materializing anything.
void BM_CodecValidate(benchmark::State& state) {
  const std::string value =
      cache::EncodeResultSet(MakeResultSet(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    auto shape = cache::ValidateResultSet(value);
    benchmark::DoNotOptimize(shape);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(value.size()));
}
BENCHMARK(BM_CodecValidate)->Arg(1)->Arg(38)->Arg(75);

void BM_CodecDecode(benchmark::State& state) {
  const std::string value =
      cache::EncodeResultSet(MakeResultSet(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    auto decoded = cache::DecodeResultSet(value);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(value.size()));
}
BENCHMARK(BM_CodecDecode)->Arg(75);

// Encode + validate + decode of the 75-row result, as one unit.
void BM_CodecRoundTrip75(benchmark::State& state) {
  const cache::ResultSet result = MakeResultSet(75);
  std::string value;
  for (auto _ : state) {
    cache::EncodeResultSet(result, &value);
    auto shape = cache::ValidateResultSet(value);
    auto decoded = cache::DecodeResultSet(value);
    benchmark::DoNotOptimize(shape);
    benchmark::DoNotOptimize(decoded);
  }
}
BENCHMARK(BM_CodecRoundTrip75);

// Latencies spread like a run's: mostly 50..500 µs, some milliseconds.
std::vector<uint64_t> MakeLatencies() {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> distribution(11.8, 0.6);  // ~130 µs
  std::vector<uint64_t> values(4096);
  for (uint64_t& v : values) v = static_cast<uint64_t>(distribution(rng));
  return values;
}

void BM_HistogramRecord(benchmark::State& state) {
  const std::vector<uint64_t> values = MakeLatencies();
  run::LatencyHistogram histogram;
  size_t i = 0;
  for (auto _ : state) {
    histogram.Record(values[i++ & (values.size() - 1)]);
  }
  benchmark::DoNotOptimize(histogram.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

// What every completed query costs the run's bookkeeping: its outcome, its two
// latency histograms, its interval (one closes every 10,000 queries). The
// simulated clock moves 10 µs a query (100,000 queries a second).
void BM_RunStatsComplete(benchmark::State& state) {
  const std::vector<uint64_t> values = MakeLatencies();
  run::RunStats stats;
  stats.Begin(run::RunParams(), "bench-1", absl::Now(), 0);
  size_t i = 0;
  int64_t now_ns = 0;
  for (auto _ : state) {
    const uint64_t ns = values[i++ & (values.size() - 1)];
    now_ns += 10'000;
    stats.Complete(i % 20 == 0 ? run::Outcome::kMiss : run::Outcome::kHit, ns,
                   ns, now_ns);
  }
  benchmark::DoNotOptimize(stats.done());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RunStatsComplete);

// Summarize is what every 100 ms snapshot pays, per histogram (a run has four).
void BM_HistogramSummarize(benchmark::State& state) {
  const std::vector<uint64_t> values = MakeLatencies();
  run::LatencyHistogram histogram;
  for (int64_t i = 0; i < state.range(0); ++i) {
    histogram.Record(values[static_cast<size_t>(i) & (values.size() - 1)]);
  }
  for (auto _ : state) {
    run::LatencySummary summary = histogram.Summarize();
    benchmark::DoNotOptimize(summary);
  }
}
BENCHMARK(BM_HistogramSummarize)->Arg(1000)->Arg(1'000'000);

void BM_CacheKey(benchmark::State& state) {
  std::string key;
  for (auto _ : state) {
    key.clear();
    cache::AppendCacheKey(&key, "dbcache:", "reviews", kSql);
    benchmark::DoNotOptimize(key.data());
  }
}
BENCHMARK(BM_CacheKey);

void BM_CacheKeyAllocating(benchmark::State& state) {
  for (auto _ : state) {
    std::string key = cache::CacheKey("dbcache:", "reviews", kSql);
    benchmark::DoNotOptimize(key.data());
  }
}
BENCHMARK(BM_CacheKeyAllocating);

// Per query: draw n, render the SQL and its key into reused buffers.
void BM_WorkloadNextAndRender(benchmark::State& state) {
  run::Workload workload("SELECT customer_id, review_id FROM reviews LIMIT {}",
                         "reviews", "dbcache:", 75, 1);
  std::string sql;
  std::string key;
  for (auto _ : state) {
    workload.Next(&sql, &key);
    benchmark::DoNotOptimize(key.data());
  }
}
BENCHMARK(BM_WorkloadNextAndRender);

// A run of `queries` queries, one completing every step_ns, 5% of them misses.
void FillRun(run::RunStats& stats, int64_t queries, int64_t step_ns) {
  const std::vector<uint64_t> values = MakeLatencies();
  run::RunParams params;
  params.queries = queries;
  params.seed = 7;
  stats.Begin(params, "bench-1", absl::Now(), 0);
  run::Workload workload("SELECT customer_id, review_id FROM reviews LIMIT {}",
                         "reviews", "dbcache:", 75, 1);
  std::string sql;
  std::string key;
  for (int64_t i = 0; i < queries; ++i) {
    const uint64_t ns = values[static_cast<size_t>(i) & (values.size() - 1)];
    const int64_t now_ns = (i + 1) * step_ns;
    stats.RecordIssued();
    if (i % 20 == 0) {
      mysql::QueryTiming timing;
      timing.exec_ns = static_cast<int64_t>(ns * 3);
      stats.RecordDb(timing, true);
      stats.Complete(run::Outcome::kMiss, ns * 3, ns * 3, now_ns);
    } else {
      stats.RecordCacheGet(ns);
      stats.Complete(run::Outcome::kHit, ns, ns, now_ns);
    }
    workload.Next(&sql, &key);
    stats.AddLog(static_cast<uint64_t>(i + 1), sql, run::Outcome::kHit, ns);
  }
}

// What every snapshot tick (100 ms by default) builds for dbcache:stats and
// dbcache:log: the run's JSON with chart buckets, and the 25 log entries.
// range(1) != 0 adds the series; the run lasts 60 s, so that it is full (600
// intervals).
void BM_SnapshotJson(benchmark::State& state) {
  constexpr int64_t kRunNs = 60'000'000'000;
  run::RunStats stats;
  FillRun(stats, state.range(0), kRunNs / state.range(0));
  run::SnapshotContext context;
  context.now_ns = kRunNs;
  context.wall_now = absl::Now();
  context.sql_template = "SELECT customer_id, review_id FROM reviews LIMIT {}";
  context.histograms = true;
  context.series = state.range(1) != 0;
  size_t bytes = 0;
  for (auto _ : state) {
    std::string json = run::DumpJson(run::RunJson(stats, context));
    bytes = json.size();
    stats.ForEachLog([&](const run::LogEntry& entry) {
      std::string line =
          run::DumpJson(run::LogEntryJson(entry, stats.run_id()));
      benchmark::DoNotOptimize(line.data());
    });
    benchmark::DoNotOptimize(json.data());
  }
  state.counters["stats_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_SnapshotJson)->Args({100'000, 0})->Args({100'000, 1});

void BM_ParseControlText(benchmark::State& state) {
  constexpr std::string_view kMessage =
      "run queries=100000 concurrency=64 ttl_ms=600000 limit_max=75 seed=7 "
      "id=bench-1 cache=on";
  for (auto _ : state) {
    auto command = run::ParseControlMessage(kMessage);
    benchmark::DoNotOptimize(command);
  }
}
BENCHMARK(BM_ParseControlText);

void BM_ParseControlJson(benchmark::State& state) {
  constexpr std::string_view kMessage =
      R"({"cmd":"run","queries":100000,"concurrency":64,"ttl_ms":600000,)"
      R"("limit_max":75,"seed":7,"id":"bench-1","cache":"on"})";
  for (auto _ : state) {
    auto command = run::ParseControlMessage(kMessage);
    benchmark::DoNotOptimize(command);
  }
}
BENCHMARK(BM_ParseControlJson);

void BM_ParseControlBad(benchmark::State& state) {
  constexpr std::string_view kMessage = "run querys=1000 concurrency=8";
  for (auto _ : state) {
    auto command = run::ParseControlMessage(kMessage);
    benchmark::DoNotOptimize(command);
  }
}
BENCHMARK(BM_ParseControlBad);

}  // namespace
}  // namespace dbcache

BENCHMARK_MAIN();
