package io.stored.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;

/**
 * One partition of the store: the items of every partition key that hashes here, the order of their
 * expiry, and the partition's version sequence.
 *
 * <p>Every method holds the partition's monitor: a partition is the unit of ordering (one version
 * sequence, one writer at a time), and with Q in the thousands and a handful of event-loop threads
 * the locks are practically uncontended. No method takes a second lock while holding this one;
 * cross-partition work (eviction) is driven by {@link StoreEngine} one partition at a time.
 */
/*
 * Implementation notes
 *
 * Layout. Memory per item is what Stored sells against Redis, so an item is one byte array
 * (Records: version, flags, lengths, key, id, value) and nothing else: no node, key or entry
 * objects. The items of one namespace form a Segment, an array of records sorted by (key, id);
 * the segments are sorted by namespace. A point lookup is two binary searches; the sorted ids
 * of a key and the sorted keys of a namespace are ranges of one segment; a snapshot walks the
 * segments in order. An insert shifts the tail of its segment's array: with Q partitions and
 * a few thousand items per partition that is a memmove of a few KB, cheaper than the pointer
 * chasing and the 40-byte node per item of a tree. The namespace is kept once per segment,
 * not per item.
 *
 * Expiring items are also in a TreeSet ordered by (expiresAt, version), so the sweep pops due
 * items without scanning, and a replaced item is removed from it at once. Versions are unique
 * within a partition, which makes that order total.
 *
 * LRU. A partition that tracks LRU keeps each item's last access time in its record; eviction
 * compares every item of a small partition and a random sample of a large one (as Redis
 * approximates LRU), and StoreEngine compares a sample of partitions.
 *
 * Versions. A hybrid clock: max(last + 1, now << 12). Monotonic within the process, and a
 * restarted process starts above anything it handed out before (unless the clock went back
 * by more than the time since), so an ETag from before a restart does not match a new value.
 *
 * Memory accounting counts what the heap really holds: each record's array with its header
 * and alignment, its slot in the segment's array (with growth slack), each segment, and the
 * expiry index's node per expiring item. Adding and releasing compute the same figure from
 * the same record, so they always balance.
 */
final class Partition {
  /** A reference in a segment's array, with the array's growth slack. */
  static final int INDEX_SLOT = 6;

  /** A segment object, its namespace and records arrays' headers, its slot among segments. */
  static final int SEGMENT_OVERHEAD = 96;

  /** The expiry index's TreeSet node and its Expiry and ItemKey objects (plus the key bytes). */
  static final int EXPIRY_OVERHEAD = 120;

  /**
   * Bytes of records in one state-transfer chunk beyond its first item: values may be up to 64 MiB,
   * and a chunk of many large ones would exceed the transport's largest frame.
   */
  static final int CHUNK_BYTES = 8 << 20;

  /** Items of a large partition compared per eviction. */
  private static final int LRU_SAMPLES = 16;

  private static final Comparator<Expiry> BY_EXPIRY =
      Comparator.comparingLong(Expiry::expiresAt).thenComparingLong(Expiry::version);

  private static final Segment[] NO_SEGMENTS = new Segment[0];

  private final int id;
  private final MemoryBudget budget;
  private final EngineCounters counters;
  private final ContentTypes contentTypes;
  private final boolean lru;
  private Segment[] segments = NO_SEGMENTS;
  private final TreeSet<Expiry> expiring = new TreeSet<>(BY_EXPIRY);

  /**
   * Versions of deletes applied from the primary, so an older write that arrives later cannot
   * resurrect an item. Only replicas have them. They are not counted in the memory budget, and are
   * forgotten once older than a grace period ({@link #forgetTombstones}). Kept in about version
   * order (the order they arrived in; a key deleted again moves to the end), so forgetting the old
   * ones stops at the first young one.
   */
  private final LinkedHashMap<ItemKey, Long> tombstones = new LinkedHashMap<>();

  /**
   * The newest version of a tombstone forgotten since the partition was last cleared. A write older
   * than that, of an item this replica holds nothing of, may be one a forgotten delete superseded:
   * it is refused ({@link Applied#REFUSED}) rather than applied.
   */
  private long forgottenUpTo;

