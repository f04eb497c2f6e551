#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

// An invariant that must hold for every input; a violation aborts, so libFuzzer keeps the
// input as a crash (crash-<sha1>) that becomes a regression test.
#define FUZZ_CHECK(condition)                                                                \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

// The same, printing `text` (the offending output) too.
#define FUZZ_CHECK_TEXT(condition, text)                                                  \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\nwith: %s\n", __FILE__, __LINE__, \
                   #condition, std::string(text).c_str());                                \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
