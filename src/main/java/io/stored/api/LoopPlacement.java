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
 * <p>A client thread can change CPUs after it connected, and when two client threads connected from
 * one CPU the slack split them over the loops. So the placement also keeps, per loop, a tally of
 * the CPUs its connections last reported (each connection looks every {@link
 * FastPath#RECHECK_EVERY} requests, {@link #reported}), and the CPU most of them report makes that
 * loop the CPU's home: a new connection from that CPU goes there, to the least busy one if several
 * loops are home to it ({@link #choose}; so two client threads connecting one after the other from
 * one CPU end up one per loop), and a connection reporting it from another loop, where most
 * connections report a different CPU, is better off there ({@link #elsewhere}): FastPath then asks
 * its client to reconnect. When client threads trade CPUs, every connection of a loop changes
 * together, nothing is astray and nothing moves; a CPU no loop is home to moves nothing either (a
 * host whose network queues spread connections over more CPUs than loops).
 *
 * <p>Thread-safe; {@link #choose} runs on the acceptor thread, {@link #opened}, {@link #closed},
 * {@link #reported} and {@link #mayMove} on the event loops ({@link #reported} and {@link #mayMove}
 * of a loop on that loop only).
 */
final class LoopPlacement {
  /** How many more connections a CPU's own loop may hold than the least busy loop. */
  static final int SLACK = 32;

  /** CPUs are tallied modulo this many: a heuristic, so CPUs 0 and 64 counting as one is fine. */
  static final int CPU_SLOTS = 64;

  /** Connections one loop may ask to reconnect elsewhere per second: a bound on any churn. */
  static final int MOVES_PER_SECOND = 32;

  private final AtomicIntegerArray open;
  private final AtomicLongArray accepted;

  /** Per loop and CPU slot: the loop's connections whose latest report was that CPU. */
  private final AtomicIntegerArray reports;

  /** Per loop: the CPU slot most of its connections report, or -1 when none report. */
  private final AtomicIntegerArray home;

  // per loop, touched by that loop's thread only: the current second's start and its moves
  private final long[] moveSecond;
  private final int[] moves;

  LoopPlacement(int loops) {
    if (loops < 1) {
      throw new IllegalArgumentException("at least one event loop, got " + loops);
    }
    this.open = new AtomicIntegerArray(loops);
    this.accepted = new AtomicLongArray(loops);
    this.reports = new AtomicIntegerArray(loops * CPU_SLOTS);
    this.home = new AtomicIntegerArray(loops);
    for (int i = 0; i < loops; i++) {
      home.set(i, -1);
    }
    this.moveSecond = new long[loops];
    this.moves = new int[loops];
  }

  int loops() {
    return open.length();
  }

  /**
   * The loop (0 .. loops-1) for a connection whose packets arrive on {@code incomingCpu} (negative:
   * unknown, the least busy loop takes it).
   */
  int choose(int incomingCpu) {
    int least = leastBusy();
    if (incomingCpu < 0) {
      return least;
    }
    int h = homeOf(incomingCpu);
    int own = h >= 0 ? h : incomingCpu % open.length();
    return open.get(own) - open.get(least) < SLACK ? own : least;
  }

  /**
   * A connection on {@code loop} now reports {@code now} (negative: it closed or left the fast
   * path), where it reported {@code before} (negative: nothing yet). On {@code loop}'s thread.
   */
  void reported(int loop, int before, int now) {
    if (before == now) {
      return;
    }
    int base = loop * CPU_SLOTS;
    if (before >= 0) {
      reports.decrementAndGet(base + before % CPU_SLOTS);
    }
    if (now >= 0) {
      reports.incrementAndGet(base + now % CPU_SLOTS);
    }
    // the home stays until another CPU has strictly more: a tie does not flap
    int best = home.get(loop);
    int most = best < 0 ? 0 : reports.get(base + best);
    for (int slot = 0; slot < CPU_SLOTS; slot++) {
      int c = reports.get(base + slot);
      if (c > most) {
        best = slot;
        most = c;
      }
    }
    home.set(loop, most == 0 ? -1 : best);
  }

  /**
   * The loop a connection on {@code loop} whose packets now arrive on {@code cpu} belongs on, if
   * another: one that is home to {@code cpu} (the least busy such), while {@code loop} is home to
   * another CPU, and which would take the connection back within the slack. -1 if none.
   */
  int elsewhere(int loop, int cpu) {
    int own = home.get(loop);
    if (cpu < 0 || own < 0 || own == cpu % CPU_SLOTS) {
      return -1;
    }
    int h = homeOf(cpu);
    if (h < 0 || h == loop) {
      return -1;
    }
    return open.get(h) + 1 - open.get(leastBusy()) < SLACK ? h : -1;
  }

  /** Whether {@code loop} may move one more connection now; counts it if so. On its thread. */
  boolean mayMove(int loop, long nowNanos) {
    if (nowNanos - moveSecond[loop] >= 1_000_000_000L) {
      moveSecond[loop] = nowNanos;
      moves[loop] = 0;
    }
    if (moves[loop] >= MOVES_PER_SECOND) {
      return false;
    }
    moves[loop]++;
    return true;
  }

  /** The loop with the fewest connections open (the first of those tied). */
  private int leastBusy() {
    int least = 0;
    for (int i = 1; i < open.length(); i++) {
      if (open.get(i) < open.get(least)) {
        least = i;
      }
    }
    return least;
  }

  /** The least busy loop home to {@code cpu}, or -1. */
  private int homeOf(int cpu) {
    int slot = cpu % CPU_SLOTS;
    int found = -1;
    for (int i = 0; i < home.length(); i++) {
      if (home.get(i) == slot && (found < 0 || open.get(i) < open.get(found))) {
        found = i;
      }
    }
    return found;
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
