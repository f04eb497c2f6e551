// Inputs found by the fuzzer (tests/fuzz/fuzz_normalize.cc), kept as regression tests.

#include <gtest/gtest.h>

#include <string>

#include "match/normalize.h"

namespace spotify_extract::norm {
namespace {

// crash-95e73d5b: a 10-byte and a 9-byte string whose rows each kept a cell within the
// bound, but whose final distance (10) was returned as is instead of max_distance + 1.
TEST(NormalizeRegression, BoundedLevenshteinNeverReturnsMoreThanTheBoundPlusOne) {
  const std::string a("\xf0\x9f\x94\xa5u\x01\x00$i\x00", 10);
  const std::string b(
      "\x00"
      "cideboy$",
      9);
  EXPECT_EQ(BoundedLevenshtein(a, b, 8), 9);
  EXPECT_EQ(BoundedLevenshtein(b, a, 8), 9);
  EXPECT_EQ(BoundedLevenshtein(a, b, 100), 10);  // the real distance when within the bound
  // Same shape in plain text: every cell of every row but the last stays small.
  EXPECT_EQ(BoundedLevenshtein("abcdefghij", "klmnopqrs", 3), 4);
  for (int bound = 0; bound < 12; ++bound) {
    EXPECT_LE(BoundedLevenshtein(a, b, bound), bound + 1) << bound;
  }
}

}  // namespace
}  // namespace spotify_extract::norm
