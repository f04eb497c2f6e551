#include "match/version_check.h"

#include <gtest/gtest.h>

namespace spotify_extract::norm {
namespace {

TEST(UnwantedVersions, TheWantedVersionPasses) {
  EXPECT_EQ(UnwantedVersions("Teardrop", "Mezzanine", "Teardrop"), "");
  EXPECT_EQ(UnwantedVersions("Teardrop", "Mezzanine", "Massive Attack - Teardrop"), "");
  // A remaster and a radio edit are the same recording for this check.
  EXPECT_EQ(UnwantedVersions("Song 2", "Blur", "Song 2 (2012 Remaster)"), "");
  EXPECT_EQ(UnwantedVersions("Song 2", "Blur", "Song 2 - Radio Edit"), "");
}

TEST(UnwantedVersions, AVersionTheWantedTrackLacksIsNamed) {
  EXPECT_EQ(UnwantedVersions("Teardrop", "Mezzanine", "Teardrop (Live)"), "live");
  EXPECT_EQ(UnwantedVersions("Teardrop", "", "Teardrop (Karaoke Version)"), "karaoke");
  EXPECT_EQ(UnwantedVersions("Teardrop", "", "Teardrop - Instrumental"), "instrumental");
  EXPECT_EQ(UnwantedVersions("Song 2", "", "Song 2 (Live Acoustic)"), "live,acoustic");
}

TEST(UnwantedVersions, WhatTheWantedTrackHasIsNotUnwanted) {
  EXPECT_EQ(UnwantedVersions("Teardrop (Live)", "", "Teardrop (Live)"), "");
  EXPECT_EQ(UnwantedVersions("Halo (Remix)", "", "Halo (Remix)"), "");
  // A live album makes its plain titles live takes.
  EXPECT_EQ(UnwantedVersions("Teardrop", "Live at Glastonbury", "Teardrop (Live)"), "");
}

}  // namespace
}  // namespace spotify_extract::norm
