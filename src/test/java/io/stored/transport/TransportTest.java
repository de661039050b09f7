package io.stored.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.certs.PemCertificateFiles;
import io.stored.engine.EngineSettings;
import io.stored.engine.Entry;
import io.stored.engine.Eviction;
import io.stored.engine.ItemKey;
import io.stored.engine.Mutation;
import io.stored.engine.Precondition;
import io.stored.engine.SnapshotChunk;
import io.stored.engine.StoreEngine;
import io.stored.engine.Ticker;
import io.stored.engine.WriteResult;
import io.stored.replication.Message;
import io.stored.replication.ReplicaNode;
import io.stored.replication.Reply;
import io.stored.ring.Member;
import io.stored.ring.MemberState;
import io.stored.ring.Placement;
import io.stored.ring.Ring;
import io.stored.router.Router;
import io.stored.testing.Certificates;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLOptions;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The internal transport over real sockets on loopback. */
class TransportTest {
  private static final ClusterKey KEY = ClusterKey.of("test-cluster-secret-0123");
  private static final Path TLS_DIR = Path.of("target", "transport-tls-test");
  private final Vertx vertx = Vertx.vertx();
  private final Map<String, String> addresses = new ConcurrentHashMap<>();

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  void codec_roundTripsEveryKind() {
    ItemKey k = ItemKey.of("ns", "caf\u00e9/\u0000x", "id\uD83D\uDE00");
    List<Mutation> ms =
        List.of(
            new Mutation(k, new byte[] {0, (byte) 255, 7}, "text/plain", 42, 99),
            new Mutation(k, new byte[0], "application/octet-stream", 43, 0),
            new Mutation(k, null, null, 44, 0));
    List<Member> members =
        List.of(
            new Member("s0", "127.0.0.1:7000", MemberState.ACTIVE),
            new Member("s1", "h:1", MemberState.JOINING));
    Ring ring =
        Ring.create(12, members, 3, 2, new int[][] {{0}, {1, 0}, {}}, new int[][] {{1}, {}, {}});
    byte[] ns = "ns".getBytes(StandardCharsets.UTF_8);
    StoreEngine engine =
        new StoreEngine(new EngineSettings(1, 1 << 20, Eviction.NONE), Ticker.system());
    engine.put(0, k, new byte[] {0, (byte) 255, 7}, "text/plain", 60_000, Precondition.NONE);
    engine.put(0, ItemKey.of("ns", "k", ""), new byte[0], "a/b", 0, Precondition.NONE);
    SnapshotChunk chunk = engine.snapshot(0, null, 10);
    List<Message> messages =
        List.of(
            new Message.Replicate(7, 3, ms),
            new Message.FetchSnapshot(8, 9, k, 100),
            new Message.FetchSnapshot(8, 9, null, 1),
            new Message.Get(1, 2, k, true),
            new Message.Write(
                1,
                2,
                k,
                new byte[] {1},
                "text/plain",
                5000,
                new Precondition(new long[] {1, 2}, false, null, true)),
            new Message.Write(1, 2, k, null, null, 0, Precondition.NONE),
            new Message.DeleteKey(3, 4, ns, new byte[] {0, 1}),
            new Message.ListIds(3, 4, ns, new byte[] {1}, null, 10, false),
            new Message.ListIds(3, 4, ns, new byte[] {1}, new byte[] {2}, 10, true),
            new Message.ListKeys(3, ns, new byte[0], 7),
            new Message.FetchRing(3),
            new Message.InstallRing(ring, 99),
            new Message.Status(4));
    for (Message m : messages) {
      Codec.Frame f = Codec.decode(body(Codec.encode(11, m)));
      assertThat(f.correlation()).isEqualTo(11);
      assertThat(f.message()).as(m.toString()).usingRecursiveComparison().isEqualTo(m);
    }
    List<Reply> replies =
        List.of(
            new Reply.Ack(5),
            new Reply.Stale(6),
            new Reply.Behind(7),
            new Reply.NotOwner(8, 12),
            new Reply.Chunk(9, chunk),
            new Reply.Unavailable(1, "backup s1 did not answer"),
            new Reply.Item(
                2,
                Entry.of(
                    ms.get(0).key(),
                    ms.get(0).value(),
                    ms.get(0).contentType(),
                    ms.get(0).version(),
                    ms.get(0).expiresAt())),
            new Reply.Item(2, null),
            new Reply.Written(3, WriteResult.Outcome.CREATED, 77),
            new Reply.Count(4, 5),
            new Reply.Page(5, List.of(k, ItemKey.of("a", "b", "c")), true),
            new Reply.RingIs(ring),
            new Reply.StatusIs(6, -3, List.of(1, 5, 9), 1234, 5678, true));
    for (Reply r : replies) {
      assertThat(Codec.decode(body(Codec.encode(3, r))).reply())
          .as(r.toString())
          .usingRecursiveComparison()
          .isEqualTo(r);
    }
    assertThat(Codec.decode(body(Codec.encodeError(4, "boom"))).error()).isEqualTo("boom");
  }

