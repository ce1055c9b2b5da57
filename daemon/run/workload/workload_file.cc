#include "daemon/run/workload/workload_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "daemon/common/str_cat.h"
#include "daemon/run/control_command.h"
#include "yaml-cpp/yaml.h"

namespace dbcache::run {
namespace {

constexpr int64_t kMaxWeight = 1'000'000;
constexpr size_t kMaxSqlSize = 16384;
constexpr size_t kMaxDescriptionSize = 1024;

// Builds errors that say where: "FILE:LINE: workload 'w', statement 's': ...".
class Where {
 public:
  explicit Where(std::string_view file) : file_(file) {}

  Where Within(std::string context) const {
    Where inner = *this;
    inner.context_ =
        context_.empty() ? std::move(context) : StrCat(context_, ", ", context);
    return inner;
  }

  absl::Status Error(const YAML::Node& node, std::string_view what) const {
    return Error(node.Mark().line + 1, what);
  }
  absl::Status Error(int line, std::string_view what) const {
    return absl::InvalidArgumentError(StrCat(
        file_, ":", line, ": ", context_, context_.empty() ? "" : ": ", what));
  }

 private:
  std::string file_;
  std::string context_;
};

int Line(const YAML::Node& node) { return node.Mark().line + 1; }

std::string Kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "empty";
    default:
      return "undefined";
  }
}

