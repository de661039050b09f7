package io.stored.engine;

import static io.stored.common.Checks.requireArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The in-memory store of one node: Q {@link Partition}s, a shared memory budget and its eviction
 * policy, and expiry. Plain Java and thread-safe; every operation names the partition it works on
 * (the caller got it from the router), except the namespace listing, which gathers over all local
 * partitions.
 *
 * <p>Invariants: a copy a primary sends ({@link #apply}, {@link #restore}) is never refused, even
 * past {@link EngineSettings#maxMemory()}; with eviction {@code none} a write never takes the
 * accounted memory past it; with {@code lru} a write or an applied copy that does (racing writers,
 * copies) evicts back within it before it returns; a write that is refused (precondition, memory)
 * changes nothing; an expired item is never returned or listed, whether or not the sweep has
 * removed it yet.
 */
public final class StoreEngine {
  /** Non-empty partitions compared per eviction, as Redis samples keys for its approximated LRU. */
  private static final int EVICTION_SAMPLES = 5;

  /** Random partitions probed to find them before falling back to comparing every partition. */
  private static final int EVICTION_PROBES = 32;

  /** Bounded work per partition per sweep pass, so one partition's lock is never held long. */
  private static final int SWEEP_BATCH = 1024;

  private final EngineSettings settings;
  private final Ticker ticker;
  private final MemoryBudget budget;
  private final EngineCounters counters = new EngineCounters();
  private final Partition[] partitions;
  private volatile EvictionScope evictionScope = EvictionScope.ALL;

  /** Hears of the items eviction takes from the partitions this store is the primary of. */
  @FunctionalInterface
  public interface EvictionListener {
    /**
     * {@code delete} (a new version of partition {@code partition}) removed an item here. Called on
     * the evicting writer's thread, with no lock held.
     */
    void evicted(int partition, Mutation delete);
  }

  /** Where eviction takes items from first, and whom it tells. */
  private record EvictionScope(Supplier<int[]> primaries, EvictionListener listener) {
    static final EvictionScope ALL = new EvictionScope(() -> null, (p, d) -> {});
  }

  public StoreEngine(EngineSettings settings, Ticker ticker) {
    this.settings = settings;
    this.ticker = ticker;
    this.budget = new MemoryBudget(settings.maxMemory());
    this.partitions = new Partition[settings.partitions()];
    boolean lru = settings.eviction() == Eviction.LRU;
    ContentTypes contentTypes = new ContentTypes();
    for (int i = 0; i < partitions.length; i++) {
      partitions[i] = new Partition(i, budget, counters, contentTypes, lru);
    }
  }

  /** The live entry at {@code key}, or null. Counts as an access for LRU. */
  public Entry get(int partition, ItemKey key) {
    return partition(partition).get(key, ticker.millis());
  }

  /**
   * Creates or replaces the item at {@code key} if {@code pre} holds and memory allows.
   *
   * @param ttlMillis time to live in milliseconds, 0 for none
   */
  public WriteResult put(
      int partition,
      ItemKey key,
      byte[] value,
      String contentType,
      long ttlMillis,
      Precondition pre) {
    requireArgument(ttlMillis >= 0, "ttlMillis must not be negative, was %s", ttlMillis);
    Partition p = partition(partition);
    long cost = Partition.maxCost(key, value, contentType, ttlMillis > 0);
    if (cost > budget.max()) {
      return WriteResult.INSUFFICIENT_STORAGE;
    }
    if (settings.eviction() == Eviction.NONE) {
      return p.put(key, value, contentType, ttlMillis, pre, ticker.millis(), false);
    }
    // Eviction takes other partitions' locks, so room is made before this partition's lock
    // is taken; a concurrent writer may take the room first, hence the bounded retry.
    WriteResult r = null;
    for (int attempt = 0; attempt < 4; attempt++) {
      makeRoom(cost, p);
      r = p.put(key, value, contentType, ttlMillis, pre, ticker.millis(), false);
      if (r.outcome() != WriteResult.Outcome.INSUFFICIENT_STORAGE) {
        return r;
      }
    }
    // Others kept taking the room made (concurrent writers, copies a primary sent here): write
    // past the limit and make room after, rather than refuse a write while there is anything to
    // evict.
    r = p.put(key, value, contentType, ttlMillis, pre, ticker.millis(), true);
    makeRoom(0, p);
    return r;
  }

  /**
   * For a store in a cluster: eviction takes items from the partitions {@code primaries} names
   * (this store is their primary; sorted ids, asked at each eviction, so it should be cheap) and
   * hands each one's delete to {@code listener}, to replicate to the partition's backups, which
   * then drop their copies too. Only when those partitions hold nothing does it take a copy this
   * store holds as a backup (telling no one: only the primary orders a partition's writes), so a
   * write is not refused while the store holds anything. Without this call every partition is
   * evicted from alike.
   */
  public void evictPrimariesFirst(Supplier<int[]> primaries, EvictionListener listener) {
    evictionScope = new EvictionScope(primaries, listener);
  }

  /** Deletes the item at {@code key} if {@code pre} holds. */
  public WriteResult delete(int partition, ItemKey key, Precondition pre) {
    return partition(partition).delete(key, pre, ticker.millis());
  }

  /**
   * Deletes every id of the partition key {@code (namespace, key)}; returns one delete mutation per
   * item deleted (their count is what the API reports).
   */
  public List<Mutation> deleteKey(int partition, byte[] namespace, byte[] key) {
    return partition(partition).deleteKey(ItemKey.firstOf(namespace, key), ticker.millis());
  }

  /**
   * Applies a mutation made by the partition's primary if it is newer than what this replica holds
   * for the item (see {@link Mutation}), even past the memory limit; with eviction {@code lru} the
   * store then evicts until it is within the limit again (see {@link #evictPrimariesFirst}).
   */
  public Applied apply(int partition, Mutation m) {
    Partition p = partition(partition);
    Applied applied = p.apply(m, ticker.millis());
    if (settings.eviction() == Eviction.LRU && !budget.fits(0)) {
      // A replica applies past the limit rather than drop the primary's write; with lru it then
      // evicts as a write would (this store's own primaries' items first), so copies that keep
      // arriving cannot hold the store above its limit.
      makeRoom(0, p);
    }
    return applied;
  }

  /**
   * The item's state on this primary as a mutation to send its backups: its current record, or a
   * delete with a new version when it has none.
   */
  public Mutation current(int partition, ItemKey key) {
    return partition(partition).current(key, ticker.millis());
  }

  /**
   * One chunk of a partition's snapshot for state transfer: up to {@code max} live items after
   * {@code after} (null for the first chunk), in key order, and about 8 MiB at most. Pass the last
   * key of a chunk (what {@link #restore} returns) as {@code after} of the next, until a chunk is
   * {@link SnapshotChunk#last()}.
   */
  public SnapshotChunk snapshot(int partition, ItemKey after, int max) {
    requireArgument(max >= 1, "max must be at least 1, was %s", max);
    return partition(partition).snapshot(after, max, ticker.millis());
  }

  /**
   * Applies a chunk of the partition's snapshot, each item as {@link #apply} would; returns the
   * chunk's last address, or null if it was empty. Applies nothing (and returns null) unless the
   * partition has not been cleared since {@link #clear} returned {@code generation}: the chunk
   * belongs to a transfer that was called off.
   */
  public ItemKey restore(int partition, SnapshotChunk chunk, long generation) {
    return partition(partition).restore(chunk, generation, ticker.millis());
  }

  /**
   * Drops everything partition {@code partition} holds; returns its new generation, what {@link
   * #restore} takes for the transfer that starts now.
   */
  public long clear(int partition) {
    return partition(partition).clear();
  }

  /** Items partition {@code partition} holds (live or not yet swept). */
  public int size(int partition) {
    return partition(partition).size();
  }

  /**
   * Forgets the partition's tombstones of deletes made more than {@code graceMillis} ago (by the
   * primary's clock, which their versions carry); returns how many. From then on the partition
   * refuses a write older than those deletes for an item it holds nothing of ({@link
   * Applied#REFUSED}), so a write delayed for longer than the grace cannot undo one of them. Call
   * it only for a partition that is not being received: a snapshot chunk holds old writes.
   */
  public int forgetTombstones(int partition, long graceMillis) {
    return partition(partition)
        .forgetTombstones(Partition.versionAt(ticker.millis() - graceMillis));
  }

  /** Tombstones the partition holds (deletes applied from its primary, not yet forgotten). */
  public int tombstones(int partition) {
    return partition(partition).tombstoneCount();
  }

  /** Tombstones of every partition. */
  public long tombstones() {
    long n = 0;
    for (Partition p : partitions) {
      n += p.tombstoneCount();
    }
    return n;
  }

  public int partitions() {
    return partitions.length;
  }

  /**
   * A page of the ids of {@code (namespace, key)} in UTF-8 byte order.
   *
   * @param after the last id of the previous page, or null for the first page
   */
  public Page listIds(int partition, byte[] namespace, byte[] key, byte[] after, int limit) {
    requireArgument(limit >= 1, "limit must be at least 1, was %s", limit);
    ItemKey from =
        after == null ? ItemKey.firstOf(namespace, key) : ItemKey.of(namespace, key, after);
    List<ItemKey> ids =
        partition(partition).listIds(from, after == null, limit + 1, ticker.millis());
    return Page.of(ids, limit);
  }

  /**
   * A page of the keys of a namespace over every local partition, in UTF-8 byte order. Each key is
   * represented by the address of its first live id.
   *
   * @param after the last key of the previous page, or null for the first page
   */
  public Page listKeys(byte[] namespace, byte[] after, int limit) {
    return listKeys(p -> true, namespace, after, limit);
  }

  /** {@link #listKeys(byte[], byte[], int)} over the partitions {@code which} accepts. */
  public Page listKeys(
      java.util.function.IntPredicate which, byte[] namespace, byte[] after, int limit) {
    requireArgument(limit >= 1, "limit must be at least 1, was %s", limit);
    ItemKey from =
        after == null
            ? ItemKey.firstOf(namespace, new byte[0])
            : ItemKey.afterAllIds(namespace, after);
    long now = ticker.millis();
    List<ItemKey> all = new ArrayList<>();
    for (Partition p : partitions) {
      if (which.test(p.id())) {
        all.addAll(p.listKeys(namespace, from, after == null, limit + 1, now));
      }
    }
    all.sort(null);
    return Page.of(all, limit);
  }

  /** Removes entries whose deadline passed from every partition; returns how many. */
  public int sweepExpired() {
    long now = ticker.millis();
    int total = 0;
    for (Partition p : partitions) {
      int n;
      do {
        n = p.sweep(now, SWEEP_BATCH);
        total += n;
      } while (n == SWEEP_BATCH);
    }
    return total;
  }

  /** Live and not yet swept items. */
  public long entries() {
    return counters.entries.sum();
  }

  /** Accounted bytes in use. */
  public long usedMemory() {
    return budget.used();
  }

  public long maxMemory() {
    return budget.max();
  }

  public long evictions() {
    return counters.evictions.sum();
  }

  public long expirations() {
    return counters.expirations.sum();
  }

  /** The highest version partition {@code p} has handed out. */
  public long lastVersion(int partition) {
    return partition(partition).lastVersion();
  }

  private Partition partition(int p) {
    return partitions[p];
  }

  private void makeRoom(long bytes, Partition preferred) {
    while (!budget.fits(bytes)) {
      if (!evictOne(preferred)) {
        return;
      }
    }
  }

  /**
   * Evicts one item: from the partitions this store is the primary of when it knows them, and only
   * when those hold nothing from any partition (backup copies), so that a write is not refused
   * while the store holds anything. Returns false when nothing is left to evict.
   */
  private boolean evictOne(Partition preferred) {
    EvictionScope scope = evictionScope;
    int[] first = scope.primaries.get();
    return evictOne(preferred, first, first, scope.listener)
        || (first != null && evictOne(preferred, null, first, scope.listener));
  }

  /**
   * Evicts the least recently used item among the heads of up to {@link #EVICTION_SAMPLES}
   * non-empty partitions of {@code among} (null: all; the writer's own first, then random probes);
   * when the probes find none (a sparse store: few items over many partitions) every partition's
   * head is compared, which is exact LRU at the cost of one pass. Reports the eviction to {@code
   * listener} when its partition is one of {@code primaries} (null: all).
   */
  private boolean evictOne(
      Partition preferred, int[] among, int[] primaries, EvictionListener listener) {
    int n = among == null ? partitions.length : among.length;
    if (n == 0) {
      return false;
    }
    Partition best = null;
    long bestAccess = Long.MAX_VALUE;
    int found = 0;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int probe = 0; probe < EVICTION_PROBES && found < EVICTION_SAMPLES; probe++) {
      Partition c =
          probe == 0 && contains(among, preferred.id())
              ? preferred
              : partitions[among == null ? random.nextInt(n) : among[random.nextInt(n)]];
      long at = c.lruHeadAccessTime();
      if (at != Long.MAX_VALUE) {
        found++;
        if (at < bestAccess) {
          best = c;
          bestAccess = at;
        }
      }
    }
    if (found < EVICTION_SAMPLES) {
      for (int i = 0; i < n; i++) {
        Partition c = partitions[among == null ? i : among[i]];
        long at = c.lruHeadAccessTime();
        if (at < bestAccess) {
          best = c;
          bestAccess = at;
        }
      }
    }
    if (best != null && evict(best, primaries, listener)) {
      return true;
    }
    // The sampled head was taken meanwhile by a concurrent writer: anything will do.
    for (int i = 0; i < n; i++) {
      if (evict(partitions[among == null ? i : among[i]], primaries, listener)) {
        return true;
      }
    }
    return false;
  }

  private boolean evict(Partition p, int[] primaries, EvictionListener listener) {
    Mutation delete = p.evictLru(ticker.millis());
    if (delete == null) {
      return false;
    }
    if (contains(primaries, p.id())) {
      listener.evicted(p.id(), delete);
    }
    return true;
  }

  /** Whether sorted {@code partitions} (null: all) holds {@code p}. */
  private static boolean contains(int[] partitions, int p) {
    return partitions == null || Arrays.binarySearch(partitions, p) >= 0;
  }

  /**
   * A page of a listing.
   *
   * @param items the addresses on this page, in order
   * @param more whether more follow after the last one
   */
  public record Page(List<ItemKey> items, boolean more) {
    static Page of(List<ItemKey> fetched, int limit) {
      boolean more = fetched.size() > limit;
      return new Page(more ? List.copyOf(fetched.subList(0, limit)) : List.copyOf(fetched), more);
    }
  }
}
