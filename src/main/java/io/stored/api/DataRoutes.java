package io.stored.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.Unpooled;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.stored.api.RequestMetrics.Op;
import io.stored.auth.Tokens;
import io.stored.engine.Entry;
import io.stored.engine.ItemKey;
import io.stored.engine.Precondition;
import io.stored.node.Cluster;
import io.stored.node.NodeConfig;
import io.stored.node.Role;
import io.stored.replication.Message;
import io.stored.replication.Reply;
import io.stored.router.ClusterClient;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The data API on the HTTP port: {@code /{namespace}/{key}/{id}} items, {@code /{namespace}/{key}}
 * id listings and {@code /{namespace}} key listings. Registered only with the endpoint role.
 *
 * <p>Handlers run on the Vert.x event loop: every operation is an in-memory call that returns at
 * once, so there is no hop to a worker thread. Each request asks the router for its partition's
 * owners and goes to the primary (in this process in the single-process mode). Errors are {@link
 * ApiException}s, answered as problem+json by {@link Problems}.
 */
@ApplicationScoped
public class DataRoutes {
  private static final Logger LOG = Logger.getLogger(DataRoutes.class);
  static final String OCTET_STREAM = "application/octet-stream";
  private static final int MAX_CONTENT_TYPE = 256;
  private static final String ITEM_ALLOW = "GET, HEAD, PUT, DELETE, OPTIONS";
  private static final String KEY_ALLOW = "GET, HEAD, DELETE, OPTIONS";
  private static final String NAMESPACE_ALLOW = "GET, HEAD, OPTIONS";
  static final Set<String> NONE = Set.of();
  static final Set<String> READ = Set.of("read");
  static final Set<String> PUT_PARAMS = Set.of("ttl");
  private static final Set<String> LIST_IDS_PARAMS = Set.of("limit", "after", "read");
  private static final Set<String> LIST_KEYS_PARAMS = Set.of("limit", "after");

  /** How long a refused request's unread body is drained before the connection is closed. */
  static final long LINGER_MILLIS = 5000;

  private static final CharSequence APPLICATION_JSON =
      HttpHeaders.createOptimized("application/json");

  private final NodeConfig node;
  private final ClusterClient client;
  private final AccessControl access;
  private final RequestMetrics metrics;
  private final Vertx vertx;
  private final long maxValueSize;
  private final long bodyTimeoutMillis;
  private final int maxKey;
  private final int maxId;
  private final int listLimit;
  private final int maxListLimit;

  private final FastThreadLocal<BodyDeadlines> bodyDeadlines =
      new FastThreadLocal<>() {
        @Override
        protected BodyDeadlines initialValue() {
          return new BodyDeadlines();
        }
      };

  /** Distinct content types are few; sharing the strings saves memory per stored item. */
  private final ConcurrentHashMap<String, String> contentTypes = new ConcurrentHashMap<>();

  /** Serves plain HTTP/1.1 item requests without Vert.x's HTTP layers; null when off. */
  private final FastPath fastPath;

  /** Set on a connection once a request's framing was refused: nothing after it is run. */
  private static final AttributeKey<Boolean> REFUSED_FRAMING =
      AttributeKey.valueOf("stored.refused-framing");

  DataRoutes(
      NodeConfig node,
      ApiConfig api,
      Cluster cluster,
      AccessControl access,
      RequestMetrics metrics,
      Vertx vertx,
      @ConfigProperty(name = "quarkus.http.limits.max-connections") OptionalInt maxConnections,
      @ConfigProperty(name = "quarkus.http.access-log.enabled", defaultValue = "false")
          boolean accessLog) {
    this.node = node;
    this.vertx = vertx;
    this.client = cluster.client();
    this.access = access;
    this.metrics = metrics;
    this.maxValueSize = api.maxValueSize().asLongValue();
    this.bodyTimeoutMillis = Math.max(1, api.bodyTimeout().toMillis());
    this.maxKey = api.maxKeySize();
    this.maxId = api.maxIdSize();
    this.listLimit = api.listLimit();
    this.maxListLimit = api.maxListLimit();
    if (!api.fastPath()) {
      this.fastPath = null;
    } else if (accessLog) {
      // Quarkus' access log sees only what Vert.x serves
      LOG.info("data API fast path off: quarkus.http.access-log.enabled is set");
      this.fastPath = null;
    } else {
      this.fastPath =
          new FastPath(
              this::contentType,
              client,
              access,
              metrics,
              maxKey,
              maxId,
              maxValueSize,
              maxConnections.orElse(Integer.MAX_VALUE),
              api.connectionPlacement() == ApiConfig.ConnectionPlacement.INCOMING_CPU);
    }
  }

