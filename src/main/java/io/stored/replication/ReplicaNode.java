package io.stored.replication;

import io.stored.engine.Applied;
import io.stored.engine.ItemKey;
import io.stored.engine.Mutation;
import io.stored.engine.StoreEngine;
import io.stored.engine.WriteResult;
import io.stored.ring.Member;
import io.stored.ring.MemberState;
import io.stored.ring.Ring;
import io.stored.router.Router;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * One store's side of the protocol: the client operations an endpoint sends it, replication and
 * state transfer with the other stores, and the rings the monkey installs.
 *
 * <p>Invariant: a write is reported successful only after every other owner and every pending owner
 * of its partition, in the epoch the primary wrote in, has applied it, so an acknowledged write
 * survives the loss of any {@code RF - 1} owners and is on every store receiving the partition. A
 * failed write may have been applied by some owners; it was never acknowledged, and a retry
 * supersedes it by version.
 */
/*
 * Implementation notes
 *
 * Ordering. The primary's partition lock orders writes and assigns versions; replication
 * messages of concurrent writes may overtake each other on the way, which is harmless
 * because replicas apply by version per item (StoreEngine.apply, Mutation).
 *
 * Fencing. Every fenced message carries the sender's epoch. A receiver with a newer ring
 * answers Stale, so a deposed primary (paused, partitioned, slow to hear of the new epoch)
 * cannot complete a write: its backups have moved on. A receiver with an older ring answers
 * Behind; the caller retries once the monkey's push has reached it.
 *
 * Writes racing a ring change. The primary reads the ring again after applying a write and
 * replicates to the owners of that ring. A pending owner fetches snapshot chunks only in the
 * epoch that lists it, so a chunk read before the write was applied is answered by a primary
 * that already had that ring installed, and the write's re-read sees it: the write goes to the
 * pending owner by replication. Either way it is not missed.
 *
 * State transfer. A pending owner receives live writes from the moment its ring is installed
 * and pulls the partition's snapshot in chunks meanwhile. Either order of arrival converges
 * (tombstones keep deletes from being undone by an older chunk). A store clears a partition
 * when it starts receiving it (whatever it had may be stale: it was down, or restarted) and
 * when it stops holding it.
 *
 * Tombstones. A backup keeps each delete's version so that an older write arriving after it
 * (replication messages travel on one connection per event loop and may overtake each other)
 * cannot bring the item back. They are forgotten once older than a grace period
 * (stored.cluster.tombstone-grace), far longer than messages normally take. A message delayed
 * for longer still is not trusted: a partition refuses a write older than the deletes it has
 * forgotten for an item it holds nothing of, and the backup answers Unavailable, so that write
 * is not acknowledged. A write that old has already failed at the client (its deadline is the
 * peer timeout), so the refusal costs nothing but the certainty. A partition being received
 * forgets nothing: its snapshot chunks carry old writes legitimately.
 *
 * Eviction. Only a primary orders its partition's writes, so only a primary evicts (the engine
 * takes from the partitions this store is the primary of) and replicates each eviction as a
 * delete. A backup applies a copy even past its memory limit, then makes room among its own
 * primaries' items (StoreEngine.apply). The eviction's delete is sent without waiting for it: the
 * write that made room does not depend on it.
 */
public final class ReplicaNode {
  private static final Logger LOG = Logger.getLogger(ReplicaNode.class);

  /**
   * Partitions pulled at the same time by one store: enough to keep the link busy while each pull
   * waits for its next chunk.
   */
  static final int PARALLEL_PULLS = 16;

  private static final long RETRY_MILLIS = 50;

  private final String name;
  private final long incarnation;
  private final StoreEngine engine;
  private final Router router;
  private final Peers peers;
  private final int chunk;

  /** Pending partitions of this store: being pulled, queued, or in sync. Guarded by this. */
  private final Map<Integer, Pull> pulls = new HashMap<>();

  /**
   * Pulls whose last fetch the primary answered Stale, with the epoch it had: fetched again when a
   * ring that new is installed here. Guarded by this.
   */
  private final Map<Pull, Long> awaitingRing = new HashMap<>();

  /** The partitions this store is the primary of in one ring, for eviction. */
  private record Primaries(Ring ring, int[] partitions) {}

  private volatile Primaries primaries;

