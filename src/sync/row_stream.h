// RowStream: a snapshot's entity rows, encoded chunk by chunk in the order
// sync stores them (kinds in RowOrder's order, each kind by external id), so
// the rows of one chunk can be written while the next is being encoded.
//
// With a helper thread, the helper encodes chunks in turn, running ahead of
// the consumer, and the consumer's Next, rather than wait for a chunk that is
// not ready, encodes the next unclaimed one itself; without a helper (or when
// the thread cannot be started), Next encodes on the caller's thread only.
// Either way the chunks, and so whatever is written from them, are the same.
// Once every chunk of a kind is encoded, that kind's records are released
// from the snapshot (ReleaseRecords), so a large tenant is not held twice.
//
// Chunks stay valid (their text included) until released or the stream is
// destroyed.
// The destructor stops the helper between two chunks and joins it, so a
// consumer that gives up early (a write failed) just destroys the stream.
//
// One consumer thread. While the stream lives, the snapshot's record vectors
// belong to it: the consumer must not read or change them (RowOrder and
// other members, e.g. role_assignments and availability, stay readable).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "providers/snapshot.h"
#include "sync/snapshot_rows.h"

namespace vigil {

class RowStream {
 public:
  struct Chunk {
    size_t index = 0;  // 0, 1, 2, ... in the order Next returns them
    EntityKind kind = EntityKind::kUser;
    size_t begin = 0;  // position of rows[0] in its kind's order
    std::span<EntityRow> rows;  // in `text`
    TextArena text;
  };

  // `snapshot` and `order` (OrderRows of it) must outlive the stream.
  // `chunk_rows` > 0 rows per chunk (a kind's last chunk may be shorter).
  RowStream(Snapshot* snapshot, const RowOrder* order, size_t chunk_rows, bool helper_thread);
  ~RowStream();
  RowStream(const RowStream&) = delete;
  RowStream& operator=(const RowStream&) = delete;

  // The next chunk in order, or nullptr after the last one.
  const Chunk* Next();

  // Frees chunk `index` (returned by Next before) and its text: the consumer
  // is done with it. Chunks not released are freed with the stream.
  void Release(size_t index);

  // Whether a helper thread is encoding (false: the caller encodes in Next).
  bool threaded() const { return helper_.joinable(); }

 private:
  struct Spec {
    EntityKind kind;
    size_t begin, end;
  };

  std::unique_ptr<Chunk> Encode(size_t i);
  // Claims and encodes the next unclaimed chunk, unlocking `lock` (held on
  // entry and on return) meanwhile; false when none is left or stopping.
  bool EncodeOne(std::unique_lock<std::mutex>* lock);
  void Produce();  // the helper thread

  Snapshot* snapshot_;
  const RowOrder* order_;
  std::vector<Spec> specs_;
  std::vector<std::unique_ptr<Chunk>> chunks_;  // one per spec, filled in order

  // Guarded by mu_: chunks_, claimed_, unencoded_, stop_.
  std::mutex mu_;
  std::condition_variable ready_cv_;
  size_t claimed_ = 0;  // specs_[0, claimed_) are encoded or being encoded
  std::map<EntityKind, size_t> unencoded_;  // per kind, chunks not encoded yet
  bool stop_ = false;
  size_t next_ = 0;  // the consumer's position (consumer thread only)
  std::thread helper_;
};

}  // namespace vigil
