#pragma once

#include <string>
#include <vector>

#include "store/rows.h"

// The m3u files the mirror wrote (the mirrored_files table): only these are ever replaced
// or removed by it.

namespace spotify_extract {

struct MirroredFile {
  std::string path;  // bytes, absolute
  std::string playlist_id;
  std::string content_hash;
  std::string written_at;
};

class MirroredFileStore {
 public:
  explicit MirroredFileStore(SharedConnection shared) : shared_(shared) {}

  std::vector<MirroredFile> All();
  // The files the mirror owns now, in place of the previous list (one transaction).
  void Replace(const std::vector<MirroredFile>& files);

 private:
  SharedConnection shared_;
};

}  // namespace spotify_extract
