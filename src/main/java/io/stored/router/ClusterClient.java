package io.stored.router;

import io.stored.engine.ItemKey;
import io.stored.replication.Message;
import io.stored.replication.Peers;
import io.stored.replication.Reply;
import io.stored.ring.Member;
import io.stored.ring.MemberState;
import io.stored.ring.Ring;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * How an endpoint reaches the stores: sends each request to its partition's primary (or an owner,
 * for reads that allow any), in one hop, and retries within a bounded time while the ring moves.
 *
 * <p>A refusal that says the ring moved (Stale, NotOwner) makes it fetch the newest ring from the
 * stores before retrying; one that says a store is not there yet (Behind, Unavailable, no answer)
 * makes it wait a little. When the time is up the last refusal is returned, and the endpoint
 * answers 503 with {@code Retry-After}: clients see 503 only while a partition has no reachable
 * primary.
 */
public final class ClusterClient {
  private static final Logger LOG = Logger.getLogger(ClusterClient.class);
  private static final long FIRST_BACKOFF_MILLIS = 10;
  private static final long MAX_BACKOFF_MILLIS = 200;

  private final Router router;
  private final Peers peers;
  private final List<String> seeds;
  private final long timeoutNanos;
  private CompletableFuture<Ring> refreshing;

  /**
   * @param peers reaches stores by member name (the local store, if any, in-process)
   * @param seeds stores asked for the ring besides the ring's own members
   * @param timeoutMillis how long one request may be retried
   */
  public ClusterClient(Router router, Peers peers, List<String> seeds, long timeoutMillis) {
    this.router = router;
    this.peers = peers;
    this.seeds = List.copyOf(seeds);
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
  }

  public Router router() {
    return router;
  }

  /**
   * Sends the message {@code make} builds (from the epoch and partition) to the primary of {@code
   * key}'s partition, or to any of its owners when {@code any}; completes with the store's answer,
   * or with the last refusal when retrying ran out of time.
   */
  public CompletionStage<Reply> call(
      ItemKey key, boolean any, BiFunction<Long, Integer, Message> make) {
    return call(key, any, make, System.nanoTime());
  }

  /**
   * {@link #call(ItemKey, boolean, BiFunction)} for a request that arrived at {@code startNanos}
   * ({@link System#nanoTime}): its retries end the timeout after that, and the clock is not read
   * again for it (one read fewer per request on the endpoint's hot path).
   */
  public CompletionStage<Reply> call(
      ItemKey key, boolean any, BiFunction<Long, Integer, Message> make, long startNanos) {
    Router.Location loc = router.locate(key);
    Member target = pick(loc, any);
    CompletionStage<Reply> sent = send(loc, target, make);
    if (sent instanceof CompletableFuture<Reply> f
        && f.isDone()
        && !f.isCompletedExceptionally()
        && !refusal(f.getNow(null))) {
      // This process's store answered at once (a read, or a write with no backups): nothing to
      // retry, so no Call, no second future and no callback, on every local request.
      return f;
    }
    Call call = new Call(key, any, make, startNanos + timeoutNanos);
    call.settle(loc, target, sent, FIRST_BACKOFF_MILLIS);
    return call.result;
  }

  /** Sends {@code make}'s message to {@code target}; null when there is none. */
  private CompletionStage<Reply> send(
      Router.Location loc, Member target, BiFunction<Long, Integer, Message> make) {
    return target == null
        ? null
        : peers.send(target.name(), make.apply(loc.epoch(), loc.partition()));
  }

  /** A reply that says to ask again: the ring moved, or the store is not there yet. */
  private static boolean refusal(Reply reply) {
    return reply instanceof Reply.Stale
        || reply instanceof Reply.NotOwner
        || reply instanceof Reply.Behind
        || reply instanceof Reply.Unavailable;
  }

  /** One request and its retries. */
  private final class Call {
    final ItemKey key;
    final boolean any;
    final BiFunction<Long, Integer, Message> make;
    final long deadline;
    final CompletableFuture<Reply> result = new CompletableFuture<>();

    Call(ItemKey key, boolean any, BiFunction<Long, Integer, Message> make, long deadline) {
      this.key = key;
      this.any = any;
      this.make = make;
      this.deadline = deadline;
    }

