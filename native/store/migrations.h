#pragma once

#include <functional>
#include <vector>

#include "store/sqlite_db.h"

namespace spotify_extract {

// One numbered schema change of the state database. Migrations run in order, each in
// its own transaction, and are recorded in the `migrations` table; never edit a landed
// one: add the next number.
struct Migration {
  int number;
  const char* name;
  std::function<void(sql::Connection&)> apply;
};

const std::vector<Migration>& StateMigrations();

}  // namespace spotify_extract
