#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

// The one RAII layer over the SQLite C API, for the state database (read-write) and beets'
// library.db (read-only): prepared statements, bound parameters only, and errors as one
// line naming the file (StoreError, or the owner's own exception).

namespace spotify_extract {

// Any failure of the state database; the message is one line naming the file.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace sql {

class Statement;
class Connection;

// Turns a failed SQLite call into the owner's exception; it must throw.
using FailureReporter = void (*)(const Connection& connection, std::string_view what, int rc);

struct ConnectionOptions {
  std::chrono::milliseconds busy_timeout{10000};
  // Opened through a read-only URI (mode=ro): never created, never written.
  bool read_only = false;
  // Null: a StoreError about the state database.
  FailureReporter report_failure = nullptr;
};

class Connection {
 public:
  Connection(const std::string& path, ConnectionOptions options);
  Connection(const std::string& path, std::chrono::milliseconds busy_timeout)
      : Connection(path, ConnectionOptions{.busy_timeout = busy_timeout}) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Statement Prepare(std::string_view sql);
  // Runs one or more statements without parameters (DDL, PRAGMA, BEGIN...).
  void Exec(std::string_view sql);
  int64_t LastInsertRowId() const;
  int Changes() const;
  const std::string& path() const { return path_; }
  const ConnectionOptions& options() const { return options_; }
  sqlite3* raw() const { return db_.get(); }
  // SQLite's explanation of the last failure (of `rc` when there is no connection).
  std::string ErrorText(int rc) const;
  [[noreturn]] void Fail(std::string_view what, int rc) const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::string path_;
  ConnectionOptions options_;
  std::unique_ptr<sqlite3, Closer> db_;
};

// Bytes bound as a BLOB (file paths that may not be UTF-8).
struct Blob {
  std::string_view bytes;
};

class Statement {
 public:
  Statement(const Connection* connection, sqlite3_stmt* statement)
      : connection_(connection), statement_(statement) {}

  // Binds parameters 1..N in order; returns *this for chaining.
  template <typename... Args>
  Statement& Bind(const Args&... args) {
    sqlite3_reset(statement_.get());
    sqlite3_clear_bindings(statement_.get());
    int index = 1;
    (BindOne(index++, args), ...);
    return *this;
  }
  // Returns true while there is a row; throws on error.
  bool Step();
  // Steps once, for statements without results.
  void Run();

  // Binds one parameter without resetting (for dynamically built queries).
  void BindAt(int index, std::string_view value) { BindOne(index, value); }
  void BindAt(int index, int64_t value) { BindOne(index, value); }

  bool IsNull(int column) const;
  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;  // bytes as stored (text or blob)
  // The bytes as stored, valid until the next step (no copy: the library reader's rows).
  std::string_view View(int column) const;

 private:
  void BindOne(int index, std::nullptr_t);
  void BindOne(int index, int value);
  void BindOne(int index, int64_t value);
  void BindOne(int index, bool value);
  void BindOne(int index, double value);
  void BindOne(int index, std::string_view value);
  void BindOne(int index, const std::string& value) { BindOne(index, std::string_view(value)); }
  void BindOne(int index, const char* value) { BindOne(index, std::string_view(value)); }
  template <typename T>
  void BindOne(int index, const std::optional<T>& value) {
    if (value) {
      BindOne(index, *value);
    } else {
      BindOne(index, nullptr);
    }
  }
  void BindOne(int index, Blob blob);

  struct Finalizer {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
  };
  const Connection* connection_;
  std::unique_ptr<sqlite3_stmt, Finalizer> statement_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted (an exception).
// One transaction; inside another one (a StateStore::Batch) part of it, so that the outer
// one writes each page it touches once.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void Commit();

 private:
  Connection& connection_;
  bool nested_ = false;
  bool open_ = true;
};

}  // namespace sql
}  // namespace spotify_extract
