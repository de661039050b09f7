package io.stored.replication;

import io.stored.engine.ItemKey;
import io.stored.engine.Mutation;
import io.stored.engine.Precondition;
import io.stored.engine.StoreEngine;
import io.stored.engine.WriteResult;
import io.stored.ring.Member;
import io.stored.ring.Ring;
import io.stored.router.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One store's side of the replication protocol: writes where it is primary, the messages other
 * stores send it, and pulling partitions it must receive.
 *
 * <p>Invariant: a write is reported successful only after every other owner of its partition in the
 * epoch the primary wrote in has applied it, so an acknowledged write survives the loss of any
 * {@code RF - 1} owners. A failed write may have been applied by some owners; it was never
 * acknowledged, and a retry supersedes it by version.
 */
/*
 * Implementation notes
 *
 * Ordering. The primary's partition lock orders writes and assigns versions; replication
 * messages of concurrent writes may overtake each other on the way, which is harmless
 * because replicas apply by version per item (StoreEngine.apply, Mutation).
 *
 * Fencing. Every message carries the sender's epoch. A receiver with a newer ring answers
 * Stale, so a deposed primary (paused, partitioned, slow to hear of the new epoch) cannot
 * complete a write: its backups have moved on. A receiver with an older ring answers
 * Behind; the caller's retry succeeds once the receiver has the ring (ring distribution is
 * the monkey's job, outside this class).
 *
 * State transfer. A joining store is an owner in the ring, so the primary replicates live
 * writes to it from the first moment; meanwhile it pulls the partition's snapshot in
 * chunks. Either order of arrival converges (tombstones keep deletes from being undone by an
 * older chunk); when the pull ends the joiner holds everything acknowledged.
 */
public final class ReplicaNode {
  private final String name;
  private final StoreEngine engine;
  private final Router router;
  private final Peers peers;

  public ReplicaNode(String name, StoreEngine engine, Router router, Peers peers) {
    this.name = name;
    this.engine = engine;
    this.router = router;
    this.peers = peers;
  }

  public String name() {
    return name;
  }

  public StoreEngine engine() {
    return engine;
  }

  public Router router() {
    return router;
  }

  /** Creates or replaces an item as the partition's primary, then replicates it. */
  public CompletionStage<WriteResult> put(
      int partition,
      ItemKey key,
      byte[] value,
      String contentType,
      long ttlMillis,
      Precondition pre) {
    Ring ring = router.ring();
    requirePrimary(ring, partition);
    return replicated(
        ring, partition, engine.put(partition, key, value, contentType, ttlMillis, pre));
  }

  /** Deletes an item as the partition's primary, then replicates the delete. */
  public CompletionStage<WriteResult> delete(int partition, ItemKey key, Precondition pre) {
    Ring ring = router.ring();
    requirePrimary(ring, partition);
    return replicated(ring, partition, engine.delete(partition, key, pre));
  }

  /** Deletes every id of a key as the partition's primary; completes with how many. */
  public CompletionStage<Integer> deleteKey(int partition, byte[] namespace, byte[] key) {
    Ring ring = router.ring();
    requirePrimary(ring, partition);
    List<Mutation> deletes = engine.deleteKey(partition, namespace, key);
    return deletes.isEmpty()
        ? CompletableFuture.completedFuture(0)
        : replicate(ring, partition, deletes).thenApply(x -> deletes.size());
  }

  /** Handles a message from another store (the transport's server side calls this). */
  public Reply handle(Message message) {
    Ring ring = router.ring();
    if (message.epoch() < ring.epoch()) {
      return new Reply.Stale(ring.epoch());
    }
    if (message.epoch() > ring.epoch()) {
      return new Reply.Behind(ring.epoch());
    }
    if (message instanceof Message.Replicate m) {
      if (!owns(ring, m.partition())) {
        return new Reply.NotOwner(ring.epoch(), m.partition());
      }
      for (Mutation mutation : m.mutations()) {
        engine.apply(m.partition(), mutation);
      }
      return new Reply.Ack(ring.epoch());
    }
    Message.FetchSnapshot f = (Message.FetchSnapshot) message;
    if (!isPrimary(ring, f.partition())) {
      return new Reply.NotOwner(ring.epoch(), f.partition());
    }
    return new Reply.Chunk(ring.epoch(), engine.snapshot(f.partition(), f.after(), f.max()));
  }

