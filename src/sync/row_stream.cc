#include "sync/row_stream.h"

#include <algorithm>
#include <system_error>

namespace vigil {

RowStream::RowStream(Snapshot* snapshot, const RowOrder* order, size_t chunk_rows,
                     bool helper_thread)
    : snapshot_(snapshot), order_(order) {
  if (chunk_rows == 0) chunk_rows = 1;
  for (const auto& [kind, indices] : order_->records) {
    for (size_t begin = 0; begin < indices.size(); begin += chunk_rows) {
      const size_t end = std::min(indices.size(), begin + chunk_rows);
      specs_.push_back(Spec{kind, begin, end});
      ++unencoded_[kind];
    }
  }
  chunks_.resize(specs_.size());
  if (helper_thread && specs_.size() > 1) {
    try {
      helper_ = std::thread([this] { Produce(); });
    } catch (const std::system_error&) {
      // No thread to be had: Next encodes on the caller's thread.
    }
  }
}

RowStream::~RowStream() {
  if (helper_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    helper_.join();
  }
}

std::unique_ptr<RowStream::Chunk> RowStream::Encode(size_t i) {
  const Spec& spec = specs_[i];
  auto chunk = std::make_unique<Chunk>();
  chunk->index = i;
  chunk->kind = spec.kind;
  chunk->begin = spec.begin;
  chunk->rows = std::span<EntityRow>(chunk->text.NewRows(spec.end - spec.begin),
                                    spec.end - spec.begin);
  const std::vector<uint32_t>& indices = order_->records.at(spec.kind);
  EncodeRows(*snapshot_, spec.kind, indices.data() + spec.begin, spec.end - spec.begin,
             &chunk->text, chunk->rows.data());
  return chunk;
}

bool RowStream::EncodeOne(std::unique_lock<std::mutex>* lock) {
  if (stop_ || claimed_ == specs_.size()) return false;
  const size_t i = claimed_++;
  lock->unlock();
  std::unique_ptr<Chunk> chunk = Encode(i);
  lock->lock();
  chunks_[i] = std::move(chunk);
  // The records of a kind are released once all its chunks are encoded,
  // whichever thread encoded the last one.
  if (--unencoded_[specs_[i].kind] == 0) {
    lock->unlock();
    ReleaseRecords(snapshot_, specs_[i].kind);
    lock->lock();
  }
  ready_cv_.notify_all();
  return true;
}

void RowStream::Produce() {
  std::unique_lock<std::mutex> lock(mu_);
  while (EncodeOne(&lock)) {
  }
}

const RowStream::Chunk* RowStream::Next() {
  if (next_ == specs_.size()) return nullptr;
  const size_t i = next_++;
  std::unique_lock<std::mutex> lock(mu_);
  // Rather than wait for chunk i, encode the next unclaimed one here: the
  // two threads share the encoding while the writes lag behind.
  while (chunks_[i] == nullptr) {
    if (!EncodeOne(&lock)) ready_cv_.wait(lock, [&] { return chunks_[i] != nullptr; });
  }
  return chunks_[i].get();
}

void RowStream::Release(size_t index) {
  std::unique_ptr<Chunk> chunk;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (index < next_ && index < chunks_.size()) chunk = std::move(chunks_[index]);
  }
  // Freed here, outside the lock.
}

}  // namespace vigil
