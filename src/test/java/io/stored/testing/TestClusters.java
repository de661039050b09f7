package io.stored.testing;

import io.stored.engine.EngineSettings;
import io.stored.engine.Eviction;
import io.stored.engine.StoreEngine;
import io.stored.replication.Message;
import io.stored.replication.ReplicaNode;
import io.stored.replication.Reply;
import io.stored.ring.Monkey;
import io.stored.ring.Ring;
import io.stored.router.ClusterClient;
import io.stored.router.Router;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;

/**
 * Several stores in one JVM, run by the real {@link Monkey} and reached by a real {@link
 * ClusterClient}, connected by an in-memory transport that can lose a node: the whole protocol
 * without sockets, in milliseconds. Time, for failure detection and in the engines, is a fake clock
 * the test advances.
 */
public final class TestClusters {
  public static final long DOWN_AFTER_MILLIS = 1000;

  private final int partitions;
  private final Map<String, ReplicaNode> nodes = new ConcurrentHashMap<>();
  private final Set<String> unreachable = ConcurrentHashMap.newKeySet();
  private final Set<Class<? extends Message>> held = ConcurrentHashMap.newKeySet();
  private final List<Runnable> heldAnswers = new ArrayList<>();
  private final AtomicLong nanos = new AtomicLong(1);
  private final FakeTicker ticker = new FakeTicker();
  private final int replicationFactor;
  private final EngineSettings engines;
  private Monkey monkey;
  private long incarnations;

  public TestClusters(int partitions, int replicationFactor) {
    this(partitions, replicationFactor, 1L << 30, Eviction.NONE);
  }

  /** Stores whose engines each hold {@code maxMemory} bytes of items, and evict as told. */
  public TestClusters(int partitions, int replicationFactor, long maxMemory, Eviction eviction) {
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
    this.engines = new EngineSettings(partitions, maxMemory, eviction);
    this.monkey = newMonkey();
  }

  private Monkey newMonkey() {
    return new Monkey(this::deliver, partitions, replicationFactor, DOWN_AFTER_MILLIS, nanos::get);
  }

  /** Replaces the monkey by a new one that knows only the stores' names (a monkey restart). */
  public void restartMonkey() {
    monkey = newMonkey();
    nodes.keySet().forEach(n -> monkey.add(n, "mem://" + n));
  }

  /** Starts a store with an empty engine (again, if it ran before) and tells the monkey. */
  public ReplicaNode start(String name) {
    ReplicaNode node =
        new ReplicaNode(
            name,
            ++incarnations,
            new StoreEngine(engines, ticker),
            new Router(Ring.empty(partitions)),
            this::deliver,
            7);
    nodes.put(name, node);
    monkey.add(name, "mem://" + name);
    return node;
  }

  /** Delivers a message like the transport: fails when the target is cut off. */
  public CompletionStage<Reply> deliver(String to, Message message) {
    ReplicaNode target = nodes.get(to);
    if (target == null || unreachable.contains(to)) {
      return CompletableFuture.failedFuture(new ConnectException(to + " is unreachable"));
    }
    if (held.contains(message.getClass())) {
      CompletableFuture<Reply> later = new CompletableFuture<>();
      target
          .handle(message)
          .whenComplete(
              (reply, failure) -> {
                synchronized (heldAnswers) {
                  heldAnswers.add(
                      () -> {
                        if (failure != null) {
                          later.completeExceptionally(failure);
                        } else {
                          later.complete(reply);
                        }
                      });
                }
              });
      return later;
    }
    return target.handle(message);
  }

  /**
   * Messages of this type are handled when sent, but their answers are held back until {@link
   * #release} (a slow link).
   */
  public void hold(Class<? extends Message> type) {
    held.add(type);
  }

  /** Holds no more answers, and delivers those held, in the order their messages were sent. */
  public void release() {
    held.clear();
    List<Runnable> answers;
    synchronized (heldAnswers) {
      answers = List.copyOf(heldAnswers);
      heldAnswers.clear();
    }
    answers.forEach(Runnable::run);
  }

  /** A client as an endpoint has it, retrying for at most {@code timeoutMillis}. */
  public ClusterClient client(long timeoutMillis) {
    return new ClusterClient(
        new Router(Ring.empty(partitions)),
        this::deliver,
        new ArrayList<>(nodes.keySet()),
        timeoutMillis);
  }

  /** One monkey round. */
  public Ring tick() {
    return monkey.tick().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  /**
   * Monkey rounds until the ring stops changing and nothing is moving (state transfer retries on
   * its own timer, so this polls, bounded in time).
   */
  public Ring settle() {
    Ring[] last = {null};
    Awaitility.await("the cluster settles")
        .atMost(Duration.ofSeconds(20))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .until(
            () -> {
              Ring before = last[0];
              Ring r = tick();
              last[0] = r;
              return r != null && r == before && !r.moving();
            });
    return last[0];
  }

  /**
   * Moves the clock of the monkey (to let a silent store be marked down) and of the stores' engines
   * (their versions, expiry and tombstones) on.
   */
  public void advance(long millis) {
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    ticker.advance(Duration.ofMillis(millis));
  }

  /** The node stops answering (a crash, a pause, a partition); it keeps its ring and memory. */
  public void cut(String name) {
    unreachable.add(name);
  }

  /** The node answers again, still with whatever ring it had. */
  public void heal(String name) {
    unreachable.remove(name);
  }

  /** The store leaves through the monkey. */
  public void leave(String name) {
    monkey.remove(name);
  }

  public ReplicaNode node(String name) {
    return nodes.get(name);
  }

  public List<String> names() {
    return List.copyOf(nodes.keySet());
  }

  public Ring ring() {
    return monkey.ring();
  }

  /** The node that is primary of {@code partition} in the monkey's ring. */
  public ReplicaNode primaryOf(int partition) {
    return nodes.get(ring().owners(partition).get(0).name());
  }
}