  private int running;
  private volatile boolean draining;
  private volatile long lastStatusNanos;
  private final AtomicBoolean catchingUp = new AtomicBoolean();

  /**
   * @param incarnation identifies this start of the store (random per process start)
   * @param chunk items per state-transfer chunk
   */
  public ReplicaNode(
      String name, long incarnation, StoreEngine engine, Router router, Peers peers, int chunk) {
    this.name = name;
    this.incarnation = incarnation;
    this.engine = engine;
    this.router = router;
    this.peers = peers;
    this.chunk = chunk;
    engine.evictPrimariesFirst(this::primaries, this::replicateEviction);
  }

  public String name() {
    return name;
  }

  public long incarnation() {
    return incarnation;
  }

  public StoreEngine engine() {
    return engine;
  }

  public Router router() {
    return router;
  }

  /** Handles a message from an endpoint, another store or the monkey. Never throws. */
  public CompletionStage<Reply> handle(Message message) {
    Ring ring = router.ring();
    if (message.fenced()) {
      if (message.epoch() < ring.epoch()) {
        return done(new Reply.Stale(ring.epoch()));
      }
      if (message.epoch() > ring.epoch()) {
        catchUp(ring);
        return done(new Reply.Behind(ring.epoch()));
      }
    }
    if (message instanceof Message.Get m) {
      return done(get(ring, m));
    }
    if (message instanceof Message.Write m) {
      return write(ring, m);
    }
    if (message instanceof Message.Replicate m) {
      return done(replicate(ring, m));
    }
    if (message instanceof Message.DeleteKey m) {
      return deleteKey(ring, m);
    }
    if (message instanceof Message.ListIds m) {
      return done(listIds(ring, m));
    }
    if (message instanceof Message.ListKeys m) {
      StoreEngine.Page page =
          engine.listKeys(p -> ring.isPrimary(p, name), m.namespace(), m.after(), m.limit());
      return done(new Reply.Page(ring.epoch(), page.items(), page.more()));
    }
    if (message instanceof Message.FetchSnapshot m) {
      return done(
          ring.isPrimary(m.partition(), name)
              ? new Reply.Chunk(ring.epoch(), engine.snapshot(m.partition(), m.after(), m.max()))
              : new Reply.NotOwner(ring.epoch(), m.partition()));
    }
    if (message instanceof Message.InstallRing m) {
      return done(m.incarnation() == incarnation ? installed(m.ring()) : status());
    }
    if (message instanceof Message.Status) {
      lastStatusNanos = System.nanoTime();
      return done(status());
    }
    // FetchRing. An endpoint asks every store each second: one that already has this epoch gets
    // an Ack rather than the whole ring to decode again (1,024+ partitions).
    return done(
        message.epoch() == ring.epoch() && ring.epoch() > 0
            ? new Reply.Ack(ring.epoch())
            : new Reply.RingIs(ring));
  }

  private Reply get(Ring ring, Message.Get m) {
    if (!(m.any() ? ring.isOwner(m.partition(), name) : ring.isPrimary(m.partition(), name))) {
      return new Reply.NotOwner(ring.epoch(), m.partition());
    }
    return new Reply.Item(ring.epoch(), engine.get(m.partition(), m.key()));
  }

  private Reply listIds(Ring ring, Message.ListIds m) {
    int p = m.partition();
    // With any, a pending owner answers too: it is asked which ids it holds (deleteKey), while
    // the endpoint reads from owners only.
    if (!(m.any() ? ring.isOwner(p, name) || ring.isPending(p, name) : ring.isPrimary(p, name))) {
      return new Reply.NotOwner(ring.epoch(), p);
    }
    StoreEngine.Page page =
        engine.listIds(m.partition(), m.namespace(), m.key(), m.after(), m.limit());
    return new Reply.Page(ring.epoch(), page.items(), page.more());
  }