  /** How many times the partition was cleared: {@link #restore} applies chunks of this one only. */
  private long generation;

  private long lastVersion;
  private long bytes;
  private int count;

  // Where the last locate() looked: scratch state, only meaningful under the lock right after.
  private Segment at;
  private int index;

  /** The items of one namespace in this partition, sorted by (key, id). */
  private static final class Segment {
    final byte[] namespace;
    byte[][] records = new byte[4][];
    int size;

    Segment(byte[] namespace) {
      this.namespace = namespace;
    }
  }

  /** An expiring item's place in the expiry order. */
  private record Expiry(long expiresAt, long version, ItemKey key) {}

  Partition(
      int id,
      MemoryBudget budget,
      EngineCounters counters,
      ContentTypes contentTypes,
      boolean trackLru) {
    this.id = id;
    this.budget = budget;
    this.counters = counters;
    this.contentTypes = contentTypes;
    this.lru = trackLru;
  }

  int id() {
    return id;
  }

  /** An upper bound of what an item costs, to refuse one larger than the whole budget early. */
  static long maxCost(ItemKey key, byte[] value, String contentType, boolean expires) {
    return Records.footprint(Records.length(key, value.length, contentType, expires, true))
        + INDEX_SLOT
        + (expires ? EXPIRY_OVERHEAD + key.size() : 0)
        + segmentCost(key.namespaceLength());
  }

  /** What record {@code r} costs in a segment whose namespace has {@code namespaceLength} bytes. */
  private static long cost(int namespaceLength, byte[] r) {
    return Records.footprint(r.length)
        + INDEX_SLOT
        + (Records.expires(r)
            ? EXPIRY_OVERHEAD + namespaceLength + 1 + Records.keyLength(r) + Records.idLength(r)
            : 0);
  }

  private static long segmentCost(int namespaceLength) {
    return SEGMENT_OVERHEAD + namespaceLength;
  }

  synchronized Entry get(ItemKey key, long now) {
    byte[] r = locate(key, now);
    if (r == null) {
      return null;
    }
    if (lru) {
      Records.touch(r, now);
    }
    return entry(key, r);
  }

  /**
   * Writes the item if {@code pre} holds and the budget has room for it, or regardless of the
   * budget when {@code pastLimit} (the caller evicts afterwards).
   */
  synchronized WriteResult put(
      ItemKey key,
      byte[] value,
      String contentType,
      long ttlMillis,
      Precondition pre,
      long now,
      boolean pastLimit) {
    byte[] current = locate(key, now);
    if (pre.evaluate(current != null, current == null ? 0 : Records.version(current))
        != Precondition.Result.PASS) {
      return WriteResult.PRECONDITION_FAILED;
    }
    long expiresAt = ttlMillis > 0 ? now + ttlMillis : 0;
    byte[] r =
        Records.encode(key, value, contentTypes.code(contentType), contentType, 0, expiresAt, lru);
    long delta = delta(key, r, current);
    if (!budget.tryAdd(delta)) {
      if (!pastLimit) {
        return WriteResult.INSUFFICIENT_STORAGE;
      }
      budget.force(delta);
    }
    Records.setVersion(r, nextVersion(now));
    install(key, r, current, delta, now);
    return new WriteResult(
        current == null ? WriteResult.Outcome.CREATED : WriteResult.Outcome.UPDATED,
        entry(key, r),
        new Mutation(key, value, contentType, Records.version(r), expiresAt));
  }

  synchronized WriteResult delete(ItemKey key, Precondition pre, long now) {
    byte[] current = locate(key, now);
    if (pre.evaluate(current != null, current == null ? 0 : Records.version(current))
        != Precondition.Result.PASS) {
      return WriteResult.PRECONDITION_FAILED;
    }
    if (current == null) {
      return WriteResult.NOT_FOUND;
    }
    Entry removed = entry(key, current);
    removeAt(at, index);
    return new WriteResult(WriteResult.Outcome.DELETED, removed, deleteMutation(key, now));
  }

