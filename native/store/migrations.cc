#include "store/migrations.h"

namespace spotify_extract {
namespace {

// Migration 1: the whole initial schema.
constexpr const char* kInitialSchema = R"sql(
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE snapshots (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'complete', 'error', 'cancelled')),
  source TEXT NOT NULL DEFAULT 'api',
  dry_run INTEGER NOT NULL DEFAULT 0,
  phase TEXT NOT NULL DEFAULT '',
  phases TEXT NOT NULL DEFAULT '{}',
  counts TEXT NOT NULL DEFAULT '{}',
  requests INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT ''
);

CREATE TABLE profile (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  user_id TEXT NOT NULL DEFAULT '',
  display_name TEXT NOT NULL DEFAULT '',
  product TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL DEFAULT ''
);

CREATE TABLE playlists (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  owner_id TEXT NOT NULL DEFAULT '',
  owner_name TEXT NOT NULL DEFAULT '',
  snapshot_id TEXT NOT NULL DEFAULT '',
  fetched_snapshot_id TEXT,
  image_url TEXT NOT NULL DEFAULT '',
  collaborative INTEGER NOT NULL DEFAULT 0,
  public INTEGER NOT NULL DEFAULT 0,
  access TEXT NOT NULL DEFAULT 'readable'
    CHECK (access IN ('readable', 'not_shared', 'unavailable')),
  total INTEGER NOT NULL DEFAULT 0,
  position INTEGER NOT NULL DEFAULT 0,
  source TEXT NOT NULL DEFAULT 'api',
  removed INTEGER NOT NULL DEFAULT 0,
  first_seen_snapshot INTEGER REFERENCES snapshots(id) ON DELETE SET NULL,
  last_seen_snapshot INTEGER REFERENCES snapshots(id) ON DELETE SET NULL,
  last_fetched_snapshot INTEGER REFERENCES snapshots(id) ON DELETE SET NULL,
  updated_at TEXT NOT NULL DEFAULT ''
);

CREATE TABLE tracks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  artists TEXT NOT NULL DEFAULT '[]',
  artist TEXT NOT NULL DEFAULT '',
  album_id TEXT NOT NULL DEFAULT '',
  album TEXT NOT NULL DEFAULT '',
  album_artists TEXT NOT NULL DEFAULT '[]',
  album_artist TEXT NOT NULL DEFAULT '',
  album_release_date TEXT NOT NULL DEFAULT '',
  isrc TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL DEFAULT 0,
  disc_number INTEGER NOT NULL DEFAULT 0,
  track_number INTEGER NOT NULL DEFAULT 0,
  explicit INTEGER NOT NULL DEFAULT 0,
  playable INTEGER NOT NULL DEFAULT 1,
  popularity INTEGER,
  cover_url TEXT NOT NULL DEFAULT '',
  preview_url TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT 'track' CHECK (kind IN ('track', 'episode')),
  liked INTEGER NOT NULL DEFAULT 0,
  liked_added_at TEXT,
  liked_position INTEGER,
  first_seen_snapshot INTEGER REFERENCES snapshots(id) ON DELETE SET NULL,
  updated_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tracks_liked ON tracks(liked, liked_position);
CREATE INDEX tracks_isrc ON tracks(isrc);

CREATE TABLE playlist_entries (
  playlist_id TEXT NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  kind TEXT NOT NULL DEFAULT 'track'
    CHECK (kind IN ('track', 'episode', 'local', 'unavailable', 'null')),
  track_id TEXT REFERENCES tracks(id),
  local_name TEXT NOT NULL DEFAULT '',
  local_artist TEXT NOT NULL DEFAULT '',
  local_album TEXT NOT NULL DEFAULT '',
  local_duration_ms INTEGER NOT NULL DEFAULT 0,
  added_at TEXT NOT NULL DEFAULT '',
  added_by TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (playlist_id, position)
) WITHOUT ROWID;
CREATE INDEX playlist_entries_track ON playlist_entries(track_id);

