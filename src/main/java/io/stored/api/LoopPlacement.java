package io.stored.api;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which of the HTTP port's event loops takes a new connection: the one paired with the CPU that
 * received the connection's packets ({@code SO_INCOMING_CPU}), unless that loop already holds
 * {@link #SLACK} or more connections than the least busy one, which then takes it.
 *
 * <p>Why: a client on the same machine (loopback, or a pod on the same node behind a veth pair) has
 * its packets handled on the CPU its sending thread runs on, so all the connections of one client
 * thread land on one loop. Each loop then answers one client thread, the two take turns instead of
 * preempting each other, and the tail shrinks: against {@code wrk -t2 -c64} on two cores, a p99 of
 * 1.2–3.1 ms at 74–87k GET/s in the runs whose two client threads connected from different CPUs,
 * against 6.0–7.7 ms at 58–76k dealt round-robin (bench/README.md, 2026-11-28 afternoon). For
 * remote clients the CPU is the one of the network queue the flow hashed to, which spreads
 * connections about as evenly as round-robin. The slack bounds the price when one CPU brings every
 * connection (one queue, or one thread opening a whole pool): past it the connections are spread as
 * before. 32 keeps one client thread's usual share of a pool together.
 *
 * <p>Thread-safe; {@link #choose} runs on the acceptor thread, {@link #opened} and {@link #closed}
 * on the event loops.
 */
final class LoopPlacement {
  /** How many more connections a CPU's own loop may hold than the least busy loop. */
  static final int SLACK = 32;

  private final AtomicIntegerArray open;
  private final AtomicLongArray accepted;

  LoopPlacement(int loops) {
    if (loops < 1) {
      throw new IllegalArgumentException("at least one event loop, got " + loops);
    }
    this.open = new AtomicIntegerArray(loops);
    this.accepted = new AtomicLongArray(loops);
  }

  int loops() {
    return open.length();
  }

  /**
   * The loop (0 .. loops-1) for a connection whose packets arrive on {@code incomingCpu} (negative:
   * unknown, the least busy loop takes it).
   */
  int choose(int incomingCpu) {
    int n = open.length();
    int least = 0;
    for (int i = 1; i < n; i++) {
      if (open.get(i) < open.get(least)) {
        least = i;
      }
    }
    if (incomingCpu < 0) {
      return least;
    }
    int own = incomingCpu % n;
    return open.get(own) - open.get(least) < SLACK ? own : least;
  }

  void opened(int loop) {
    open.incrementAndGet(loop);
    accepted.incrementAndGet(loop);
  }

  void closed(int loop) {
    open.decrementAndGet(loop);
  }

  /** Connections open on a loop. */
  int open(int loop) {
    return open.get(loop);
  }

  /** Connections a loop took since the start, closed ones included. */
  long accepted(int loop) {
    return accepted.get(loop);
  }
}
