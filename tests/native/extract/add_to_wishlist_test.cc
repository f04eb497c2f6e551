#include "extract/add_to_wishlist.h"

#include <gtest/gtest.h>

#include "small_library.h"

namespace spotify_extract {
namespace {

TEST(AddToWishlistTest, WhatTheLibraryHasStaysOffAndTheRestIsAddedOnce) {
  SmallLibrary beets("add_to_wishlist_test", {{1, "Song A", "Artist A"}});
  const std::string& library = beets.path();
  {
    StateStore store((beets.dir() / "state.db").string());
    Track manual = MakeTrack(std::string(kManualKeyPrefix) + "0123", "Glory Box", "Portishead");
    std::vector<Track> asked = {MakeTrack("ta", "Song A", "Artist A"),
                                MakeTrack("tb", "Song B", "Artist B"),
                                MakeTrack("tb", "Song B", "Artist B"), manual};
    AddResult first = AddToWishlist(store, library, {}, {}, asked);
    EXPECT_EQ(first.added, 2);  // tb once, the manual one
    EXPECT_EQ(first.already, 0);
    EXPECT_EQ(first.owned, std::vector<std::string>{"ta"});
    EXPECT_FALSE(store.wishlist().Get("ta"));
    std::optional<WishlistEntry> tb = store.wishlist().Get("tb");
    ASSERT_TRUE(tb);
    EXPECT_EQ(tb->status, WishlistStatus::kPending);
    EXPECT_EQ(tb->source, "manual");
    EXPECT_EQ(tb->artist, "Artist B");
    EXPECT_EQ(tb->spotify_url, "https://open.spotify.com/track/tb");
    EXPECT_EQ(store.wishlist().Get(manual.id)->spotify_url, "");
    AddResult again = AddToWishlist(store, library, {}, {}, asked);
    EXPECT_EQ(again.added, 0);
    EXPECT_EQ(again.already, 2);
  }
}

}  // namespace
}  // namespace spotify_extract
