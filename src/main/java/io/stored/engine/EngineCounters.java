package io.stored.engine;

import java.util.concurrent.atomic.LongAdder;

/** Store-wide counters, updated under partition locks and read by metrics without locking. */
final class EngineCounters {
  final LongAdder entries = new LongAdder();
  final LongAdder evictions = new LongAdder();
  final LongAdder expirations = new LongAdder();
}
