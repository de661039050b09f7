package io.stored.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.stored.api.RequestMetrics.Op;
import io.stored.auth.Tokens;
import io.stored.engine.Entry;
import io.stored.engine.ItemKey;
import io.stored.engine.Precondition;
import io.stored.replication.Message;
import io.stored.replication.Reply;
import io.stored.router.ClusterClient;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.Http1xOrH2CHandler;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * The data API's fast path for plain HTTP/1.1: the common item requests (GET, HEAD, PUT and DELETE
 * of {@code /{namespace}/{key}/{id}}, with {@code ?ttl}, {@code ?read} and conditional headers) are
 * parsed and answered straight from the connection's bytes, without Netty's HTTP codec, Vert.x's
 * request objects or Quarkus' router. Those layers cost a GET more CPU than Stored's own work
 * (bench/README.md); most of the rest is the kernel's.
 *
 * <p>It is a Netty handler at the front of each cleartext connection of the HTTP port, ahead of
 * Vert.x's own handlers, and it serves only requests it understands completely: a request line of
 * one of those methods and {@code HTTP/1.1}, the headers of a small known set (Host exactly once,
 * of the plain host[:port] form; {@code Connection: close} too), a body only on PUT, with
 * Content-Length and received by the end of the read burst that brought its headers. At the first
 * request outside that set it hands the connection over: it removes itself and passes that
 * request's bytes on, so Vert.x sees the rest of the connection from a request boundary, as if from
 * its start, and answers as always (a listing, Expect, chunked or still-arriving bodies, HTTP/1.0,
 * h2c upgrades, any other header, malformed input). What the fast path answers is byte for byte
 * what {@link DataRoutes} answers (FastPathTest compares them, ETag values aside).
 *
 * <p>It is installed lazily: the first plain HTTP/1.1 request of the port (served by Vert.x) puts
 * an {@link Acceptor} into the pipeline of the port's server channel, which gives every connection
 * accepted afterwards a {@link Conn} right in front of Vert.x's idle-timeout handler. Quarkus
 * counts a connection against {@code quarkus.http.limits.max-connections} only once Vert.x has seen
 * its first request, which a fast-path connection may never reach, so the acceptor enforces that
 * limit itself for the connections it sees, from their acceptance.
 *
 * <p>The acceptor also chooses each connection's event loop ({@link LoopPlacement}, {@code
 * stored.api.connection-placement}), which Vert.x would otherwise deal out round-robin.
 */
final class FastPath {
  private static final Logger LOG = Logger.getLogger(FastPath.class);
  static final String NAME = "stored-fast-path";

  /** A head longer than this is left to Vert.x (which answers 431 past its own limit). */
  private static final int MAX_HEAD = 8192;

  /** A request line longer than this is left to Vert.x (414 past 4096 bytes). */
  private static final int MAX_REQUEST_LINE = 4096;

  /** Requests pipelined behind one awaiting its reply are read no further past this. */
  private static final int MAX_BUFFERED = 65536;

  private static final byte[] HTTP_1_1 = ascii(" HTTP/1.1\r");
  private static final byte[] OK = ascii("HTTP/1.1 200 OK\r\n");
  private static final byte[] CREATED = ascii("HTTP/1.1 201 Created\r\n");
  private static final byte[] NOT_MODIFIED = ascii("HTTP/1.1 304 Not Modified\r\n");
  private static final byte[] CONTENT_TYPE = ascii("content-type: ");
  private static final byte[] ETAG = ascii("etag: \"");
  private static final byte[] QUOTE_CRLF = ascii("\"\r\n");
  private static final byte[] LOCATION = ascii("location: ");
  private static final byte[] CONTENT_LENGTH = ascii("content-length: ");
  private static final byte[] PROBLEM_TYPE =
      ascii("Content-Type: " + Problems.PROBLEM_JSON + "\r\n");
  private static final byte[] EMPTY_BODY = ascii("content-length: 0\r\n\r\n");
  private static final byte[] CRLF = ascii("\r\n");
  private static final byte[] HEX_DIGITS = ascii("0123456789abcdef");
  private static final byte[] CONNECTION_CLOSE = ascii("connection: close\r\n");

  /**
   * A placed connection looks up the CPU its packets arrive on at its first request and every this
   * many after (one getsockopt call). A connection astray from the start is moved at its second
   * look, 64 requests in: some 25 ms into a benchmark's run at 2,500 requests a second per
   * connection. Sooner matters, as a run whose first few percent of requests are slow has a slow
   * p99.
   */
  static final int RECHECK_EVERY = 64;

  /**
   * A connection in front of Vert.x's idle-timeout handler looks this many times per timeout
   * whether it read or answered anything since the last look, and if so resets that handler's
   * timer: an idle connection is closed between the timeout and a quarter more after its last
   * traffic.
   */
  private static final int IDLE_LOOKS = 4;

  /** The name Vert.x gives its idle-timeout handler. */
  private static final String IDLE = "idle";

  // header names, lower case
  private static final byte[] HOST = ascii("host");
  private static final byte[] LENGTH = ascii("content-length");
  private static final byte[] TYPE = ascii("content-type");
  private static final byte[] AUTHORIZATION = ascii("authorization");
  private static final byte[] CONNECTION = ascii("connection");
  private static final byte[] IF_MATCH = ascii("if-match");
  private static final byte[] IF_NONE_MATCH = ascii("if-none-match");
  private static final byte[] KEEP_ALIVE = ascii("keep-alive");
  private static final byte[] CLOSE = ascii("close");
  private static final byte[][] IGNORED = {
    ascii("user-agent"), ascii("accept"), ascii("accept-encoding"), ascii("accept-language")
  };

