#include "playlist/mirror.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

namespace spotify_extract {

namespace {

constexpr std::string_view kTempPrefix = ".spotify-extract-";
constexpr std::string_view kTempSuffix = ".tmp";

std::string CurrentDirectory() {
  char buffer[4096];
  if (::getcwd(buffer, sizeof(buffer)) == nullptr) return "/";
  return buffer;
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string Basename(const std::string& path) { return path.substr(path.rfind('/') + 1); }

std::string JoinPath(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

std::string ErrnoText(int error) { return std::strerror(error); }

std::string Quoted(std::string_view text) { return "'" + CleanLineText(text) + "'"; }

enum class DiskState { kMissing, kRegular, kOther };

DiskState Inspect(const std::string& path, struct stat* info = nullptr) {
  struct stat local {};
  struct stat& st = info ? *info : local;
  if (::lstat(path.c_str(), &st) != 0) return DiskState::kMissing;
  return S_ISREG(st.st_mode) ? DiskState::kRegular : DiskState::kOther;
}

std::optional<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return content;
}

// The playlist id in the marker line of the file at `path`, if it has one.
std::optional<std::string> ReadMarker(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  char buffer[4096];  // the marker is the second line
  ssize_t n;
  do {
    n = ::read(fd, buffer, sizeof(buffer));
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return MarkerPlaylistId(std::string_view(buffer, static_cast<size_t>(n)));
}

void FsyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Creates `dir` and its parents (mode 0755); returns errno or 0.
int MakeDirectories(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
  if (dir != "/") {
    int parent = MakeDirectories(Dirname(dir));
    if (parent != 0) return parent;
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return errno;
  return 0;
}

// Temporary files left by an interrupted run (only our own, exactly named, pattern).
void RemoveStaleTemporaries(const std::string& dir) {
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return;
  while (struct dirent* entry = ::readdir(handle)) {
    std::string_view name = entry->d_name;
    if (name.starts_with(kTempPrefix) && name.ends_with(kTempSuffix) &&
        name.size() == kTempPrefix.size() + 6 + kTempSuffix.size()) {
      std::string path = JoinPath(dir, std::string(name));
      if (Inspect(path) == DiskState::kRegular) ::unlink(path.c_str());
    }
  }
  ::closedir(handle);
}

struct Plan {
  size_t index = 0;   // into the input playlists
  bool keep = false;  // no playable entry: the file at `path` stays as it is
  std::string content;
  std::string hash;
  std::vector<std::string> names;  // candidate file names, best first
  std::string path;                // chosen
  bool needs_write = false;
  std::string temp_path;
};

// Writes `content` to a new temporary file in `dir`, fsynced, with `mode`.
// Returns the temporary path; throws std::runtime_error with the cause.
std::string StageFile(const std::string& dir, const std::string& content, mode_t mode,
                      const WriteFunction& write_function) {
  std::string pattern =
      JoinPath(dir, std::string(kTempPrefix) + "XXXXXX" + std::string(kTempSuffix));
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  int fd = ::mkostemps(buffer.data(), static_cast<int>(kTempSuffix.size()), O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(ErrnoText(errno));
  std::string temp(buffer.data());
  auto fail = [&](int error) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw std::runtime_error(ErrnoText(error));
  };
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write_function ? write_function(fd, content.data() + done, content.size() - done)
                               : ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(errno);
    if (n == 0) fail(ENOSPC);
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) fail(errno);
  if (::fsync(fd) != 0) fail(errno);
  if (::close(fd) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    throw std::runtime_error(ErrnoText(error));
  }
  return temp;
}

// The first `length` letters and digits of an id, after its last ':' ("export:4e18…"
// gives "4e18…", not the "export" every export playlist shares).
std::string ShortId(std::string_view id, size_t length) {
  if (size_t colon = id.rfind(':'); colon != std::string_view::npos) id.remove_prefix(colon + 1);
  std::string out;
  for (char c : id) {
    if (out.size() == length) break;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string ContentHash(std::string_view content) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(content.data(), static_cast<unsigned>(content.size()));
  return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string PlaylistFileName(const MirrorPlaylist& playlist, const MirrorOptions& options,
                             int attempt) {
  std::string extension = NormalizeExtension(options.style.extension);
  const std::string expanded =
      ExpandNameTemplate(options.name_template, playlist.name, playlist.spotify_id);
  // Nothing of the name survives ("..", "", only control characters): without the id,
  // every such playlist would be "Untitled".
  if (SanitizeFileStem(expanded, options.max_name_bytes, "").empty()) {
    attempt = std::max(attempt, 1);
  }
  std::string suffix;
  if (attempt > 0) {
    std::string id = ShortId(playlist.spotify_id, attempt == 1 ? 6 : 64);
    if (id.empty()) id = ContentHash(playlist.spotify_id).substr(0, attempt == 1 ? 6 : 16);
    suffix = " [" + id + "]";
  }
  size_t budget =
      options.max_name_bytes > suffix.size() + 8 ? options.max_name_bytes - suffix.size() : 8;
  return SanitizeFileStem(expanded, budget) + suffix + extension;
}

namespace {

// What every stage of one Mirror() call reads.
struct MirrorRun {
  const std::vector<MirrorPlaylist>& playlists;
  const std::vector<OwnedFile>& previously_owned;
  const MirrorOptions& options;
  std::string dir;  // the playlist folder, absolute and normal
  RenderContext context;
  std::map<std::string, const OwnedFile*> owned_by_path;

  const OwnedFile* Owned(const std::string& path) const {
    auto found = owned_by_path.find(path);
    return found == owned_by_path.end() ? nullptr : found->second;
  }
  // A regular file that is ours for playlist `id`: recorded for it, or carrying our marker
  // for it (the state database was lost, or the folder holds files of an earlier run).
  bool OursFor(const std::string& path, const std::string& id) const {
    if (Inspect(path) != DiskState::kRegular) return false;
    const OwnedFile* owned = Owned(path);
    if (owned) return owned->spotify_id == id;
    return ReadMarker(path) == id;
  }
  // A path playlist `id` may not write: a file neither recorded nor marked as ours for it,
  // or what we wrote became other than a regular file.
  bool Foreign(const std::string& path, const std::string& id) const {
    DiskState state = Inspect(path);
    if (state == DiskState::kMissing) return false;
    if (state == DiskState::kOther) return true;
    return !Owned(path) && ReadMarker(path) != id;
  }
  bool InFolder(const std::string& path) const { return Dirname(path) == dir; }
};

MirrorRun StartRun(const std::vector<MirrorPlaylist>& playlists,
                   const std::vector<OwnedFile>& previously_owned, const MirrorOptions& options) {
  if (options.playlist_dir.empty()) throw PlaylistConfigError("playlist_dir is not set");
  const std::string cwd = CurrentDirectory();
  MirrorRun run{
      playlists, previously_owned, options, LexicallyNormalPath(options.playlist_dir, cwd), {}, {}};
  NormalizeExtension(options.style.extension);  // validates before anything happens
  run.context.library_root = LexicallyNormalPath(options.library_root, cwd);
  run.context.playlist_dir = run.dir;
  run.context.style = options.style;
  run.context.missing_comments = options.missing_comments;
  run.context.non_utf8 = options.non_utf8;
  for (const OwnedFile& file : previously_owned) run.owned_by_path[file.path] = &file;
  return run;
}

// Renders every playlist with a playable entry (with its marker line); one without keeps
// the file it has in the folder (a plan to leave it alone), or gets only a message.
std::vector<Plan> RenderPlaylists(const MirrorRun& run, MirrorResult& result) {
  std::vector<Plan> plans;
  std::unordered_set<std::string> seen_ids;
  result.playlists.resize(run.playlists.size());
  for (size_t i = 0; i < run.playlists.size(); ++i) {
    const MirrorPlaylist& playlist = run.playlists[i];
    PlaylistOutcome& outcome = result.playlists[i];
    outcome.spotify_id = playlist.spotify_id;
    outcome.name = playlist.name;
    if (!seen_ids.insert(playlist.spotify_id).second) {
      outcome.message = "listed twice; only the first is mirrored";
      continue;
    }
    Plan plan;
    plan.index = i;
    RenderContext context = run.context;
    context.playlist_id = playlist.spotify_id;
    plan.content = RenderM3u(playlist.entries, context, &outcome.stats);
    if (outcome.stats.entries == 0) {
      const OwnedFile* kept = nullptr;
      for (const OwnedFile& file : run.previously_owned) {
        if (file.spotify_id == playlist.spotify_id && run.InFolder(file.path) &&
            Inspect(file.path) == DiskState::kRegular) {
          kept = &file;
          break;
        }
      }
      if (kept == nullptr) {
        outcome.message = "no track of it is in the library yet";
        continue;
      }
      outcome.message = "no track of it is in the library now; its file is kept as it was";
      plan.keep = true;
      plan.path = kept->path;
      plan.hash = kept->content_hash;
      plans.push_back(std::move(plan));
      continue;
    }
    plan.hash = ContentHash(plan.content);
    for (int attempt = 0; attempt < 3; ++attempt) {
      std::string name = PlaylistFileName(playlist, run.options, attempt);
      if (std::find(plan.names.begin(), plan.names.end(), name) == plan.names.end()) {
        plan.names.push_back(name);
      }
    }
    plans.push_back(std::move(plan));
  }
  return plans;
}

// Keeps the files a playlist already has (recorded or marked as its own), then gives each
// other playlist its first free name; names taken by files we did not write are avoided
// and reported, and so are names another playlist has.
void ChooseFileNames(const MirrorRun& run, std::vector<Plan>& plans, MirrorResult& result) {
  std::map<std::string, size_t> taken;  // FileNameKey of chosen names -> input playlist
  for (Plan& plan : plans) {
    if (plan.keep) {
      taken.emplace(FileNameKey(Basename(plan.path)), plan.index);
      continue;
    }
    const std::string& id = run.playlists[plan.index].spotify_id;
    for (const std::string& name : plan.names) {
      std::string path = JoinPath(run.dir, name);
      if (!taken.count(FileNameKey(name)) && run.OursFor(path, id)) {
        plan.path = path;
        taken.emplace(FileNameKey(name), plan.index);
        break;
      }
    }
  }
  for (Plan& plan : plans) {
    if (!plan.path.empty()) continue;
    PlaylistOutcome& outcome = result.playlists[plan.index];
    const std::string& id = run.playlists[plan.index].spotify_id;
    std::vector<std::string> avoided;
    std::optional<size_t> sharing;  // the playlist that has the plain name
    for (const std::string& name : plan.names) {
      if (auto other = taken.find(FileNameKey(name)); other != taken.end()) {
        if (!sharing) sharing = other->second;
        continue;
      }
      std::string path = JoinPath(run.dir, name);
      if (run.Foreign(path, id)) {
        avoided.push_back(path);
        continue;
      }
      plan.path = path;
      taken.emplace(FileNameKey(name), plan.index);
      break;
    }
    if (sharing && !plan.path.empty()) {
      outcome.message = "same file name as the playlist " + Quoted(run.playlists[*sharing].name) +
                        "; written as " + Quoted(Basename(plan.path));
    }
    for (const std::string& path : avoided) {
      std::string text = Quoted(path) + " was not written by beets-spotify-extract; left alone";
      text += plan.path.empty() ? "" : ", writing " + Quoted(plan.path) + " instead";
      outcome.message = text;
      result.warnings.push_back(text);
    }
    if (plan.path.empty() && avoided.empty()) {
      outcome.message = "every file name for it is taken by another playlist";
    }
  }
}

// Content equal to the disk (and to the recorded hash) is not rewritten (mtime kept).
void MarkChangedFiles(const MirrorRun& run, std::vector<Plan>& plans) {
  for (Plan& plan : plans) {
    if (plan.path.empty() || plan.keep) continue;
    const OwnedFile* owned = run.Owned(plan.path);
    bool same = false;
    if (!owned || owned->content_hash == plan.hash) {  // unrecorded: ours by its marker
      std::optional<std::string> disk = ReadSmallFile(plan.path);
      same = disk && *disk == plan.content;
    }
    plan.needs_write = !same;
  }
}

// Writes every changed file to a temporary file beside its place; a failure removes them
// all and changes nothing.
void StageFiles(const MirrorRun& run, std::vector<Plan>& plans) {
  bool any_write = false;
  for (const Plan& plan : plans) any_write = any_write || (plan.needs_write && !plan.path.empty());
  if (any_write) {
    if (int error = MakeDirectories(run.dir); error != 0) {
      throw MirrorError("cannot create the playlist folder " + Quoted(run.dir) + ": " +
                            ErrnoText(error) + " (check playlist_dir)",
                        run.previously_owned);
    }
    RemoveStaleTemporaries(run.dir);
  }
  for (Plan& plan : plans) {
    if (plan.path.empty() || !plan.needs_write) continue;
    struct stat existing {};
    mode_t mode =
        Inspect(plan.path, &existing) == DiskState::kRegular ? (existing.st_mode & 07777) : 0644;
    try {
      plan.temp_path = StageFile(run.dir, plan.content, mode, run.options.write_function);
    } catch (const std::runtime_error& error) {
      for (Plan& staged : plans) {
        if (!staged.temp_path.empty()) ::unlink(staged.temp_path.c_str());
      }
      throw MirrorError("cannot write playlist " + Quoted(run.playlists[plan.index].name) + " to " +
                            Quoted(run.dir) + ": " + error.what() + "; no playlist was changed",
                        run.previously_owned);
    }
  }
}

// Renames the staged files into place; a failure leaves what was replaced so far recorded.
void PutInPlace(const MirrorRun& run, std::vector<Plan>& plans) {
  std::vector<OwnedFile> owned_now = run.previously_owned;
  for (size_t p = 0; p < plans.size(); ++p) {
    Plan& plan = plans[p];
    if (plan.temp_path.empty()) continue;
    if (::rename(plan.temp_path.c_str(), plan.path.c_str()) != 0) {
      int error = errno;
      for (size_t rest = p; rest < plans.size(); ++rest) {
        if (!plans[rest].temp_path.empty()) ::unlink(plans[rest].temp_path.c_str());
      }
      FsyncDirectory(run.dir);
      throw MirrorError("cannot replace " + Quoted(plan.path) + ": " + ErrnoText(error), owned_now);
    }
    plan.temp_path.clear();
    std::erase_if(owned_now, [&](const OwnedFile& file) { return file.path == plan.path; });
    owned_now.push_back({run.playlists[plan.index].spotify_id, plan.path, plan.hash});
  }
  FsyncDirectory(run.dir);
}

// Each playlist's outcome, the counts and the new owned list; returns the paths kept.
std::set<std::string> RecordOutcomes(const MirrorRun& run, const std::vector<Plan>& plans,
                                     MirrorResult& result) {
  std::set<std::string> kept_paths;
  for (const Plan& plan : plans) {
    PlaylistOutcome& outcome = result.playlists[plan.index];
    if (plan.path.empty()) continue;
    outcome.path = plan.path;
    outcome.status = plan.keep          ? MirrorStatus::kKept
                     : plan.needs_write ? MirrorStatus::kWritten
                                        : MirrorStatus::kUnchanged;
    result.owned.push_back({run.playlists[plan.index].spotify_id, plan.path, plan.hash});
    kept_paths.insert(plan.path);
  }
  for (const PlaylistOutcome& outcome : result.playlists) {
    switch (outcome.status) {
      case MirrorStatus::kWritten:
        ++result.written;
        break;
      case MirrorStatus::kUnchanged:
        ++result.unchanged;
        break;
      case MirrorStatus::kKept:
        ++result.kept;
        break;
      case MirrorStatus::kSkipped:
        ++result.skipped;
        break;
    }
  }
  return kept_paths;
}

// Removes the files of playlists deleted or renamed on Spotify. Files recorded in another
// folder (playlist_dir changed) are left there and forgotten; a warning names the folder.
void RemoveFilesOfGonePlaylists(const MirrorRun& run, const std::set<std::string>& kept_paths,
                                MirrorResult& result) {
  std::set<std::string> dirs_changed;
  std::map<std::string, int> left_in_old_folders;
  for (const OwnedFile& file : run.previously_owned) {
    if (kept_paths.count(file.path)) continue;
    DiskState state = Inspect(file.path);
    if (state == DiskState::kMissing) continue;
    if (!run.InFolder(file.path)) {
      ++left_in_old_folders[Dirname(file.path)];
      continue;
    }
    if (state == DiskState::kOther) {
      result.warnings.push_back(Quoted(file.path) +
                                " is no longer a regular file; left alone and forgotten");
      continue;
    }
    if (run.options.dry_run) {
      ++result.removed;
      result.removed_paths.push_back(file.path);
      continue;
    }
    if (::unlink(file.path.c_str()) == 0 || errno == ENOENT) {
      ++result.removed;
      result.removed_paths.push_back(file.path);
      dirs_changed.insert(Dirname(file.path));
    } else {
      result.warnings.push_back("cannot remove the old playlist " + Quoted(file.path) + ": " +
                                ErrnoText(errno) + "; will try again next run");
      result.owned.push_back(file);
    }
  }
  for (const std::string& changed : dirs_changed) FsyncDirectory(changed);
  for (const auto& [folder, count] : left_in_old_folders) {
    result.warnings.push_back(std::to_string(count) +
                              " playlist file(s) mirrored before are left in " + Quoted(folder) +
                              " (playlist_dir changed); they are no longer updated: remove them "
                              "by hand if you do not want them");
  }
}

}  // namespace

MirrorResult Mirror(const std::vector<MirrorPlaylist>& playlists,
                    const std::vector<OwnedFile>& previously_owned, const MirrorOptions& options) {
  const MirrorRun run = StartRun(playlists, previously_owned, options);
  MirrorResult result;
  std::vector<Plan> plans = RenderPlaylists(run, result);
  ChooseFileNames(run, plans, result);
  MarkChangedFiles(run, plans);
  if (!options.dry_run) {
    StageFiles(run, plans);
    PutInPlace(run, plans);
  }
  const std::set<std::string> kept_paths = RecordOutcomes(run, plans, result);
  RemoveFilesOfGonePlaylists(run, kept_paths, result);
  return result;
}

}  // namespace spotify_extract