// The keys of a mapping, checked against those allowed there; each key once.
absl::Status CheckKeys(const Where& where, const YAML::Node& map,
                       std::initializer_list<std::string_view> allowed) {
  std::set<std::string> seen;
  for (const auto& entry : map) {
    if (!entry.first.IsScalar()) {
      return where.Error(entry.first, "a key must be a plain name");
    }
    const std::string key = entry.first.Scalar();
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key;
    if (!known) {
      std::string list;
      for (std::string_view a : allowed) {
        StrAppend(&list, list.empty() ? "" : ", ", a);
      }
      return where.Error(entry.first, StrCat("unknown key '", key.substr(0, 64),
                                             "' (allowed here: ", list, ")"));
    }
    if (!seen.insert(key).second) {
      return where.Error(entry.first, StrCat("key '", key, "' appears twice"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Text(const Where& where, const YAML::Node& node,
                                 std::string_view key, size_t max) {
  if (!node.IsScalar()) {
    return where.Error(node,
                       StrCat("'", key, "' must be text, not ", Kind(node)));
  }
  std::string text = node.Scalar();
  if (text.empty()) return where.Error(node, StrCat("'", key, "' is empty"));
  if (text.size() > max) {
    return where.Error(node, StrCat("'", key, "' is ", text.size(),
                                    " bytes long (at most ", max, ")"));
  }
  return text;
}

absl::StatusOr<int64_t> Integer(const Where& where, const YAML::Node& node,
                                std::string_view what) {
  int64_t value = 0;
  if (!node.IsScalar() || !absl::SimpleAtoi(node.Scalar(), &value)) {
    return where.Error(
        node,
        StrCat(what, " must be an integer, not ",
               node.IsScalar() ? StrCat("'", node.Scalar().substr(0, 40), "'")
                               : Kind(node)));
  }
  return value;
}

// Names of workloads, statements and parameters: [a-z][a-z0-9_]{0,63}.
absl::Status CheckName(const Where& where, const YAML::Node& node,
                       std::string_view what) {
  if (!node.IsScalar() || !IsWorkloadName(node.Scalar())) {
    return where.Error(
        node, StrCat(what, " '",
                     node.IsScalar() ? node.Scalar().substr(0, 64) : Kind(node),
                     "' is not a name ([a-z][a-z0-9_]{0,63})"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ParamSpec> ParseParam(const Where& where, const YAML::Node& key,
                                     const YAML::Node& node) {
  ParamSpec param;
  param.name = key.Scalar();
  param.line = Line(key);
  const Where here = where.Within(StrCat("parameter '", param.name, "'"));
  if (!node.IsMap()) {
    return here.Error(key, StrCat("must be a mapping with range: [LO, HI] or "
                                  "sample: SELECT ..., not ",
                                  Kind(node)));
  }
  if (absl::Status keys = CheckKeys(here, node, {"range", "sample", "dist"});
      !keys.ok()) {
    return keys;
  }
  const YAML::Node range = node["range"];
  const YAML::Node sample = node["sample"];
  if (range.IsDefined() == sample.IsDefined()) {
    return here.Error(key,
                      "needs exactly one of range: [LO, HI] and "
                      "sample: SELECT ...");
  }
  if (range.IsDefined()) {
    if (!range.IsSequence() || range.size() != 2) {
      return here.Error(range, "range must be [LO, HI]");
    }
    absl::StatusOr<int64_t> lo = Integer(here, range[0], "range's LO");
    if (!lo.ok()) return lo.status();
    absl::StatusOr<int64_t> hi = Integer(here, range[1], "range's HI");
    if (!hi.ok()) return hi.status();
    if (*lo > *hi) {
      return here.Error(
          range, StrCat("range [", *lo, ", ", *hi, "] is empty (LO > HI)"));
    }
    // keys= counts values in an int64; a wider range could not be drawn.
    if (*hi - *lo >= (int64_t{1} << 62)) {
      return here.Error(range, "range is too wide");
    }
    param.source = ParamSpec::Source::kRange;
    param.lo = *lo;
    param.hi = *hi;
  } else {
    absl::StatusOr<std::string> sql = Text(here, sample, "sample", kMaxSqlSize);
    if (!sql.ok()) return sql.status();
    const std::string_view head = std::string_view(*sql).substr(0, 7);
    if (head.size() < 7 ||
        !absl::EqualsIgnoreCase(AsAbsl(head.substr(0, 6)), "select") ||
        (head[6] != ' ' && head[6] != '\n' && head[6] != '\t')) {
      return here.Error(sample, "sample must be a SELECT statement");
    }
    param.source = ParamSpec::Source::kSample;
    param.sample_sql = *std::move(sql);
  }
  if (const YAML::Node dist = node["dist"]; dist.IsDefined()) {
    absl::StatusOr<std::string> text = Text(here, dist, "dist", 64);
    if (!text.ok()) return text.status();
    absl::StatusOr<KeyDistribution> parsed = ParseKeyDistribution(*text);
    if (!parsed.ok()) {
      return here.Error(dist,
                        StrCat("dist ", *text, " ", parsed.status().message()));
    }
    param.dist = *parsed;
  }
  return param;
}

absl::StatusOr<StatementSpec> ParseStatement(const Where& where,
                                             const YAML::Node& node) {
  if (!node.IsMap()) {
    return where.Error(node, StrCat("a statement must be a mapping with name "
                                    "and sql, not ",
                                    Kind(node)));
  }
  const YAML::Node name = node["name"];
  if (!name.IsDefined()) return where.Error(node, "a statement needs a name");
  if (absl::Status ok = CheckName(where, name, "statement name"); !ok.ok()) {
    return ok;
  }
  StatementSpec statement;
  statement.name = name.Scalar();
  statement.line = Line(node);
  const Where here = where.Within(StrCat("statement '", statement.name, "'"));
  if (absl::Status keys = CheckKeys(
          here, node, {"name", "weight", "sql", "params", "write", "affects"});
      !keys.ok()) {
    return keys;
  }
  if (const YAML::Node weight = node["weight"]; weight.IsDefined()) {
    absl::StatusOr<int64_t> w = Integer(here, weight, "weight");
    if (!w.ok()) return w.status();
    if (*w < 1 || *w > kMaxWeight) {
      return here.Error(
          weight, StrCat("weight ", *w, " is out of range 1..", kMaxWeight));
    }
    statement.weight = *w;
  }
  if (const YAML::Node write = node["write"]; write.IsDefined()) {
    if (!write.IsScalar() ||
        (write.Scalar() != "true" && write.Scalar() != "false")) {
      return here.Error(write, "write must be true or false");
    }
    statement.write = write.Scalar() == "true";
  }
  if (const YAML::Node affects = node["affects"]; affects.IsDefined()) {
    if (!statement.write) {
      return here.Error(affects, "affects is for writes (write: true)");
    }
    if (!affects.IsSequence() || affects.size() == 0) {
      return here.Error(affects,
                        "affects must be a list of the read statements the "
                        "write changes");
    }
    for (const YAML::Node& read : affects) {
      if (absl::Status ok = CheckName(here, read, "affected statement");
          !ok.ok()) {
        return ok;
      }
      statement.affects.push_back(read.Scalar());
    }
  } else if (statement.write) {
    return here.Error(node,
                      "a write needs affects: the read statements it "
                      "changes, so that it can invalidate them and their "
                      "staleness can be measured");
  }
  const YAML::Node sql = node["sql"];
  if (!sql.IsDefined()) return here.Error(node, "needs sql");
  absl::StatusOr<std::string> text = Text(here, sql, "sql", kMaxSqlSize);
  if (!text.ok()) return text.status();
  statement.sql = *std::move(text);
  if (const YAML::Node params = node["params"]; params.IsDefined()) {
    if (!params.IsMap()) {
      return here.Error(params, StrCat("params must be a mapping of names, "
                                       "not ",
                                       Kind(params)));
    }
    std::set<std::string> seen;
    for (const auto& entry : params) {
      if (absl::Status ok = CheckName(here, entry.first, "parameter name");
          !ok.ok()) {
        return ok;
      }
      if (statement.write && entry.first.Scalar() == kVersionPlaceholder) {
        return here.Error(entry.first,
                          "'version' is not a parameter of a write: "
                          "dbcached fills {version} itself");
      }
      if (!seen.insert(entry.first.Scalar()).second) {
        return here.Error(
            entry.first,
            StrCat("parameter '", entry.first.Scalar(), "' is declared twice"));
      }
      absl::StatusOr<ParamSpec> param =
          ParseParam(here, entry.first, entry.second);
      if (!param.ok()) return param.status();
      statement.params.push_back(*std::move(param));
    }
  }
  std::vector<std::string> names;
  for (const ParamSpec& p : statement.params) names.push_back(p.name);
  // A write's last slot is the version dbcached gives it.
  if (statement.write) names.emplace_back(kVersionPlaceholder);
  absl::StatusOr<SqlTemplate> parsed = ParseSqlTemplate(statement.sql, names);
  if (!parsed.ok()) {
    return here.Error(
        sql, StrCat(AsStd(parsed.status().message()),
                    statement.write && !absl::StrContains(AsAbsl(statement.sql),
                                                          "{version}")
                        ? " (a write sets version = {version})"
                        : ""));
  }
  statement.sql_template = *std::move(parsed);
  return statement;
}

// Binds each read a write names to the write's parameters of the same names.
absl::Status ResolveAffects(const Where& where, const YAML::Node& node,
                            WorkloadSpec& workload, size_t s) {
  StatementSpec& write = workload.statements[s];
  const Where here = where.Within(StrCat("statement '", write.name, "'"));
  const YAML::Node affects = node["affects"];
  size_t i = 0;
  for (const std::string& name : write.affects) {
    const YAML::Node at = affects[i++];
    size_t r = 0;
    while (r < workload.statements.size() &&
           workload.statements[r].name != name) {
      ++r;
    }
    if (r == workload.statements.size()) {
      return here.Error(at, StrCat("affects '", name,
                                   "', which is not a statement of this "
                                   "workload"));
    }
    const StatementSpec& read = workload.statements[r];
    if (read.write) {
      return here.Error(at, StrCat("affects '", name,
                                   "', which is a write: only reads are "
                                   "cached"));
    }
    AffectedRead affected{r, {}};
    for (const ParamSpec& p : read.params) {
      size_t w = 0;
      while (w < write.params.size() && write.params[w].name != p.name) ++w;
      if (w == write.params.size()) {
        return here.Error(
            at, StrCat("affects '", name, "', whose parameter '", p.name,
                       "' the write does not have: a write names the keys "
                       "it changes through parameters of the same names"));
      }
      affected.write_params.push_back(w);
    }
    write.affected.push_back(std::move(affected));
  }
  return absl::OkStatus();
}

absl::StatusOr<WorkloadSpec> ParseWorkload(const Where& where,
                                           const YAML::Node& key,
                                           const YAML::Node& node) {
  WorkloadSpec workload;
  workload.name = key.Scalar();
  workload.line = Line(key);
  const Where here = where.Within(StrCat("workload '", workload.name, "'"));
  if (!node.IsMap()) {
    return here.Error(
        key, StrCat("must be a mapping with statements, not ", Kind(node)));
  }
  if (absl::Status keys = CheckKeys(here, node, {"description", "statements"});
      !keys.ok()) {
    return keys;
  }
  if (const YAML::Node d = node["description"]; d.IsDefined()) {
    absl::StatusOr<std::string> text =
        Text(here, d, "description", kMaxDescriptionSize);
    if (!text.ok()) return text.status();
    workload.description = *std::move(text);
  }
  const YAML::Node statements = node["statements"];
  if (!statements.IsDefined() || !statements.IsSequence() ||
      statements.size() == 0) {
    return here.Error(statements.IsDefined() ? statements : key,
                      "needs statements: a list of at least one");
  }
  std::set<std::string> names;
  for (const YAML::Node& s : statements) {
    absl::StatusOr<StatementSpec> statement = ParseStatement(here, s);
    if (!statement.ok()) return statement.status();
    if (!names.insert(statement->name).second) {
      return here.Error(
          s, StrCat("statement '", statement->name, "' is defined twice"));
    }
    workload.statements.push_back(*std::move(statement));
  }
  size_t s = 0;
  for (const YAML::Node& node : statements) {
    if (absl::Status resolved = ResolveAffects(here, node, workload, s++);
        !resolved.ok()) {
      return resolved;
    }
  }
  return workload;
}

}  // namespace

absl::StatusOr<WorkloadCatalog> ParseWorkloadFile(
    std::string_view text, std::string_view name,
    std::string_view demo_sql_template) {
  const Where where(name);
  if (text.size() > kMaxWorkloadFileSize) {
    return where.Error(
        1, StrCat("the file is ", text.size(), " bytes long (at most ",
                  kMaxWorkloadFileSize, ")"));
  }
  WorkloadCatalog catalog(demo_sql_template);
  // yaml-cpp reports errors by throwing; nothing else here does.
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return catalog;  // An empty file: the demo only.
    if (!root.IsMap()) {
      return where.Error(root, StrCat("the file must be a mapping with "
                                      "workloads, not ",
                                      Kind(root)));
    }
    if (absl::Status keys = CheckKeys(where, root, {"workloads"}); !keys.ok()) {
      return keys;
    }
    const YAML::Node workloads = root["workloads"];
    if (!workloads.IsDefined() || workloads.IsNull()) return catalog;
    if (!workloads.IsMap()) {
      return where.Error(workloads, StrCat("workloads must be a mapping of "
                                           "names, not ",
                                           Kind(workloads)));
    }
    for (const auto& entry : workloads) {
      if (absl::Status ok = CheckName(where, entry.first, "workload name");
          !ok.ok()) {
        return ok;
      }
      absl::StatusOr<WorkloadSpec> workload =
          ParseWorkload(where, entry.first, entry.second);
      if (!workload.ok()) return workload.status();
      if (absl::Status added = catalog.Add(*std::move(workload)); !added.ok()) {
        return where.Error(entry.first, AsStd(added.message()));
      }
    }
  } catch (const YAML::Exception& e) {
    return where.Error(e.mark.line + 1, StrCat("not valid YAML: ", e.msg));
  }
  return catalog;
}

absl::StatusOr<WorkloadCatalog> LoadWorkloadFile(
    const std::string& path, std::string_view demo_sql_template) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        StrCat("cannot read workload file ", path, ": ", std::strerror(errno)));
  }
  std::string text;
  text.resize(kMaxWorkloadFileSize + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) {
    return absl::DataLossError(StrCat("cannot read workload file ", path));
  }
  return ParseWorkloadFile(text, path, demo_sql_template);
}

absl::StatusOr<ConfiguredWorkloads> LoadConfiguredWorkloads(
    const std::string& path, std::string_view demo_sql_template) {
  std::string chosen = path;
  if (chosen.empty()) {
    for (std::string_view candidate :
         {kInstalledWorkloadFile, kSourceWorkloadFile}) {
      std::error_code error;
      if (std::filesystem::exists(candidate, error)) {
        chosen = std::string(candidate);
        break;
      }
    }
  }
  if (chosen.empty()) {
    return ConfiguredWorkloads{WorkloadCatalog(demo_sql_template), ""};
  }
  absl::StatusOr<WorkloadCatalog> catalog =
      LoadWorkloadFile(chosen, demo_sql_template);
  if (!catalog.ok()) return catalog.status();
  return ConfiguredWorkloads{*std::move(catalog), chosen};
}

}  // namespace dbcache::run