  private final UnaryOperator<String> contentTypes;
  private final ClusterClient client;
  private final AccessControl access;
  private final RequestMetrics metrics;
  private final int maxKey;
  private final int maxId;
  private final long maxValueSize;
  private final int maxConnections;
  private final boolean placeByCpu;
  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder placed = new LongAdder();
  private final LongAdder misplaced = new LongAdder();
  private final LongAdder served = new LongAdder();
  private final LongAdder handedOff = new LongAdder();
  private final LongAdder moved = new LongAdder();
  private final Placer placer = new Placer();
  private volatile boolean armed;
  private volatile Placement placement; // set when armed, if placing by CPU

  /**
   * The read head a connection made last, which a new connection starts with. Not for the copy it
   * saves: for the JIT. A new connection that began with no head would take okHead's making branch
   * at its first answer; the connections opened before the hot path was compiled took it before the
   * JIT profiled it, so the first connection opened after would invalidate the compiled path of
   * every connection (a deoptimisation, seen as most of a second of slower answers: bench/README,
   * 2026-11-29 late morning).
   */
  private volatile OkHead lastOk =
      new OkHead(
          DataRoutes.OCTET_STREAM,
          concat(OK, CONTENT_TYPE, ascii(DataRoutes.OCTET_STREAM), CRLF, ETAG));

  /** The start of a read's 200 answer for one content type, through the ETag's opening quote. */
  private record OkHead(String type, byte[] head) {}

  /**
   * @param contentTypes the content type to store for a Content-Type header (or null), as {@link
   *     DataRoutes#contentType}
   * @param maxConnections the port's connection limit ({@link Integer#MAX_VALUE}: none)
   * @param placeByCpu whether each connection goes to the event loop of the CPU its packets arrive
   *     on ({@link LoopPlacement}) rather than Vert.x's next in turn
   */
  FastPath(
      UnaryOperator<String> contentTypes,
      ClusterClient client,
      AccessControl access,
      RequestMetrics metrics,
      int maxKey,
      int maxId,
      long maxValueSize,
      int maxConnections,
      boolean placeByCpu) {
    this.contentTypes = contentTypes;
    this.client = client;
    this.access = access;
    this.metrics = metrics;
    this.maxKey = maxKey;
    this.maxId = maxId;
    this.maxValueSize = maxValueSize;
    this.maxConnections = maxConnections;
    this.placeByCpu = placeByCpu;
  }

  boolean armed() {
    return armed;
  }

  /** Requests the fast path answered. */
  long served() {
    return served.sum();
  }

  /** Connections it handed over to Vert.x. */
  long handedOff() {
    return handedOff.sum();
  }

  /** Connections that got the event loop {@link LoopPlacement} chose for them. */
  long placed() {
    return placed.sum();
  }

  /** Connections asked to reconnect because their client thread's CPU is another loop's home. */
  long moved() {
    return moved.sum();
  }

  /** Connections placed by CPU that ended up on another event loop than the one chosen. */
  long misplaced() {
    return misplaced.sum();
  }

  /**
   * Connections each event loop took so far, in the order {@link LoopPlacement} numbers them (loop
   * {@code cpu % loops} is CPU {@code cpu}'s); empty when placement is off or not yet started.
   */
  long[] acceptedPerLoop() {
    Placement pl = placement;
    LoopPlacement l = pl == null ? null : pl.loops;
    if (l == null) {
      return new long[0];
    }
    long[] accepted = new long[l.loops()];
    for (int i = 0; i < accepted.length; i++) {
      accepted[i] = l.accepted(i);
    }
    return accepted;
  }

  /**
   * Installs the fast path for connections the port of {@code req} accepts from now on, if {@code
   * req} came over plain HTTP/1.1 on TCP (else it waits for such a request).
   */
  void arm(HttpServerRequest req) {
    if (req.isSSL() || req.version() != HttpVersion.HTTP_1_1) {
      return;
    }
    if (!(req.connection() instanceof ConnectionBase conn)) {
      armed = true; // a Vert.x this does not know: stay off
      LOG.infof("data API fast path off: unexpected connection %s", req.connection());
      return;
    }
    if (!(conn.channel() instanceof SocketChannel ch) || ch.parent() == null) {
      return; // not TCP (a Unix domain socket): wait for a TCP connection
    }
    synchronized (this) {
      if (armed) {
        return;
      }
      armed = true;
    }
    Channel server = ch.parent();
    ChannelPipeline p = server.pipeline();
    // a dev-mode reload keeps the server: the new beans replace the old acceptor
    placement = placeByCpu ? Placement.of(server, metrics) : null;
    if (placement != null) {
      metrics.connectionsMoved(moved);
    }
    if (p.get(NAME) != null) {
      p.replace(NAME, NAME, new Acceptor());
    } else {
      p.addFirst(NAME, new Acceptor());
    }
    LOG.infof("data API fast path on for connections to %s", server.localAddress());
  }

  /** The handler that serves one connection, not placed by CPU. */
  ChannelHandler newConnection() {
    return new Conn(null, -1, null);
  }