-- Pages fetched by an unfinished phase: a resumed run continues from here.
CREATE TABLE fetch_progress (
  scope TEXT PRIMARY KEY,
  version TEXT NOT NULL DEFAULT '',
  next_offset INTEGER NOT NULL DEFAULT 0,
  next_cursor TEXT NOT NULL DEFAULT '',
  total INTEGER NOT NULL DEFAULT 0,
  snapshot INTEGER,
  updated_at TEXT NOT NULL DEFAULT ''
);
CREATE TABLE staged_entries (
  scope TEXT NOT NULL,
  position INTEGER NOT NULL,
  kind TEXT NOT NULL DEFAULT 'track',
  track_id TEXT,
  local_name TEXT NOT NULL DEFAULT '',
  local_artist TEXT NOT NULL DEFAULT '',
  local_album TEXT NOT NULL DEFAULT '',
  local_duration_ms INTEGER NOT NULL DEFAULT 0,
  added_at TEXT NOT NULL DEFAULT '',
  added_by TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (scope, position)
) WITHOUT ROWID;

-- Whole objects (albums, artists) of an unfinished phase, as JSON.
CREATE TABLE staged_objects (
  scope TEXT NOT NULL,
  position INTEGER NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (scope, position)
) WITHOUT ROWID;

CREATE TABLE saved_albums (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  artists TEXT NOT NULL DEFAULT '[]',
  artist TEXT NOT NULL DEFAULT '',
  release_date TEXT NOT NULL DEFAULT '',
  upc TEXT NOT NULL DEFAULT '',
  cover_url TEXT NOT NULL DEFAULT '',
  total_tracks INTEGER NOT NULL DEFAULT 0,
  added_at TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE followed_artists (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  genres TEXT NOT NULL DEFAULT '[]',
  popularity INTEGER,
  image_url TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audio_features (
  track_id TEXT PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
  acousticness REAL, danceability REAL, energy REAL, instrumentalness REAL,
  liveness REAL, loudness REAL, speechiness REAL, tempo REAL, valence REAL,
  key INTEGER, mode INTEGER, time_signature INTEGER,
  fetched_at TEXT NOT NULL DEFAULT ''
);

CREATE TABLE matches (
  spotify_track_id TEXT PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
  item_id INTEGER,
  method TEXT NOT NULL DEFAULT 'none',
  confidence REAL NOT NULL DEFAULT 0,
  runners_up TEXT NOT NULL DEFAULT '[]',
  overridden INTEGER NOT NULL DEFAULT 0,
  matched_snapshot INTEGER,
  updated_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX matches_item ON matches(item_id);

-- The person's own decisions; they always win over the matcher.
CREATE TABLE overrides (
  spotify_track_id TEXT PRIMARY KEY,
  item_id INTEGER,
  rejected INTEGER NOT NULL DEFAULT 0,
  decided_at TEXT NOT NULL DEFAULT '',
  CHECK (rejected = 1 OR item_id IS NOT NULL)
);

CREATE TABLE wishlist (
  spotify_track_id TEXT PRIMARY KEY,
  artist TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  album TEXT NOT NULL DEFAULT '',
  isrc TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL DEFAULT 0,
  cover_url TEXT NOT NULL DEFAULT '',
  spotify_url TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'downloading', 'downloaded', 'imported', 'failed',
                      'dismissed')),
  error TEXT NOT NULL DEFAULT '',
  retries INTEGER NOT NULL DEFAULT 0,
  file_path BLOB,
  item_id INTEGER,
  source TEXT NOT NULL DEFAULT 'extract',
  requested_by TEXT NOT NULL DEFAULT '[]',
  added_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  downloaded_at TEXT,
  imported_at TEXT
);
CREATE INDEX wishlist_status ON wishlist(status);

CREATE TABLE mirrored_files (
  path BLOB PRIMARY KEY,
  playlist_id TEXT NOT NULL DEFAULT '',
  content_hash TEXT NOT NULL DEFAULT '',
  written_at TEXT NOT NULL DEFAULT ''
);

-- The tracks wanted at the end of the last complete snapshot, to report what changed.
CREATE TABLE wanted_tracks (
  track_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- What changed in a snapshot, recorded as it happens (idempotent on resume).
CREATE TABLE snapshot_changes (
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (snapshot_id, kind, subject)
) WITHOUT ROWID;
)sql";

// Migration 2: the matcher's verdict (a plausible candidate below min_confidence waits
// for --review instead of being downloaded), a rejected item per override, and which
// tracks were already looked up for enrichment (export rows without ISRC/duration).
constexpr const char* kMatchStatus = R"sql(
ALTER TABLE matches ADD COLUMN status TEXT NOT NULL DEFAULT 'unmatched'
  CHECK (status IN ('matched', 'review', 'unmatched'));
UPDATE matches SET status = 'matched' WHERE item_id IS NOT NULL;
ALTER TABLE tracks ADD COLUMN enrich_attempted INTEGER NOT NULL DEFAULT 0;
)sql";

