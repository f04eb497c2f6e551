#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "library/library_item.h"
#include "library/text_arena.h"

namespace spotify_extract {

// A multi-valued field (beets' `artists`) of a stored item: a range of string views.
class MultiValueView {
 public:
  MultiValueView() = default;
  MultiValueView(const TextArena* arena, std::span<const TextArena::Ref> refs)
      : arena_(arena), refs_(refs) {}

  size_t size() const { return refs_.size(); }
  bool empty() const { return refs_.empty(); }
  std::string_view operator[](size_t i) const { return arena_->Get(refs_[i]); }

  class Iterator {
   public:
    Iterator(const MultiValueView* view, size_t i) : view_(view), i_(i) {}
    std::string_view operator*() const { return (*view_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return i_ == other.i_; }

   private:
    const MultiValueView* view_;
    size_t i_;
  };
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, size()}; }

 private:
  const TextArena* arena_ = nullptr;
  std::span<const TextArena::Ref> refs_;
};

// One item of a LibraryItems, its text viewed in place: valid while the container lives.
struct LibraryItemView {
  int64_t id = 0;
  std::string_view path;
  std::string_view title;
  std::string_view artist;
  MultiValueView artists;
  std::string_view album;
  std::string_view albumartist;
  double length = 0.0;
  int track = 0;
  int disc = 0;
  int year = 0;
  std::string_view isrc;
  std::string_view mb_trackid;
  int bpm = 0;
  std::string_view initial_key;
  double mtime = 0.0;
  std::string_view spotify_track_id;
  std::string_view data_source;

  // An owning copy.
  LibraryItem ToItem() const;
};

// Every item of a beets library, compactly: the text of all items in one arena and a
// fixed 128-byte record per item (a vector of LibraryItem costs 384 bytes of
// std::string headers per item before any text). Items are kept sorted by id, so
// Find is a binary search. Text repeated by consecutive items (the artist and album of
// an album's tracks) is stored once.
class LibraryItems {
 public:
  LibraryItems() = default;
  explicit LibraryItems(const std::vector<LibraryItem>& items);
  LibraryItems(LibraryItems&&) noexcept = default;
  LibraryItems& operator=(LibraryItems&&) noexcept = default;

  // Copies `item` in. Appending in id order (as the reader does) is O(1); an item out of
  // order is inserted in place (O(n)): hand many unordered items to the constructor.
  void Add(const LibraryItem& item);
  void Reserve(size_t count) { records_.reserve(count); }

  size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  LibraryItemView operator[](size_t index) const;  // defined below, inline
  // The position of the item with this id, or -1.
  int64_t Find(int64_t id) const;

  // Bytes held (records, arena, multi-value references): what the benchmarks report.
  size_t MemoryBytes() const;

  class Iterator {
   public:
    Iterator(const LibraryItems* items, size_t i) : items_(items), i_(i) {}
    LibraryItemView operator*() const { return (*items_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return i_ == other.i_; }

   private:
    const LibraryItems* items_;
    size_t i_;
  };
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, size()}; }

 private:
  using Ref = TextArena::Ref;
  struct Record {
    int64_t id = 0;
    double length = 0.0;
    double mtime = 0.0;
    int32_t track = 0, disc = 0, year = 0, bpm = 0;
    Ref path, title, artist, album, albumartist, isrc, mb_trackid, initial_key, spotify_track_id,
        data_source;
    uint32_t artists_begin = 0;  // into artist_refs_
    uint32_t artists_count = 0;
  };

  // Stores `text`, or reuses the previous item's copy when it is the same.
  Ref Intern(std::string_view text, Ref Record::*field);

  TextArena arena_;
  std::vector<Record> records_;
  std::vector<Ref> artist_refs_;
};

inline LibraryItemView LibraryItems::operator[](size_t index) const {
  const Record& r = records_[index];
  LibraryItemView view;
  view.id = r.id;
  view.path = arena_.Get(r.path);
  view.title = arena_.Get(r.title);
  view.artist = arena_.Get(r.artist);
  view.artists = MultiValueView(
      &arena_, std::span<const Ref>(artist_refs_).subspan(r.artists_begin, r.artists_count));
  view.album = arena_.Get(r.album);
  view.albumartist = arena_.Get(r.albumartist);
  view.length = r.length;
  view.track = r.track;
  view.disc = r.disc;
  view.year = r.year;
  view.isrc = arena_.Get(r.isrc);
  view.mb_trackid = arena_.Get(r.mb_trackid);
  view.bpm = r.bpm;
  view.initial_key = arena_.Get(r.initial_key);
  view.mtime = r.mtime;
  view.spotify_track_id = arena_.Get(r.spotify_track_id);
  view.data_source = arena_.Get(r.data_source);
  return view;
}

}  // namespace spotify_extract
