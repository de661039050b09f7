package io.stored.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One partition of the store: the items of every partition key that hashes here, the order of their
 * expiry, their LRU order, and the partition's version sequence.
 *
 * <p>Every method holds the partition's monitor: a partition is the unit of ordering (one version
 * sequence, one writer at a time), and with Q in the thousands and a handful of event-loop threads
 * the locks are practically uncontended. No method takes a second lock while holding this one;
 * cross-partition work (eviction) is driven by {@link StoreEngine} one partition at a time.
 */
/*
 * Implementation notes
 *
 * Layout. One TreeMap keyed by ItemKey (namespace, key, id) holds every item, so a point
 * lookup, the sorted ids of a key and the sorted keys of a namespace are all range operations
 * on the same structure; no second index costs memory. Expiring entries are also in a TreeSet
 * ordered by (expiresAt, version), so the sweep pops due entries without scanning, and a
 * replaced entry is removed from it at once (a lazy-deletion heap would keep overwritten
 * values alive until their old deadline). Versions are unique within a partition, which makes
 * that order total.
 *
 * Versions. A hybrid clock: max(last + 1, now << 12). Monotonic within the process, and a
 * restarted process starts above anything it handed out before (unless the clock went back
 * by more than the time since), so an ETag from before a restart does not match a new value.
 *
 * Memory accounting. cost() estimates the bytes an entry really occupies on a 64-bit JVM
 * with compressed references: the TreeMap node, ItemKey, Entry and two array headers, plus
 * the payload. It is an estimate (content-type strings are mostly shared), consistent for the
 * same entry, so adding and releasing always balance.
 */
final class Partition {
  /** TreeMap.Entry 40 + ItemKey 32 + key array header 16 + Entry 56 + value array header 16. */
  static final int ENTRY_OVERHEAD = 160;

  /** The TreeSet node of an expiring entry. */
  static final int EXPIRY_OVERHEAD = 40;

  private static final Comparator<Entry> BY_EXPIRY =
      Comparator.comparingLong(Entry::expiresAt).thenComparingLong(Entry::version);

  private final int id;
  private final MemoryBudget budget;
  private final EngineCounters counters;
  private final boolean trackLru;
  private final TreeMap<ItemKey, Entry> items = new TreeMap<>();
  private final TreeSet<Entry> expiring = new TreeSet<>(BY_EXPIRY);

  /**
   * Versions of deletes applied from the primary, so an older write replayed later cannot resurrect
   * an item. Only replicas have them; they are not counted in the memory budget and are purged by
   * the replication layer once every replica has seen them.
   */
  private final Map<ItemKey, Long> tombstones = new java.util.HashMap<>();

  private Entry lruHead;
  private Entry lruTail;
  private long lastVersion;
  private long bytes;

  Partition(int id, MemoryBudget budget, EngineCounters counters, boolean trackLru) {
    this.id = id;
    this.budget = budget;
    this.counters = counters;
    this.trackLru = trackLru;
  }

  int id() {
    return id;
  }

  static long cost(ItemKey key, byte[] value, String contentType, boolean expires) {
    return ENTRY_OVERHEAD
        + (expires ? EXPIRY_OVERHEAD : 0)
        + key.size()
        + value.length
        + contentType.length();
  }

  private static long cost(Entry e) {
    return cost(e.key, e.value(), e.contentType(), e.expiresAt() != 0);
  }

  synchronized Entry get(ItemKey key, long now) {
    Entry e = live(key, now);
    if (e != null && trackLru) {
      touch(e, now);
    }
    return e;
  }

  synchronized WriteResult put(
      ItemKey key, byte[] value, String contentType, long ttlMillis, Precondition pre, long now) {
    Entry current = live(key, now);
    if (pre.evaluate(current) != Precondition.Result.PASS) {
      return WriteResult.PRECONDITION_FAILED;
    }
    // Reuse the stored key object on update: the request's copy is garbage right away.
    ItemKey k = current == null ? key : current.key;
    long expiresAt = ttlMillis > 0 ? now + ttlMillis : 0;
    long newCost = cost(k, value, contentType, expiresAt != 0);
    long delta = newCost - (current == null ? 0 : cost(current));
    if (!budget.tryAdd(delta)) {
      return WriteResult.INSUFFICIENT_STORAGE;
    }
    Entry e = new Entry(k, value, contentType, nextVersion(now), expiresAt);
    install(e, current, delta, now);
    return new WriteResult(
        current == null ? WriteResult.Outcome.CREATED : WriteResult.Outcome.UPDATED,
        e,
        Mutation.of(e));
  }

