package io.stored.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;

/**
 * Frees the request content Vert.x drops. Vert.x 4.5 ({@code Http1xServerConnection.handleMessage})
 * returns without releasing the content that arrives after a request that ends the connection
 * (HTTP/1.0, {@code Connection: close}, a malformed one): a client pipelining a request with a body
 * behind such a request leaked a pooled buffer per connection, which in the end exhausts the direct
 * memory.
 *
 * <p>The first request a port serves through Vert.x {@linkplain #armBy arms} it: a handler on the
 * port's server channel gives every connection accepted afterwards a {@link Releaser} (the
 * connection that armed the port has none). Plain or TLS, data port or management port, fast path
 * or not.
 *
 * <p>Where the releaser sits: just before Vert.x's HTTP/1.x connection handler ({@code "handler"}),
 * or before the h2c upgrade handler ({@code "h2c"}) that turns into it at the first request that
 * does not upgrade. When neither is there yet (Vert.x's HTTP/1-or-h2c detector builds them at the
 * first bytes; TLS builds them once the handshake is done), it waits at the end of the pipeline and
 * moves there when the first bytes pass it. From there, content still held when Vert.x's handler
 * returns is content it dropped: Vert.x handles HTTP/1.x messages synchronously, copies what it
 * keeps ({@code VertxHandler.safeBuffer}) and frees the original on the spot. Nothing is released
 * while the h2c handler is still there or once it has upgraded the connection (the HTTP/1 decoder
 * gone): an upgrading request's body is its own. These are Vert.x's handler names: if a release
 * renames them, the releaser stays out of the way and {@code DroppedContentTest} fails.
 */
public final class DroppedContent {
  static final String NAME = "stored-content-releaser";
  private static final AttributeKey<Boolean> ARMED = AttributeKey.valueOf("stored.releasers");
  private static final Acceptor ACCEPTOR = new Acceptor();
  private static final Installer INSTALLER = new Installer();

  private DroppedContent() {}

  /**
   * Makes {@code router}'s first request arm its port: a route ahead of all others, which passes
   * every request on.
   */
  public static void armBy(Router router) {
    router
        .route()
        .order(Integer.MIN_VALUE)
        .handler(
            ctx -> {
              arm(ctx.request());
              ctx.next();
            });
  }

  /** Arms the port {@code req} came to, once. Cheap when it is armed already. */
  static void arm(HttpServerRequest req) {
    if (!(req.connection() instanceof ConnectionBase conn)
        || !(conn.channel() instanceof SocketChannel ch)
        || ch.parent() == null) {
      return; // a Vert.x this does not know, or not TCP
    }
    Channel server = ch.parent();
    Attribute<Boolean> armed = server.attr(ARMED);
    if (armed.get() == null && armed.setIfAbsent(true) == null) {
      server.pipeline().addFirst(NAME, ACCEPTOR);
    }
  }

  /** Whether {@code name} is one of this class's handlers. */
  static boolean ours(String name) {
    return name.startsWith(NAME);
  }

  /** On a server channel: gives each accepted connection the {@link Installer}. */
  @ChannelHandler.Sharable
  private static final class Acceptor extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel child) {
        // before the server bootstrap adds Vert.x's initializer: runs first at registration
        child.pipeline().addLast(INSTALLER);
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** Once per connection, after Vert.x's initializer built its pipeline: adds the releaser. */
  @ChannelHandler.Sharable
  private static final class Installer extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
      ChannelPipeline p = ctx.pipeline();
      p.remove(this);
      ctx.fireChannelRegistered();
      if (!place(p)) {
        p.addLast(NAME, new Releaser(true));
      }
    }
  }

  /** Puts a releaser before Vert.x's HTTP/1.x handler if there is one yet. */
  private static boolean place(ChannelPipeline p) {
    String before = p.get("handler") != null ? "handler" : p.get("h2c") != null ? "h2c" : null;
    if (before == null) {
      return false;
    }
    p.addBefore(before, NAME + "-http", new Releaser(false));
    return true;
  }

  private static final class Releaser extends ChannelInboundHandlerAdapter {
    private final boolean waiting; // at the end of the pipeline, until the first bytes pass

    Releaser(boolean waiting) {
      this.waiting = waiting;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ChannelPipeline p = ctx.pipeline();
      if (waiting) { // the first bytes: the pipeline behind is built (or it is HTTP/2)
        place(p);
        p.remove(this);
        ctx.fireChannelRead(msg); // on to what followed, which this context still points to
        return;
      }
      ctx.fireChannelRead(msg);
      if (msg instanceof HttpContent content
          && content.refCnt() > 0
          && p.get("h2c") == null // no upgrade pending
          && p.get("httpDecoder") != null) { // nor done: still HTTP/1.x
        content.release();
      }
    }
  }
}
