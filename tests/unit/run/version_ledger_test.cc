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

TEST_F(VersionLedgerTest, AReadIsStaleOnlyAfterANewerWriteCommitted) {
  EXPECT_TRUE(ledger_.empty());
  ledger_.Started(ab_, 10, 100);
  EXPECT_TRUE(ledger_.Tracks("k:a"));
  EXPECT_TRUE(ledger_.Tracks("k:b"));
  EXPECT_FALSE(ledger_.Tracks("k:c"));
  // In flight: no read can be told stale by it yet.
  EXPECT_EQ(ledger_.StaleFor("k:a", 1, 150), std::nullopt);
  ledger_.Committed(ab_, 10, 200);
  // A read that began before the commit was not stale; one after, holding
  // version 1, was, for as long as the commit is old.
  EXPECT_EQ(ledger_.StaleFor("k:a", 1, 199), std::nullopt);
  EXPECT_EQ(ledger_.StaleFor("k:a", 1, 200), 0);
  EXPECT_EQ(ledger_.StaleFor("k:b", 1, 750), 550);
  // Rows holding the write are fresh.
  EXPECT_EQ(ledger_.StaleFor("k:a", 10, 750), std::nullopt);
  EXPECT_EQ(ledger_.StaleFor("k:c", 1, 750), std::nullopt);
}

TEST_F(VersionLedgerTest, TheAgeCountsFromTheFirstNewerCommit) {
  ledger_.Started(a_, 10, 100);
  ledger_.Committed(a_, 10, 200);
  ledger_.Started(a_, 20, 300);
  ledger_.Committed(a_, 20, 400);
  EXPECT_EQ(ledger_.StaleFor("k:a", 1, 1000), 800);   // since version 10
  EXPECT_EQ(ledger_.StaleFor("k:a", 10, 1000), 600);  // since version 20
  EXPECT_EQ(ledger_.StaleFor("k:a", 20, 1000), std::nullopt);
}

TEST_F(VersionLedgerTest, WritesThatCommitOutOfOrderGiveTheEarliestCommit) {
  // 20 was issued after 10 but committed first.
  ledger_.Started(a_, 10, 100);
  ledger_.Started(a_, 20, 110);
  ledger_.Committed(a_, 20, 150);
  EXPECT_EQ(ledger_.StaleFor("k:a", 1, 160), 10);
  ledger_.Committed(a_, 10, 300);
  EXPECT_EQ(ledger_.StaleFor("k:a", 1, 400), 250);  // 20's commit, at 150
  // Rows holding 10 but not 20 are stale since 20 committed.
  EXPECT_EQ(ledger_.StaleFor("k:a", 10, 400), 250);
}

TEST_F(VersionLedgerTest, AFailedWriteChangedNothing) {
  ledger_.Started(a_, 10, 100);
  ledger_.Failed(a_, 10);
  EXPECT_EQ(ledger_.StaleFor("k:a", 1, 500), std::nullopt);
  EXPECT_FALSE(ledger_.Explains("k:a", 1));
  // Committing a version the ledger never saw changes nothing either.
  ledger_.Committed(a_, 99, 200);
  EXPECT_EQ(ledger_.StaleFor("k:a", 1, 500), std::nullopt);
}

TEST_F(VersionLedgerTest,
       ADifferenceIsExplainedByAnyWriteNewerThanTheOldestRow) {
  ledger_.Started(a_, 10, 100);
  // In flight explains: the verify re-read may already see it.
  EXPECT_TRUE(ledger_.Explains("k:a", 1));
  ledger_.Committed(a_, 10, 200);
  EXPECT_TRUE(ledger_.Explains("k:a", 9));
  EXPECT_FALSE(ledger_.Explains("k:a", 10));
  EXPECT_FALSE(ledger_.Explains("k:b", 1));
  ledger_.Clear();
  EXPECT_TRUE(ledger_.empty());
  EXPECT_FALSE(ledger_.Explains("k:a", 1));
}

}  // namespace
}  // namespace dbcache::run
