#include "daemon/run/freshness/version_ledger.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace dbcache::run {
namespace {

// Times are nanoseconds on a clock the test moves by hand.
class VersionLedgerTest : public ::testing::Test {
 protected:
  const std::vector<std::string> a_{"k:a"};
  const std::vector<std::string> ab_{"k:a", "k:b"};
  VersionLedger ledger_;
};

TEST_F(VersionLedgerTest, AReadIsStaleOnlyAfterALaterCommitToItsKey) {
  EXPECT_TRUE(ledger_.empty());
  ledger_.Started(ab_, 10);
  EXPECT_TRUE(ledger_.Tracks("k:a"));
  EXPECT_TRUE(ledger_.Tracks("k:b"));
  EXPECT_FALSE(ledger_.Tracks("k:c"));
  // Rows holding version 1 (from before the run) are as of before any write.
  const std::vector<uint64_t> old = {1, 1};
  EXPECT_EQ(ledger_.AsOf(old), VersionLedger::kBeforeAny);
  // In flight: no read can be told stale by it yet.
  EXPECT_EQ(ledger_.StaleFor("k:a", VersionLedger::kBeforeAny, 150),
            std::nullopt);
  ledger_.Committed(ab_, 10, 200);
  // A read that began before the commit was not stale; one after, holding
  // the old rows, was, for as long as the commit is old.
  EXPECT_EQ(ledger_.StaleFor("k:a", ledger_.AsOf(old), 199), std::nullopt);
  EXPECT_EQ(ledger_.StaleFor("k:a", ledger_.AsOf(old), 200), 0);
  EXPECT_EQ(ledger_.StaleFor("k:b", ledger_.AsOf(old), 750), 550);
  // Rows holding the write are as of its commit, and fresh.
  const std::vector<uint64_t> written = {1, 10};
  EXPECT_EQ(ledger_.AsOf(written), 200);
  EXPECT_EQ(ledger_.StaleFor("k:a", 200, 750), std::nullopt);
  EXPECT_EQ(ledger_.StaleFor("k:c", VersionLedger::kBeforeAny, 750),
            std::nullopt);
}

TEST_F(VersionLedgerTest, TheAgeCountsFromTheFirstLaterCommit) {
  ledger_.Started(a_, 10);
  ledger_.Committed(a_, 10, 200);
  ledger_.Started(a_, 20);
  ledger_.Committed(a_, 20, 400);
  const std::vector<uint64_t> v1 = {1}, v10 = {10}, v20 = {20};
  EXPECT_EQ(ledger_.StaleFor("k:a", ledger_.AsOf(v1), 1000), 800);
  EXPECT_EQ(ledger_.StaleFor("k:a", ledger_.AsOf(v10), 1000), 600);
  EXPECT_EQ(ledger_.StaleFor("k:a", ledger_.AsOf(v20), 1000), std::nullopt);
}

// Two writes of one row commit in the other order than their versions: the
// row holds the one that committed last, and that is what is fresh.
TEST_F(VersionLedgerTest, CommitOrderNotVersionOrderDecides) {
  ledger_.Started(a_, 10);
  ledger_.Started(a_, 20);
  ledger_.Committed(a_, 20, 150);
  ledger_.Committed(a_, 10, 300);
  const std::vector<uint64_t> v10 = {10}, v20 = {20};
  EXPECT_EQ(ledger_.StaleFor("k:a", ledger_.AsOf(v10), 400), std::nullopt);
  // Rows holding 20 were overwritten by 10's commit at 300.
  EXPECT_EQ(ledger_.StaleFor("k:a", ledger_.AsOf(v20), 400), 100);
}

TEST_F(VersionLedgerTest, RowsHoldingAWriteInFlightAreFreshAndAFailureIsNone) {
  ledger_.Started(a_, 10);
  ledger_.Committed(a_, 10, 100);
  ledger_.Started(a_, 20);
  // The row already holds 20, whose answer has not come: nothing is newer.
  const std::vector<uint64_t> v20 = {20};
  EXPECT_EQ(ledger_.AsOf(v20), VersionLedger::kNewest);
  EXPECT_EQ(ledger_.StaleFor("k:a", ledger_.AsOf(v20), 500), std::nullopt);
  ledger_.Failed(a_, 20);
  EXPECT_EQ(ledger_.AsOf(v20), VersionLedger::kBeforeAny);
  // Committing a version the ledger never started changes nothing.
  ledger_.Committed(a_, 99, 200);
  const std::vector<uint64_t> v10 = {10};
  EXPECT_EQ(ledger_.StaleFor("k:a", ledger_.AsOf(v10), 500), std::nullopt);
}

TEST_F(VersionLedgerTest, ADifferenceIsExplainedByAWriteAfterTheRows) {
  ledger_.Started(a_, 10);
  // In flight explains: the verify re-read may already see it.
  EXPECT_TRUE(ledger_.Explains("k:a", VersionLedger::kBeforeAny));
  ledger_.Committed(a_, 10, 200);
  EXPECT_TRUE(ledger_.Explains("k:a", 199));
  EXPECT_FALSE(ledger_.Explains("k:a", 200));
  EXPECT_FALSE(ledger_.Explains("k:b", VersionLedger::kBeforeAny));
  ledger_.Clear();
  EXPECT_TRUE(ledger_.empty());
  EXPECT_FALSE(ledger_.Explains("k:a", VersionLedger::kBeforeAny));
}

}  // namespace
}  // namespace dbcache::run
