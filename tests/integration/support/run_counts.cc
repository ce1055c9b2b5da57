#include "tests/integration/support/run_counts.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace dbcache::testing {
namespace {

// Every outcome a query can end in.
constexpr const char* kOutcomes[] = {"hits", "misses", "coalesced", "writes",
                                     "errors"};

int64_t Count(const nlohmann::json& snapshot, const char* field) {
  const nlohmann::json* value =
      snapshot.contains(field) ? &snapshot.at(field) : nullptr;
  if (value == nullptr || !value->is_number_integer()) {
    ADD_FAILURE() << "'" << field << "' is missing or not an integer in "
                  << snapshot.dump();
    return 0;
  }
  return value->get<int64_t>();
}

}  // namespace

int64_t OutcomeSum(const nlohmann::json& snapshot) {
  int64_t sum = 0;
  for (const char* outcome : kOutcomes) sum += Count(snapshot, outcome);
  return sum;
}

void ExpectCountsAddUp(const nlohmann::json& snapshot) {
  ASSERT_TRUE(snapshot.is_object()) << snapshot.dump();
  const int64_t issued = Count(snapshot, "issued");
  const int64_t sum = OutcomeSum(snapshot);
  const int64_t in_flight = Count(snapshot, "in_flight");
  // While a run goes, the queries in flight are issued but not yet counted.
  EXPECT_EQ(sum + in_flight, issued) << snapshot.dump();
  EXPECT_EQ(Count(snapshot, "done"), sum) << snapshot.dump();
  // Every failed query has exactly one kind.
  const nlohmann::json& kinds =
      snapshot.value("errors_by_kind", nlohmann::json());
  EXPECT_TRUE(kinds.is_object()) << snapshot.dump();
  if (kinds.is_object()) {
    int64_t by_kind = 0;
    for (const auto& [kind, count] : kinds.items()) {
      by_kind += count.is_number_integer() ? count.get<int64_t>() : 0;
    }
    EXPECT_EQ(by_kind, Count(snapshot, "errors")) << snapshot.dump();
  }
  const std::string state = snapshot.value("state", "");
  if (state != "running") {
    EXPECT_EQ(in_flight, 0) << snapshot.dump();
  }
  if (state == "finished") {
    EXPECT_EQ(issued, Count(snapshot, "queries")) << snapshot.dump();
  }
}

}  // namespace dbcache::testing
