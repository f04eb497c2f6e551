#include "extract/export_files.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "extract/csv_reader.h"

namespace spotify_extract {
namespace {

const std::string kExports = std::string(SPOTIFY_EXTRACT_SOURCE_DIR) + "/tests/data/exports";

std::vector<std::vector<std::string>> ReadAll(std::string_view text) {
  CsvReader reader(text);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  while (reader.Next(row)) rows.push_back(row);
  return rows;
}

ExportSource InMemory(const std::string& display, const std::string& bytes) {
  return ExportSource{display, "", bytes, 0};
}

std::string ErrorOf(const std::vector<ExportSource>& sources) {
  try {
    ReadExport(sources, "export");
  } catch (const ExportError& error) {
    return error.what();
  }
  return "";
}

TEST(CsvReaderTest, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  auto rows = ReadAll(
      "\xEF\xBB\xBF"
      "a,b\r\n\"x, y\",\"say "
      "\"\"hi\"\"\"\n\"two\nlines\",z\rlast,");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b"}));  // the BOM is not a character
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x, y", "say \"hi\""}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"two\nlines", "z"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"last", ""}));
}

TEST(CsvReaderTest, CountsLinesInsideQuotedFields) {
  CsvReader reader("h\n\"a\nb\nc\"\nnext\n");
  std::vector<std::string> row;
  ASSERT_TRUE(reader.Next(row));
  ASSERT_TRUE(reader.Next(row));
  EXPECT_EQ(reader.line(), 4);
  ASSERT_TRUE(reader.Next(row));
  EXPECT_EQ(reader.line(), 5);
  EXPECT_FALSE(reader.Next(row));
}

TEST(CsvReaderTest, LenientQuotesAndRefusedEndings) {
  EXPECT_EQ(ReadAll("ab\"c,\"q\"r\n")[0], (std::vector<std::string>{"ab\"c", "qr"}));
  EXPECT_THROW(ReadAll("\"never closed"), CsvError);
  EXPECT_THROW(ReadAll(std::string(CsvReader::kFieldLimit + 1, 'x')), CsvError);
}

TEST(ExportFilesTest, UrisArtistsAndNames) {
  EXPECT_EQ(TrackIdFromUri("spotify:track:0DiWol3AO6WpXZgp0goxAV"), "0DiWol3AO6WpXZgp0goxAV");
  EXPECT_EQ(TrackIdFromUri("https://open.spotify.com/track/0DiWol3AO6WpXZgp0goxAV?si=x"),
            "0DiWol3AO6WpXZgp0goxAV");
  EXPECT_EQ(TrackIdFromUri("spotify:track:short"), "");
  EXPECT_EQ(TrackIdFromUri("spotify:local:a:b:c:1"), "");
  EXPECT_EQ(SplitArtists("A, B"), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(SplitArtists(R"(Earth\, Wind & Fire, C)"),
            (std::vector<std::string>{"Earth, Wind & Fire", "C"}));
  EXPECT_EQ(SplitArtists("Tyler, The Creator"), (std::vector<std::string>{"Tyler", "The Creator"}));
  EXPECT_EQ(SplitArtists(R"(Tyler\, The Creator)"),
            (std::vector<std::string>{"Tyler, The Creator"}));
  EXPECT_TRUE(SplitArtists("").empty());
  EXPECT_EQ(NameKey("Liked_Songs!"), "likedsongs");
  EXPECT_EQ(NameKey("ＣＨＩＬＬ Straße"),
            "chillstrasse");  // NFKC and full case folding
  EXPECT_EQ(NameKey("🔥"), "");
}

TEST(ExportFilesTest, ExportifyCsvWithBothHeaderVariants) {
  ExportData data =
      ReadExport({{"road_trip_extra.csv", kExports + "/exportify/road_trip_extra.csv", "", 1},
                  {"chill.csv", kExports + "/exportify/chill.csv", "", 3},
                  {"liked_songs.csv", kExports + "/exportify/liked_songs.csv", "", 2}},
                 "exportify");
  ASSERT_EQ(data.playlists.size(), 2u);
  EXPECT_FALSE(data.complete);
  EXPECT_EQ(data.made_at, 3);
  const ExportPlaylist& extra = data.playlists[0];
  EXPECT_EQ(extra.name, "road trip extra");
  EXPECT_EQ(extra.entries[0].track.isrc, "GBDUW0000053");
  EXPECT_EQ(extra.entries[0].track.duration_ms, 320357);
  EXPECT_EQ(extra.entries[1].track.name, "Crosstown, Traffic");
  ASSERT_EQ(extra.entries[1].track.artists.size(), 2u);
  EXPECT_EQ(extra.entries[1].track.artists[0].name, "Earth, Wind & Fire");
  EXPECT_EQ(extra.entries[2].kind, EntryKind::kLocalFile);
  EXPECT_EQ(data.playlists[1].entries[0].track.duration_ms,
            305000);  // "Duration (ms)"
  ASSERT_TRUE(data.liked.has_value());
  EXPECT_EQ(data.liked->at(0).track.name, "One More Time");
}

TEST(ExportFilesTest, CsvQuotedNewlinesAndBomInOneFile) {
  std::string csv =
      "\xEF\xBB\xBFTrack URI,Track Name,Artist Name(s),Track Duration (ms)\r\n"
      "spotify:track:0DiWol3AO6WpXZgp0goxAV,\"One\nMore, Time\",\"Daft "
      "Punk\",\"1000\"\r\n"
      "\r\n"
      ",,,\r\n"
      "spotify:track:1hNLy4TnYqKGRmcvGMe3Ax,Jóga,Björk,2000.9\r\n";
  ExportData data = ReadExport({InMemory("x/_.csv", csv)}, "x");
  ASSERT_EQ(data.playlists.size(), 1u);
  EXPECT_EQ(data.playlists[0].name, kUntitledPlaylist);  // "_" is no name
  const auto& entries = data.playlists[0].entries;
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].track.name, "One\nMore, Time");
  EXPECT_EQ(entries[1].track.duration_ms, 2000);
}