// Migration 3: writing to Spotify. The playlists this tool created (the only ones it
// ever changes) and the checkpoint of a write in progress (store/playlist_write_store.h).
constexpr const char* kPlaylistWrites = R"sql(
CREATE TABLE created_playlists (
  playlist_id TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  snapshot_id TEXT NOT NULL DEFAULT '',
  item_count INTEGER NOT NULL DEFAULT 0,
  items_digest TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  gone INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX created_playlists_target ON created_playlists(target);

CREATE TABLE playlist_writes (
  target TEXT PRIMARY KEY,
  playlist_id TEXT,
  create_tag TEXT NOT NULL,
  items_digest TEXT NOT NULL,
  item_count INTEGER NOT NULL,
  batches_done INTEGER NOT NULL DEFAULT 0,
  items_done INTEGER NOT NULL DEFAULT 0,
  snapshot_id TEXT NOT NULL DEFAULT '',
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
)sql";

// Migration 4: the release watch (when each watched artist's discography was synced,
// the releases known per artist, when a listing first showed them) and the artwork files
// written (the URL each came from, so an unchanged one is not fetched again).
constexpr const char* kReleaseWatch = R"sql(
CREATE TABLE release_artists (
  artist_id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  synced_at TEXT,
  release_total INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE releases (
  artist_id TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  artists TEXT NOT NULL DEFAULT '[]',
  artist TEXT NOT NULL DEFAULT '',
  album_type TEXT NOT NULL DEFAULT '',
  album_group TEXT NOT NULL DEFAULT '',
  release_date TEXT NOT NULL DEFAULT '',
  total_tracks INTEGER NOT NULL DEFAULT 0,
  cover_url TEXT NOT NULL DEFAULT '',
  found_at TEXT NOT NULL,
  is_new INTEGER NOT NULL DEFAULT 0,
  listed_at TEXT,
  PRIMARY KEY (artist_id, id)
) WITHOUT ROWID;
CREATE INDEX releases_id ON releases(id);
CREATE TABLE artwork (
  kind TEXT NOT NULL CHECK (kind IN ('playlists', 'albums', 'artists')),
  spotify_id TEXT NOT NULL,
  url TEXT NOT NULL DEFAULT '',
  path BLOB NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0,
  fetched_at TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (kind, spotify_id)
) WITHOUT ROWID;
)sql";

// No query looks tracks up by ISRC; the index only cost every track written.
constexpr const char* kDropUnusedIndexes = R"sql(
DROP INDEX IF EXISTS tracks_isrc;
)sql";

}  // namespace

const std::vector<Migration>& StateMigrations() {
  static const std::vector<Migration> migrations = {
      {1, "initial schema", [](sql::Connection& db) { db.Exec(kInitialSchema); }},
      {2, "match status, enrichment", [](sql::Connection& db) { db.Exec(kMatchStatus); }},
      {3, "playlist writes", [](sql::Connection& db) { db.Exec(kPlaylistWrites); }},
      {4, "release watch, artwork", [](sql::Connection& db) { db.Exec(kReleaseWatch); }},
      {5, "unused indexes dropped", [](sql::Connection& db) { db.Exec(kDropUnusedIndexes); }},
  };
  return migrations;
}

}  // namespace spotify_extract
