import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The {@code vertx} target of bench/run.sh: the HTTP ceiling of the stack Stored is built on. A
 * bare Vert.x server, from the packaged app's own libraries, with Quarkus' default number of event
 * loops (two per core) and Stored's transport, that answers the way run.sh's nginx does: every GET
 * with the same value, every PUT with 201 once its body is read. It stores nothing and routes
 * nothing, so the gap between this row and nginx's is the JVM's and Netty's, and the gap between
 * stored's and this one is Quarkus' and Stored's own.
 *
 * <pre>java -cp target/stored.jar bench/ceiling/VertxCeiling.java PORT VALUE</pre>
 */
public final class VertxCeiling {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Buffer value = Buffer.buffer(args[1]);
    int loops = 2 * Runtime.getRuntime().availableProcessors();
    // the transport Stored uses (quarkus.vertx.prefer-native-transport): epoll where it loads
    Vertx vertx =
        Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
    vertx
        .deployVerticle(
            () ->
                new AbstractVerticle() {
                  @Override
                  public void start() {
                    vertx
                        .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                        .requestHandler(r -> answer(r, value))
                        .listen();
                  }
                },
            new DeploymentOptions().setInstances(loops))
        .onSuccess(
            id ->
                System.out.println(
                    "vertx ceiling listening on 127.0.0.1:"
                        + port
                        + (vertx.isNativeTransportEnabled() ? " (epoll)" : " (NIO)")))
        .onFailure(
            e -> {
              e.printStackTrace();
              System.exit(1);
            });
  }

  private static void answer(HttpServerRequest r, Buffer value) {
    if (r.method() == HttpMethod.PUT) {
      r.body().onSuccess(body -> r.response().setStatusCode(201).end());
    } else {
      r.response().putHeader("content-type", "application/octet-stream").end(value);
    }
  }
}