TEST(ExportFilesTest, AccountDataJson) {
  const std::string folder = kExports + "/account_data/Spotify Account Data/";
  ExportData data = ReadExport({{"Playlist1.json", folder + "Playlist1.json", "", 5},
                                {"YourLibrary.json", folder + "YourLibrary.json", "", 4}},
                               "account data");
  EXPECT_TRUE(data.complete);
  EXPECT_EQ(data.made_at, 5);
  ASSERT_EQ(data.playlists.size(), 2u);
  const ExportPlaylist& road = data.playlists[0];
  EXPECT_EQ(road.name, "Road Trip");
  EXPECT_EQ(road.description, "windows down");
  ASSERT_EQ(road.entries.size(), 5u);
  EXPECT_EQ(road.entries[0].track.id, "0DiWol3AO6WpXZgp0goxAV");
  EXPECT_EQ(road.entries[2].kind, EntryKind::kLocalFile);
  EXPECT_EQ(road.entries[3].kind, EntryKind::kEpisode);
  ASSERT_TRUE(data.liked && data.albums);
  EXPECT_EQ(data.liked->size(), 3u);
  ASSERT_EQ(data.albums->size(), 2u);
  EXPECT_EQ(data.albums->at(1).album.name, "1989");  // a number in the file
}

TEST(ExportFilesTest, HostileJsonIsReadOrRefusedWithOneLine) {
  // Half a surrogate pair is a broken character, not a broken file.
  ExportData data = ReadExport(
      {InMemory(
          "Playlist1.json",
          R"({"playlists": [{"name": "\ud800", "items": [{"track": {"trackName": "a\udfffb"}}]},)"
          R"( {"name": "  ", "items": []}]})")},
      "e");
  ASSERT_EQ(data.playlists.size(), 2u);
  EXPECT_EQ(data.playlists[0].name, "\xEF\xBF\xBD");
  EXPECT_EQ(data.playlists[0].entries[0].track.name,
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(data.playlists[0].entries[0].kind, EntryKind::kNull);
  EXPECT_EQ(data.playlists[1].name, kUntitledPlaylist);

  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(ErrorOf({InMemory("Playlist1.json", deep)}).find("nested too deeply"),
            std::string::npos);
  std::string bad_type = ErrorOf({InMemory(
      "Playlist2.json", R"({"playlists": [{"name": "Bad\nEntry", "items": [{"track": 1}]}]})")});
  EXPECT_NE(bad_type.find("Playlist2.json: playlist 1 ('Bad\\nEntry'), item 1, track"),
            std::string::npos)
      << bad_type;
  EXPECT_EQ(bad_type.find('\n'), std::string::npos);
  EXPECT_NE(ErrorOf({InMemory("Playlist1.json", "\xEF\xBB\xBF")}).find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(ErrorOf({InMemory("YourLibrary.json", "{\"tracks\": [{\"uri\": \"x\"}]}")})
                .find("not a Spotify track URI"),
            std::string::npos);
}

TEST(ExportFilesTest, HostileCsvNamesTheLine) {
  const std::string header = "Track URI,Track Name,Track Duration (ms)\n";
  const std::string uri = "spotify:track:0DiWol3AO6WpXZgp0goxAV";
  for (const char* duration : {"three minutes", "inf", "nan", "1e999", "0x10"}) {
    std::string message =
        ErrorOf({InMemory("a.csv", header + "\n" + uri + ",T," + duration + "\n")});
    EXPECT_NE(message.find("a.csv, line 3: duration"), std::string::npos) << message;
  }
  EXPECT_NE(ErrorOf({InMemory("a.csv", header + uri + ",T,-1\n")}).find("out of range"),
            std::string::npos);
  EXPECT_NE(ErrorOf({InMemory("a.csv", header + uri + ",caf\xE9,1\n")}).find("not UTF-8"),
            std::string::npos);
  EXPECT_NE(ErrorOf({InMemory("a.csv", "Title,Artist\n")}).find("Track URI"), std::string::npos);
  EXPECT_NE(ErrorOf({InMemory("a.csv", header + "spotify:album:x,T,1\n")})
                .find("is not a Spotify track URI"),
            std::string::npos);
  EXPECT_NE(ErrorOf({InMemory("notes.txt", "hello")}).find("export: no Spotify export found"),
            std::string::npos);
  // A NUL is text like any other.
  ExportData nul =
      ReadExport({InMemory("a.csv", header + uri + ",T" + std::string(1, '\0') + ",1\n")}, "e");
  EXPECT_EQ(nul.playlists[0].entries[0].track.name, std::string("T\0", 2));
}

}  // namespace
}  // namespace spotify_extract