  private CompletionStage<Reply> write(Ring ring, Message.Write m) {
    int p = m.partition();
    if (!ring.isPrimary(p, name)) {
      return done(new Reply.NotOwner(ring.epoch(), p));
    }
    WriteResult r =
        m.value() == null
            ? engine.delete(p, m.key(), m.precondition())
            : engine.put(p, m.key(), m.value(), m.contentType(), m.ttlMillis(), m.precondition());
    long version =
        r.outcome() == WriteResult.Outcome.INSUFFICIENT_STORAGE
            ? engine.maxMemory()
            : m.value() == null || r.entry() == null ? 0 : r.entry().version();
    Reply written = new Reply.Written(ring.epoch(), r.outcome(), version);
    if (r.mutation() != null) {
      return replicate(p, List.of(r.mutation()), written);
    }
    if ((r.outcome() == WriteResult.Outcome.NOT_FOUND
            || r.outcome() == WriteResult.Outcome.PRECONDITION_FAILED)
        && !othersHolding(ring, p).isEmpty()) {
      // The answer rests on the item's state here, which a backup may lack: an earlier attempt of
      // this very request (the endpoint retries) may have been applied here and failed on a
      // backup. Replicating the state first means a 404 after a retried DELETE, or a 412 after a
      // retried conditional PUT, is true on every owner, not only on this one.
      return replicate(p, List.of(engine.current(p, m.key())), written);
    }
    return done(written);
  }

