#include "store/postgres_db.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <optional>
#include <regex>
#include <unordered_map>

#include "observe/log.h"
#include "store/migrations.h"
#include "store/statement_name.h"

namespace vigil {
namespace {

// SQLSTATEs that mean "try again later" rather than "the statement is
// wrong": connection exceptions (08), the server shutting down or starting
// up (57P), too many connections and other insufficient resources (53), a
// serialization failure or deadlock (40001, 40P01), a lock wait that timed
// out (55P03). No SQLSTATE at all means libpq lost the server.
bool ConnectionTrouble(const char* sqlstate) {
  if (sqlstate == nullptr) return true;
  const std::string code = sqlstate;
  return code.rfind("08", 0) == 0 || code.rfind("57P", 0) == 0 || code.rfind("53", 0) == 0 ||
         code == "40001" || code == "40P01" || code == "55P03";
}

// libpq's notices and warnings (a server WARNING, "there is no transaction
// in progress", ...) go to the JSON log rather than raw onto stderr.
void LogNotice(void*, const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  Log(LogLevel::kWarn, "postgres.notice", {{"message", text}});
}

Status ResultError(PGconn* conn, const PGresult* result, const std::string& what) {
  const char* message = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  std::string text = message != nullptr ? message : "unknown error";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const char* sqlstate = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (PQstatus(conn) != CONNECTION_OK || ConnectionTrouble(sqlstate)) {
    return Status::Unavailable(what + ": " + text);
  }
  return Status::InvalidArgument(what + ": " + text);
}

// `?` -> $1, $2, ... outside quotes.
std::string Placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

// A multi-row INSERT of bound values only ("INSERT INTO t (a, b) VALUES
// (?, ?), (?, ?)", as store/batch_insert.h writes them) runs as COPY t (a,
// b) FROM STDIN: the server parses no statement and plans nothing, inserts
// the rows in batches, and the text is never prepared (a batch's last chunk
// has a row count, and so a text, of its own).
struct CopyShape {
  std::string copy_sql;  // "COPY t (a, b) FROM STDIN"
  int columns = 0;
};

// The CopyShape of `sql` when it is such an INSERT of at least two rows.
std::optional<CopyShape> CopyShapeOf(std::string_view sql) {
  static const std::regex head(
      R"(^INSERT INTO ([A-Za-z_][A-Za-z_0-9]*) \(([A-Za-z_0-9, ]+)\) VALUES \(\?(?:, \?)*\)$)");
  const size_t values = sql.find(" VALUES (");
  if (values == std::string_view::npos || sql.rfind("INSERT INTO ", 0) != 0) return std::nullopt;
  const size_t row_end = sql.find(')', values + 9);
  if (row_end == std::string_view::npos) return std::nullopt;
  const std::string_view row = sql.substr(values + 8, row_end + 1 - (values + 8));  // "(?, ?)"
  const std::string_view rows = sql.substr(values + 8);
  // Two rows or more, each `row`, separated by ", ", and nothing after them.
  const size_t step = row.size() + 2;
  if (rows.size() == row.size() || (rows.size() + 2) % step != 0) return std::nullopt;
  for (size_t at = 0; at < rows.size(); at += step) {
    if (rows.compare(at, row.size(), row) != 0) return std::nullopt;
    if (at + row.size() < rows.size() && rows.compare(at + row.size(), 2, ", ") != 0) {
      return std::nullopt;
    }
  }
  std::match_results<std::string_view::const_iterator> m;
  const std::string_view first = sql.substr(0, row_end + 1);
  if (!std::regex_match(first.begin(), first.end(), m, head)) return std::nullopt;
  CopyShape shape;
  shape.copy_sql = "COPY " + m[1].str() + " (" + m[2].str() + ") FROM STDIN";
  shape.columns = static_cast<int>(std::count(row.begin(), row.end(), '?'));
  return shape;
}

// Appends `value` in COPY's text format: backslash, tab, newline and
// carriage return escaped.
void AppendCopyValue(std::string* out, std::string_view value) {
  size_t plain = 0;  // the start of the run of characters that need no escape
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c != '\\' && c != '\t' && c != '\n' && c != '\r') continue;
    out->append(value.data() + plain, i - plain);
    out->push_back('\\');
    out->push_back(c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
    plain = i + 1;
  }
  out->append(value.data() + plain, value.size() - plain);
}

// The connection, shared by a Db and its statements. After the server went
// away the next statement connects again (PQreset). A transaction that was
// open then is gone on the server: until the caller's Rollback every
// statement fails, so the rest of it never runs outside a transaction.
struct Connection {
  PGconn* conn = nullptr;
  bool in_transaction = false;
  bool transaction_lost = false;
  uint64_t statements = 0;
  // Server-side prepared statements by their SQL: a statement prepared once
  // is reused by every later Prepare of the same text (one round trip per
  // run instead of three); a reconnect prepares them all again.
  std::unordered_map<std::string, std::string> prepared;