  /**
   * Receives {@code partition} from its current primary: pulls snapshot chunks of at most {@code
   * chunk} items until the snapshot ends. Live writes reach this store meanwhile as replication,
   * because it is already an owner in the ring.
   */
  public CompletionStage<Void> pull(int partition, int chunk) {
    Ring ring = router.ring();
    if (!owns(ring, partition)) {
      return CompletableFuture.failedFuture(
          new ReplicationException(
              name + " does not own partition " + partition + " in epoch " + ring.epoch()));
    }
    Member primary = ring.owners(partition).get(0);
    if (primary.name().equals(name)) {
      return CompletableFuture.completedFuture(null);
    }
    return pullFrom(ring, primary.name(), partition, null, chunk);
  }

  private CompletionStage<Void> pullFrom(
      Ring ring, String from, int partition, ItemKey after, int chunk) {
    return peers
        .send(from, new Message.FetchSnapshot(ring.epoch(), partition, after, chunk))
        .thenCompose(
            reply -> {
              if (!(reply instanceof Reply.Chunk c)) {
                throw new ReplicationException(
                    "pulling partition "
                        + partition
                        + " from "
                        + from
                        + " in epoch "
                        + ring.epoch()
                        + " was refused: "
                        + reply);
              }
              if (c.mutations().isEmpty()) {
                return CompletableFuture.<Void>completedFuture(null);
              }
              for (Mutation m : c.mutations()) {
                engine.apply(partition, m);
              }
              return pullFrom(
                  ring, from, partition, c.mutations().get(c.mutations().size() - 1).key(), chunk);
            });
  }

  /** Completes with {@code r} once its change (if it made one) is on every other owner. */
  private CompletionStage<WriteResult> replicated(Ring ring, int partition, WriteResult r) {
    return r.mutation() == null
        ? CompletableFuture.completedFuture(r)
        : replicate(ring, partition, List.of(r.mutation())).thenApply(x -> r);
  }

  private CompletionStage<Void> replicate(Ring ring, int partition, List<Mutation> mutations) {
    List<CompletableFuture<Reply>> sends = new ArrayList<>();
    List<String> to = new ArrayList<>();
    for (Member m : ring.owners(partition)) {
      if (!m.name().equals(name)) {
        to.add(m.name());
        sends.add(
            peers
                .send(m.name(), new Message.Replicate(ring.epoch(), partition, mutations))
                .toCompletableFuture());
      }
    }
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
        .handle(
            (x, failure) -> {
              for (int i = 0; i < sends.size(); i++) {
                CompletableFuture<Reply> s = sends.get(i);
                if (s.isCompletedExceptionally()) {
                  throw new ReplicationException(
                      "backup "
                          + to.get(i)
                          + " of partition "
                          + partition
                          + " did not acknowledge in epoch "
                          + ring.epoch(),
                      failure);
                }
                Reply reply = s.join();
                if (!(reply instanceof Reply.Ack)) {
                  throw new ReplicationException(
                      "backup "
                          + to.get(i)
                          + " of partition "
                          + partition
                          + " refused the write of epoch "
                          + ring.epoch()
                          + ": "
                          + reply);
                }
              }
              return null;
            });
  }

  private void requirePrimary(Ring ring, int partition) {
    if (!isPrimary(ring, partition)) {
      List<Member> owners = ring.owners(partition);
      throw new ReplicationException(
          name
              + " is not the primary of partition "
              + partition
              + " in epoch "
              + ring.epoch()
              + " (primary: "
              + (owners.isEmpty() ? "none" : owners.get(0).name())
              + ")");
    }
  }

  private boolean isPrimary(Ring ring, int partition) {
    List<Member> owners = ring.owners(partition);
    return !owners.isEmpty() && owners.get(0).name().equals(name);
  }

  private boolean owns(Ring ring, int partition) {
    for (Member m : ring.owners(partition)) {
      if (m.name().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
