#include "match/grouped_library.h"

#include <stdexcept>
#include <string>

namespace spotify_extract {
namespace {

// beets' Spotify source stores a Spotify track id in mb_trackid.
std::string_view SpotifyId(std::string_view spotify_track_id, std::string_view data_source,
                           std::string_view mb_trackid) {
  if (!spotify_track_id.empty()) return spotify_track_id;
  return data_source == "Spotify" || data_source == "spotify" ? mb_trackid : std::string_view();
}

// Appends `text` with its length first, so that joined fields cannot run into each other.
void AppendField(std::string& key, std::string_view text) {
  const auto size = static_cast<uint32_t>(text.size());
  key.append(reinterpret_cast<const char*>(&size), sizeof size);
  key.append(text);
}

}  // namespace

GroupedLibrary::GroupedLibrary() = default;
GroupedLibrary::GroupedLibrary(GroupedLibrary&&) noexcept = default;
GroupedLibrary& GroupedLibrary::operator=(GroupedLibrary&&) noexcept = default;
GroupedLibrary::~GroupedLibrary() = default;

void GroupedLibrary::Reserve(size_t items) {
  items_.reserve(items);
  // Growing a table rehashes every key: cheaper to start near the final size (a library
  // of albums holds about 2 items per distinct title, 5 per set of artists).
  titles_.Reserve(items / 2);
  artist_keys_.Reserve(items / 5);
  albums_.Reserve(items / 16);
}

void GroupedLibrary::Add(const LibraryItem& item) {
  AddFields(item.id, item.title, item.artist, item.artists, item.album, item.length, item.isrc,
            SpotifyId(item.spotify_track_id, item.data_source, item.mb_trackid));
}

void GroupedLibrary::Add(const LibraryItemView& item) {
  AddFields(item.id, item.title, item.artist, item.artists, item.album, item.length, item.isrc,
            SpotifyId(item.spotify_track_id, item.data_source, item.mb_trackid));
}

template <typename Names>
void GroupedLibrary::AddFields(int64_t id, std::string_view title, std::string_view artist,
                               const Names& artists, std::string_view album, double length,
                               std::string_view isrc, std::string_view spotify_id) {
  if (!items_.empty() && items_.back().id >= id) {
    throw std::invalid_argument("library items must be grouped in ascending id order");
  }
  const Item* previous = items_.empty() ? nullptr : &items_.back();
  Item item;
  item.id = id;
  item.length = length > 0 ? static_cast<float>(length) : 0.0f;
  item.title = Distinct(title, titles_, previous ? previous->title : DistinctTexts::kAbsent);
  item.album = Distinct(album, albums_, previous ? previous->album : DistinctTexts::kAbsent);
  item.artists = DistinctArtists(artist, artists);
  item.isrc = arena_.Add(isrc);
  item.spotify_id = arena_.Add(spotify_id);
  items_.push_back(item);
}

uint32_t GroupedLibrary::Distinct(std::string_view text, DistinctTexts& values, uint32_t previous) {
  // The tracks of an album follow each other: compare with the previous item first.
  if (previous != DistinctTexts::kAbsent && values[previous] == text) return previous;
  const uint64_t hash = DistinctTexts::Hash(text);
  const uint32_t found = values.Find(text, hash);
  if (found != DistinctTexts::kAbsent) return found;
  return values.Add(arena_.Get(arena_.Add(text)), hash);
}

template <typename Names>
uint32_t GroupedLibrary::DistinctArtists(std::string_view artist, const Names& names) {
  artist_key_.clear();
  AppendField(artist_key_, artist);
  for (std::string_view name : names) AppendField(artist_key_, name);
  if (!items_.empty() && artist_keys_[items_.back().artists] == artist_key_) {
    return items_.back().artists;
  }
  const uint64_t hash = DistinctTexts::Hash(artist_key_);
  const uint32_t found = artist_keys_.Find(artist_key_, hash);
  if (found != DistinctTexts::kAbsent) return found;

  ArtistRange range;
  range.artist = arena_.Add(artist);
  range.names_begin = static_cast<uint32_t>(names_.size());
  for (std::string_view name : names) {
    names_.push_back(arena_.Add(name));
    ++range.names_count;
  }
  artist_fields_.push_back(range);
  return artist_keys_.Add(arena_.Get(arena_.Add(artist_key_)), hash);
}

GroupedLibrary::ArtistFields GroupedLibrary::artist_fields(uint32_t group) const {
  const ArtistRange& range = artist_fields_[group];
  return {arena_.Get(range.artist),
          MultiValueView(&arena_, std::span<const TextArena::Ref>(names_).subspan(
                                      range.names_begin, range.names_count))};
}

void GroupedLibrary::FinishAdding() {
  titles_.DropTable();
  albums_.DropTable();
  artist_keys_ = {};
  artist_key_ = {};
}

GroupedLibrary ReadGroupedLibrary(const std::string& db_path, LibraryReadOptions options,
                                  const std::function<void()>& check) {
  constexpr size_t kCheckEvery = 4096;
  options.columns = LibraryColumns::kMatch;
  GroupedLibrary library;
  size_t expected = 0;
  ForEachLibraryItem(
      db_path, options,
      [&](LibraryItem& item) {
        if (library.empty()) library.Reserve(expected);  // known once the first row arrives
        if (check && library.size() % kCheckEvery == 0) check();
        library.Add(item);
      },
      &expected);
  library.FinishAdding();
  return library;
}

GroupedLibrary GroupLibrary(const LibraryItems& items) {
  GroupedLibrary library;
  library.Reserve(items.size());
  for (LibraryItemView item : items) library.Add(item);
  library.FinishAdding();
  return library;
}

}  // namespace spotify_extract