  synchronized WriteResult delete(ItemKey key, Precondition pre, long now) {
    Entry current = live(key, now);
    if (pre.evaluate(current) != Precondition.Result.PASS) {
      return WriteResult.PRECONDITION_FAILED;
    }
    if (current == null) {
      return WriteResult.NOT_FOUND;
    }
    remove(current);
    return new WriteResult(WriteResult.Outcome.DELETED, current, deleteMutation(current.key, now));
  }

  /** Deletes every id of {@code (ns, key)}; returns one delete mutation per live item deleted. */
  synchronized List<Mutation> deleteKey(ItemKey first, long now) {
    NavigableMap<ItemKey, Entry> range = items.subMap(first, true, first.afterAllIds(), false);
    List<Entry> victims = new ArrayList<>(range.values());
    List<Mutation> deleted = new ArrayList<>();
    for (Entry e : victims) {
      if (e.expiredAt(now)) {
        counters.expirations.increment();
        remove(e);
      } else {
        remove(e);
        deleted.add(deleteMutation(e.key, now));
      }
    }
    return deleted;
  }

  /**
   * Applies a mutation ordered by this partition's primary (on a backup, or while receiving the
   * partition by state transfer) if it is newer than what this replica has for the item; returns
   * whether it did. Memory is accounted but never refused here: the primary already acknowledged
   * the write, and a replica that dropped it would lose data.
   */
  synchronized boolean apply(Mutation m, long now) {
    Entry current = items.get(m.key());
    long have = current != null ? current.version() : tombstones.getOrDefault(m.key(), 0L);
    if (m.version() <= have) {
      return false;
    }
    if (m.isDelete()) {
      if (current != null) {
        remove(current);
      }
      tombstones.put(current != null ? current.key : m.key(), m.version());
    } else {
      ItemKey k = current == null ? m.key() : current.key;
      long newCost = cost(k, m.value(), m.contentType(), m.expiresAt() != 0);
      long delta = newCost - (current == null ? 0 : cost(current));
      if (!budget.tryAdd(delta)) {
        budget.force(delta);
      }
      install(
          new Entry(k, m.value(), m.contentType(), m.version(), m.expiresAt()),
          current,
          delta,
          now);
    }
    lastVersion = Math.max(lastVersion, m.version());
    return true;
  }

  /**
   * Up to {@code max} live entries after {@code after} (null: from the start), in key order, as
   * mutations: one chunk of a state-transfer snapshot. Writes made between chunks reach the
   * receiver as ordinary replicated mutations; {@link #apply} keeps whichever is newer.
   */
  synchronized List<Mutation> snapshot(ItemKey after, int max, long now) {
    List<Mutation> out = new ArrayList<>(Math.min(max, 256));
    for (Entry e : (after == null ? items : items.tailMap(after, false)).values()) {
      if (out.size() >= max) {
        break;
      }
      if (!e.expiredAt(now)) {
        out.add(Mutation.of(e));
      }
    }
    return out;
  }

  /** Forgets tombstones up to {@code version}, once every replica has seen them. */
  synchronized void purgeTombstones(long version) {
    tombstones.values().removeIf(v -> v <= version);
  }

  synchronized int tombstoneCount() {
    return tombstones.size();
  }

  /**
   * A delete on the primary takes a version like a write, so replicas order it; the primary itself
   * keeps no tombstone (it orders every write of the partition and never applies an older one), so
   * a single process never accumulates them.
   */
  private Mutation deleteMutation(ItemKey key, long now) {
    return Mutation.delete(key, nextVersion(now));
  }

  /**
   * Up to {@code max} live ids of a key, in order, after {@code from} (exclusive unless inclusive).
   */
  synchronized List<ItemKey> listIds(ItemKey from, boolean inclusive, int max, long now) {
    List<ItemKey> out = new ArrayList<>(Math.min(max, 16));
    for (Entry e : items.subMap(from, inclusive, from.afterAllIds(), false).values()) {
      if (out.size() >= max) {
        break;
      }
      if (!e.expiredAt(now)) {
        out.add(e.key);
      }
    }
    return out;
  }

