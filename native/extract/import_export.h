#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "extract/export_files.h"
#include "store/state_store.h"

// A data export as an input of the pipeline: what ReadExport read goes into the state
// database in one call.
//
// Which playlists exist: with a login the API decides (the export only fills the entries
// of playlists the API refuses to list). Without one, an account-data export (its
// Playlist*.json files list every playlist) is the authority: a playlist missing from it is
// removed and a renamed one follows the new name. "Newest" is the export's own date, the
// newest modification time of its files, and an older export than the last one read is
// refused. Exportify writes one CSV per playlist, so CSVs only add or update the playlists
// they hold.

namespace spotify_extract {

// State-database meta key: the date of the newest authoritative export read.
inline constexpr const char* kExportDateKey = "export_made_at";

struct ImportReport {
  int playlists = 0;
  int filled = 0;   // API playlists whose refused entries came from the export
  int skipped = 0;  // export playlists the API already gave
  int liked = 0;
  int albums = 0;
  std::vector<std::string> files;
  // With a login: export playlists Spotify no longer lists (deleted or renamed since).
  std::vector<std::string> not_on_spotify;
  int removed = 0;  // playlists of earlier exports that this one removed
};

// Refuses (ExportError) a complete export older than the one read before: it would bring
// deleted playlists and old names back. Only without a login (then the export decides).
void CheckExportIsNewest(StateStore& store, const ExportData& data);

// Writes an export into the state database for `snapshot`. With the API, the API says
// which playlists exist and what they are called: the export only fills the entries of
// API playlists it refused (matched by name), and playlists of earlier export-only runs
// give way to the API's. Without it the export is the whole library (playlists, Liked
// Songs, saved albums); a complete export (account data) also removes the playlists it no
// longer has. Entries equal to the stored ones are not written again.
ImportReport ImportExport(StateStore& store, int64_t snapshot, const ExportData& data,
                          bool with_api);

// The id of an export playlist: from its name; the second "Chill" (or "chill") of one
// export is another playlist, not a replacement of the first.
std::string ExportPlaylistId(const std::string& name, int occurrence = 1);
// The stored version of a playlist read from an export: a hash of every field of its
// entries ("export:..."), so equal entries are recognised.
std::string ExportEntriesVersion(const std::vector<PlaylistEntry>& entries);

}  // namespace spotify_extract
