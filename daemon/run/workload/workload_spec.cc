#include "daemon/run/workload/workload_spec.h"

namespace dbcache::run {

WorkloadSpec DemoWorkload(std::string_view sql_template) {
  ParamSpec n;
  n.name = "n";
  n.source = ParamSpec::Source::kLimitMax;
  StatementSpec statement;
  statement.name = "demo";
  statement.sql = std::string(sql_template);
  statement.sql_template = DemoSqlTemplate(sql_template);
  statement.params.push_back(std::move(n));
  WorkloadSpec demo;
  demo.name = "demo";
  demo.description =
      "The original demo: the configured SQL with LIMIT n, n in 1..limit_max.";
  demo.statements.push_back(std::move(statement));
  return demo;
}

}  // namespace dbcache::run
