#pragma once

// What the matcher indexes of a beets library, compactly: each distinct title, album and
// set of artist fields once, and per item only its numbers (40 bytes). It is filled one
// item at a time, so a library read as a stream is never held whole: at 500,000 items
// this is about 35 MB where the items themselves (LibraryItems) are about 170 MB.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "library/library_item.h"
#include "library/library_items.h"
#include "library/library_reader.h"
#include "library/text_arena.h"
#include "match/distinct_texts.h"

namespace spotify_extract {

class GroupedLibrary {
 public:
  struct Item {
    int64_t id = 0;
    float length = 0.0f;        // seconds, 0 = unknown
    uint32_t title = 0;         // into titles()
    uint32_t album = 0;         // into albums()
    uint32_t artists = 0;       // into artist_fields()
    TextArena::Ref isrc;        // as stored (not yet canonical)
    TextArena::Ref spotify_id;  // the `spotify_track_id` attribute, or the id of an item
                                // beets' Spotify source tagged (its mb_trackid)
  };
  // An item's `artist` and multi-valued `artists`.
  struct ArtistFields {
    std::string_view artist;
    MultiValueView artists;
  };

  GroupedLibrary();
  GroupedLibrary(GroupedLibrary&&) noexcept;
  GroupedLibrary& operator=(GroupedLibrary&&) noexcept;
  ~GroupedLibrary();

  // Items are added in ascending id order (as the reader streams them); throws
  // std::invalid_argument otherwise.
  void Add(const LibraryItem& item);
  void Add(const LibraryItemView& item);
  // Room for `items` items (and, by a typical library's share, their distinct values).
  void Reserve(size_t items);

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const std::vector<Item>& items() const { return items_; }
  std::string_view Text(TextArena::Ref ref) const { return arena_.Get(ref); }

  const std::vector<std::string_view>& titles() const { return titles_.texts(); }
  const std::vector<std::string_view>& albums() const { return albums_.texts(); }
  size_t artist_field_count() const { return artist_fields_.size(); }
  ArtistFields artist_fields(uint32_t group) const;

  // Drops the lookup tables that only Add needs (call once every item is in).
  void FinishAdding();

 private:
  struct ArtistRange {
    TextArena::Ref artist;
    uint32_t names_begin = 0;  // into names_
    uint32_t names_count = 0;
  };
  // The fields of one item as views, whichever form it came in.
  template <typename Names>
  void AddFields(int64_t id, std::string_view title, std::string_view artist, const Names& artists,
                 std::string_view album, double length, std::string_view isrc,
                 std::string_view spotify_id);
  // The number of `text` among `values` (stored in the arena when new).
  uint32_t Distinct(std::string_view text, DistinctTexts& values, uint32_t previous);
  template <typename Names>
  uint32_t DistinctArtists(std::string_view artist, const Names& names);

  TextArena arena_;
  std::vector<Item> items_;
  DistinctTexts titles_, albums_;
  DistinctTexts artist_keys_;               // an item's artist fields as one key (AppendField)
  std::vector<ArtistRange> artist_fields_;  // by the number of their key
  std::vector<TextArena::Ref> names_;
  std::string artist_key_;  // reused buffer for the key
};

// Streams library.db (as ForEachLibraryItem, reading only the columns the matcher uses)
// into a GroupedLibrary; throws LibraryError as ReadLibrary does. `check`, when given, is
// called before the first item and then every few thousand: it may throw to stop the
// read (a cancelled run).
GroupedLibrary ReadGroupedLibrary(const std::string& db_path, LibraryReadOptions options,
                                  const std::function<void()>& check = {});

// The items of a LibraryItems, grouped.
GroupedLibrary GroupLibrary(const LibraryItems& items);

}  // namespace spotify_extract