  /**
   * Up to {@code max} distinct live keys of a namespace, in order, starting at {@code from} (an
   * address in that namespace; exclusive unless inclusive). Each key is represented by the address
   * of its first live id.
   */
  synchronized List<ItemKey> listKeys(
      byte[] namespace, ItemKey from, boolean inclusive, int max, long now) {
    List<ItemKey> out = new ArrayList<>(Math.min(max, 16));
    Map.Entry<ItemKey, Entry> next = inclusive ? items.ceilingEntry(from) : items.higherEntry(from);
    while (next != null && out.size() < max && next.getKey().inNamespace(namespace)) {
      ItemKey first = next.getKey();
      ItemKey end = first.afterAllIds();
      for (Entry e : items.subMap(first, true, end, false).values()) {
        if (!e.expiredAt(now)) {
          out.add(e.key);
          break;
        }
      }
      next = items.higherEntry(end);
    }
    return out;
  }

  /** Removes up to {@code max} entries whose deadline passed; returns how many. */
  synchronized int sweep(long now, int max) {
    int n = 0;
    while (n < max && !expiring.isEmpty() && expiring.first().expiredAt(now)) {
      remove(expiring.first());
      counters.expirations.increment();
      n++;
    }
    return n;
  }

  /** Access time of the least recently used entry, or {@code Long.MAX_VALUE} when empty. */
  synchronized long lruHeadAccessTime() {
    return lruHead == null ? Long.MAX_VALUE : lruHead.accessedAt;
  }

  /** Evicts the least recently used entry; returns the bytes freed (0 when empty). */
  synchronized long evictLru() {
    Entry victim = lruHead;
    if (victim == null) {
      return 0;
    }
    remove(victim);
    counters.evictions.increment();
    return cost(victim);
  }

  /**
   * Drops every item and tombstone, releasing their memory: the store no longer holds this
   * partition, or is about to receive it afresh. The version sequence is kept (it only grows).
   */
  synchronized int clear() {
    int n = items.size();
    budget.release(bytes);
    counters.entries.add(-n);
    items.clear();
    expiring.clear();
    tombstones.clear();
    lruHead = null;
    lruTail = null;
    bytes = 0;
    return n;
  }

  synchronized int size() {
    return items.size();
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized long lastVersion() {
    return lastVersion;
  }

  private Entry live(ItemKey key, long now) {
    Entry e = items.get(key);
    if (e != null && e.expiredAt(now)) {
      remove(e);
      counters.expirations.increment();
      return null;
    }
    return e;
  }

  /** Puts {@code e} in place of {@code current} (or of nothing), its memory already reserved. */
  private void install(Entry e, Entry current, long delta, long now) {
    if (current != null) {
      unlinkIndexes(current);
    } else {
      counters.entries.increment();
    }
    items.put(e.key, e);
    linkIndexes(e, now);
    bytes += delta;
    if (!tombstones.isEmpty()) {
      tombstones.remove(e.key);
    }
  }

  private long nextVersion(long now) {
    lastVersion = Math.max(lastVersion + 1, now << 12);
    return lastVersion;
  }

  private void remove(Entry e) {
    items.remove(e.key);
    unlinkIndexes(e);
    long c = cost(e);
    bytes -= c;
    budget.release(c);
    counters.entries.decrement();
  }

  private void linkIndexes(Entry e, long now) {
    if (e.expiresAt() != 0) {
      expiring.add(e);
    }
    if (trackLru) {
      linkLru(e, now);
    }
  }

  private void unlinkIndexes(Entry e) {
    if (e.expiresAt() != 0) {
      expiring.remove(e);
    }
    if (trackLru) {
      unlinkLru(e);
    }
  }

  private void linkLru(Entry e, long now) {
    e.accessedAt = now;
    e.lruPrev = lruTail;
    if (lruTail == null) {
      lruHead = e;
    } else {
      lruTail.lruNext = e;
    }
    lruTail = e;
  }

  private void unlinkLru(Entry e) {
    if (e.lruPrev == null) {
      lruHead = e.lruNext;
    } else {
      e.lruPrev.lruNext = e.lruNext;
    }
    if (e.lruNext == null) {
      lruTail = e.lruPrev;
    } else {
      e.lruNext.lruPrev = e.lruPrev;
    }
    e.lruPrev = null;
    e.lruNext = null;
  }

  private void touch(Entry e, long now) {
    if (e == lruTail) {
      e.accessedAt = now;
    } else {
      unlinkLru(e);
      linkLru(e, now);
    }
  }
}
