#include "library/library_items.h"

#include <algorithm>
#include <stdexcept>

namespace spotify_extract {

LibraryItem LibraryItemView::ToItem() const {
  LibraryItem item;
  item.id = id;
  item.path = path;
  item.title = title;
  item.artist = artist;
  for (std::string_view name : artists) item.artists.emplace_back(name);
  item.album = album;
  item.albumartist = albumartist;
  item.length = length;
  item.track = track;
  item.disc = disc;
  item.year = year;
  item.isrc = isrc;
  item.mb_trackid = mb_trackid;
  item.bpm = bpm;
  item.initial_key = initial_key;
  item.mtime = mtime;
  item.spotify_track_id = spotify_track_id;
  item.data_source = data_source;
  return item;
}

LibraryItems::LibraryItems(const std::vector<LibraryItem>& items) {
  // Added in id order, so that every Add appends.
  std::vector<const LibraryItem*> by_id;
  by_id.reserve(items.size());
  for (const LibraryItem& item : items) by_id.push_back(&item);
  std::stable_sort(by_id.begin(), by_id.end(),
                   [](const LibraryItem* a, const LibraryItem* b) { return a->id < b->id; });
  Reserve(items.size());
  for (const LibraryItem* item : by_id) Add(*item);
}

TextArena::Ref LibraryItems::Intern(std::string_view text, Ref Record::*field) {
  if (!records_.empty()) {
    Ref previous = records_.back().*field;
    if (arena_.Get(previous) == text) return previous;
  }
  return arena_.Add(text);
}

void LibraryItems::Add(const LibraryItem& item) {
  static_assert(sizeof(Record) == 128, "the record size the class comment states");
  Record record;
  record.id = item.id;
  record.length = item.length;
  record.mtime = item.mtime;
  record.track = item.track;
  record.disc = item.disc;
  record.year = item.year;
  record.bpm = item.bpm;
  record.path = arena_.Add(item.path);
  record.title = arena_.Add(item.title);
  record.artist = Intern(item.artist, &Record::artist);
  record.album = Intern(item.album, &Record::album);
  record.albumartist = Intern(item.albumartist, &Record::albumartist);
  record.isrc = arena_.Add(item.isrc);
  record.mb_trackid = arena_.Add(item.mb_trackid);
  record.initial_key = Intern(item.initial_key, &Record::initial_key);
  record.spotify_track_id = arena_.Add(item.spotify_track_id);
  record.data_source = Intern(item.data_source, &Record::data_source);
  if (artist_refs_.size() + item.artists.size() > UINT32_MAX) {
    throw std::length_error("too many artist credits to store");
  }
  record.artists_begin = static_cast<uint32_t>(artist_refs_.size());
  record.artists_count = static_cast<uint32_t>(item.artists.size());
  for (const std::string& name : item.artists) artist_refs_.push_back(arena_.Add(name));

  if (records_.empty() || records_.back().id <= record.id) {
    records_.push_back(record);
  } else {  // out of order (items handed over by a caller): keep the id order
    auto at = std::upper_bound(records_.begin(), records_.end(), record.id,
                               [](int64_t id, const Record& r) { return id < r.id; });
    records_.insert(at, record);
  }
}

int64_t LibraryItems::Find(int64_t id) const {
  auto it = std::lower_bound(records_.begin(), records_.end(), id,
                             [](const Record& r, int64_t value) { return r.id < value; });
  if (it == records_.end() || it->id != id) return -1;
  return it - records_.begin();
}

size_t LibraryItems::MemoryBytes() const {
  return records_.capacity() * sizeof(Record) + artist_refs_.capacity() * sizeof(Ref) +
         arena_.capacity();
}

}  // namespace spotify_extract
