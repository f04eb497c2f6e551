#include "store/sqlite_db.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace spotify_extract::sql {

namespace {

// A read-only SQLite URI for a file path (bytes kept as they are). '?', '#' and '%' are
// escaped; an absolute path gets an empty authority ("file:///..."), so a path starting
// with "//" is not taken for a host name.
std::string ReadOnlyUri(const std::string& path) {
  std::string uri = path.starts_with('/') ? "file://" : "file:";
  uri.reserve(uri.size() + path.size() + 16);
  for (unsigned char c : path) {
    if (c == '?' || c == '#' || c == '%') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 0xF];
    } else {
      uri += static_cast<char>(c);
    }
  }
  return uri + "?mode=ro";
}

// The system's reason for a failed write ("File too large", "Disk quota exceeded", ...).
// SQLite keeps it only for some calls, so the thread's errno right after the failing call
// is the fallback; only errors a write gives are trusted, never a stale ENOENT or EAGAIN.
std::string WriteErrnoText(sqlite3* db, int saved_errno) {
  int code = db ? sqlite3_system_errno(db) : 0;
  if (code == 0) code = saved_errno;
  switch (code) {
    case ENOSPC:
    case EDQUOT:
      return std::string(" (") + std::strerror(code) + "); free some space and run again";
    case EFBIG:
    case EIO:
    case EROFS:
      return std::string(" (") + std::strerror(code) + ")";
    default:
      return "";
  }
}

}  // namespace

Connection::Connection(const std::string& path, ConnectionOptions options)
    : path_(path), options_(options) {
  sqlite3* raw = nullptr;
  int rc =
      options_.read_only
          ? sqlite3_open_v2(ReadOnlyUri(path).c_str(), &raw,
                            SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr)
          : sqlite3_open_v2(path.c_str(), &raw,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) Fail("cannot open", rc);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(options_.busy_timeout.count()));
}

std::string Connection::ErrorText(int rc) const {
  return db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
}

void Connection::Fail(std::string_view what, int rc) const {
  if (options_.report_failure) {
    options_.report_failure(*this, what, rc);
    throw StoreError(std::string(what) + " " + path_ + ": " + ErrorText(rc));  // not reached
  }
  const int saved_errno = errno;
  std::string reason;
  int primary = rc & 0xFF;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    reason = "the database stayed locked by another process; try again";
  } else if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
    reason = "the file is not a valid SQLite database (corrupt?)";
  } else if (primary == SQLITE_FULL) {
    reason = "the disk is full; free some space and run again";
  } else if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_PERM) {
    reason = std::string(db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc)) +
             " (check that the state_dir is writable)";
  } else {
    reason = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
    // "disk I/O error" alone does not say what to do: add the system's reason, e.g.
    // "disk I/O error (File too large)".
    if (primary == SQLITE_IOERR) reason += WriteErrnoText(db_.get(), saved_errno);
  }
  throw StoreError(std::string(what) + " state database " + path_ + ": " + reason);
}

Statement Connection::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    Fail(options_.read_only ? "cannot read" : "cannot query", rc);
  }
  return Statement(this, raw);
}

void Connection::Exec(std::string_view sql) {
  std::string copy(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_.get(), copy.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) Fail(options_.read_only ? "cannot read" : "cannot update", rc);
}

int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_.get()); }
int Connection::Changes() const { return sqlite3_changes(db_.get()); }

bool Statement::Step() {
  int rc = sqlite3_step(statement_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const int step_errno = errno;  // the reason of a failed write, for the message
  sqlite3_reset(statement_.get());
  errno = step_errno;
  connection_->Fail(connection_->options().read_only ? "cannot read" : "cannot update", rc);
}

void Statement::Run() {
  while (Step()) {
  }
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
}
int64_t Statement::Int(int column) const { return sqlite3_column_int64(statement_.get(), column); }
double Statement::Double(int column) const {
  return sqlite3_column_double(statement_.get(), column);
}
std::string Statement::Text(int column) const {
  const void* data = sqlite3_column_blob(statement_.get(), column);
  int size = sqlite3_column_bytes(statement_.get(), column);
  return data ? std::string(static_cast<const char*>(data), size) : std::string();
}

std::string_view Statement::View(int column) const {
  const void* data = sqlite3_column_blob(statement_.get(), column);
  if (data == nullptr) return {};
  return {static_cast<const char*>(data),
          static_cast<size_t>(sqlite3_column_bytes(statement_.get(), column))};
}

void Statement::BindOne(int index, std::nullptr_t) { sqlite3_bind_null(statement_.get(), index); }
void Statement::BindOne(int index, int value) { sqlite3_bind_int(statement_.get(), index, value); }
void Statement::BindOne(int index, int64_t value) {
  sqlite3_bind_int64(statement_.get(), index, value);
}
void Statement::BindOne(int index, bool value) {
  sqlite3_bind_int(statement_.get(), index, value ? 1 : 0);
}
void Statement::BindOne(int index, double value) {
  sqlite3_bind_double(statement_.get(), index, value);
}
void Statement::BindOne(int index, std::string_view value) {
  sqlite3_bind_text64(statement_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT,
                      SQLITE_UTF8);
}
void Statement::BindOne(int index, Blob blob) {
  sqlite3_bind_blob64(statement_.get(), index, blob.bytes.data(), blob.bytes.size(),
                      SQLITE_TRANSIENT);
}

// Inside another transaction (a StateStore::Batch) this one joins it: no savepoint, whose
// bookkeeping on every statement cost a fifth of an export import. A failure inside rolls
// the whole outer transaction back, so that it cannot be committed half done.
Transaction::Transaction(Connection& connection)
    : connection_(connection), nested_(sqlite3_get_autocommit(connection.raw()) == 0) {
  if (!nested_) connection_.Exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(connection_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::Commit() {
  if (!nested_) connection_.Exec("COMMIT");
  open_ = false;
}

}  // namespace spotify_extract::sql