  /** Deletes every id of {@code (ns, key)}; returns one delete mutation per live item deleted. */
  synchronized List<Mutation> deleteKey(ItemKey first, long now) {
    List<Mutation> deleted = new ArrayList<>();
    Segment s = segment(first);
    if (s == null) {
      return deleted;
    }
    int i = lowerBound(s, first);
    ItemKey end = first.afterAllIds();
    while (i < s.size && Records.compare(s.records[i], lru, end) < 0) {
      byte[] r = s.records[i];
      boolean expired = Records.expiredAt(r, lru, now);
      ItemKey k = expired ? null : Records.key(s.namespace, r, lru);
      removeAt(s, i);
      if (expired) {
        counters.expirations.increment();
      } else {
        deleted.add(deleteMutation(k, now));
      }
    }
    return deleted;
  }

  /**
   * Applies a mutation ordered by this partition's primary (on a backup, or while receiving the
   * partition by state transfer) if it is newer than what this replica has for the item. Memory is
   * accounted but never refused here: the primary already acknowledged the write, and a replica
   * that dropped it would lose data.
   */
  synchronized Applied apply(Mutation m, long now) {
    byte[] r =
        m.isDelete()
            ? null
            : Records.encode(
                m.key(),
                m.value(),
                contentTypes.code(m.contentType()),
                m.contentType(),
                m.version(),
                m.expiresAt(),
                lru);
    return applyVersioned(m.key(), m.version(), r, now);
  }

  /**
   * Applies each item of a chunk of the primary's snapshot as {@link #apply} would; returns the
   * last item's address (null for an empty chunk), where the next chunk starts after. Applies
   * nothing unless the partition is still in {@code generation}, what {@link #clear} returned when
   * the transfer began: a chunk that arrives after the transfer was called off (and perhaps begun
   * again) was read before deletes this replica no longer knows of.
   */
  synchronized ItemKey restore(SnapshotChunk chunk, long generation, long now) {
    if (generation != this.generation) {
      return null;
    }
    SnapshotChunk.Cursor c = chunk.cursor();
    int[] codes = new int[c.types.length];
    for (int t = 0; t < codes.length; t++) {
      codes[t] = contentTypes.code(c.types[t]);
    }
    ItemKey key = null;
    while (c.next()) {
      key = c.key();
      applyVersioned(key, c.version, c.record(codes[c.type], lru), now);
    }
    return key;
  }

  /** Installs record {@code r} (null: deletes) of {@code key} if {@code version} is newer. */
  private Applied applyVersioned(ItemKey key, long version, byte[] r, long now) {
    byte[] current = find(key);
    Long tombstone = current == null ? tombstones.get(key) : null;
    long have = current != null ? Records.version(current) : tombstone != null ? tombstone : 0L;
    if (version <= have) {
      return Applied.SUPERSEDED;
    }
    if (r != null && current == null && tombstone == null && version <= forgottenUpTo) {
      return Applied.REFUSED;
    }
    if (r == null) {
      if (current != null) {
        removeAt(at, index);
      } else if (tombstone != null) {
        tombstones.remove(key); // re-inserted below, at the end: the map stays in arrival order
      }
      tombstones.put(key, version);
    } else {
      long delta = delta(key, r, current);
      if (!budget.tryAdd(delta)) {
        budget.force(delta);
      }
      install(key, r, current, delta, now);
    }
    lastVersion = Math.max(lastVersion, version);
    return Applied.APPLIED;
  }

