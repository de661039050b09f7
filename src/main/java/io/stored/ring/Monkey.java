package io.stored.ring;

import io.stored.replication.Message;
import io.stored.replication.Peers;
import io.stored.replication.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The StoreMonkey with a static member list: checks every store's health, feeds the {@link Planner}
 * and publishes the rings it makes. One {@link #tick()} is one round; the caller schedules rounds
 * (never two at once). Plain Java over {@link Peers}, so it runs in tests without sockets.
 *
 * <p>A round: ask every store for its status (incarnation, ring epoch, partitions received in
 * sync); a store that has not answered for {@code downAfter} is down; one whose incarnation changed
 * restarted with empty memory. Then plan, and push the ring to every live store that lacks it. The
 * ring is also the monkey's memory: a restarted monkey adopts the newest ring the stores hold.
 */
public final class Monkey {
  private static final Logger LOG = Logger.getLogger(Monkey.class);

  private final Peers peers;
  private final int partitions;
  private final int replicationFactor;
  private final long downAfterNanos;
  private final LongSupplier nanoTime;
  private final long startedAt;
  private final Map<String, Tracked> stores = new LinkedHashMap<>();
  private volatile Ring ring;

  /** The last ring that planning left as it was, and the candidates it was planned for. */
  private Ring unchangedRing;

  private List<Planner.Candidate> unchangedFor;

  public Monkey(
      Peers peers,
      int partitions,
      int replicationFactor,
      long downAfterMillis,
      LongSupplier nanos) {
    this.peers = peers;
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
    this.downAfterNanos = downAfterMillis * 1_000_000;
    this.nanoTime = nanos;
    this.startedAt = nanos.getAsLong();
  }

  /** The ring the monkey published last, or null before it has one. */
  public Ring ring() {
    return ring;
  }

  /** Wants store {@code name} in the cluster (again, if it was leaving). */
  public synchronized void add(String name, String address) {
    Tracked t = stores.get(name);
    if (t == null) {
      stores.put(name, new Tracked(address, nanoTime.getAsLong()));
    } else {
      t.address = address;
      t.leave = false;
    }
  }

  /**
   * Wants store {@code name} out: it hands its partitions over and is dropped from the ring once it
   * owns nothing. Returns false when the monkey does not know it.
   */
  public synchronized boolean remove(String name) {
    Tracked t = stores.get(name);
    if (t == null) {
      return false;
    }
    t.leave = true;
    return true;
  }

  /** The internal-transport address of a store the monkey knows, or null. */
  public synchronized String addressOf(String name) {
    Tracked t = stores.get(name);
    if (t != null) {
      return t.address;
    }
    Ring r = ring;
    Member m = r == null ? null : r.member(name);
    return m == null ? null : m.address();
  }

  /** What the monkey knows of each store, for {@code GET /stored/members}. */
  public synchronized List<StoreView> stores() {
    List<StoreView> out = new ArrayList<>();
    Ring r = ring;
    long now = nanoTime.getAsLong();
    for (Map.Entry<String, Tracked> e : stores.entrySet()) {
      Tracked t = e.getValue();
      Member m = r == null ? null : r.member(e.getKey());
      out.add(
          new StoreView(
              e.getKey(),
              t.address,
              m == null ? (t.leave ? "left" : "not in ring") : m.state().name().toLowerCase(),
              t.answered && t.alive(now, downAfterNanos),
              r == null ? 0 : r.ownedBy(e.getKey()),
              r == null ? 0 : pendingOf(r, e.getKey()),
              t.epoch,
              t.usedMemory,
              t.maxMemory));
    }
    return out;
  }

  /**
   * One store as the monkey sees it.
   *
   * @param state its state in the ring ({@code joining}, {@code active}, {@code leaving}, {@code
   *     down}), or {@code not in ring} / {@code left}
   * @param alive whether it answers
   * @param partitions partitions it owns
   * @param receiving partitions it is receiving by state transfer
   * @param epoch the ring epoch it reported
   * @param usedMemory accounted item bytes it reported
   * @param maxMemory its memory limit
   */
  public record StoreView(
      String name,
      String address,
      String state,
      boolean alive,
      int partitions,
      int receiving,
      long epoch,
      long usedMemory,
      long maxMemory) {}

  /** One round: status, plan, publish. Completes with the ring (null while there is none yet). */
  public CompletionStage<Ring> tick() {
    List<String> names;
    synchronized (this) {
      if (ring != null) {
        for (Member m : ring.members()) {
          stores.computeIfAbsent(m.name(), n -> new Tracked(m.address(), nanoTime.getAsLong()));
        }
      }
      names = new ArrayList<>(stores.keySet());
    }
    List<CompletableFuture<Reply>> asks = new ArrayList<>();
    for (String name : names) {
      asks.add(
          peers
              .send(name, new Message.Status(ring == null ? 0 : ring.epoch()))
              .toCompletableFuture()
              .exceptionally(t -> null));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenCompose(
            x -> {
              for (int i = 0; i < names.size(); i++) {
                if (asks.get(i).join() instanceof Reply.StatusIs s) {
                  observe(names.get(i), s);
                }
              }
              return ring == null ? adoptOrBootstrap(names, asks) : planAndPublish();
            });
  }

  private synchronized void observe(String name, Reply.StatusIs s) {
    Tracked t = stores.get(name);
    if (t == null) {
      return;
    }
    t.lastSeen = nanoTime.getAsLong();
    t.answered = true;
    t.epoch = s.epoch();
    if (t.incarnation != 0 && t.incarnation != s.incarnation()) {
      LOG.infof("store %s restarted: it is re-filled before it owns anything again", name);
      t.fresh = true;
    } else if (t.incarnation == 0 && ring != null && s.epoch() == 0 && holds(ring, name)) {
      t.fresh = true;
    }
    t.incarnation = s.incarnation();
    t.synced = ring != null && s.epoch() == ring.epoch() ? Set.copyOf(s.synced()) : Set.of();
    t.usedMemory = s.usedMemory();
    t.maxMemory = s.maxMemory();
    t.draining = s.draining();
  }

  /** With no ring yet: take the newest ring a store has, or make the first one. */
  private CompletionStage<Ring> adoptOrBootstrap(
      List<String> names, List<CompletableFuture<Reply>> asks) {
    String newest = null;
    long newestEpoch = 0;
    int answered = 0;
    for (int i = 0; i < names.size(); i++) {
      if (asks.get(i).join() instanceof Reply.StatusIs s) {
        answered++;
        if (s.epoch() > newestEpoch) {
          newestEpoch = s.epoch();
          newest = names.get(i);
        }
      }
    }
    if (newest != null) {
      String from = newest;
      return peers
          .send(from, new Message.FetchRing(0))
          .thenApply(
              r -> {
                if (r instanceof Reply.RingIs ri && ri.ring().partitions() == partitions) {
                  synchronized (this) {
                    ring = ri.ring();
                  }
                  LOG.infof("adopted ring epoch %d from store %s", ring.epoch(), from);
                }
                return ring;
              })
          .exceptionally(t -> null);
    }
    boolean graceOver = nanoTime.getAsLong() - startedAt > 3 * downAfterNanos;
    if (answered == 0 || (answered < names.size() && !graceOver)) {
      return CompletableFuture.completedFuture(null);
    }
    synchronized (this) {
      ring = Ring.empty(partitions);
    }
    return planAndPublish();
  }

  private CompletionStage<Ring> planAndPublish() {
    Ring published;
    Map<String, Long> pushTo = new LinkedHashMap<>();
    synchronized (this) {
      long now = nanoTime.getAsLong();
      List<Planner.Candidate> candidates = new ArrayList<>();
      for (Map.Entry<String, Tracked> e : stores.entrySet()) {
        Tracked t = e.getValue();
        // A store never heard from is alive only while it is a known member within its grace
        // (the monkey just restarted); a newcomer joins once it has answered.
        boolean alive =
            t.alive(now, downAfterNanos) && (t.answered || ring.member(e.getKey()) != null);
        candidates.add(
            new Planner.Candidate(
                e.getKey(), t.address, alive, t.fresh, t.leave || t.draining, t.synced));
      }
      // Planning is a pure function of the ring and the candidates: most rounds change neither,
      // and then the plan is the ring itself (no need to place 1,024+ partitions again).
      Ring next =
          ring == unchangedRing && candidates.equals(unchangedFor)
              ? ring
              : Planner.plan(ring, candidates, replicationFactor);
      if (next == ring) {
        unchangedRing = ring;
        unchangedFor = candidates;
      } else {
        LOG.infof("ring epoch %d: %s", next.epoch(), summary(next));
        for (Tracked t : stores.values()) {
          t.fresh = false;
          t.synced = Set.of();
        }
        ring = next;
      }
      // Push to every live store that lacks the ring, including one that just left (the ring
      // without it tells it to drop what it held).
      for (Map.Entry<String, Tracked> e : stores.entrySet()) {
        Tracked t = e.getValue();
        Member m = next.member(e.getKey());
        if ((m == null ? t.leave || t.draining : m.state() != MemberState.DOWN)
            && t.answered
            && t.alive(now, downAfterNanos)
            && t.epoch < next.epoch()) {
          pushTo.put(e.getKey(), t.incarnation);
        }
      }
      Set<String> inRing = new HashSet<>();
      next.members().forEach(m -> inRing.add(m.name()));
      stores.entrySet().removeIf(e -> e.getValue().leave && !inRing.contains(e.getKey()));
      published = next;
    }
    List<CompletableFuture<Reply>> pushes = new ArrayList<>();
    List<String> to = new ArrayList<>(pushTo.keySet());
    for (String name : to) {
      pushes.add(
          peers
              .send(name, new Message.InstallRing(published, pushTo.get(name)))
              .toCompletableFuture()
              .exceptionally(t -> null));
    }
    return CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new))
        .thenApply(
            x -> {
              for (int i = 0; i < to.size(); i++) {
                Reply r = pushes.get(i).join();
                if (r instanceof Reply.Ack a) {
                  synchronized (this) {
                    Tracked t = stores.get(to.get(i));
                    if (t != null) {
                      t.epoch = Math.max(t.epoch, a.epoch());
                    }
                  }
                } else if (r instanceof Reply.StatusIs s) {
                  observe(to.get(i), s);
                }
              }
              return published;
            });
  }

  private static boolean holds(Ring r, String name) {
    for (int p = 0; p < r.partitions(); p++) {
      if (r.isOwner(p, name) || r.isPending(p, name)) {
        return true;
      }
    }
    return false;
  }

  private static int pendingOf(Ring r, String name) {
    int n = 0;
    for (int p = 0; p < r.partitions(); p++) {
      n += r.isPending(p, name) ? 1 : 0;
    }
    return n;
  }

  private static String summary(Ring r) {
    StringBuilder b = new StringBuilder();
    for (Member m : r.members()) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(m.name())
          .append(' ')
          .append(m.state().name().toLowerCase())
          .append(" owns ")
          .append(r.ownedBy(m.name()));
      int pending = pendingOf(r, m.name());
      if (pending > 0) {
        b.append(" receives ").append(pending);
      }
    }
    return b.toString();
  }

  /** What the monkey remembers of one store between rounds. */
  private static final class Tracked {
    String address;
    boolean leave;
    long lastSeen;
    boolean answered;
    long incarnation;
    long epoch;
    boolean fresh;
    Set<Integer> synced = Set.of();
    long usedMemory;
    long maxMemory;

    /** The store reported it is stopping: it leaves, and joins again when it restarts. */
    boolean draining;

    Tracked(String address, long now) {
      this.address = address;
      this.lastSeen = now;
    }

    boolean alive(long now, long downAfter) {
      return now - lastSeen < downAfter;
    }
  }
}