    void attempt(long backoff) {
      Router.Location loc = router.locate(key);
      Member target = pick(loc, any);
      settle(loc, target, send(loc, target, make), backoff);
    }

    /** Completes with the answer to {@code sent}, or tries again after a refusal or failure. */
    void settle(Router.Location loc, Member target, CompletionStage<Reply> sent, long backoff) {
      if (target == null) {
        retry(
            new Reply.Unavailable(loc.epoch(), "no store owns partition " + loc.partition()),
            true,
            backoff);
        return;
      }
      sent.whenComplete(
          (reply, failure) -> {
            if (failure != null) {
              String why =
                  "store "
                      + target.name()
                      + " (owner of partition "
                      + loc.partition()
                      + ") did not answer: "
                      + failure.getMessage();
              retry(new Reply.Unavailable(loc.epoch(), why), true, backoff);
            } else if (refusal(reply)) {
              // a moved ring: fetch the new one first; a store not there yet: just wait
              retry(
                  reply, reply instanceof Reply.Stale || reply instanceof Reply.NotOwner, backoff);
            } else {
              result.complete(reply);
            }
          });
    }

    /**
     * Tries again after {@code backoff} (refreshing the ring first), or gives up at the deadline.
     */
    void retry(Reply refusal, boolean refresh, long backoff) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        result.complete(refusal);
        return;
      }
      long wait = Math.min(backoff, left);
      LOG.debugf("retrying in %d ms after %s", wait, refusal);
      long next = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS)
          .execute(
              refresh
                  ? () -> refreshRing().whenComplete((r, f) -> attempt(next))
                  : () -> attempt(next));
    }
  }

  private static Member pick(Router.Location loc, boolean any) {
    List<Member> owners = loc.owners();
    if (owners.isEmpty()) {
      return null;
    }
    if (!any) {
      return owners.get(0);
    }
    return owners.get(ThreadLocalRandom.current().nextInt(owners.size()));
  }

  /**
   * Sends {@code message} to every store that is primary of some partition and completes with their
   * answers (a failed or refused one completes the whole exceptionally, with the reason).
   */
  public CompletionStage<List<Reply>> callPrimaries(java.util.function.LongFunction<Message> make) {
    Ring ring = router.ring();
    Set<String> primaries = new LinkedHashSet<>();
    for (int p = 0; p < ring.partitions(); p++) {
      List<Member> owners = ring.owners(p);
      if (owners.isEmpty()) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("no store owns partition " + p));
      }
      primaries.add(owners.get(0).name());
    }
    Message m = make.apply(ring.epoch());
    List<CompletableFuture<Reply>> sends = new ArrayList<>();
    for (String member : primaries) {
      sends.add(peers.send(member, m).toCompletableFuture());
    }
    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
        .thenApply(
            x -> {
              List<Reply> replies = new ArrayList<>();
              for (CompletableFuture<Reply> s : sends) {
                Reply r = s.join();
                if (r instanceof Reply.Stale || r instanceof Reply.Behind) {
                  refreshRing();
                  throw new IllegalStateException("the ring moved while listing (" + r + ")");
                }
                replies.add(r);
              }
              return replies;
            });
  }

  /**
   * Asks every known store for its ring and installs the newest. Concurrent callers share one
   * refresh.
   */
  public synchronized CompletableFuture<Ring> refreshRing() {
    if (refreshing != null) {
      return refreshing;
    }
    Ring ring = router.ring();
    Set<String> ask = new LinkedHashSet<>(seeds);
    for (Member m : ring.members()) {
      if (m.state() != MemberState.DOWN) {
        ask.add(m.name());
      }
    }
    List<CompletableFuture<Reply>> sends = new ArrayList<>();
    for (String member : ask) {
      sends.add(
          peers
              .send(member, new Message.FetchRing(ring.epoch()))
              .toCompletableFuture()
              .exceptionally(t -> null));
    }
    CompletableFuture<Ring> done =
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
            .thenApply(
                x -> {
                  for (CompletableFuture<Reply> s : sends) {
                    if (s.join() instanceof Reply.RingIs r
                        && r.ring().partitions() == ring.partitions()) {
                      router.update(r.ring());
                    }
                  }
                  return router.ring();
                });
    refreshing = done;
    done.whenComplete(
        (r, f) -> {
          synchronized (this) {
            refreshing = null;
          }
        });
    return done;
  }
}