  /** The fast path, or null when it is off (for tests). */
  FastPath fastPath() {
    return fastPath;
  }

  void register(@Observes io.vertx.ext.web.Router web) {
    DroppedContent.armBy(web); // on every node: a store-only node's port answers 404s
    // Requests Vert.x rejects before routing (undecodable path) and paths no route serves
    // (every path on a node without the endpoint role) get problem+json bodies too.
    web.errorHandler(
        400,
        ctx ->
            Problems.send(
                ctx.response(),
                ApiException.badRequest(
                    "the request line or path is malformed (for example a % not followed by two hex digits)")));
    web.errorHandler(
        404,
        ctx ->
            Problems.send(
                ctx.response(),
                ApiException.notFound(
                    "this node does not serve the data API (it does not run the endpoint role)")));
    // Vert.x Web fails a request without a valid Host (but HTTP/1.0's) with 400 before any
    // route; Quarkus' failure handler would answer it with its own JSON and log an ERROR per
    // request, which lets any client flood the log.
    web.route()
        .failureHandler(
            ctx -> {
              if (ctx.statusCode() == 400 && !ctx.response().headWritten()) {
                Problems.send(
                    ctx.response(),
                    ApiException.badRequest(
                        ctx.request().authority() == null
                            ? "the request needs one valid Host header"
                            : "the request is malformed"));
              } else {
                ctx.next();
              }
            });
    if (!node.roles().contains(Role.ENDPOINT)) {
      return;
    }
    // Ordered before Quarkus' body-size check: this handler streams the body and enforces
    // stored.api.max-value-size itself, answering 413 as problem+json.
    web.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::handle);
  }

  void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    HttpServerRequest req = ctx.request();
    if (req.connection() instanceof ConnectionBase conn
        && conn.channel().hasAttr(REFUSED_FRAMING)) {
      // read from behind a request whose framing was refused (see refuseFraming): not run, not
      // answered; the connection closes on refuseFraming's timer or when the client closes it
      req.handler(chunk -> {});
      return;
    }
    if (fastPath != null && !fastPath.armed()) {
      fastPath.arm(req);
    }
    if (req.version() != HttpVersion.HTTP_2
        && req.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      String codings = String.join(", ", req.headers().getAll(HttpHeaders.TRANSFER_ENCODING));
      if (!codings.trim().equalsIgnoreCase("chunked")) {
        refuseFraming(req, start, codings);
        return;
      }
    }
    ItemPath path;
    Op op;
    try {
      if (req.headers().getAll(HttpHeaders.HOST).size() > 1) {
        // RFC 9112: a server must refuse a request with more than one Host
        throw ApiException.badRequest("the request needs one valid Host header, it has several");
      }
      path = ItemPath.parse(req.path(), maxKey, maxId);
      op = operation(req.method(), path.depth());
    } catch (ApiException e) {
      fail(req, Op.INVALID, start, e);
      return;
    }
    respond(
        req,
        op,
        start,
        () -> {
          if (access.enabled()) {
            access.require(
                req,
                new String(path.namespace(), StandardCharsets.UTF_8),
                op == Op.PUT || op == Op.DELETE || op == Op.DELETE_KEY
                    ? Tokens.Role.WRITE
                    : Tokens.Role.READ);
          }
          dispatch(req, path, op, start);
        });
  }

  private void dispatch(HttpServerRequest req, ItemPath path, Op op, long start) {
    boolean head = req.method() == HttpMethod.HEAD;
    switch (op) {
      case GET, HEAD -> getItem(req, path, op, start);
      case PUT -> putItem(req, path, start);
      case DELETE -> deleteItem(req, path, start);
      case LIST_IDS -> listIds(req, path, head, start);
      case DELETE_KEY -> deleteKey(req, path, start);
      case LIST_KEYS -> listKeys(req, path, head, start);
      case OPTIONS -> {
        req.response().setStatusCode(204).putHeader(HttpHeaders.ALLOW, allow(path.depth())).end();
        metrics.record(op, 204, start);
      }
      case INVALID -> throw ApiException.methodNotAllowed(req.method().name(), allow(path.depth()));
    }
  }

  private static Op operation(HttpMethod m, int depth) {
    boolean read = m == HttpMethod.GET || m == HttpMethod.HEAD;
    if (m == HttpMethod.OPTIONS) {
      return Op.OPTIONS;
    }
    return switch (depth) {
      case 3 ->
          m == HttpMethod.GET
              ? Op.GET
              : m == HttpMethod.HEAD
                  ? Op.HEAD
                  : m == HttpMethod.PUT ? Op.PUT : m == HttpMethod.DELETE ? Op.DELETE : Op.INVALID;
      case 2 -> read ? Op.LIST_IDS : m == HttpMethod.DELETE ? Op.DELETE_KEY : Op.INVALID;
      default -> read ? Op.LIST_KEYS : Op.INVALID;
    };
  }

  private static String allow(int depth) {
    return depth == 3 ? ITEM_ALLOW : depth == 2 ? KEY_ALLOW : NAMESPACE_ALLOW;
  }

  private void getItem(HttpServerRequest req, ItemPath path, Op op, long start) {
    boolean any = readAny(QueryParams.parse(req.query(), READ));
    ItemKey key = path.itemKey();
    Precondition pre = EntityTags.precondition(req.headers());
    call(
        req,
        op,
        start,
        client.call(key, any, (epoch, p) -> new Message.Get(epoch, p, key, any), start),
        Reply.Item.class,
        reply -> {
          Entry e = reply.item();
          HttpServerResponse resp = req.response();
          switch (readStatus(pre, e, req::path)) {
            case 304 -> {
              resp.setStatusCode(304)
                  .putHeader(HttpHeaders.ETAG, EntityTags.format(e.version()))
                  .end();
              metrics.record(op, 304, start);
            }
            default -> {
              resp.putHeader(HttpHeaders.CONTENT_TYPE, e.contentType())
                  .putHeader(HttpHeaders.ETAG, EntityTags.format(e.version()));
              if (op == Op.HEAD) {
                resp.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(e.valueLength())).end();
              } else {
                // Wrap, not copy: the value is read where the store's record holds it.
                resp.end(Buffer.buffer(Unpooled.wrappedBuffer(e.valueView())));
              }
              metrics.record(op, 200, start);
            }
          }
        });
  }

  private void putItem(HttpServerRequest req, ItemPath path, long start) {
    long ttl = QueryParams.parse(req.query(), PUT_PARAMS).ttlMillis();
    Precondition pre = EntityTags.precondition(req.headers());
    String contentType = contentType(req.getHeader(HttpHeaders.CONTENT_TYPE));
    ItemKey key = path.itemKey();
    long length = contentLength(req);
    if (length > maxValueSize) {
      throw ApiException.valueTooLarge(maxValueSize);
    }
    if (req.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
      req.response().writeContinue();
    }
    readBody(
        req,
        length,
        body ->
            write(
                req,
                Op.PUT,
                start,
                key,
                (epoch, p) -> new Message.Write(epoch, p, key, body, contentType, ttl, pre)),
        start);
  }

  private void deleteItem(HttpServerRequest req, ItemPath path, long start) {
    QueryParams.parse(req.query(), NONE);
    Precondition pre = EntityTags.precondition(req.headers());
    ItemKey key = path.itemKey();
    write(
        req,
        Op.DELETE,
        start,
        key,
        (epoch, p) -> new Message.Write(epoch, p, key, null, null, 0, pre));
  }

  /** Sends a put or delete to the primary and answers with what it did. */
  private void write(
      HttpServerRequest req,
      Op op,
      long start,
      ItemKey key,
      java.util.function.BiFunction<Long, Integer, Message> make) {
    call(
        req,
        op,
        start,
        // a put's body may have taken a while: its retries are timed from now, not from start
        client.call(key, false, make),
        Reply.Written.class,
        r -> {
          HttpServerResponse resp = req.response();
          int status = writtenStatus(r, req::path);
          resp.setStatusCode(status);
          if (status == 201) {
            resp.putHeader(HttpHeaders.LOCATION, ItemPath.location(key));
          }
          if (op == Op.PUT) {
            resp.putHeader(HttpHeaders.ETAG, EntityTags.format(r.version()));
          }
          resp.end();
          metrics.record(op, status, start);
        });
  }

  /**
   * The status of a read of item {@code e} (null: none) under {@code pre}: 200 or 304; a refusal
   * (412, 404) is thrown as its problem.
   */
  static int readStatus(Precondition pre, Entry e, Supplier<String> path) {
    return switch (pre.evaluate(e != null, e == null ? 0 : e.version())) {
      case IF_MATCH_FAILED ->
          throw ApiException.preconditionFailed("If-Match does not match the item's current ETag");
      case IF_NONE_MATCH_FAILED -> 304;
      case PASS -> {
        if (e == null) {
          throw ApiException.notFound("no item at " + path.get());
        }
        yield 200;
      }
    };
  }

  /** The status of a put or delete the store answered; a refusal is thrown as its problem. */
  static int writtenStatus(Reply.Written r, Supplier<String> path) {
    return switch (r.outcome()) {
      case CREATED -> 201;
      case UPDATED, DELETED -> 200;
      case NOT_FOUND -> throw ApiException.notFound("no item at " + path.get());
      case PRECONDITION_FAILED ->
          throw ApiException.preconditionFailed(
              "the item's current state does not satisfy If-Match / If-None-Match");
      case INSUFFICIENT_STORAGE -> throw ApiException.insufficientStorage(r.version());
    };
  }

  private void listIds(HttpServerRequest req, ItemPath path, boolean head, long start) {
    QueryParams q = QueryParams.parse(req.query(), LIST_IDS_PARAMS);
    boolean any = readAny(q);
    int limit = q.limit(listLimit, maxListLimit);
    byte[] after = q.after();
    call(
        req,
        Op.LIST_IDS,
        start,
        client.call(
            path.firstOfKey(),
            any,
            (epoch, p) ->
                new Message.ListIds(epoch, p, path.namespace(), path.key(), after, limit, any),
            start),
        Reply.Page.class,
        page -> {
          List<String> ids = new ArrayList<>(page.items().size());
          for (ItemKey k : page.items()) {
            ids.add(k.id());
          }
          sendPage(req, Op.LIST_IDS, start, head, "ids", ids, page.more());
        });
  }

  private void deleteKey(HttpServerRequest req, ItemPath path, long start) {
    QueryParams.parse(req.query(), NONE);
    if (EntityTags.present(req.headers())) {
      throw ApiException.badRequest(
          "If-Match and If-None-Match apply to items, not to a whole key");
    }
    call(
        req,
        Op.DELETE_KEY,
        start,
        client.call(
            path.firstOfKey(),
            false,
            (epoch, p) -> new Message.DeleteKey(epoch, p, path.namespace(), path.key()),
            start),
        Reply.Count.class,
        c -> sendJson(req, Op.DELETE_KEY, start, false, Map.of("deleted", c.count())));
  }

  /**
   * Lists a namespace's keys: asks every primary for a page of the keys of the partitions it leads
   * and merges them (a key lives in one partition, so pages never overlap).
   */
  private void listKeys(HttpServerRequest req, ItemPath path, boolean head, long start) {
    QueryParams q = QueryParams.parse(req.query(), LIST_KEYS_PARAMS);
    int limit = q.limit(listLimit, maxListLimit);
    byte[] after = q.after();
    Context context = Vertx.currentContext();
    client
        .callPrimaries(epoch -> new Message.ListKeys(epoch, path.namespace(), after, limit))
        .whenComplete(
            (replies, failure) ->
                onContext(
                    context,
                    () ->
                        respond(
                            req,
                            Op.LIST_KEYS,
                            start,
                            () -> {
                              if (failure != null) {
                                throw ApiException.unavailable(
                                    "listing the keys of a namespace needs every primary: "
                                        + rootMessage(failure));
                              }
                              List<ItemKey> all = new ArrayList<>();
                              boolean more = false;
                              for (Reply r : replies) {
                                if (!(r instanceof Reply.Page page)) {
                                  throw unavailable(r);
                                }
                                all.addAll(page.items());
                                more |= page.more();
                              }
                              all.sort(null);
                              more |= all.size() > limit;
                              List<String> keys = new ArrayList<>(Math.min(limit, all.size()));
                              for (ItemKey k : all.subList(0, Math.min(limit, all.size()))) {
                                keys.add(k.key());
                              }
                              sendPage(req, Op.LIST_KEYS, start, head, "keys", keys, more);
                            })));
  }

  /**
   * Answers a request once the cluster's reply arrives: {@code onReply} renders the expected reply
   * type; anything else (the retries ran out) is a 503.
   */
  private <R extends Reply> void call(
      HttpServerRequest req,
      Op op,
      long start,
      CompletionStage<Reply> reply,
      Class<R> expected,
      Consumer<R> onReply) {
    Context context = Vertx.currentContext();
    reply.whenComplete(
        (r, failure) ->
            onContext(
                context,
                () ->
                    respond(
                        req,
                        op,
                        start,
                        () -> {
                          if (failure != null) {
                            throw new IllegalStateException("request failed", failure);
                          }
                          if (!expected.isInstance(r)) {
                            throw unavailable(r);
                          }
                          onReply.accept(expected.cast(r));
                        })));
  }

  /** Runs {@code task}, answering its ApiException (or a bug) as a problem. */
  private void respond(HttpServerRequest req, Op op, long start, Runnable task) {
    try {
      task.run();
    } catch (ApiException e) {
      fail(req, op, start, e);
    } catch (RuntimeException e) {
      LOG.errorf(e, "bug while serving %s %s", req.method(), req.path());
      fail(
          req,
          op,
          start,
          ApiException.internal("unexpected error; the server log has the details"));
    }
  }

  /** The response is written on the request's own event loop, whoever completed the reply. */
  private static void onContext(Context context, Runnable task) {
    if (context == null || Vertx.currentContext() == context) {
      task.run();
    } else {
      context.runOnContext(v -> task.run());
    }
  }

  static ApiException unavailable(Reply r) {
    String why =
        r instanceof Reply.Unavailable u
            ? u.reason()
            : "the cluster's ring is moving (" + r + ") and did not settle in time";
    return ApiException.unavailable(why);
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private void sendPage(
      HttpServerRequest req,
      Op op,
      long start,
      boolean head,
      String field,
      List<String> items,
      boolean more) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(field, items);
    body.put("next", more ? items.get(items.size() - 1) : null);
    sendJson(req, op, start, head, body);
  }

  private void sendJson(HttpServerRequest req, Op op, long start, boolean head, Object body) {
    byte[] bytes;
    try {
      bytes = Problems.JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a response", e);
    }
    HttpServerResponse resp = req.response().putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    if (head) {
      resp.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(bytes.length)).end();
    } else {
      resp.end(Buffer.buffer(bytes));
    }
    metrics.record(op, 200, start);
  }

  /** Whether {@code ?read=any} allows a backup to answer. */
  static boolean readAny(QueryParams q) {
    String read = q.get("read");
    if (read != null && !read.equals("primary") && !read.equals("any")) {
      throw ApiException.badRequest("read must be primary or any, was '" + read + "'");
    }
    return "any".equals(read);
  }

  /** The stored content type for a Content-Type header: shared strings, at most 256 chars. */
  String contentType(String header) {
    if (header == null || header.isEmpty()) {
      return OCTET_STREAM;
    }
    if (header.length() > MAX_CONTENT_TYPE) {
      throw ApiException.badRequest(
          "Content-Type is longer than " + MAX_CONTENT_TYPE + " characters");
    }
    String shared = contentTypes.get(header);
    if (shared != null) {
      return shared;
    }
    if (contentTypes.size() < 1024) {
      String prev = contentTypes.putIfAbsent(header, header);
      return prev == null ? header : prev;
    }
    return header;
  }

  private static long contentLength(HttpServerRequest req) {
    String v = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (v == null) {
      return -1;
    }
    try {
      long l = Long.parseLong(v.trim());
      if (l < 0) {
        throw ApiException.badRequest("Content-Length must not be negative");
      }
      return l;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("Content-Length is not a number");
    }
  }

  /**
   * Streams the body into one array, failing with 413 as soon as it passes the limit, so an
   * oversized body (chunked, without Content-Length) is never held whole. With a known length the
   * bytes are copied once, straight into an array of the final size.
   */
  private void readBody(HttpServerRequest req, long length, Consumer<byte[]> onBody, long start) {
    if (req.isEnded()) {
      complete(req, onBody, new byte[0], start);
      return;
    }
    BodyCollector body = new BodyCollector(length);
    // A client that trickles its body would otherwise hold the connection and the partly
    // filled array for as long as it likes; past the deadline it is answered and disconnected.
    BodyDeadlines deadlines = bodyDeadlines.get();
    deadlines.add(
        body,
        start + bodyTimeoutMillis * 1_000_000, // start: when the headers arrived
        () -> {
          body.failed = true;
          Problems.send(req.response(), ApiException.bodyTimeout(bodyTimeoutMillis))
              .onComplete(ar -> req.connection().close());
          metrics.record(Op.PUT, 408, start);
        });
    req.handler(
        chunk -> {
          if (body.failed) {
            return;
          }
          if (!body.add(chunk, maxValueSize)) {
            body.failed = true;
            deadlines.remove(body);
            fail(req, Op.PUT, start, ApiException.valueTooLarge(maxValueSize));
          }
        });
    req.endHandler(
        v -> {
          if (!body.failed) {
            deadlines.remove(body);
            complete(req, onBody, body.bytes(), start);
          }
        });
    req.exceptionHandler(
        t -> {
          body.failed = true;
          deadlines.remove(body);
          LOG.debugf("reading the body of PUT %s failed: %s", req.path(), t.toString());
        });
    req.resume();
  }

  /**
   * The bodies being read on one event loop, oldest first, and one periodic check that answers
   * those past their deadline (408). Every body has the same timeout, so the list is in deadline
   * order and the check stops at the first one still in time. It replaces a Vert.x timer per PUT,
   * whose arming and cancelling (a map entry, a close hook and a scheduled task each time) took
   * about 2 % of a PUT's CPU in a profile. A body is answered at most a tenth of the timeout late.
   * Used only on its event loop's thread.
   */
  private final class BodyDeadlines {
    private BodyCollector head;
    private BodyCollector tail;
    private boolean checking;

    void add(BodyCollector body, long deadlineNanos, Runnable onTimeout) {
      if (!checking) {
        // on the event loop of this thread: the periodic check runs here too
        checking = true;
        vertx.setPeriodic(Math.max(10, bodyTimeoutMillis / 10), id -> expire(System.nanoTime()));
      }
      body.deadlineNanos = deadlineNanos;
      body.onTimeout = onTimeout;
      body.prev = tail;
      if (tail == null) {
        head = body;
      } else {
        tail.next = body;
      }
      tail = body;
      body.waiting = true;
    }

    void remove(BodyCollector body) {
      if (!body.waiting) {
        return;
      }
      body.waiting = false;
      if (body.prev == null) {
        head = body.next;
      } else {
        body.prev.next = body.next;
      }
      if (body.next == null) {
        tail = body.prev;
      } else {
        body.next.prev = body.prev;
      }
      body.prev = null;
      body.next = null;
    }

    private void expire(long now) {
      while (head != null && head.deadlineNanos - now <= 0) {
        BodyCollector late = head;
        remove(late);
        late.onTimeout.run();
      }
    }
  }

  private void complete(HttpServerRequest req, Consumer<byte[]> onBody, byte[] body, long start) {
    respond(req, Op.PUT, start, () -> onBody.accept(body));
  }

  /**
   * Refuses a request whose Transfer-Encoding is not just chunked, and closes its connection: Netty
   * reads such a request as one without a body, so its body would be parsed as the next request
   * (RFC 9112 section 6.1 asks for a 400 and a close when chunked is not the last coding; the other
   * codings, such as gzip, are not decoded here, so they get the same). Netty has often decoded the
   * bytes behind it already, and Vert.x would run them as a request before the close takes effect;
   * the connection is marked so that {@link #handle} drops whatever comes after. The close lingers
   * as {@link #fail}'s does, so that the client reads the answer before a reset.
   */
  private void refuseFraming(HttpServerRequest req, long start, String codings) {
    if (req.connection() instanceof ConnectionBase conn) {
      conn.channel().attr(REFUSED_FRAMING).set(Boolean.TRUE);
    }
    req.handler(chunk -> {});
    req.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    Problems.send(
            req.response(),
            ApiException.badRequest(
                "Transfer-Encoding '"
                    + codings
                    + "' is not supported: send the body with Content-Length or chunked alone"))
        .onComplete(ar -> vertx.setTimer(LINGER_MILLIS, t -> req.connection().close()));
    metrics.record(Op.INVALID, 400, start);
  }

  /**
   * Answers with a problem. A body the request still carries is discarded as it arrives, never
   * buffered. A connection stays open when that body has a known length within the value limit (it
   * is drained, and the next request follows it). Otherwise (chunked, or over the limit) the answer
   * says Connection: close and the connection closes once the client has sent the rest or {@link
   * #LINGER_MILLIS} passed: closing with unread input resets the socket and the client could lose
   * the answer (the "lingering close" of nginx and Apache). An HTTP/2 stream is only drained: its
   * connection carries other streams.
   */
  private void fail(HttpServerRequest req, Op op, long start, ApiException e) {
    HttpServerResponse resp = req.response();
    if (resp.ended()) {
      return;
    }
    if (!req.isEnded() && hasBody(req)) {
      req.handler(chunk -> {});
      long length = req.version() == HttpVersion.HTTP_2 ? 0 : declaredLength(req);
      if (length < 0 || length > maxValueSize) {
        resp.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        long timer = vertx.setTimer(LINGER_MILLIS, t -> req.connection().close());
        req.endHandler(
            v -> {
              vertx.cancelTimer(timer);
              req.connection().close();
            });
      }
      req.resume();
    }
    Problems.send(resp, e);
    metrics.record(op, e.status(), start);
  }

  /** The Content-Length, or -1 when absent or unreadable (chunked, or a malformed header). */
  private static long declaredLength(HttpServerRequest req) {
    try {
      return contentLength(req);
    } catch (ApiException e) {
      return -1;
    }
  }

  private static boolean hasBody(HttpServerRequest req) {
    String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (cl != null && !cl.equals("0")) || req.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  /**
   * Collects body chunks: into an exact-size array when the length is known, else a growing buffer.
   */
  private static final class BodyCollector {
    private final byte[] fixed;
    private final Buffer growing;
    private int size;
    boolean failed;

    // its place in its event loop's BodyDeadlines
    boolean waiting;
    long deadlineNanos;
    Runnable onTimeout;
    BodyCollector prev;
    BodyCollector next;

    BodyCollector(long length) {
      this.fixed = length >= 0 ? new byte[(int) length] : null;
      this.growing = length >= 0 ? null : Buffer.buffer();
    }

    boolean add(Buffer chunk, long max) {
      int n = chunk.length();
      if (size + (long) n > max || (fixed != null && size + n > fixed.length)) {
        return false;
      }
      if (fixed != null) {
        chunk.getBytes(0, n, fixed, size);
      } else {
        growing.appendBuffer(chunk);
      }
      size += n;
      return true;
    }

    byte[] bytes() {
      if (fixed == null) {
        return growing.getBytes();
      }
      return size == fixed.length ? fixed : java.util.Arrays.copyOf(fixed, size);
    }
  }
}
