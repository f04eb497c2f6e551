// Inputs found by the fuzzer (tests/fuzz/fuzz_file_name.cc), kept as regression tests.

#include <gtest/gtest.h>

#include <string>

#include "playlist/file_name.h"

namespace spotify_extract {
namespace {

// crash-d45a3200: a long name starting with a reserved device name was cut to the byte cap
// after the reserved-name check, leaving "NUL" (the null device on Windows/SMB); sanitising
// the result again then gave "_NUL".
TEST(FileNameRegression, CuttingToTheCapNeverLeavesAReservedName) {
  const std::string name = std::string(14, ' ') + "NUL" + std::string(23, ' ') +
                           std::string("\0", 1) + "5" + std::string(12, ' ');
  EXPECT_EQ(SanitizeFileStem(name, 8), "_NUL");
  EXPECT_EQ(SanitizeFileStem("CON" + std::string(200, ' ') + "x", 180), "_CON");
  EXPECT_EQ(SanitizeFileStem("com1.    " + std::string(40, 'x'), 8), "_com1");
  for (const char* reserved : {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9", "CONOUT$"}) {
    for (size_t cap = 8; cap < 24; ++cap) {
      const std::string stem = SanitizeFileStem(std::string(reserved) + "      long tail", cap);
      EXPECT_NE(stem, reserved) << cap;
      EXPECT_LE(stem.size(), cap);
      EXPECT_EQ(SanitizeFileStem(stem, cap), stem);
    }
  }
}

}  // namespace
}  // namespace spotify_extract
