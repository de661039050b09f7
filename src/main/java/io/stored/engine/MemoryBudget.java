package io.stored.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The store-wide count of accounted bytes against the limit. Reservations are atomic, so concurrent
 * writers to different partitions never push the total over the limit.
 */
final class MemoryBudget {
  private final long max;
  private final AtomicLong used = new AtomicLong();

  MemoryBudget(long max) {
    this.max = max;
  }

  /** Adds {@code delta} bytes (negative releases) unless that would exceed the limit. */
  boolean tryAdd(long delta) {
    if (delta == 0) {
      // A value replaced by one of the same size: no atomic write to the shared counter.
      return true;
    }
    if (delta < 0) {
      used.addAndGet(delta);
      return true;
    }
    while (true) {
      long u = used.get();
      if (u + delta > max) {
        return false;
      }
      if (used.compareAndSet(u, u + delta)) {
        return true;
      }
    }
  }

  /** Adds {@code bytes} even past the limit (replicated writes must not be dropped). */
  void force(long bytes) {
    used.addAndGet(bytes);
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  boolean fits(long bytes) {
    return used.get() + bytes <= max;
  }

  long used() {
    return used.get();
  }

  long max() {
    return max;
  }
}