  /**
   * Up to {@code max} live items after {@code after} (null: from the start), in key order, and no
   * more than {@link #CHUNK_BYTES} of records unless the first alone is larger: one chunk of a
   * state-transfer snapshot. Writes made between chunks reach the receiver as ordinary replicated
   * mutations; {@link #restore} keeps whichever is newer. The chunk is written after the lock is
   * released (records are immutable but for the access time, which it does not read).
   */
  SnapshotChunk snapshot(ItemKey after, int max, long now) {
    int n = 0;
    long size = 0;
    boolean more = false;
    byte[][] namespaces;
    byte[][] records;
    synchronized (this) {
      int cap = Math.min(max, count);
      namespaces = new byte[cap][];
      records = new byte[cap][];
      int si = 0;
      int i = 0;
      if (after != null) {
        si = segmentIndex(after);
        if (si >= 0) {
          i = upperBound(segments[si], after);
        } else {
          si = -si - 1;
        }
      }
      walk:
      for (; si < segments.length; si++, i = 0) {
        Segment s = segments[si];
        for (; i < s.size; i++) {
          byte[] r = s.records[i];
          if (Records.expiredAt(r, lru, now)) {
            continue;
          }
          if (n == cap || (n > 0 && size + r.length > CHUNK_BYTES)) {
            more = true;
            break walk;
          }
          namespaces[n] = s.namespace;
          records[n++] = r;
          size += r.length;
        }
      }
    }
    return SnapshotChunk.write(contentTypes, lru, namespaces, records, n, !more);
  }

  /**
   * Forgets the tombstones of deletes up to {@code version}, oldest first, stopping at the first
   * newer one (one that arrived out of order behind it goes in a later call); returns how many.
   * Writes older than the newest forgotten one are refused from then on, until {@link #clear}.
   */
  synchronized int forgetTombstones(long version) {
    int n = 0;
    for (Iterator<Long> it = tombstones.values().iterator(); it.hasNext(); ) {
      long v = it.next();
      if (v > version) {
        break;
      }
      it.remove();
      forgottenUpTo = Math.max(forgottenUpTo, v);
      n++;
    }
    return n;
  }

  synchronized int tombstoneCount() {
    return tombstones.size();
  }

