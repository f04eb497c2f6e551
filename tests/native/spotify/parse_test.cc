#include "spotify/parse.h"

#include <gtest/gtest.h>

#include "http/transport.h"

namespace spotify_extract {
namespace {

using nlohmann::json;

TEST(ParseTest, ReadsAPlaylistEntryUnderItemOrTrack) {
  json entry = json::parse(R"({
    "added_at": "2024-01-02T03:04:05Z", "added_by": {"id": "me"}, "is_local": false,
    "item": {"type": "track", "id": "t1", "name": "Song", "duration_ms": 200000,
             "explicit": true, "disc_number": 1, "track_number": 3, "popularity": 40,
             "external_ids": {"isrc": "USABC1234567"},
             "artists": [{"id": "a1", "name": "Artist"}, {"id": "a2", "name": "Guest"}],
             "album": {"id": "al1", "name": "Album", "release_date": "2001",
                       "images": [{"url": "https://i/1"}], "artists": [{"id": "a1", "name": "Artist"}]}}
  })");
  PlaylistEntry parsed = ParsePlaylistEntry(entry);
  EXPECT_EQ(parsed.kind, EntryKind::kTrack);
  EXPECT_EQ(parsed.added_by, "me");
  EXPECT_EQ(parsed.track.id, "t1");
  EXPECT_EQ(parsed.track.isrc, "USABC1234567");
  ASSERT_EQ(parsed.track.artists.size(), 2u);
  EXPECT_EQ(parsed.track.artists[1].name, "Guest");
  EXPECT_EQ(parsed.track.album_name, "Album");
  EXPECT_EQ(parsed.track.cover_url, "https://i/1");
  EXPECT_EQ(parsed.track.popularity, 40);
  EXPECT_TRUE(parsed.track.explicit_content);

  json legacy = {{"track", entry["item"]}};
  EXPECT_EQ(ParsePlaylistEntry(legacy).track.id, "t1");
  json both = {{"item", nullptr}, {"track", entry["item"]}};
  EXPECT_EQ(ParsePlaylistEntry(both).kind, EntryKind::kTrack);
}

TEST(ParseTest, RecognisesLocalFilesEpisodesNullsAndUnavailableTracks) {
  EXPECT_EQ(ParsePlaylistEntry(json::parse(R"({"item": null})")).kind, EntryKind::kNull);
  EXPECT_EQ(ParsePlaylistEntry(json::parse("null")).kind, EntryKind::kNull);
  EXPECT_EQ(ParsePlaylistEntry(json::parse("[1,2]")).kind, EntryKind::kNull);
  PlaylistEntry local = ParsePlaylistEntry(json::parse(
      R"({"is_local": true, "item": {"id": null, "name": "My Demo", "uri": "spotify:local:A:B:My+Demo:180",
          "artists": [{"name": "A"}], "album": {"name": "B"}, "duration_ms": 180000}})"));
  EXPECT_EQ(local.kind, EntryKind::kLocalFile);
  EXPECT_EQ(local.track.name, "My Demo");
  EXPECT_TRUE(local.track.id.empty());
  EXPECT_EQ(local.track.artists.at(0).name, "A");
  EXPECT_EQ(
      ParsePlaylistEntry(
          json::parse(
              R"({"item": {"type": "episode", "id": "e1", "name": "Ep", "show": {"name": "Pod"}}})"))
          .kind,
      EntryKind::kEpisode);
  EXPECT_EQ(
      ParsePlaylistEntry(
          json::parse(
              R"({"item": {"type": "track", "episode": true, "id": "e2", "uri": "spotify:episode:e2"}})"))
          .kind,
      EntryKind::kEpisode);
  PlaylistEntry gone = ParsePlaylistEntry(json::parse(
      R"({"item": {"type": "track", "id": "t9", "name": "Gone", "is_playable": false,
          "restrictions": {"reason": "market"}}})"));
  EXPECT_EQ(gone.kind, EntryKind::kUnavailable);
  EXPECT_EQ(gone.track.name, "Gone");  // kept for matching
}