  // OK when the connection is usable for the next statement; otherwise
  // Unavailable saying why (the caller names the statement).
  Status Ready() {
    if (PQstatus(conn) == CONNECTION_BAD) {
      PQreset(conn);
      if (in_transaction) transaction_lost = true;
      if (PQstatus(conn) != CONNECTION_OK) {
        return Status::Unavailable("the connection was lost and is not back yet");
      }
      // A new connection knows no prepared statement: prepare them again
      // now, outside any transaction (an unknown one inside a transaction
      // would abort it).
      for (const auto& [text, name] : prepared) {
        PGresult* r = PQprepare(conn, name.c_str(), text.c_str(), 0, nullptr);
        const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) return Status::Unavailable("preparing statements again failed");
      }
    }
    if (transaction_lost) {
      return Status::Unavailable(
          "the connection was lost inside a transaction; roll it back and start again");
    }
    return Status::Ok();
  }
};

// SQLSTATE of a prepared statement the server does not know (it was
// prepared on a connection that has since been replaced).
constexpr char kUnknownPreparedStatement[] = "26000";

// Distinct statements kept prepared per connection.
constexpr size_t kMaxPrepared = 1000;

class PostgresStatement final : public Statement {
 public:
  // `name` is prepared on the server already; an `owned` one (not in the
  // connection's cache) is deallocated with the statement.
  PostgresStatement(Connection* c, std::string sql, std::string name, bool owned)
      : c_(c), sql_(std::move(sql)), name_(std::move(name)), owned_(owned) {}
  // A statement that runs as COPY (see CopyShape); nothing is prepared.
  PostgresStatement(Connection* c, std::string sql, CopyShape copy)
      : c_(c), sql_(std::move(sql)), owned_(false), copy_(std::move(copy)) {}
  ~PostgresStatement() override {
    Clear();
    if (owned_ && PQstatus(c_->conn) == CONNECTION_OK) {
      PQclear(PQexec(c_->conn, ("DEALLOCATE " + name_).c_str()));
    }
  }

  void BindNull(int index) override { Slot(index).reset(); }
  void BindInt(int index, int64_t value) override { Slot(index) = std::to_string(value); }
  void BindText(int index, std::string_view value) override { Slot(index) = std::string(value); }

  Result<bool> Step() override {
    if (result_ == nullptr) {
      VIGIL_RETURN_IF_ERROR(Run());
      row_ = -1;
    }
    if (++row_ < PQntuples(result_)) return true;
    return false;
  }
  Status Execute() override {
    // After a Step that returned a row the statement has run: Execute
    // finishes that run (drops the rest), as SQLite's does, instead of
    // running it again (an INSERT ... RETURNING would insert twice).
    const bool running = result_ != nullptr && row_ < PQntuples(result_);
    Status s = running ? Status::Ok() : Run();
    Clear();
    return s;
  }
  void Reset() override {
    Clear();
    params_.clear();
  }
  bool IsNull(int column) const override { return PQgetisnull(result_, row_, column) != 0; }
  int64_t Int(int column) const override {
    return std::strtoll(PQgetvalue(result_, row_, column), nullptr, 10);
  }
  std::string_view Text(int column) const override {
    return {PQgetvalue(result_, row_, column),
            static_cast<size_t>(PQgetlength(result_, row_, column))};
  }
  int64_t Changes() const override { return changes_; }

 private:
  std::optional<std::string>& Slot(int index) {
    if (result_ != nullptr) Clear();  // a bind after a run starts a new one
    if (static_cast<int>(params_.size()) < index) params_.resize(index);
    return params_[index - 1];
  }
  void Clear() {
    if (result_ != nullptr) PQclear(result_);
    result_ = nullptr;
  }
  void Exec() {
    std::vector<const char*> values;
    for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
    result_ = PQexecPrepared(c_->conn, name_.c_str(), static_cast<int>(values.size()),
                             values.data(), nullptr, nullptr, 0);
  }
  bool Failed() const {
    const ExecStatusType status = PQresultStatus(result_);
    return status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK;
  }
  // For messages only (built when something failed).
  std::string What() const { return "executing " + StatementName(sql_); }