  /**
   * The item's state as a mutation for the backups: its record, or, when it has none, a delete with
   * a new version (newer than any delete of it this primary made).
   */
  synchronized Mutation current(ItemKey key, long now) {
    byte[] r = locate(key, now);
    if (r == null) {
      return deleteMutation(key, now);
    }
    Entry e = entry(key, r);
    return new Mutation(key, e.value(), e.contentType(), e.version(), e.expiresAt());
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
    Segment s = segment(from);
    if (s == null) {
      return out;
    }
    ItemKey end = from.afterAllIds();
    for (int i = inclusive ? lowerBound(s, from) : upperBound(s, from);
        i < s.size && out.size() < max && Records.compare(s.records[i], lru, end) < 0;
        i++) {
      if (!Records.expiredAt(s.records[i], lru, now)) {
        out.add(Records.key(s.namespace, s.records[i], lru));
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
    Segment s = segment(from);
    if (s == null) {
      return out;
    }
    int i = inclusive ? lowerBound(s, from) : upperBound(s, from);
    while (i < s.size && out.size() < max) {
      byte[] first = s.records[i];
      boolean found = false;
      for (; i < s.size && Records.sameKey(first, s.records[i], lru); i++) {
        if (!found && !Records.expiredAt(s.records[i], lru, now)) {
          out.add(Records.key(s.namespace, s.records[i], lru));
          found = true;
        }
      }
    }
    return out;
  }

  /** Removes up to {@code max} entries whose deadline passed; returns how many. */
  synchronized int sweep(long now, int max) {
    int n = 0;
    while (n < max && !expiring.isEmpty() && expiring.first().expiresAt() <= now) {
      Expiry due = expiring.first();
      byte[] r = find(due.key());
      if (r != null && Records.version(r) == due.version()) {
        removeAt(at, index);
      } else {
        expiring.remove(due); // cannot happen: a replaced item leaves the index at once
      }
      counters.expirations.increment();
      n++;
    }
    return n;
  }

  /**
   * Access time of the least recently used item (every item of a small partition compared, a random
   * sample of a large one), or {@code Long.MAX_VALUE} when empty.
   */
  synchronized long lruHeadAccessTime() {
    return pickLru() ? Records.accessedAt(at.records[index]) : Long.MAX_VALUE;
  }

  /**
   * Evicts the least recently used item, as {@link #lruHeadAccessTime} finds it; returns its delete
   * with a new version (on a primary, what the backups apply to drop their copies too), or null
   * when the partition is empty.
   */
  synchronized Mutation evictLru(long now) {
    if (!pickLru()) {
      return null;
    }
    ItemKey key = Records.key(at.namespace, at.records[index], lru);
    removeAt(at, index);
    counters.evictions.increment();
    return deleteMutation(key, now);
  }

  /** Points {@code at}/{@code index} at the LRU candidate; false when the partition is empty. */
  private boolean pickLru() {
    if (count == 0) {
      return false;
    }
    long best = Long.MAX_VALUE;
    Segment bestSegment = null;
    int bestIndex = -1;
    if (count <= LRU_SAMPLES) {
      for (Segment s : segments) {
        for (int i = 0; i < s.size; i++) {
          long t = Records.accessedAt(s.records[i]);
          if (t < best || bestSegment == null) {
            best = t;
            bestSegment = s;
            bestIndex = i;
          }
        }
      }
    } else {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      for (int n = 0; n < LRU_SAMPLES; n++) {
        int k = random.nextInt(count);
        Segment s = segments[0];
        for (int si = 0; k >= s.size; si++) {
          k -= s.size;
          s = segments[si + 1];
        }
        long t = Records.accessedAt(s.records[k]);
        if (t < best || bestSegment == null) {
          best = t;
          bestSegment = s;
          bestIndex = k;
        }
      }
    }
    at = bestSegment;
    index = bestIndex;
    return true;
  }

  /**
   * Drops every item and tombstone, releasing their memory: the store no longer holds this
   * partition, or is about to receive it afresh. The version sequence is kept (it only grows).
   * Returns the partition's new generation, which {@link #restore} takes.
   */
  synchronized long clear() {
    budget.release(bytes);
    counters.entries.add(-count);
    segments = NO_SEGMENTS;
    expiring.clear();
    tombstones.clear();
    forgottenUpTo = 0;
    bytes = 0;
    count = 0;
    return ++generation;
  }

  synchronized int size() {
    return count;
  }

  synchronized long lastVersion() {
    return lastVersion;
  }

  private Entry entry(ItemKey key, byte[] r) {
    return new Entry(key, r, lru, contentTypes.of(r, lru));
  }

  /**
   * The live record at {@code key}, or null; an expired one is removed on the way. Leaves {@code
   * at} (null when the namespace has no segment) and {@code index} (see {@link #find}).
   */
  private byte[] locate(ItemKey key, long now) {
    byte[] r = find(key);
    if (r != null && Records.expiredAt(r, lru, now)) {
      removeAt(at, index);
      counters.expirations.increment();
      return find(key);
    }
    return r;
  }

  /**
   * The record at {@code key} whether expired or not, or null. Leaves {@code at} (null when the
   * namespace has no segment) and {@code index}: the record's position, or {@code -(insertion
   * point) - 1}.
   */
  private byte[] find(ItemKey key) {
    int si = segmentIndex(key);
    at = si >= 0 ? segments[si] : null;
    if (at == null) {
      index = -1;
      return null;
    }
    index = search(at, key);
    return index >= 0 ? at.records[index] : null;
  }

  /** Bytes an item adds: its record, less the one it replaces, plus a new segment if needed. */
  private long delta(ItemKey key, byte[] r, byte[] current) {
    int ns = key.namespaceLength();
    return cost(ns, r)
        - (current == null ? 0 : cost(ns, current))
        + (at == null ? segmentCost(ns) : 0);
  }

  /**
   * Puts record {@code r} in place of {@code current} (or of nothing) where the last {@link #find}
   * left {@code at}/{@code index}; its memory is already reserved.
   */
  private void install(ItemKey key, byte[] r, byte[] current, long delta, long now) {
    Segment s = at;
    int i = index;
    if (s == null) {
      s = addSegment(key);
      i = -1;
    }
    if (current != null) {
      unlinkExpiry(s, current);
      s.records[i] = r;
    } else {
      insertAt(s, -i - 1, r);
      count++;
      counters.entries.increment();
    }
    if (Records.expires(r)) {
      expiring.add(new Expiry(Records.expiresAt(r, lru), Records.version(r), key));
    }
    if (lru) {
      Records.touch(r, now);
    }
    bytes += delta;
    if (!tombstones.isEmpty()) {
      tombstones.remove(key);
    }
  }

  private long nextVersion(long now) {
    lastVersion = Math.max(lastVersion + 1, versionAt(now));
    return lastVersion;
  }

  /**
   * The first version of millisecond {@code millis} of the hybrid clock (see the notes above): the
   * age of a version, on the clock of the primary that made it.
   */
  static long versionAt(long millis) {
    return millis << 12;
  }

  private void removeAt(Segment s, int i) {
    byte[] r = s.records[i];
    unlinkExpiry(s, r);
    long c = cost(s.namespace.length, r);
    System.arraycopy(s.records, i + 1, s.records, i, s.size - i - 1);
    s.records[--s.size] = null;
    if (s.size == 0) {
      removeSegment(s);
      c += segmentCost(s.namespace.length);
    } else if (s.records.length > 64 && s.size < s.records.length / 4) {
      s.records = Arrays.copyOf(s.records, s.records.length / 2);
    }
    bytes -= c;
    budget.release(c);
    count--;
    counters.entries.decrement();
  }

  private void unlinkExpiry(Segment s, byte[] r) {
    if (Records.expires(r)) {
      expiring.remove(new Expiry(Records.expiresAt(r, lru), Records.version(r), null));
    }
  }

  private static void insertAt(Segment s, int i, byte[] r) {
    if (s.size == s.records.length) {
      s.records = Arrays.copyOf(s.records, s.size + (s.size >> 1) + 1);
    }
    System.arraycopy(s.records, i, s.records, i + 1, s.size - i);
    s.records[i] = r;
    s.size++;
  }

  /** The segment of {@code key}'s namespace, or null. */
  private Segment segment(ItemKey key) {
    int si = segmentIndex(key);
    return si >= 0 ? segments[si] : null;
  }

  /** Binary search of the segments by namespace, as {@link Arrays#binarySearch}. */
  private int segmentIndex(ItemKey key) {
    byte[] b = key.raw();
    int n = key.namespaceLength();
    return binarySearch(
        segments.length,
        mid -> {
          byte[] ns = segments[mid].namespace;
          return Arrays.compareUnsigned(ns, 0, ns.length, b, 0, n);
        });
  }

  private Segment addSegment(ItemKey key) {
    Segment s = new Segment(Arrays.copyOf(key.raw(), key.namespaceLength()));
    int i = -segmentIndex(key) - 1;
    Segment[] grown = new Segment[segments.length + 1];
    System.arraycopy(segments, 0, grown, 0, i);
    grown[i] = s;
    System.arraycopy(segments, i, grown, i + 1, segments.length - i);
    segments = grown;
    return s;
  }

  private void removeSegment(Segment s) {
    int i = Arrays.asList(segments).indexOf(s);
    Segment[] shrunk = new Segment[segments.length - 1];
    System.arraycopy(segments, 0, shrunk, 0, i);
    System.arraycopy(segments, i + 1, shrunk, i, segments.length - i - 1);
    segments = shrunk;
  }

  /** Binary search of a segment's records by (key, id), as {@link Arrays#binarySearch}. */
  private int search(Segment s, ItemKey key) {
    return binarySearch(s.size, mid -> Records.compare(s.records[mid], lru, key));
  }

  /**
   * Binary search over positions {@code 0..size-1} given how the element at a position compares
   * with the one sought: its position, or {@code -(insertion point) - 1}.
   */
  private static int binarySearch(int size, IntUnaryOperator compareAt) {
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = compareAt.applyAsInt(mid);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /** Position of the first record at or after {@code key}. */
  private int lowerBound(Segment s, ItemKey key) {
    int i = search(s, key);
    return i >= 0 ? i : -i - 1;
  }

  /** Position of the first record after {@code key}. */
  private int upperBound(Segment s, ItemKey key) {
    int i = search(s, key);
    return i >= 0 ? i + 1 : -i - 1;
  }
}