TEST(ParseTest, SurvivesWrongTypesNullsAndHugeValues) {
  json hostile = json::parse(R"({
    "added_at": 5, "added_by": "x",
    "item": {"id": 12, "name": ["x"], "duration_ms": "long", "disc_number": 1e300,
             "track_number": -99999999999999, "popularity": null, "explicit": "yes",
             "artists": [null, 3, {"name": null}, {"id": "a", "name": {"x": 1}}],
             "album": "not an object", "external_ids": []}
  })");
  PlaylistEntry parsed = ParsePlaylistEntry(hostile);
  EXPECT_TRUE(parsed.track.id.empty());
  EXPECT_EQ(parsed.track.duration_ms, 0);
  EXPECT_EQ(parsed.track.disc_number, std::numeric_limits<int>::max());
  EXPECT_EQ(parsed.track.track_number, 0);
  EXPECT_FALSE(parsed.track.popularity.has_value());
  EXPECT_EQ(parsed.track.artists.size(), 1u);
  EXPECT_EQ(parsed.kind, EntryKind::kNull);  // nothing usable

  std::string huge(20 << 20, 'x');
  json big = {{"track", {{"id", "t"}, {"name", huge}}}, {"added_at", huge}};
  auto saved = ParseSavedTrack(big);
  ASSERT_TRUE(saved.has_value());
  EXPECT_EQ(saved->track.name.size(), huge.size());

  for (const char* text : {"null", "1", "\"s\"", "[]", "{}", R"({"items": 7, "total": "x"})",
                           R"({"items": [null, 1, "x", {}], "total": -5})"}) {
    json value = json::parse(text);
    RawPage page = ParsePage(value);
    EXPECT_GE(page.total, -1);
    for (const json* item : page.items) {
      (void)ParsePlaylistEntry(*item);
      (void)ParseSavedTrack(*item);
      (void)ParseSavedAlbum(*item);
      (void)ParseArtist(*item);
      (void)ParseAudioFeatures(*item);
      (void)ParsePlaylist(*item);
    }
    (void)ParseUserProfile(value);
    (void)ErrorMessage(value);
  }
}

TEST(ParseTest, ReadsPlaylistsAlbumsArtistsFeaturesAndUsers) {
  auto playlist = ParsePlaylist(json::parse(R"({
    "id": "p1", "name": "Road", "owner": {"id": "u", "display_name": "U"}, "snapshot_id": "s1",
    "collaborative": true, "public": null, "items": {"href": "h", "total": 120},
    "images": null})"));
  ASSERT_TRUE(playlist);
  EXPECT_EQ(playlist->total_entries, 120);
  EXPECT_TRUE(playlist->collaborative);
  EXPECT_FALSE(playlist->is_public);
  auto old = ParsePlaylist(json::parse(R"({"id": "p2", "tracks": {"total": 7}})"));
  EXPECT_EQ(old->total_entries, 7);
  EXPECT_FALSE(ParsePlaylist(json::parse(R"({"name": "no id"})")));

  auto album = ParseSavedAlbum(json::parse(
      R"({"added_at": "t", "album": {"id": "al", "name": "N", "total_tracks": 12,
          "external_ids": {"upc": "0123"}, "artists": [{"id": "a", "name": "A"}]}})"));
  ASSERT_TRUE(album);
  EXPECT_EQ(album->album.upc, "0123");
  EXPECT_EQ(album->album.total_tracks, 12);

  auto artist = ParseArtist(json::parse(R"({"id": "a", "name": "A", "genres": ["x", 1, null]})"));
  ASSERT_TRUE(artist);
  EXPECT_EQ(artist->genres.size(), 1u);

  auto features = ParseAudioFeatures(
      json::parse(R"({"id": "t", "tempo": 120.5, "key": 5, "mode": 1, "energy": "x"})"));
  ASSERT_TRUE(features);
  EXPECT_DOUBLE_EQ(features->tempo, 120.5);
  EXPECT_EQ(features->key, 5);
  EXPECT_EQ(features->energy, 0);
  EXPECT_FALSE(ParseAudioFeatures(json::parse("null")));

  UserProfile user = ParseUserProfile(json::parse(R"({"id": "u1", "display_name": null})"));
  EXPECT_EQ(user.id, "u1");
  EXPECT_EQ(user.display_name, "");
  EXPECT_EQ(ErrorMessage(json::parse(R"({"error": {"status": 403, "message": "Forbidden"}})")),
            "Forbidden");
  EXPECT_EQ(ErrorMessage(json::parse(R"({"error": "invalid_grant",
                                         "error_description": "Refresh token revoked"})")),
            "Refresh token revoked");
}

TEST(ParseTest, CursorPaging) {
  RawPage page = ParsePage(json::parse(
      R"({"items": [{"id": "a"}], "next": "https://x?after=a", "cursors": {"after": "a"}, "total": 3})"));
  EXPECT_EQ(page.cursor_after, "a");
  EXPECT_EQ(page.total, 3);
  EXPECT_FALSE(page.next.empty());
}

}  // namespace
}  // namespace spotify_extract
