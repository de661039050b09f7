package io.stored.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.stored.replication.Message;
import io.stored.replication.Peers;
import io.stored.replication.Reply;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SSLOptions;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The sending side of the internal transport: one TCP connection per peer (and per sending event
 * loop), multiplexed and pipelined (many requests in flight, matched to replies by correlation id),
 * a deadline on every request, reconnection on the next request after a connection is lost, and
 * back-pressure (requests wait in a bounded queue while the socket's write queue is full). Each
 * connection starts with the {@link ClusterKey} handshake.
 */
public final class VertxPeers implements Peers {
  /** Requests allowed to wait for a congested connection before new ones fail at once. */
  static final int MAX_QUEUED = 10_000;

  private final Vertx vertx;
  private final NetClient client;
  private final Function<String, String> addressOf;
  private final long deadlineNanos;
  private final ClusterKey key;
  private final Map<Route, Connection> connections = new ConcurrentHashMap<>();
  private volatile Context defaultContext;

  /** A peer's address and the event loop thread whose connection to it this is (null: others). */
  private record Route(String address, Thread loop) {}

  /** {@link #VertxPeers(Vertx, Function, Duration, ClusterKey, SSLOptions)} over plain TCP. */
  public VertxPeers(
      Vertx vertx, Function<String, String> addressOf, Duration deadline, ClusterKey key) {
    this(vertx, addressOf, deadline, key, null);
  }

  /**
   * @param addressOf the {@code host:port} of a member's internal transport, by member name
   * @param deadline how long a request may take, from send to reply
   * @param key the cluster's secret, proved on each new connection before any request
   * @param tls null for plain TCP; else every connection is TLS, presenting {@code tls}'
   *     certificate (peers require it) and trusting only what its trust options accept. Host names
   *     are not verified: peers are addressed by pod IP, and the trust options should accept only
   *     the cluster's own CA.
   */
  public VertxPeers(
      Vertx vertx,
      Function<String, String> addressOf,
      Duration deadline,
      ClusterKey key,
      SSLOptions tls) {
    this.vertx = vertx;
    NetClientOptions options =
        new NetClientOptions()
            .setTcpNoDelay(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, deadline.toMillis()));
    if (tls != null) {
      options
          .setSsl(true)
          .setKeyCertOptions(tls.getKeyCertOptions())
          .setTrustOptions(tls.getTrustOptions())
          .setHostnameVerificationAlgorithm("");
    }
    this.client = vertx.createNetClient(options);
    this.addressOf = addressOf;
    this.deadlineNanos = deadline.toNanos();
    this.key = key;
  }

  @Override
  public CompletionStage<Reply> send(String member, Message message) {
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    String address = addressOf.apply(member);
    if (address == null) {
      reply.completeExceptionally(new ConnectException("no address for member " + member));
      return reply;
    }
    // One connection per peer and event loop: a request sent from an event loop (the endpoint's
    // HTTP handlers) goes out and its reply comes back on that same thread, with no hand-off to
    // another loop and back (two cross-thread wake-ups per request otherwise). Other threads
    // share one connection per peer.
    ContextInternal current = ContextInternal.current();
    boolean onLoop = current != null ? current.isEventLoopContext() : Context.isOnEventLoopThread();
    Connection c =
        connections.computeIfAbsent(
            new Route(address, onLoop ? Thread.currentThread() : null),
            r -> new Connection(address, onLoop ? loopContext(current) : defaultContext()));
    ContextInternal context = (ContextInternal) c.context;
    if (!context.nettyEventLoop().inEventLoop()) {
      context.runOnContext(v -> c.send(message, reply));
    } else if (current == null) {
      // On an event loop but outside Vert.x (the fast path is a Netty handler): the connection's
      // context is made current for the send, so that its connect and timer use this loop too.
      context.dispatch(v -> c.send(message, reply));
    } else {
      c.send(message, reply);
    }
    return reply;
  }

  /**
   * The context of a new connection used from the calling event loop: the current context, or, on
   * one of this Vert.x instance's event loops outside any context (a Netty handler's thread), one
   * made for that loop. On a loop of another Vert.x instance, the shared default context.
   */
  private Context loopContext(ContextInternal current) {
    if (current != null) {
      return current.unwrap();
    }
    for (EventExecutor e : ((VertxInternal) vertx).getEventLoopGroup()) {
      if (e.inEventLoop()) {
        return ((VertxInternal) vertx)
            .createEventLoopContext(
                (EventLoop) e, null, Thread.currentThread().getContextClassLoader());
      }
    }
    return defaultContext();
  }

  /** The one context of the connections used from threads that are not event loops. */
  private Context defaultContext() {
    Context c = defaultContext;
    if (c == null) {
      synchronized (this) {
        if (defaultContext == null) {
          defaultContext = vertx.getOrCreateContext();
        }
        c = defaultContext;
      }
    }
    return c;
  }

  /** Opens new connections with a renewed certificate (and trust); open ones keep theirs. */
  public Future<Boolean> updateTls(SSLOptions tls) {
    return client.updateSSLOptions(tls);
  }

  public Future<Void> close() {
    return client.close();
  }

  /** One peer connection; all its state is touched only on its own event-loop context. */
  private final class Connection {
    private final String host;
    private final int port;
    private final Context context;

    /** In the order sent, which is also the order of their deadlines (one deadline for all). */
    private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();

    private final ArrayDeque<Buffer> queued = new ArrayDeque<>();
    private final List<ByteBuf> batch = new ArrayList<>();
    private NetSocket socket;
    private Future<NetSocket> connecting;
    private long nextCorrelation;
    private boolean sweepArmed;

    Connection(String address, Context context) {
      int colon = address.lastIndexOf(':');
      this.host = address.substring(0, colon);
      this.port = Integer.parseInt(address.substring(colon + 1));
      this.context = context;
    }

    void send(Message message, CompletableFuture<Reply> reply) {
      long id = nextCorrelation++;
      pending.put(id, new Pending(reply, System.nanoTime() + deadlineNanos));
      if (!sweepArmed) {
        armSweep(deadlineNanos);
      }
      Buffer frame = Codec.encode(id, message);
      connect().onSuccess(s -> write(frame, id)).onFailure(e -> fail(id, e));
    }

    /*
     * Deadlines: one timer per connection, not one per request. It is armed for the oldest
     * request's deadline; when it fires it fails the requests past theirs and re-arms for the next
     * one. A timer per request cost a timer task, a map entry in Vert.x and a cancel on every reply:
     * about 3 % of an endpoint's CPU in a profile of a cluster under GET load.
     */
    private void armSweep(long inNanos) {
      sweepArmed = true;
      vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(inNanos + 999_999)), t -> sweep());
    }

    private void sweep() {
      sweepArmed = false;
      long now = System.nanoTime();
      List<Pending> late = new ArrayList<>();
      for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
        Pending p = it.next();
        long left = p.deadline - now;
        if (left > 0) {
          armSweep(left);
          break;
        }
        it.remove();
        late.add(p);
      }
      // completed once the map is consistent: a completion may send on this connection again
      for (Pending p : late) {
        p.reply.completeExceptionally(
            new TimeoutException(
                "no reply from "
                    + host
                    + ":"
                    + port
                    + " within "
                    + TimeUnit.NANOSECONDS.toMillis(deadlineNanos)
                    + " ms"));
      }
    }

    private void write(Buffer frame, long id) {
      if (!queued.isEmpty() || socket.writeQueueFull()) {
        if (queued.size() >= MAX_QUEUED) {
          fail(
              id,
              new IllegalStateException("connection to " + host + ":" + port + " is congested"));
          return;
        }
        queued.add(frame);
        return;
      }
      // Frames sent during one event-loop task (an endpoint handles every HTTP request a read
      // brought in, each sending here) go out as one gathering write when the task ends, instead
      // of a write and a wake-up of the peer per frame: Vert.x flushes each write made outside
      // this connection's own read.
      if (batch.isEmpty()) {
        context.runOnContext(v -> flushBatch());
      }
      batch.add(frame.getByteBuf());
    }

    private void flushBatch() {
      if (batch.isEmpty()) {
        return;
      }
      ByteBuf[] frames = batch.toArray(ByteBuf[]::new);
      batch.clear();
      if (socket == null) {
        return; // closed meanwhile: its requests have failed
      }
      socket.write(Buffer.buffer(frames.length == 1 ? frames[0] : Unpooled.wrappedBuffer(frames)));
    }

    private Future<NetSocket> connect() {
      if (socket != null) {
        return Future.succeededFuture(socket);
      }
      if (connecting == null) {
        connecting =
            client
                .connect(port, host)
                .compose(s -> key.connect(vertx, s))
                .onComplete(ar -> connecting = null)
                .onSuccess(this::attach);
      }
      return connecting;
    }

    private void attach(NetSocket s) {
      socket = s;
      PeerServer.frames(
          s,
          frame -> {
            Codec.Frame f = Codec.decode(frame);
            Pending p = pending.remove(f.correlation());
            if (p == null) {
              return;
            }
            if (f.reply() != null) {
              p.reply.complete(f.reply());
            } else {
              p.reply.completeExceptionally(
                  new IllegalStateException("peer " + host + ":" + port + " failed: " + f.error()));
            }
          });
      s.drainHandler(
          v -> {
            while (!queued.isEmpty() && !s.writeQueueFull()) {
              s.write(queued.poll());
            }
          });
      s.closeHandler(
          v -> {
            socket = null;
            queued.clear();
            batch.clear();
            ConnectException closed =
                new ConnectException("connection to " + host + ":" + port + " closed");
            for (Long id : pending.keySet().toArray(Long[]::new)) {
              fail(id, closed);
            }
          });
    }

    private void fail(long id, Throwable cause) {
      Pending p = pending.remove(id);
      if (p != null) {
        p.reply.completeExceptionally(cause);
      }
    }
  }

  private record Pending(CompletableFuture<Reply> reply, long deadline) {}
}