  /**
   * On the server channel: gives each accepted connection a {@link Placer} and, with a {@link
   * Placement}, its event loop.
   */
  @ChannelHandler.Sharable
  private final class Acceptor extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel child) {
        // before the server bootstrap adds Vert.x's initializer: runs first at registration
        child.pipeline().addLast(placer);
        Placement pl = placement;
        if (pl != null) {
          pl.place(child);
        }
      }
      ctx.fireChannelRead(msg); // the server bootstrap registers the child with the next loop
    }
  }

  /** The loop {@link Placement} chose for a connection (its index in the cycle). */
  private static final AttributeKey<Integer> CHOSEN_LOOP =
      AttributeKey.valueOf("stored.chosen-loop");

  /** {@code SO_INCOMING_CPU}: the CPU that handled the socket's last received packet (Linux). */
  private static final IntegerUnixChannelOption INCOMING_CPU =
      new IntegerUnixChannelOption("SO_INCOMING_CPU", 1 /* SOL_SOCKET */, 49);

  /**
   * Makes the server bootstrap register each connection with the loop {@link LoopPlacement}
   * chooses. Vert.x deals the port's connections to its loops from one group whose {@code next()}
   * goes round them in a fixed cycle, on the acceptor thread only; so turning the cycle until the
   * chosen loop is next places the connection without touching Vert.x's code. The group is read
   * from Netty's acceptor handler (a private field: if a Netty release renames it, placement stays
   * off and Vert.x's round-robin applies, with a log line).
   */
  private static final class Placement {
    private final EventLoopGroup group;
    private final RequestMetrics metrics;
    // learnt on the acceptor thread (null until then, or after a miss), read on the loops
    private volatile EventLoop[] cycle;
    private volatile LoopPlacement loops;

    private Placement(EventLoopGroup group, RequestMetrics metrics) {
      this.group = group;
      this.metrics = metrics;
    }

    static Placement of(Channel server, RequestMetrics metrics) {
      for (Map.Entry<String, ChannelHandler> e : server.pipeline()) {
        ChannelHandler h = e.getValue();
        if (!h.getClass()
            .getName()
            .equals("io.netty.bootstrap.ServerBootstrap$ServerBootstrapAcceptor")) {
          continue;
        }
        try {
          Field f = h.getClass().getDeclaredField("childGroup");
          f.setAccessible(true);
          return new Placement((EventLoopGroup) f.get(h), metrics);
        } catch (ReflectiveOperationException | RuntimeException ex) {
          LOG.infof("connections placed round-robin: Netty's acceptor has no child group (%s)", ex);
          return null;
        }
      }
      LOG.info("connections placed round-robin: no Netty acceptor on the server channel");
      return null;
    }

    /**
     * On the acceptor thread, before the child is handed to the server bootstrap. Never throws: the
     * child must reach the bootstrap whatever happens here.
     */
    void place(Channel child) {
      try {
        EventLoop[] c = cycle != null ? cycle : learn();
        if (c.length >= 2) {
          turnTo(child, c, loops.choose(incomingCpu(child)));
        }
      } catch (RuntimeException e) { // the server closing (no loops left), say
        LOG.debugf(e, "connection left to round-robin");
        cycle = null;
      }
    }

    private static int incomingCpu(Channel child) {
      try {
        Integer cpu = child.config().getOption(INCOMING_CPU); // null: not an epoll channel
        return cpu == null ? -1 : cpu;
      } catch (RuntimeException e) { // getsockopt failed
        return -1;
      }
    }

    private void turnTo(Channel child, EventLoop[] c, int chosen) {
      EventLoop before = c[(chosen + c.length - 1) % c.length];
      for (int i = 0; i < c.length; i++) {
        if (group.next() == before) {
          child.attr(CHOSEN_LOOP).set(chosen);
          return;
        }
      }
      cycle = null; // the group's loops changed (a dev-mode reload): learn them again
    }

    /** Goes once round the group's cycle (which leaves it where it was) to learn its order. */
    private EventLoop[] learn() {
      int n = 0;
      for (var ignored : group) {
        n++;
      }
      EventLoop[] c = new EventLoop[n];
      for (int i = 0; i < n; i++) {
        c[i] = group.next();
      }
      if (Arrays.stream(c).distinct().count() != n) {
        c = new EventLoop[0]; // not a plain cycle: leave the group alone
      }
      if (loops == null || loops.loops() != Math.max(1, n)) {
        loops = new LoopPlacement(Math.max(1, n));
        metrics.connectionsPerLoop(loops);
      }
      cycle = c;
      return c;
    }

    /**
     * On the connection's loop once it is registered: counts it where it landed, and returns that
     * loop's index (-1 if unknown).
     */
    int registered(Channel ch, LongAdder placed, LongAdder misplaced) {
      EventLoop[] c = cycle;
      LoopPlacement l = loops;
      if (c == null || l == null) {
        return -1;
      }
      for (int i = 0; i < c.length; i++) {
        if (c[i] == ch.eventLoop()) {
          int loop = i;
          l.opened(loop);
          ch.closeFuture().addListener(f -> l.closed(loop));
          Integer chosen = ch.attr(CHOSEN_LOOP).getAndSet(null);
          if (chosen != null) {
            (chosen == loop ? placed : misplaced).increment();
          }
          return loop;
        }
      }
      return -1;
    }
  }

  /**
   * Runs once per connection when it is registered, after Vert.x's initializer built its pipeline:
   * counts it, and puts a {@link Conn} in front of Vert.x's idle-timeout handler and HTTP/1-or-h2c
   * detector.
   */
  @ChannelHandler.Sharable
  private final class Placer extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
      ChannelPipeline p = ctx.pipeline();
      p.remove(this);
      Channel ch = ctx.channel();
      ctx.fireChannelRegistered();
      Placement pl = placement;
      int loop = pl == null ? -1 : pl.registered(ch, placed, misplaced);
      if (maxConnections != Integer.MAX_VALUE) {
        if (open.incrementAndGet() > maxConnections) {
          open.decrementAndGet();
          ch.close();
          return;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
      }
      ChannelHandlerContext detector = p.context(Http1xOrH2CHandler.class);
      // only the layout this knows: cleartext, the detector last (Vert.x's idle handler before it,
      // DroppedContent's releaser perhaps behind it)
      if (detector != null && p.get(SslHandler.class) == null && onlyOursBehind(p, detector)) {
        IdleStateHandler idle = idleBefore(p, detector);
        p.addBefore(
            idle == null ? detector.name() : IDLE,
            NAME,
            loop < 0 ? new Conn(null, -1, idle) : new Conn(pl.loops, loop, idle));
      }
    }
  }

  /**
   * Vert.x's idle-timeout handler, if it is right before {@code detector} and times the connection
   * out as a whole (not reads or writes apart). The {@link Conn} goes in front of it: that handler
   * reads the clock at the end of every read burst and for every answer written, and adds a
   * listener to every write (about 2 % of a GET's CPU), so it sees none of those, and the {@code
   * Conn} resets its timer {@link #IDLE_LOOKS} times per timeout if there was traffic. It stays in
   * the pipeline: Vert.x's detector removes it when it takes over, and it closes the connection
   * when the time is up.
   */
  private static IdleStateHandler idleBefore(ChannelPipeline p, ChannelHandlerContext detector) {
    List<String> names = p.names();
    int at = names.indexOf(IDLE);
    if (!(p.get(IDLE) instanceof IdleStateHandler idle)
        || at + 1 >= names.size()
        || !names.get(at + 1).equals(detector.name())
        || idle.getReaderIdleTimeInMillis() != 0
        || idle.getWriterIdleTimeInMillis() != 0
        || idle.getAllIdleTimeInMillis() <= 0) {
      return null;
    }
    return idle;
  }

  /** Whether every handler behind {@code detector} is one of {@link DroppedContent}'s. */
  private static boolean onlyOursBehind(ChannelPipeline p, ChannelHandlerContext detector) {
    boolean behind = false;
    for (Map.Entry<String, ChannelHandler> e : p) { // head and tail left out
      if (behind && !DroppedContent.ours(e.getKey())) {
        return false;
      }
      behind |= e.getValue() == detector.handler();
    }
    return true;
  }

  /** A request being served: what its answer needs. */
  private record Request(Op op, ItemKey key, String raw, Precondition pre, long start) {
    /**
     * The request's path as sent (before any query). For one {@link #plainItemKey} took, made from
     * the key only when asked (a 404's message): its bytes are the path's.
     */
    String path() {
      return raw != null ? raw : "/" + key.namespace() + "/" + key.key() + "/" + key.id();
    }
  }

  /** What parsing one request found. */
  private enum Step {
    SERVED,
    NEED_MORE,
    HAND_OFF
  }

  /** One connection's fast path, on its event loop. */
  private final class Conn extends ChannelInboundHandlerAdapter {
    private final LoopPlacement loops; // null: not placed by CPU
    private final int loop;
    private final IdleStateHandler idle; // behind this one; null: none
    private ScheduledFuture<?> idleLooks;
    private boolean active; // read or answered since the last idle look
    private int requests;
    private int reportedCpu = -1;
    private boolean astray; // at the last look, another loop was home to this one's CPU
    // the answer now being made closes the connection: the client asked (connection: close), or is
    // asked to reconnect (recheck)
    private boolean closing;
    private OkHead ok = lastOk; // the head of the content type last answered here
    private final byte[] scratch = new byte[96]; // okTail's, and etag's digits
    private ByteBuf in;
    private boolean waiting; // a reply is awaited; requests behind it stay buffered
    private boolean handingOff;

    /**
     * The buffered request is a PUT whose body has not all arrived. Netty reads a burst of bytes in
     * several reads (its read buffer adapts to the requests seen: after GETs, a PUT takes two), so
     * that is only final at the end of the burst: a body still missing then goes to Vert.x, which
     * waits for it under stored.api.body-timeout.
     */
    private boolean partialBody;

    // the request being parsed
    private int pathFrom;
    private int pathTo;
    private long contentLength;
    private String contentType;
    private String authorization;
    private String ifMatch;
    private String ifNoneMatch;
    private int hosts;
    private boolean closeAsked; // connection: close

    /**
     * @param idle Vert.x's idle-timeout handler right behind this one ({@link #idleBefore}), or
     *     null
     */
    Conn(LoopPlacement loops, int loop, IdleStateHandler idle) {
      this.loops = loops;
      this.loop = loop;
      this.idle = idle;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      if (idle != null) {
        long every = idle.getAllIdleTimeInMillis() * 1_000_000 / IDLE_LOOKS;
        idleLooks =
            ctx.executor().scheduleAtFixedRate(this::lookIdle, every, every, TimeUnit.NANOSECONDS);
      }
    }

    /**
     * Resets the idle handler's timer if anything was read or answered since the last look: a flag
     * set per read and per answer, and a clock read per look, rather than per request.
     */
    private void lookIdle() {
      if (active) {
        active = false;
        idle.resetReadTimeout();
      }
    }

    private void stopIdleLooks() {
      if (idleLooks != null) {
        idleLooks.cancel(false);
        idleLooks = null;
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf bytes)) {
        ctx.fireChannelRead(msg);
        return;
      }
      active = true;
      if (closing) {
        bytes.release(); // sent after the answer that closes the connection: not read (RFC 9112)
        return;
      }
      in =
          in == null
              ? bytes
              : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, bytes);
      if (waiting) {
        if (in.readableBytes() > MAX_BUFFERED) {
          ctx.channel().config().setAutoRead(false);
        }
        return;
      }
      serve(ctx);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      settle(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && !waiting) {
        ctx.channel().config().setAutoRead(true);
        serve(ctx);
        settle(ctx);
      }
      ctx.fireChannelWritabilityChanged();
    }

    /** After a burst of reads or answers: flushes, and hands over a body that is still partial. */
    private void settle(ChannelHandlerContext ctx) {
      if (partialBody && !waiting) {
        handOff(ctx);
      } else {
        ctx.flush();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      stopIdleLooks();
      release();
      unreport();
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // nothing behind this handles it before the hand-over (a reset peer, mostly)
      LOG.debugf("data API connection %s failed: %s", ctx.channel(), cause.toString());
      ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      stopIdleLooks();
      unreport();
      ByteBuf rest = in;
      in = null;
      if (rest == null) {
        return;
      }
      if (handingOff && rest.isReadable() && ctx.channel().isActive()) {
        // Vert.x reads the connection from here on, starting with the request this left
        ctx.fireChannelRead(rest);
        ctx.fireChannelReadComplete();
      } else {
        rest.release();
      }
    }

    private void release() {
      if (in != null) {
        in.release();
        in = null;
      }
    }

    /** Takes this connection out of its loop's tally of CPUs (closed or handed over). */
    private void unreport() {
      if (reportedCpu >= 0) {
        loops.reported(loop, reportedCpu, -1);
        reportedCpu = -1;
      }
    }

    /**
     * At a placed connection's first request and every {@link #RECHECK_EVERY}: reports the CPU its
     * packets arrive on now, and when another loop has been home to that CPU at two looks in a row
     * (a client thread that moved, not one moving), has this answer ask the client to reconnect, so
     * that the acceptor places it there. Not with requests pipelined behind this one.
     */
    private void recheck(ChannelHandlerContext ctx, boolean pipelined) {
      int cpu = Placement.incomingCpu(ctx.channel());
      if (cpu < 0) {
        return;
      }
      loops.reported(loop, reportedCpu, cpu);
      reportedCpu = cpu;
      boolean wasAstray = astray;
      astray = loops.elsewhere(loop, cpu) >= 0;
      if (astray && wasAstray && !pipelined && loops.mayMove(loop, System.nanoTime())) {
        closing = true;
        moved.increment();
        LOG.debugf("%s asked to reconnect: its packets arrive on CPU %d", ctx.channel(), cpu);
      }
    }

    /** Answers the buffered requests, in order, until one is incomplete, awaited or foreign. */
    private void serve(ChannelHandlerContext ctx) {
      while (in != null && in.isReadable() && !waiting && !closing) {
        if (!ctx.channel().isWritable()) {
          // the client does not read its answers: stop reading its requests
          ctx.channel().config().setAutoRead(false);
          return;
        }
        Step step = step(ctx);
        if (step == Step.NEED_MORE) {
          break;
        }
        if (step == Step.HAND_OFF) {
          handOff(ctx);
          return;
        }
      }
      if (in != null) {
        if (!in.isReadable()) {
          release();
        } else {
          in.discardSomeReadBytes();
        }
      }
    }

    private void handOff(ChannelHandlerContext ctx) {
      handedOff.increment();
      if (LOG.isDebugEnabled()) {
        int n = Math.min(in.readableBytes(), 200);
        LOG.debugf(
            "%s goes to Vert.x (%d bytes buffered) at: %s",
            ctx.channel(),
            in.readableBytes(),
            in.toString(in.readerIndex(), n, StandardCharsets.ISO_8859_1));
      }
      handingOff = true;
      ctx.channel().config().setAutoRead(true);
      ctx.flush();
      if (idle != null) {
        stopIdleLooks();
        lookIdle(); // Vert.x times the connection from its last traffic here
      }
      ctx.pipeline().remove(this);
    }

    /** Parses the request at the reader index and answers it, or says why not. */
    private Step step(ChannelHandlerContext ctx) {
      ByteBuf b = in;
      partialBody = false;
      int from = b.readerIndex();
      int end = Math.min(b.writerIndex(), from + MAX_HEAD);
      int lf = indexOf(b, from, end, (byte) '\n');
      if (lf < 0) {
        return end - from >= MAX_HEAD ? Step.HAND_OFF : Step.NEED_MORE;
      }
      if (lf - from > MAX_REQUEST_LINE) {
        return Step.HAND_OFF;
      }
      Op op = method(b, from);
      if (op == null) {
        return Step.HAND_OFF;
      }
      pathFrom = from + methodLength(op) + 1;
      pathTo = indexOf(b, pathFrom, lf, (byte) ' ');
      if (pathTo < 0
          || b.getByte(pathFrom) != '/'
          || !plainTarget(b, pathFrom, pathTo)
          || !matches(b, pathTo, HTTP_1_1)
          || pathTo + HTTP_1_1.length != lf) {
        return Step.HAND_OFF;
      }
      int headEnd = headers(b, lf + 1, end);
      if (headEnd == -1) {
        return end - from >= MAX_HEAD ? Step.HAND_OFF : Step.NEED_MORE;
      }
      if (headEnd < 0 || hosts != 1) {
        return Step.HAND_OFF;
      }
      long length = contentLength;
      if (op == Op.PUT ? length < 0 || length > maxValueSize : length > 0) {
        return Step.HAND_OFF; // no length, too long, or a body we do not take
      }
      if (b.writerIndex() - headEnd < length) {
        partialBody = true;
        return Step.NEED_MORE;
      }
      int q = indexOf(b, pathFrom, pathTo, (byte) '?');
      int pathEnd = q < 0 ? pathTo : q;
      String query = q < 0 ? null : b.toString(q + 1, pathTo - q - 1, StandardCharsets.US_ASCII);
      ItemKey key = plainItemKey(b, pathFrom, pathEnd);
      String raw = null;
      boolean any = false;
      long ttl = 0;
      Precondition pre;
      try {
        if (key == null) {
          raw = b.toString(pathFrom, pathEnd - pathFrom, StandardCharsets.US_ASCII);
          ItemPath path = ItemPath.parse(raw, maxKey, maxId);
          if (path.depth() != 3) {
            return Step.HAND_OFF;
          }
          key = path.itemKey();
        }
        switch (op) {
          case GET, HEAD -> any = DataRoutes.readAny(QueryParams.parse(query, DataRoutes.READ));
          case PUT -> ttl = QueryParams.parse(query, DataRoutes.PUT_PARAMS).ttlMillis();
          default -> QueryParams.parse(query, DataRoutes.NONE);
        }
        pre = EntityTags.precondition(ifMatch, ifNoneMatch);
      } catch (ApiException e) {
        return Step.HAND_OFF; // Vert.x answers malformed paths, parameters and entity tags
      }
      byte[] body = null;
      if (op == Op.PUT) {
        body = new byte[(int) length];
        b.getBytes(headEnd, body);
      }
      b.readerIndex(headEnd + (int) Math.max(0, length));
      served.increment();
      if (loops != null && requests++ % RECHECK_EVERY == 0) {
        recheck(ctx, b.isReadable());
      }
      closing |= closeAsked;
      dispatch(ctx, new Request(op, key, raw, pre, System.nanoTime()), any, ttl, body);
      return Step.SERVED;
    }

    /**
     * The address of an item path with nothing to decode: three segments, no {@code %} (the target
     * is visible ASCII already), a namespace of {@code [A-Za-z0-9._-]}, key and id within their
     * limits. The bytes are copied once into the key's layout, without the String, the decoded
     * segments and the {@link ItemPath} that {@link ItemPath#parse} makes; they are the bytes it
     * would decode. Null for any other path, which it parses.
     */
    private ItemKey plainItemKey(ByteBuf b, int from, int to) {
      int ns = from + 1; // from is at the leading '/'
      int nsEnd = indexOf(b, ns, to, (byte) '/');
      int k = nsEnd + 1;
      int kEnd = nsEnd < 0 ? -1 : indexOf(b, k, to, (byte) '/');
      int id = kEnd + 1;
      if (kEnd < 0
          || nsEnd - ns < 1
          || nsEnd - ns > ItemPath.MAX_NAMESPACE
          || kEnd - k < 1
          || kEnd - k > maxKey
          || to - id < 1
          || to - id > maxId
          || indexOf(b, id, to, (byte) '/') >= 0
          || indexOf(b, ns, to, (byte) '%') >= 0) {
        return null;
      }
      for (int i = ns; i < nsEnd; i++) {
        if (!ItemPath.namespaceByte(b.getByte(i))) {
          return null;
        }
      }
      int nsLength = nsEnd - ns;
      int keyLength = kEnd - k;
      byte[] layout = new byte[nsLength + 1 + keyLength + to - id]; // namespace 0 key id
      b.getBytes(ns, layout, 0, nsLength);
      b.getBytes(k, layout, nsLength + 1, keyLength);
      b.getBytes(id, layout, nsLength + 1 + keyLength, to - id);
      return ItemKey.fromLayout(layout, nsLength, keyLength);
    }

    /**
     * Reads the header lines from {@code at}; returns the index after the empty line, -1 when it is
     * not here yet, -2 for anything outside the known set.
     */
    private int headers(ByteBuf b, int at, int end) {
      contentLength = -1;
      contentType = null;
      authorization = null;
      ifMatch = null;
      ifNoneMatch = null;
      closeAsked = false;
      hosts = 0;
      while (true) {
        int lf = indexOf(b, at, end, (byte) '\n');
        if (lf < 0) {
          return -1;
        }
        if (lf == at || b.getByte(lf - 1) != '\r') {
          return -2; // a bare LF
        }
        if (lf == at + 1) {
          return lf + 1; // the empty line
        }
        int colon = indexOf(b, at, lf, (byte) ':');
        // the name need not be checked for token characters: header() takes known names only
        if (colon <= at) {
          return -2;
        }
        int v = colon + 1;
        int ve = lf - 1;
        while (v < ve && (b.getByte(v) == ' ' || b.getByte(v) == '\t')) {
          v++;
        }
        while (ve > v && (b.getByte(ve - 1) == ' ' || b.getByte(ve - 1) == '\t')) {
          ve--;
        }
        if (!header(b, at, colon, v, ve)) {
          return -2;
        }
        at = lf + 1;
      }
    }

    /** Takes one header; false for one this does not know or cannot take. */
    private boolean header(ByteBuf b, int name, int nameEnd, int v, int ve) {
      if (is(b, name, nameEnd, HOST)) {
        hosts++;
        return plainHost(b, v, ve);
      }
      if (is(b, name, nameEnd, LENGTH)) {
        if (contentLength >= 0 || ve == v || ve - v > 12) {
          return false;
        }
        long n = 0;
        for (int i = v; i < ve; i++) {
          int d = b.getByte(i) - '0';
          if (d < 0 || d > 9) {
            return false;
          }
          n = n * 10 + d;
        }
        contentLength = n;
        return true;
      }
      // Host, Content-Length and Connection have stricter checks of their own; the others'
      // values must be visible ASCII, spaces and tabs
      if (is(b, name, nameEnd, TYPE)) {
        if (contentType != null || !visible(b, v, ve)) {
          return false;
        }
        contentType = b.toString(v, ve - v, StandardCharsets.US_ASCII);
        return true;
      }
      if (is(b, name, nameEnd, AUTHORIZATION)) {
        if (authorization != null || !visible(b, v, ve)) {
          return false;
        }
        authorization = b.toString(v, ve - v, StandardCharsets.US_ASCII);
        return true;
      }
      if (is(b, name, nameEnd, IF_MATCH)) {
        if (!visible(b, v, ve)) {
          return false;
        }
        ifMatch = joined(ifMatch, b.toString(v, ve - v, StandardCharsets.US_ASCII));
        return true;
      }
      if (is(b, name, nameEnd, IF_NONE_MATCH)) {
        if (!visible(b, v, ve)) {
          return false;
        }
        ifNoneMatch = joined(ifNoneMatch, b.toString(v, ve - v, StandardCharsets.US_ASCII));
        return true;
      }
      if (is(b, name, nameEnd, CONNECTION)) {
        // close: answered, then closed, as Vert.x does (also when another Connection says
        // keep-alive)
        boolean close = is(b, v, ve, CLOSE);
        closeAsked |= close;
        return close || is(b, v, ve, KEEP_ALIVE);
      }
      for (byte[] ignored : IGNORED) {
        if (is(b, name, nameEnd, ignored)) {
          return visible(b, v, ve);
        }
      }
      return false;
    }

    private void dispatch(
        ChannelHandlerContext ctx, Request req, boolean any, long ttl, byte[] body) {
      Op op = req.op;
      ItemKey key = req.key;
      Precondition pre = req.pre;
      CompletableFuture<Reply> reply;
      try {
        if (access.enabled()) {
          access.require(
              authorization,
              key.namespace(),
              op == Op.PUT || op == Op.DELETE ? Tokens.Role.WRITE : Tokens.Role.READ);
        }
        String type = op == Op.PUT ? contentTypes.apply(contentType) : null;
        boolean read = op == Op.GET || op == Op.HEAD;
        BiFunction<Long, Integer, Message> make =
            switch (op) {
              case GET, HEAD -> (e, p) -> new Message.Get(e, p, key, any);
              case PUT -> (e, p) -> new Message.Write(e, p, key, body, type, ttl, pre);
              default -> (e, p) -> new Message.Write(e, p, key, null, null, 0, pre);
            };
        reply = client.call(key, read && any, make, req.start).toCompletableFuture();
      } catch (ApiException e) {
        send(ctx, problem(ctx, req, e), false);
        return;
      }
      if (reply.isDone()) {
        // a local store answers at once: no hop, and the flush waits for the end of the read
        send(ctx, answer(ctx, req, reply.getNow(null), null), false);
        return;
      }
      waiting = true;
      reply.whenComplete(
          (r, failure) -> {
            if (ctx.executor().inEventLoop()) {
              answered(ctx, req, r, failure);
            } else {
              ctx.executor().execute(() -> answered(ctx, req, r, failure));
            }
          });
    }

    private void answered(ChannelHandlerContext ctx, Request req, Reply r, Throwable failure) {
      waiting = false;
      send(ctx, answer(ctx, req, r, failure), true);
      if (!ctx.channel().config().isAutoRead()) {
        ctx.channel().config().setAutoRead(true);
      }
      if (!ctx.isRemoved()) {
        serve(ctx);
        settle(ctx);
      }
    }

    /** Writes an answer; the one that asks the client to reconnect is flushed and closes. */
    private void send(ChannelHandlerContext ctx, ByteBuf out, boolean flush) {
      active = true;
      if (closing) {
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
      } else if (flush) {
        ctx.writeAndFlush(out, ctx.voidPromise());
      } else {
        // no promise to make and complete per answer: a failed write reaches exceptionCaught
        ctx.write(out, ctx.voidPromise());
      }
    }

    /**
     * The start of a 200 answer to a read, through the ETag's opening quote, for the content type
     * last answered on this connection (a new connection starts with {@link #lastOk}). With {@link
     * #okTail}, a read's head goes into the buffer in two copies rather than ten small ones.
     */
    private byte[] okHead(String type) {
      OkHead known = ok;
      if (!type.equals(known.type())) {
        ok = lastOk = known = new OkHead(type, concat(OK, CONTENT_TYPE, ascii(type), CRLF, ETAG));
      }
      return known.head();
    }

    /**
     * Writes the rest of a read's head into {@link #scratch}: the ETag's digits and closing quote,
     * the content length, {@code connection: close} if it closes, the empty line ({@code head}: the
     * answer to a HEAD). Returns its length.
     */
    private int okTail(long version, int length, boolean head) {
      byte[] t = scratch;
      int n = etagDigits(t, 0, version);
      n = put(t, n, QUOTE_CRLF);
      // connection: close where Vert.x puts it: before a length it works out, after one set. Until
      // a connection closes, the JIT compiles the hot path without these two; the first to close
      // has it recompiled (bench/README.md, 2026-11-29 late morning)
      if (closing && !head) {
        n = put(t, n, CONNECTION_CLOSE);
      }
      n = put(t, n, CONTENT_LENGTH);
      n = put(t, decimalDigits(t, n, length), CRLF);
      if (closing && head) {
        n = put(t, n, CONNECTION_CLOSE);
      }
      return put(t, n, CRLF);
    }

    /** {@code connection: close} if this answer closes the connection: where Vert.x puts it. */
    private void closingHeader(ByteBuf out) {
      if (closing) {
        out.writeBytes(CONNECTION_CLOSE);
      }
    }

    /** The response to a store's reply, as {@link DataRoutes} writes it. */
    private ByteBuf answer(ChannelHandlerContext ctx, Request req, Reply r, Throwable failure) {
      Op op = req.op;
      try {
        if (failure != null) {
          throw new IllegalStateException("request failed", failure);
        }
        if (op == Op.GET || op == Op.HEAD) {
          if (!(r instanceof Reply.Item item)) {
            throw DataRoutes.unavailable(r);
          }
          Entry e = item.item();
          if (DataRoutes.readStatus(req.pre, e, req::path) == 304) {
            ByteBuf out = ctx.alloc().ioBuffer(64);
            out.writeBytes(NOT_MODIFIED);
            etag(out, e.version(), scratch);
            closingHeader(out);
            out.writeBytes(CRLF);
            metrics.record(op, 304, req.start);
            return out;
          }
          int length = e.valueLength();
          byte[] head = okHead(e.contentType());
          int tail = okTail(e.version(), length, op == Op.HEAD);
          ByteBuf out = ctx.alloc().ioBuffer(head.length + tail + (op == Op.GET ? length : 0));
          out.writeBytes(head).writeBytes(scratch, 0, tail);
          if (op == Op.GET) {
            out.writeBytes(e.valueView()); // from the store's record: no copy of the value first
          }
          metrics.record(op, 200, req.start);
          return out;
        }
        if (!(r instanceof Reply.Written w)) {
          throw DataRoutes.unavailable(r);
        }
        int status = DataRoutes.writtenStatus(w, req::path);
        ByteBuf out = ctx.alloc().ioBuffer(160);
        out.writeBytes(status == 201 ? CREATED : OK);
        if (status == 201) {
          out.writeBytes(LOCATION);
          out.writeCharSequence(ItemPath.location(req.key), StandardCharsets.US_ASCII);
          out.writeBytes(CRLF);
        }
        if (op == Op.PUT) {
          etag(out, w.version(), scratch);
        }
        closingHeader(out);
        out.writeBytes(EMPTY_BODY);
        metrics.record(op, status, req.start);
        return out;
      } catch (ApiException e) {
        return problem(ctx, req, e);
      } catch (RuntimeException e) {
        LOG.errorf(e, "bug while serving %s %s", op, req.path());
        return problem(
            ctx, req, ApiException.internal("unexpected error; the server log has the details"));
      }
    }

    /** A problem response as {@link Problems#send} writes it (HEAD: no length, no body). */
    private ByteBuf problem(ChannelHandlerContext ctx, Request req, ApiException e) {
      Op op = req.op;
      byte[] body = Problems.body(e);
      ByteBuf out = ctx.alloc().ioBuffer(256 + body.length);
      out.writeCharSequence(
          "HTTP/1.1 "
              + e.status()
              + " "
              + HttpResponseStatus.valueOf(e.status()).reasonPhrase()
              + "\r\n",
          StandardCharsets.US_ASCII);
      for (Map.Entry<String, String> h : e.headers().entrySet()) {
        out.writeCharSequence(h.getKey() + ": " + h.getValue() + "\r\n", StandardCharsets.US_ASCII);
      }
      out.writeBytes(PROBLEM_TYPE);
      closingHeader(out);
      if (op != Op.HEAD) {
        out.writeBytes(CONTENT_LENGTH);
        out.writeBytes(scratch, 0, decimalDigits(scratch, 0, body.length));
        out.writeBytes(CRLF);
      }
      out.writeBytes(CRLF);
      if (op != Op.HEAD) {
        out.writeBytes(body);
      }
      metrics.record(op, e.status(), req.start);
      return out;
    }
  }

  /** Repeated If-Match or If-None-Match headers, joined as {@link EntityTags} expects. */
  private static String joined(String before, String value) {
    return before == null ? value : before + "," + value;
  }

  private static Op method(ByteBuf b, int at) {
    return switch (b.getByte(at)) {
      case 'G' ->
          b.getMedium(at) == ('G' << 16 | 'E' << 8 | 'T') && b.getByte(at + 3) == ' '
              ? Op.GET
              : null;
      case 'P' ->
          b.getMedium(at) == ('P' << 16 | 'U' << 8 | 'T') && b.getByte(at + 3) == ' '
              ? Op.PUT
              : null;
      case 'H' ->
          b.getInt(at) == ('H' << 24 | 'E' << 16 | 'A' << 8 | 'D') && b.getByte(at + 4) == ' '
              ? Op.HEAD
              : null;
      case 'D' ->
          b.getInt(at) == ('D' << 24 | 'E' << 16 | 'L' << 8 | 'E')
                  && b.getMedium(at + 4) == ('T' << 16 | 'E' << 8 | ' ')
              ? Op.DELETE
              : null;
      default -> null;
    };
  }

  private static int methodLength(Op op) {
    return switch (op) {
      case GET, PUT -> 3;
      case HEAD -> 4;
      default -> 6;
    };
  }

  /** A request target of visible ASCII without a fragment. */
  private static boolean plainTarget(ByteBuf b, int from, int to) {
    for (int i = from; i < to; i++) {
      byte c = b.getByte(i);
      if (c <= ' ' || c >= 0x7f || c == '#') {
        return false;
      }
    }
    return true;
  }

  /**
   * A Host value of the plain form (a name of letters, digits, '.', '-', '_' and '~', then perhaps
   * ':' and a port up to 65535), which Vert.x accepts as well; any other (an IP literal, escapes, a
   * malformed one) is left to Vert.x, which also answers 400 for an invalid one.
   */
  private static boolean plainHost(ByteBuf b, int from, int to) {
    int i = from;
    for (; i < to; i++) {
      byte c = b.getByte(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '-'
          || c == '_'
          || c == '~')) {
        break;
      }
    }
    if (i == to) {
      return true;
    }
    if (b.getByte(i) != ':' || to - i - 1 > 5) {
      return false;
    }
    int port = 0;
    for (i++; i < to; i++) {
      int d = b.getByte(i) - '0';
      if (d < 0 || d > 9) {
        return false;
      }
      port = port * 10 + d;
    }
    return port <= 65535;
  }

  /** A header value of visible ASCII, spaces and tabs. */
  private static boolean visible(ByteBuf b, int from, int to) {
    for (int i = from; i < to; i++) {
      byte c = b.getByte(i);
      if ((c < ' ' && c != '\t') || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** Whether bytes [from, to) equal {@code lower}, ignoring ASCII case. */
  private static boolean is(ByteBuf b, int from, int to, byte[] lower) {
    if (to - from != lower.length) {
      return false;
    }
    for (int i = 0; i < lower.length; i++) {
      byte c = b.getByte(from + i);
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(ByteBuf b, int at, byte[] expected) {
    if (at + expected.length > b.writerIndex()) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (b.getByte(at + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(ByteBuf b, int from, int to, byte value) {
    return from >= to ? -1 : b.indexOf(from, to, value);
  }

  /** {@code etag: "<version in hex>"} and CRLF, as {@link EntityTags#format} spells it. */
  private static void etag(ByteBuf out, long version, byte[] scratch) {
    out.writeBytes(ETAG);
    out.writeBytes(scratch, 0, etagDigits(scratch, 0, version));
    out.writeBytes(QUOTE_CRLF);
  }

  /** Writes {@code version} in lower-case hex at {@code at}; returns the index after it. */
  private static int etagDigits(byte[] to, int at, long version) {
    int digits = version == 0 ? 1 : (67 - Long.numberOfLeadingZeros(version)) / 4;
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      to[at++] = HEX_DIGITS[(int) (version >>> shift) & 0xf];
    }
    return at;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] all = new byte[n];
    n = 0;
    for (byte[] p : parts) {
      n = put(all, n, p);
    }
    return all;
  }

  private static int put(byte[] to, int at, byte[] bytes) {
    System.arraycopy(bytes, 0, to, at, bytes.length);
    return at + bytes.length;
  }

  /** Writes {@code n} (not negative) in decimal at {@code at}; returns the index after it. */
  private static int decimalDigits(byte[] to, int at, int n) {
    int digits = 1;
    for (int v = n; v >= 10; v /= 10) {
      digits++;
    }
    for (int i = at + digits - 1, v = n; i >= at; i--, v /= 10) {
      to[i] = (byte) ('0' + v % 10);
    }
    return at + digits;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