  Status Run() {
    Clear();
    if (Status ready = c_->Ready(); !ready.ok()) return ready.Prefixed(What());
    ++c_->statements;
    if (copy_) return RunCopy();
    Exec();
    const char* state = Failed() ? PQresultErrorField(result_, PG_DIAG_SQLSTATE) : nullptr;
    if (state != nullptr && std::string(state) == kUnknownPreparedStatement &&
        !c_->in_transaction) {
      // The connection was replaced since Prepare: prepare it again there.
      Clear();
      PGresult* r = PQprepare(c_->conn, name_.c_str(), sql_.c_str(), 0, nullptr);
      const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      Status s = ok ? Status::Ok() : ResultError(c_->conn, r, What());
      PQclear(r);
      VIGIL_RETURN_IF_ERROR(s);
      Exec();
    }
    if (Failed()) {
      Status s = ResultError(c_->conn, result_, What());
      Clear();
      return s;
    }
    const char* tuples = PQcmdTuples(result_);
    changes_ = tuples != nullptr && *tuples != '\0' ? std::strtoll(tuples, nullptr, 10) : 0;
    return Status::Ok();
  }

  // The bound values as COPY text rows: tab between values, newline after
  // each row, \\N for NULL.
  std::string CopyData() const {
    std::string data;
    size_t size = 0;
    for (const auto& p : params_) size += p ? p->size() + 1 : 3;
    data.reserve(size + size / 16);
    for (size_t i = 0; i < params_.size(); ++i) {
      if (params_[i]) {
        AppendCopyValue(&data, *params_[i]);
      } else {
        data += "\\N";
      }
      data += (i + 1) % copy_->columns == 0 ? '\n' : '\t';
    }
    return data;
  }

  Status RunCopy() {
    result_ = PQexec(c_->conn, copy_->copy_sql.c_str());
    if (PQresultStatus(result_) != PGRES_COPY_IN) {
      Status s = ResultError(c_->conn, result_, What());
      Clear();
      return s;
    }
    Clear();
    const std::string data = CopyData();
    const bool sent = PQputCopyData(c_->conn, data.data(), static_cast<int>(data.size())) == 1 &&
                      PQputCopyEnd(c_->conn, nullptr) == 1;
    // The COPY's outcome; then whatever follows it, until none is left.
    result_ = PQgetResult(c_->conn);
    for (PGresult* more = PQgetResult(c_->conn); more != nullptr; more = PQgetResult(c_->conn)) {
      PQclear(more);
    }
    if (!sent || result_ == nullptr || PQresultStatus(result_) != PGRES_COMMAND_OK) {
      Status s = ResultError(c_->conn, result_, What());
      Clear();
      return s;
    }
    const char* tuples = PQcmdTuples(result_);
    changes_ = tuples != nullptr && *tuples != '\0' ? std::strtoll(tuples, nullptr, 10) : 0;
    return Status::Ok();
  }

  Connection* c_;
  const std::string sql_;
  const std::string name_;
  const bool owned_;
  const std::optional<CopyShape> copy_;
  std::vector<std::optional<std::string>> params_;
  PGresult* result_ = nullptr;
  int row_ = -1;
  int64_t changes_ = 0;
};

class PostgresDb final : public Db {
 public:
  explicit PostgresDb(PGconn* conn) { c_.conn = conn; }
  ~PostgresDb() override { PQfinish(c_.conn); }

