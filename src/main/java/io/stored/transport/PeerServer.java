package io.stored.transport;

import io.stored.replication.Message;
import io.stored.replication.Reply;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SSLOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The listening side of the internal transport: reads frames from other stores, hands each message
 * to the protocol and writes the reply with the request's correlation id. A connection whose
 * replies back up (the peer does not read) stops being read until they drain, so a slow peer cannot
 * make this store buffer without bound.
 */
public final class PeerServer {
  private static final Logger LOG = Logger.getLogger(PeerServer.class);

  /** Largest frame accepted: a 64 MiB value plus headers, or a snapshot chunk. */
  static final int MAX_FRAME = 128 * 1024 * 1024;

  private final NetServer server;

  private PeerServer(NetServer server) {
    this.server = server;
  }

  /** {@link #start(Vertx, String, int, ClusterKey, SSLOptions, Function)} over plain TCP. */
  public static Future<PeerServer> start(
      Vertx vertx,
      String host,
      int port,
      ClusterKey key,
      Function<Message, CompletionStage<Reply>> handler) {
    return start(vertx, host, port, key, null, handler);
  }

  /**
   * Listens on {@code host:port} (0: any free port); {@code handler} answers each message from a
   * peer that proved it knows {@code key}. With {@code tls} (else plain TCP) every connection is
   * mutual TLS: this node presents {@code tls}' certificate and accepts only peers whose
   * certificate its trust options accept.
   */
  public static Future<PeerServer> start(
      Vertx vertx,
      String host,
      int port,
      ClusterKey key,
      SSLOptions tls,
      Function<Message, CompletionStage<Reply>> handler) {
    NetServerOptions options =
        new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true);
    if (tls != null) {
      options
          .setSsl(true)
          .setKeyCertOptions(tls.getKeyCertOptions())
          .setTrustOptions(tls.getTrustOptions())
          .setClientAuth(ClientAuth.REQUIRED);
    }
    NetServer server = vertx.createNetServer(options);
    server.connectHandler(socket -> serve(vertx, socket, key, handler));
    return server.listen().map(s -> new PeerServer(server));
  }

  public int port() {
    return server.actualPort();
  }

  /** Serves new connections with a renewed certificate (and trust); open ones keep theirs. */
  public Future<Boolean> updateTls(SSLOptions tls) {
    return server.updateSSLOptions(tls);
  }

  public Future<Void> close() {
    return server.close();
  }

  private static void serve(
      Vertx vertx,
      NetSocket socket,
      ClusterKey key,
      Function<Message, CompletionStage<Reply>> handler) {
    Context context = Vertx.currentContext();
    Promise<Void> authenticated = Promise.promise();
    authenticated
        .future()
        .onFailure(
            e ->
                LOG.warnf(
                    "refused a peer connection from %s: %s",
                    socket.remoteAddress(), e.getMessage()));
    Handler<Buffer> handshake = key.serve(vertx, socket, authenticated);
    frames(
        socket,
        frame -> {
          if (!authenticated.future().isComplete()) {
            handshake.handle(frame);
            return;
          }
          if (authenticated.future().failed()) {
            return;
          }
          Codec.Frame f;
          try {
            f = Codec.decode(frame);
          } catch (RuntimeException e) {
            LOG.warnf(
                "closing a peer connection from %s: undecodable frame (%s)",
                socket.remoteAddress(), e.getMessage());
            socket.close();
            return;
          }
          CompletionStage<Reply> reply;
          try {
            reply = handler.apply(f.message());
          } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
          }
          reply.whenComplete(
              (r, failure) -> {
                Buffer out;
                if (failure == null) {
                  out = Codec.encode(f.correlation(), r);
                } else {
                  LOG.errorf(failure, "bug while handling %s", f.message());
                  out = Codec.encodeError(f.correlation(), failure.toString());
                }
                // Replies may complete on another thread (a write completes when its backups
                // answer); the socket's flow control is handled on its own context.
                if (Vertx.currentContext() == context) {
                  write(socket, out);
                } else {
                  context.runOnContext(v -> write(socket, out));
                }
              });
        });
  }

  private static void write(NetSocket socket, Buffer out) {
    socket.write(out);
    if (socket.writeQueueFull()) {
      socket.pause();
      socket.drainHandler(v -> socket.resume());
    }
  }

  /** Feeds a socket's frames (a 4-byte length, then that many bytes) to {@code onFrame}. */
  static void frames(NetSocket socket, Handler<Buffer> onFrame) {
    socket.handler(
        new Frames(
            length -> {
              if (length >= Codec.HEADER && length <= MAX_FRAME) {
                return true;
              }
              LOG.warnf(
                  "closing a peer connection with %s: frame length %d",
                  socket.remoteAddress(), length);
              socket.close();
              return false;
            },
            onFrame));
  }
}