  private CompletionStage<Reply> deleteKey(Ring ring, Message.DeleteKey m) {
    if (!ring.isPrimary(m.partition(), name)) {
      return done(new Reply.NotOwner(ring.epoch(), m.partition()));
    }
    int p = m.partition();
    List<Mutation> deletes = engine.deleteKey(p, m.namespace(), m.key());
    Reply count = new Reply.Count(ring.epoch(), deletes.size());
    if (!deletes.isEmpty()) {
      return replicate(p, deletes, count);
    }
    // Nothing left here, which must hold on every owner too (see write's 404): an earlier attempt
    // may have been applied here alone. This store no longer knows which ids that attempt
    // deleted, so it asks the other owners which they hold and sends its state of each.
    List<String> others = othersHolding(ring, p);
    if (others.isEmpty()) {
      return done(count);
    }
    List<CompletableFuture<List<ItemKey>>> asks = new ArrayList<>();
    for (String other : others) {
      asks.add(idsOn(other, ring.epoch(), m, null, new ArrayList<>()).toCompletableFuture());
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .handle(
            (x, failure) -> {
              if (failure != null) {
                return done(
                    new Reply.Unavailable(
                        ring.epoch(),
                        "listing the ids other owners of partition " + p + " hold: " + failure));
              }
              Set<ItemKey> held = new TreeSet<>();
              asks.forEach(a -> held.addAll(a.join()));
              if (held.isEmpty()) {
                return done(count);
              }
              List<Mutation> states = new ArrayList<>(held.size());
              held.forEach(k -> states.add(engine.current(p, k)));
              return replicate(p, states, count);
            })
        .thenCompose(r -> r);
  }

  /** Every id of the deleted key that {@code member} holds, page after page. */
  private CompletionStage<List<ItemKey>> idsOn(
      String member, long epoch, Message.DeleteKey m, byte[] after, List<ItemKey> into) {
    return peers
        .send(
            member,
            new Message.ListIds(epoch, m.partition(), m.namespace(), m.key(), after, 1000, true))
        .thenCompose(
            reply -> {
              if (!(reply instanceof Reply.Page page)) {
                throw new IllegalStateException(member + " answered " + reply);
              }
              into.addAll(page.items());
              if (!page.more() || page.items().isEmpty()) {
                return CompletableFuture.completedFuture(into);
              }
              byte[] last = page.items().get(page.items().size() - 1).idBytes();
              return idsOn(member, epoch, m, last, into);
            });
  }

  /** The other owners and the pending owners of {@code partition} in {@code ring}. */
  private List<String> othersHolding(Ring ring, int partition) {
    List<String> to = new ArrayList<>();
    for (Member m : ring.owners(partition)) {
      if (!m.name().equals(name)) {
        to.add(m.name());
      }
    }
    ring.pending(partition).forEach(m -> to.add(m.name()));
    return to;
  }

  private Reply replicate(Ring ring, Message.Replicate m) {
    if (!ring.isOwner(m.partition(), name) && !ring.isPending(m.partition(), name)) {
      return new Reply.NotOwner(ring.epoch(), m.partition());
    }
    int refused = 0;
    for (Mutation mutation : m.mutations()) {
      if (engine.apply(m.partition(), mutation) == Applied.REFUSED) {
        refused++;
      }
    }
    if (refused > 0) {
      // Not acknowledged, so the write fails rather than count a copy this store may not hold.
      return new Reply.Unavailable(
          ring.epoch(),
          refused
              + " write(s) of partition "
              + m.partition()
              + " older than deletes this store has forgotten (delayed past the tombstone grace)");
    }
    return new Reply.Ack(ring.epoch());
  }

  /** The sorted partitions this store is the primary of in its ring, worked out once per ring. */
  private int[] primaries() {
    Ring ring = router.ring();
    Primaries known = primaries;
    if (known == null || known.ring() != ring) {
      int[] mine =
          IntStream.range(0, ring.partitions()).filter(p -> ring.isPrimary(p, name)).toArray();
      known = new Primaries(ring, mine);
      primaries = known;
    }
    return known.partitions();
  }

  /**
   * Sends the delete of an item this primary evicted to the partition's backups, so that they drop
   * their copies too rather than hold (and after a failover serve) what the primary let go. Nothing
   * waits for it: if it fails (a backup down, a new ring) the copies stay, which costs memory but
   * never an acknowledged write, and the item's next write or delete supersedes them.
   */
  private void replicateEviction(int partition, Mutation delete) {
    Reply done = new Reply.Ack(0);
    replicate(partition, List.of(delete), done)
        .whenComplete(
            (reply, failure) -> {
              if (reply != done) {
                LOG.debugf(
                    "the eviction of %s in partition %d did not reach every backup: %s",
                    delete.key(), partition, failure != null ? failure : reply);
              }
            });
  }

  /**
   * Forgets the tombstones older than {@code graceMillis} of every partition that is not being
   * received (a snapshot chunk still on its way holds older writes); returns how many. A
   * partition's check and forgetting happen under this node's lock, so a ring that starts receiving
   * the partition (and clears it) comes before or after, never between.
   */
  public int forgetTombstones(long graceMillis) {
    int n = 0;
    for (int p = 0; p < engine.partitions(); p++) {
      synchronized (this) {
        Pull pull = pulls.get(p);
        if (pull == null || pull.done) {
          n += engine.forgetTombstones(p, graceMillis);
        }
      }
    }
    return n;
  }

  /**
   * Sends mutations already applied here to the partition's other owners and pending owners of the
   * ring as it is now (see the notes on writes racing a ring change); completes with {@code
   * success} once all acknowledged, else with why not.
   */
  private CompletionStage<Reply> replicate(int partition, List<Mutation> mutations, Reply success) {
    Ring ring = router.ring();
    if (!ring.isPrimary(partition, name)) {
      return done(new Reply.Stale(ring.epoch()));
    }
    List<String> to = othersHolding(ring, partition);
    if (to.isEmpty()) {
      return done(success);
    }
    Message.Replicate message = new Message.Replicate(ring.epoch(), partition, mutations);
    List<CompletableFuture<Reply>> sends = new ArrayList<>(to.size());
    for (String member : to) {
      sends.add(peers.send(member, message).toCompletableFuture());
    }
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
        .handle(
            (x, failure) -> {
              long newest = ring.epoch();
              for (int i = 0; i < sends.size(); i++) {
                CompletableFuture<Reply> s = sends.get(i);
                if (s.isCompletedExceptionally()) {
                  return new Reply.Unavailable(
                      ring.epoch(),
                      "backup " + to.get(i) + " of partition " + partition + " did not answer");
                }
                Reply reply = s.join();
                if (reply instanceof Reply.Stale stale) {
                  newest = Math.max(newest, stale.epoch());
                } else if (!(reply instanceof Reply.Ack)) {
                  return new Reply.Unavailable(
                      ring.epoch(),
                      "backup " + to.get(i) + " of partition " + partition + " answered " + reply);
                }
              }
              return newest > ring.epoch() ? new Reply.Stale(newest) : success;
            });
  }

  /**
   * Installs a newer ring: clears the partitions this store starts receiving (before any write of
   * the new epoch can arrive) and those it no longer holds, and starts pulling the former.
   */
  synchronized Reply installed(Ring newer) {
    Ring old = router.ring();
    if (newer.epoch() <= old.epoch()) {
      return new Reply.Ack(old.epoch());
    }
    if (newer.partitions() != old.partitions()) {
      LOG.errorf(
          "refusing ring epoch %d: %d partitions, this store has %d",
          newer.epoch(), newer.partitions(), old.partitions());
      return new Reply.Unavailable(old.epoch(), "partition count differs");
    }
    List<Integer> start = new ArrayList<>();
    Set<Integer> pullsEnded = new HashSet<>();
    for (int p = 0; p < newer.partitions(); p++) {
      if (newer.isPending(p, name) && !pulls.containsKey(p)) {
        Pull pull = new Pull(p, engine.clear(p));
        pulls.put(p, pull);
        start.add(p);
      } else if (!newer.isPending(p, name) && pulls.remove(p) != null) {
        pullsEnded.add(p);
      }
    }
    router.update(newer);
    for (int p = 0; p < newer.partitions(); p++) {
      if (!newer.isOwner(p, name)
          && !newer.isPending(p, name)
          && (engine.size(p) > 0 || pullsEnded.contains(p))) {
        // a transfer called off: clearing its partition, even empty, voids its chunks to come
        engine.clear(p);
      }
    }
    LOG.infof(
        "%s installed ring epoch %d: owns %d partitions, receiving %d",
        name, newer.epoch(), newer.ownedBy(name), pulls.size());
    List<Pull> resumed = new ArrayList<>();
    awaitingRing.entrySet().removeIf(e -> e.getValue() <= newer.epoch() && resumed.add(e.getKey()));
    resumed.forEach(this::step);
    startPulls();
    return new Reply.Ack(newer.epoch());
  }

  /**
   * A message showed a newer epoch: fetch the ring from the other stores rather than wait for the
   * monkey's push. Only a store that has a ring does this; a store that just started (epoch 0) may
   * have lost what a ring says it owns, and takes rings from the monkey only, which checks its
   * incarnation first.
   */
  private void catchUp(Ring ring) {
    if (ring.epoch() == 0 || !catchingUp.compareAndSet(false, true)) {
      return;
    }
    List<CompletableFuture<Reply>> asks = new ArrayList<>();
    for (Member m : ring.members()) {
      if (!m.name().equals(name) && m.state() != MemberState.DOWN) {
        asks.add(
            peers
                .send(m.name(), new Message.FetchRing(ring.epoch()))
                .toCompletableFuture()
                .exceptionally(t -> null));
      }
    }
    CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .whenComplete(
            (x, f) -> {
              Ring newest = null;
              for (CompletableFuture<Reply> a : asks) {
                if (a.join() instanceof Reply.RingIs r
                    && (newest == null || r.ring().epoch() > newest.epoch())) {
                  newest = r.ring();
                }
              }
              if (newest != null) {
                installed(newest);
              }
              catchingUp.set(false);
            });
  }

  /**
   * Installs a ring published elsewhere than by the monkey's push (the ring ConfigMap), if it is
   * newer; never on a store that has no ring yet (see {@link #catchUp}). Returns whether it did.
   */
  public boolean adopt(Ring ring) {
    long had = router.ring().epoch();
    return had > 0 && ring.epoch() > had && installed(ring) instanceof Reply.Ack;
  }

  /**
   * The store is stopping: from now on its status asks the monkey to hand its partitions over and
   * drop it from the ring (like a leave; it joins again, empty, when it restarts).
   */
  public void startDraining() {
    draining = true;
  }

  /** Whether the ring no longer gives this store anything (it may stop without losing a copy). */
  public boolean drained() {
    Ring ring = router.ring();
    for (int p = 0; p < ring.partitions(); p++) {
      if (ring.isOwner(p, name) || ring.isPending(p, name)) {
        return false;
      }
    }
    return true;
  }

  /** Nanos since the monkey last asked for this store's status (Long.MAX_VALUE: never). */
  public long sinceMonkeyAsked() {
    long last = lastStatusNanos;
    return last == 0 ? Long.MAX_VALUE : System.nanoTime() - last;
  }

  /** This store's state for the monkey. */
  public synchronized Reply.StatusIs status() {
    List<Integer> synced = new ArrayList<>();
    pulls.forEach(
        (p, pull) -> {
          if (pull.done) {
            synced.add(p);
          }
        });
    return new Reply.StatusIs(
        router.ring().epoch(),
        incarnation,
        synced,
        engine.usedMemory(),
        engine.maxMemory(),
        draining);
  }

  /**
   * Whether this store serves what its ring gives it: its ring lists it as active (or leaving), so
   * the monkey has made every partition it received an owned one, and nothing is being received.
   */
  public synchronized boolean inSync() {
    Member me = router.ring().member(name);
    if (me == null || (me.state() != MemberState.ACTIVE && me.state() != MemberState.LEAVING)) {
      return false;
    }
    for (Pull pull : pulls.values()) {
      if (!pull.done) {
        return false;
      }
    }
    return true;
  }

  /** Partitions still being received. */
  public synchronized int pulling() {
    return (int) pulls.values().stream().filter(p -> !p.done).count();
  }

  private synchronized void startPulls() {
    for (Pull pull : pulls.values()) {
      if (running >= PARALLEL_PULLS) {
        return;
      }
      if (!pull.done && !pull.active) {
        pull.active = true;
        running++;
        step(pull);
      }
    }
  }

  /** Fetches the next chunk of {@code pull}'s partition from its current primary. */
  private void step(Pull pull) {
    Ring ring = router.ring();
    synchronized (this) {
      if (pulls.get(pull.partition) != pull) {
        finish(pull);
        return;
      }
    }
    List<Member> owners = ring.owners(pull.partition);
    if (owners.isEmpty()) {
      // Nobody holds the partition (every owner was lost): there is nothing to copy.
      synchronized (this) {
        pull.done = true;
        finish(pull);
      }
      return;
    }
    String from = owners.get(0).name();
    peers
        .send(from, new Message.FetchSnapshot(ring.epoch(), pull.partition, pull.after, chunk))
        .whenComplete(
            (reply, failure) -> {
              if (reply instanceof Reply.Chunk c) {
                // Nothing is applied if the partition was cleared since the pull began (the ring
                // called the transfer off): the chunk may hold items deleted since.
                ItemKey last = engine.restore(pull.partition, c.chunk(), pull.generation);
                // The primary says which chunk is the last: one round trip fewer per partition
                // than asking until an empty chunk comes.
                if (c.chunk().last()) {
                  synchronized (this) {
                    pull.done = pulls.get(pull.partition) == pull;
                    finish(pull);
                  }
                  return;
                }
                pull.after = last;
                step(pull);
              } else if (reply instanceof Reply.Stale stale) {
                awaitRing(pull, stale.epoch());
              } else {
                LOG.debugf(
                    "pulling partition %d from %s: %s",
                    pull.partition, from, failure != null ? failure.toString() : reply);
                CompletableFuture.delayedExecutor(RETRY_MILLIS, TimeUnit.MILLISECONDS)
                    .execute(() -> step(pull));
              }
            });
  }

  /**
   * The primary has a newer ring than this store: fetch again as soon as that ring is installed
   * here (the monkey pushes it to every store at once; the primary got it first). During a join the
   * monkey publishes a ring every few hundred ms, and a fixed pause per Stale answer cost each pull
   * a pause per ring. The pause stays as the fallback should the ring not come.
   */
  private void awaitRing(Pull pull, long epoch) {
    synchronized (this) {
      if (router.ring().epoch() < epoch) {
        awaitingRing.put(pull, epoch);
        CompletableFuture.delayedExecutor(RETRY_MILLIS, TimeUnit.MILLISECONDS)
            .execute(
                () -> {
                  boolean stillWaiting;
                  synchronized (this) {
                    stillWaiting = awaitingRing.remove(pull) != null;
                  }
                  if (stillWaiting) {
                    step(pull);
                  }
                });
        return;
      }
    }
    step(pull);
  }

  private synchronized void finish(Pull pull) {
    if (pull.active) {
      pull.active = false;
      running--;
      if (pull.done && pulling() == 0) {
        LOG.infof(
            "%s received every partition it was given (%d items held)", name, engine.entries());
      }
    }
    startPulls();
  }

  private static CompletionStage<Reply> done(Reply r) {
    return CompletableFuture.completedFuture(r);
  }

  /** One partition being received: where the snapshot copy has got to. */
  private static final class Pull {
    final int partition;

    /** The partition's generation when this pull cleared it ({@link StoreEngine#clear}). */
    final long generation;

    ItemKey after;
    boolean active;
    boolean done;

    Pull(int partition, long generation) {
      this.partition = partition;
      this.generation = generation;
    }
  }
}