  @Test
  void replication_overSockets_isPipelinedOnOneConnection_andEveryAckedWriteIsOnTheBackup()
      throws Exception {
    List<ReplicaNode> nodes = cluster(2);
    ReplicaNode a = nodes.get(0);
    List<CompletableFuture<Reply>> writes = new ArrayList<>();
    List<ItemKey> keys = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      ItemKey k = ItemKey.of("default", "k" + i, "0");
      int p = a.router().locate(k).partition();
      ReplicaNode primary = nodeNamed(nodes, a.router().ring().owners(p).get(0).name());
      keys.add(k);
      writes.add(
          primary
              .handle(
                  new Message.Write(
                      a.router().ring().epoch(),
                      p,
                      k,
                      ("v" + i).getBytes(StandardCharsets.UTF_8),
                      "t",
                      0,
                      Precondition.NONE))
              .toCompletableFuture());
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(writes).allSatisfy(w -> assertThat(w.join()).isInstanceOf(Reply.Written.class));
    for (int i = 0; i < keys.size(); i++) {
      int p = a.router().locate(keys.get(i)).partition();
      for (ReplicaNode n : nodes) {
        assertThat(n.engine().get(p, keys.get(i)).value())
            .isEqualTo(("v" + i).getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void aReplyThatNeverComes_failsAtTheDeadline() throws Exception {
    VertxPeers peers = toSilentPeer(Duration.ofMillis(300));
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                peers
                    .send("silent", new Message.Replicate(1, 0, List.of()))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void requestsSentAtDifferentTimes_eachFailAtTheirOwnDeadline() throws Exception {
    long deadline = TimeUnit.MILLISECONDS.toNanos(400);
    VertxPeers peers = toSilentPeer(Duration.ofNanos(deadline));
    // both from threads that are not event loops, so both share one connection and its timer
    long start = System.nanoTime();
    CompletableFuture<Long> first =
        failedAt(peers.send("silent", new Message.Replicate(1, 0, List.of())));
    CompletableFuture<Long> second =
        CompletableFuture.supplyAsync(
                () -> System.nanoTime(),
                CompletableFuture.delayedExecutor(250, TimeUnit.MILLISECONDS))
            .thenCompose(
                sent ->
                    failedAt(peers.send("silent", new Message.Replicate(1, 0, List.of())))
                        .thenApply(failed -> failed - sent));
    long firstAfter = first.get(5, TimeUnit.SECONDS) - start;
    long secondAfter = second.get(5, TimeUnit.SECONDS);
    assertThat(firstAfter).as("the first, from its send").isBetween(deadline, 3 * deadline);
    assertThat(secondAfter)
        .as("the second, from its send: not failed with the first")
        .isBetween(deadline, 3 * deadline);
  }

  /** Peers with {@code deadline} where member "silent" accepts connections and never answers. */
  private VertxPeers toSilentPeer(Duration deadline) throws Exception {
    var silent =
        await(
            vertx.createNetServer().connectHandler(s -> s.handler(b -> {})).listen(0, "127.0.0.1"));
    addresses.put("silent", "127.0.0.1:" + silent.actualPort());
    return new VertxPeers(vertx, addresses::get, deadline, KEY);
  }

  /** When {@code reply} failed with a timeout, in {@link System#nanoTime()}. */
  private static CompletableFuture<Long> failedAt(
      java.util.concurrent.CompletionStage<Reply> reply) {
    return reply
        .handle(
            (r, f) -> {
              assertThat(f).as("a timeout, not %s", r).isInstanceOf(TimeoutException.class);
              return System.nanoTime();
            })
        .toCompletableFuture();
  }

  @Test
  void aLostPeer_failsRequests_andTheNextRequestReconnects() throws Exception {
    PeerServer server = countingServer(new AtomicInteger(), null);
    int port = server.port();
    addresses.put("p", "127.0.0.1:" + port);
    VertxPeers peers = new VertxPeers(vertx, addresses::get, Duration.ofSeconds(2), KEY);
    assertThat(send(peers, "p")).isEqualTo(new Reply.Ack(1));

    await(server.close());
    assertThatThrownBy(() -> send(peers, "p")).hasCauseInstanceOf(ConnectException.class);

    await(
        PeerServer.start(
            vertx,
            "127.0.0.1",
            port,
            KEY,
            m -> CompletableFuture.completedFuture(new Reply.Stale(m.epoch() + 1))));
    assertThat(send(peers, "p")).isEqualTo(new Reply.Stale(2));
    assertThatThrownBy(() -> send(peers, "nobody")).hasCauseInstanceOf(ConnectException.class);
  }

  @Test
  void aBrokenFrame_closesTheConnection_andTheServerKeepsServing() throws Exception {
    PeerServer server =
        await(
            PeerServer.start(
                vertx,
                "127.0.0.1",
                0,
                KEY,
                m -> CompletableFuture.completedFuture(new Reply.Ack(m.epoch()))));
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write(new byte[] {0x7f, 0, 0, 0, 1, 2, 3});
      s.setSoTimeout(5000);
      // the server's challenge (4 + 8 + 32 bytes), then the end of the stream
      assertThat(s.getInputStream().readAllBytes()).hasSize(44);
    }
    addresses.put("p", "127.0.0.1:" + server.port());
    assertThat(send(new VertxPeers(vertx, addresses::get, Duration.ofSeconds(2), KEY), "p"))
        .isEqualTo(new Reply.Ack(1));
  }

  @Test
  void aPeerWithoutTheClusterSecret_isRefused_andNoMessageReachesTheStore() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    PeerServer server = countingServer(handled, null);
    addresses.put("p", "127.0.0.1:" + server.port());
    for (ClusterKey wrong : List.of(ClusterKey.of("another-cluster-secret"), ClusterKey.NONE)) {
      VertxPeers outsider = new VertxPeers(vertx, addresses::get, Duration.ofSeconds(2), wrong);
      assertThatThrownBy(() -> send(outsider, "p"))
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("cluster secret");
    }
    assertThat(handled).hasValue(0);
    assertThat(send(new VertxPeers(vertx, addresses::get, Duration.ofSeconds(2), KEY), "p"))
        .isEqualTo(new Reply.Ack(1));
    assertThat(handled).hasValue(1);
  }

  @Test
  void aClientThatSkipsTheHandshake_isDisconnected_beforeItsMessageIsHandled() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    PeerServer server = countingServer(handled, null);
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      // A well-formed message, sent as if the connection were already authenticated.
      s.getOutputStream().write(Codec.encode(7, new Message.Replicate(1, 0, List.of())).getBytes());
      assertThat(s.getInputStream().readAllBytes()).hasSize(44);
    }
    assertThat(handled).hasValue(0);
  }

  @Test
  void aServerThatDoesNotKnowTheSecret_isNotTrusted() throws Exception {
    PeerServer impostor =
        await(
            PeerServer.start(
                vertx,
                "127.0.0.1",
                0,
                ClusterKey.of("an-impostor-secret-42"),
                m -> CompletableFuture.completedFuture(new Reply.Ack(m.epoch()))));
    addresses.put("impostor", "127.0.0.1:" + impostor.port());
    assertThatThrownBy(
            () ->
                send(new VertxPeers(vertx, addresses::get, Duration.ofSeconds(2), KEY), "impostor"))
        .isInstanceOf(ExecutionException.class);
  }

  @Test
  void overMutualTls_messagesFlow_andPeersWithoutTheClustersCertificateAreRefused()
      throws Exception {
    PemCertificateFiles node = Certificates.generate(TLS_DIR, "node");
    PemCertificateFiles stranger = Certificates.generate(TLS_DIR, "stranger");
    AtomicInteger handled = new AtomicInteger();
    PeerServer server = countingServer(handled, tls(node, node));
    addresses.put("p", "127.0.0.1:" + server.port());

    // Right secret, but plain TCP, or TLS with a certificate the cluster does not trust.
    for (SSLOptions wrong : Arrays.asList(null, tls(stranger, node))) {
      VertxPeers outsider =
          new VertxPeers(vertx, addresses::get, Duration.ofSeconds(2), KEY, wrong);
      assertThatThrownBy(() -> send(outsider, "p")).isInstanceOf(ExecutionException.class);
    }
    // A client that does not trust the server's certificate does not talk to it either.
    VertxPeers distrustful =
        new VertxPeers(vertx, addresses::get, Duration.ofSeconds(2), KEY, tls(node, stranger));
    assertThatThrownBy(() -> send(distrustful, "p")).isInstanceOf(ExecutionException.class);
    assertThat(handled).hasValue(0);

    VertxPeers member =
        new VertxPeers(vertx, addresses::get, Duration.ofSeconds(2), KEY, tls(node, node));
    assertThat(send(member, "p")).isEqualTo(new Reply.Ack(1));
    assertThat(handled).hasValue(1);
  }

  @Test
  void aRenewedCertificate_isPresentedOnNewConnections_withoutARestart() throws Exception {
    PemCertificateFiles first = Certificates.generate(TLS_DIR, "first");
    PemCertificateFiles renewed = Certificates.generate(TLS_DIR, "renewed");
    // the server trusts both (as a CA would); the client only the renewed certificate
    PemTrustOptions both =
        new PemTrustOptions()
            .addCertPath(first.certFile().toString())
            .addCertPath(renewed.certFile().toString());
    PeerServer server =
        countingServer(
            new AtomicInteger(),
            new SSLOptions().setKeyCertOptions(keyCert(first)).setTrustOptions(both));
    addresses.put("p", "127.0.0.1:" + server.port());
    SSLOptions client = tls(first, renewed);
    assertThatThrownBy(
            () ->
                send(
                    new VertxPeers(vertx, addresses::get, Duration.ofSeconds(2), KEY, client), "p"))
        .isInstanceOf(ExecutionException.class);

    assertThat(
            await(
                server.updateTls(
                    new SSLOptions().setKeyCertOptions(keyCert(renewed)).setTrustOptions(both))))
        .isTrue();
    assertThat(send(new VertxPeers(vertx, addresses::get, Duration.ofSeconds(2), KEY, client), "p"))
        .isEqualTo(new Reply.Ack(1));
  }

  @Test
  void aRequestSentFromAnEventLoop_isAnsweredOnThatSameEventLoop() throws Exception {
    VertxPeers peers = peersOfCountingServer();
    List<CompletableFuture<String>> threads = new ArrayList<>();
    // new event-loop contexts are spread over the event loops
    for (int i = 0; i < 8; i++) {
      io.vertx.core.Context context =
          ((io.vertx.core.impl.VertxInternal) vertx).createEventLoopContext();
      threads.add(answeredOnTheSender(peers, task -> context.runOnContext(v -> task.run())));
    }
    assertThat(senders(threads))
        .as("requests went out from several event loops")
        .hasSizeGreaterThan(1);
  }

  @Test
  void aRequestSentFromANettyHandler_isAnsweredOnThatSameEventLoop() throws Exception {
    // The fast path is a Netty handler: it sends on an event loop with no Vert.x context current.
    VertxPeers peers = peersOfCountingServer();
    List<CompletableFuture<String>> threads = new ArrayList<>();
    AtomicInteger withContext = new AtomicInteger();
    for (int round = 0; round < 2; round++) { // the first round connects, the second reuses
      for (io.netty.util.concurrent.EventExecutor loop :
          ((io.vertx.core.impl.VertxInternal) vertx).getEventLoopGroup()) {
        threads.add(
            answeredOnTheSender(
                peers,
                task ->
                    loop.execute(
                        () -> {
                          if (Vertx.currentContext() != null) {
                            withContext.incrementAndGet();
                          }
                          task.run();
                        })));
      }
      for (CompletableFuture<String> f : threads) {
        f.get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(senders(threads))
        .as("requests went out from several event loops")
        .hasSizeGreaterThan(1);
    assertThat(withContext).as("sends made while a Vert.x context was current").hasValue(0);
  }

  private VertxPeers peersOfCountingServer() throws Exception {
    PeerServer server = countingServer(new AtomicInteger(), null);
    addresses.put("p", "127.0.0.1:" + server.port());
    return new VertxPeers(vertx, addresses::get, Duration.ofSeconds(2), KEY);
  }

  /** Sends one request from a task {@code run} runs; completes with the sender's thread name. */
  private static CompletableFuture<String> answeredOnTheSender(
      VertxPeers peers, java.util.function.Consumer<Runnable> run) {
    CompletableFuture<String> answeredOn = new CompletableFuture<>();
    run.accept(
        () -> {
          String sender = Thread.currentThread().getName();
          CompletionStage<Reply> reply;
          try {
            reply = peers.send("p", new Message.Replicate(1, 0, List.of()));
          } catch (RuntimeException | AssertionError e) {
            answeredOn.completeExceptionally(e); // fails the test now rather than at its timeout
            return;
          }
          reply.whenComplete(
              (r, e) -> {
                String replier = Thread.currentThread().getName();
                if (e != null) {
                  answeredOn.completeExceptionally(e);
                } else if (!replier.equals(sender)) {
                  answeredOn.completeExceptionally(
                      new AssertionError("sent on " + sender + ", answered on " + replier));
                } else {
                  answeredOn.complete(sender);
                }
              });
        });
    return answeredOn;
  }

  private static java.util.Set<String> senders(List<CompletableFuture<String>> answered)
      throws Exception {
    java.util.Set<String> loops = new java.util.HashSet<>();
    for (CompletableFuture<String> f : answered) {
      loops.add(f.get(10, TimeUnit.SECONDS));
    }
    return loops;
  }

  @Test
  void requestsSentDuringOneEventLoopTask_goOutInOneWrite_andAreAllAnswered() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    PeerServer server = countingServer(handled, null);
    // a TCP proxy in front of the server counts the reads the client's bytes arrive in
    AtomicInteger reads = new AtomicInteger();
    io.vertx.core.net.NetServer proxy =
        await(
            vertx
                .createNetServer()
                .connectHandler(
                    client -> {
                      client.pause();
                      vertx
                          .createNetClient()
                          .connect(server.port(), "127.0.0.1")
                          .onSuccess(
                              upstream -> {
                                client.handler(
                                    b -> {
                                      reads.incrementAndGet();
                                      upstream.write(b);
                                    });
                                upstream.handler(client::write);
                                client.closeHandler(v -> upstream.close());
                                client.resume();
                              });
                    })
                .listen(0, "127.0.0.1"));
    addresses.put("p", "127.0.0.1:" + proxy.actualPort());
    VertxPeers peers = new VertxPeers(vertx, addresses::get, Duration.ofSeconds(5), KEY);
    io.vertx.core.Context loop =
        ((io.vertx.core.impl.VertxInternal) vertx).createEventLoopContext();
    // connect (and prove the secret) from that event loop first
    CompletableFuture<Reply> first = new CompletableFuture<>();
    loop.runOnContext(
        v -> peers.send("p", new Message.Replicate(1, 0, List.of())).whenComplete(complete(first)));
    assertThat(first.get(10, TimeUnit.SECONDS)).isInstanceOf(Reply.Ack.class);
    int readsBefore = reads.get();

    CompletableFuture<List<Reply>> burst = new CompletableFuture<>();
    loop.runOnContext(
        v -> {
          List<CompletableFuture<Reply>> replies = new ArrayList<>();
          for (int i = 0; i < 50; i++) {
            replies.add(
                peers.send("p", new Message.Replicate(2 + i, 0, List.of())).toCompletableFuture());
          }
          CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
              .whenComplete(
                  (x, e) -> {
                    if (e != null) {
                      burst.completeExceptionally(e);
                    } else {
                      burst.complete(replies.stream().map(CompletableFuture::join).toList());
                    }
                  });
        });
    List<Reply> replies = burst.get(10, TimeUnit.SECONDS);
    assertThat(replies)
        .extracting(Reply::epoch)
        .containsExactlyElementsOf(java.util.stream.LongStream.range(2, 52).boxed().toList());
    assertThat(handled).hasValue(51);
    // One write of the burst's 1,450 bytes: the proxy reads it in one or two (Netty sizes its read
    // buffer from the earlier small reads: 1 KB here). Fifty writes arrive in more (5 when
    // measured), as the proxy reads while they are still being written.
    assertThat(reads.get() - readsBefore)
        .as("reads of the burst's 50 frames")
        .isLessThanOrEqualTo(2);
  }

  private static <T> java.util.function.BiConsumer<T, Throwable> complete(CompletableFuture<T> f) {
    return (r, e) -> {
      if (e != null) {
        f.completeExceptionally(e);
      } else {
        f.complete(r);
      }
    };
  }

  private static PemKeyCertOptions keyCert(PemCertificateFiles files) {
    return new PemKeyCertOptions()
        .setCertPath(files.certFile().toString())
        .setKeyPath(files.keyFile().toString());
  }

  /** Presents {@code own}'s certificate, trusts only {@code trusted}'s. */
  private static SSLOptions tls(PemCertificateFiles own, PemCertificateFiles trusted) {
    return new SSLOptions()
        .setKeyCertOptions(keyCert(own))
        .setTrustOptions(new PemTrustOptions().addCertPath(trusted.certFile().toString()));
  }

  /** A server that acknowledges every message, counting them in {@code handled}. */
  private PeerServer countingServer(AtomicInteger handled, SSLOptions tls) throws Exception {
    return await(
        PeerServer.start(
            vertx,
            "127.0.0.1",
            0,
            KEY,
            tls,
            m -> {
              handled.incrementAndGet();
              return CompletableFuture.completedFuture(new Reply.Ack(m.epoch()));
            }));
  }

  /** Waits (bounded) for a Vert.x future: server starts and stops. */
  private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Reply send(VertxPeers peers, String to) throws Exception {
    return peers
        .send(to, new Message.Replicate(1, 0, List.of()))
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }

  private List<ReplicaNode> cluster(int n) throws Exception {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      members.add(new Member("s" + i, "pending", MemberState.ACTIVE));
    }
    Ring ring = Placement.rebalance(Ring.empty(32), members, 2);
    VertxPeers peers = new VertxPeers(vertx, addresses::get, Duration.ofSeconds(5), KEY);
    List<ReplicaNode> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ReplicaNode node =
          new ReplicaNode(
              "s" + i,
              i + 1,
              new StoreEngine(new EngineSettings(32, 1 << 26, Eviction.NONE), Ticker.system()),
              new Router(ring),
              peers,
              100);
      PeerServer server = await(PeerServer.start(vertx, "127.0.0.1", 0, KEY, node::handle));
      addresses.put(node.name(), "127.0.0.1:" + server.port());
      nodes.add(node);
    }
    return nodes;
  }

  private static ReplicaNode nodeNamed(List<ReplicaNode> nodes, String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
  }

  /** The frame after its length field, as the server's parser hands it over. */
  private static Buffer body(Buffer frame) {
    assertThat(frame.getInt(0)).isEqualTo(frame.length() - 4);
    return frame.getBuffer(4, frame.length());
  }
}