  std::string_view dialect() const override { return "postgresql"; }

  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) override {
    auto what = [sql] { return "preparing " + StatementName(sql); };
    if (Status ready = c_.Ready(); !ready.ok()) return ready.Prefixed(what());
    if (std::optional<CopyShape> copy = CopyShapeOf(sql)) {
      return std::unique_ptr<Statement>(
          new PostgresStatement(&c_, std::string(sql), std::move(*copy)));
    }
    std::string text = Placeholders(sql);
    auto cached = c_.prepared.find(text);
    if (cached != c_.prepared.end()) {
      return std::unique_ptr<Statement>(
          new PostgresStatement(&c_, std::move(text), cached->second, /*owned=*/false));
    }
    const bool cache = c_.prepared.size() < kMaxPrepared;
    std::string name = "s" + std::to_string(++prepared_);
    PGresult* r = PQprepare(c_.conn, name.c_str(), text.c_str(), 0, nullptr);
    Status s = PQresultStatus(r) == PGRES_COMMAND_OK ? Status::Ok()
                                                     : ResultError(c_.conn, r, what());
    PQclear(r);
    VIGIL_RETURN_IF_ERROR(s);
    if (cache) c_.prepared.emplace(text, name);
    return std::unique_ptr<Statement>(
        new PostgresStatement(&c_, std::move(text), std::move(name), /*owned=*/!cache));
  }
  Status ExecScript(std::string_view sql) override {
    VIGIL_RETURN_IF_ERROR(c_.Ready().Prefixed("running script"));
    ++c_.statements;
    return Simple(std::string(sql), "running script");
  }
  Status Begin() override {
    VIGIL_RETURN_IF_ERROR(c_.Ready().Prefixed("BEGIN"));
    VIGIL_RETURN_IF_ERROR(Simple("BEGIN", "BEGIN"));
    c_.in_transaction = true;
    return Status::Ok();
  }
  Status BeginSnapshot() override {
    VIGIL_RETURN_IF_ERROR(c_.Ready().Prefixed("BEGIN"));
    VIGIL_RETURN_IF_ERROR(Simple("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "BEGIN"));
    c_.in_transaction = true;
    return Status::Ok();
  }
  Status Commit() override {
    VIGIL_RETURN_IF_ERROR(c_.Ready().Prefixed("COMMIT"));
    Status s = Simple("COMMIT", "COMMIT");
    c_.in_transaction = false;
    return s;
  }
  Status Rollback() override {
    c_.in_transaction = false;
    if (c_.transaction_lost) {
      c_.transaction_lost = false;  // the server rolled it back when the connection died
      return Status::Ok();
    }
    VIGIL_RETURN_IF_ERROR(c_.Ready().Prefixed("ROLLBACK"));
    return Simple("ROLLBACK", "ROLLBACK");
  }
  bool InTransaction() const override { return c_.in_transaction; }
  int64_t LastInsertId() const override {
    PGresult* r = PQexec(c_.conn, "SELECT lastval()");
    int64_t id = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
      id = std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
    }
    PQclear(r);
    return id;
  }
  uint64_t statements_executed() const override { return c_.statements; }

  Result<bool> TryLock(int64_t key) override {
    VIGIL_ASSIGN_OR_RETURN(std::optional<int64_t> got,
                           QueryInt("SELECT CASE WHEN pg_try_advisory_lock(CAST(? AS BIGINT))"
                                    " THEN 1 ELSE 0 END",
                                    {key}));
    return got.value_or(0) == 1;
  }
  Status Unlock(int64_t key) override {
    return Execute("SELECT pg_advisory_unlock(CAST(? AS BIGINT))", {key});
  }

 private:
  Status Simple(const std::string& sql, const std::string& what) {
    PGresult* r = PQexec(c_.conn, sql.c_str());
    const ExecStatusType status = PQresultStatus(r);
    Status s = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK
                   ? Status::Ok()
                   : ResultError(c_.conn, r, what);
    PQclear(r);
    return s;
  }

  Connection c_;
  uint64_t prepared_ = 0;
};

// Drives a connection PQconnectStart began until it is ready, waiting on
// its socket at most `timeout_s` in all (libpq's connect_timeout does not
// apply to this way of connecting). Unavailable with libpq's message, or
// "timed out after N s".
Status FinishConnecting(PGconn* conn, int timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (PQstatus(conn) != CONNECTION_BAD && state != PGRES_POLLING_OK &&
         state != PGRES_POLLING_FAILED) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Status::Unavailable("timed out after " + std::to_string(timeout_s) + " s");
    }
    pollfd p{PQsocket(conn), static_cast<short>(state == PGRES_POLLING_READING ? POLLIN : POLLOUT),
             0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Status::Unavailable(std::string("poll: ") + std::strerror(errno));
    if (ready == 0) continue;  // the deadline check above ends it
    state = PQconnectPoll(conn);
  }
  if (PQstatus(conn) == CONNECTION_OK) return Status::Ok();
  std::string why = PQerrorMessage(conn);
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  return Status::Unavailable(why);
}

}  // namespace

std::string RedactedPostgresUrl(const std::string& url) {
  static const std::regex password(R"(^(postgres(?:ql)?://[^:@/]*):[^@]*@)");
  return std::regex_replace(url, password, "$1:***@");
}

Result<std::unique_ptr<Db>> OpenPostgresDb(const std::string& url, const PostgresOptions& options) {
  const std::string shown = RedactedPostgresUrl(url);
  const std::string timeout = std::to_string(options.connect_timeout_s);
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {url.c_str(), timeout.c_str(), "vigil", nullptr};
  PGconn* conn = PQconnectStartParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable("cannot open database " + shown + ": no memory");
  // Before the first byte from the server: a server shutting down sends a
  // WARNING while the connection starts, which libpq's default processor
  // would print on stderr (vigil's stderr is JSON log lines).
  PQsetNoticeProcessor(conn, LogNotice, nullptr);
  if (Status s = FinishConnecting(conn, options.connect_timeout_s); !s.ok()) {
    PQfinish(conn);
    return s.Prefixed("cannot open database " + shown);
  }
  auto db = std::make_unique<PostgresDb>(conn);
  VIGIL_RETURN_IF_ERROR(db->ExecScript("SET client_min_messages = warning")
                            .Prefixed("opening database " + shown));
  if (options.migrate) {
    Result<int> version =
        ApplyMigrations(db.get(), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    if (!version.ok()) return version.status().Prefixed("opening database " + shown);
  }
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace vigil
