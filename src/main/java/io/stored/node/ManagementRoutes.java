package io.stored.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quarkus.vertx.http.ManagementInterface;
import io.stored.api.AccessControl;
import io.stored.api.ApiConfig;
import io.stored.api.ApiException;
import io.stored.api.DroppedContent;
import io.stored.api.ItemPath;
import io.stored.api.Problems;
import io.stored.auth.Tokens;
import io.stored.ring.Member;
import io.stored.ring.Monkey;
import io.stored.ring.Ring;
import io.stored.ring.RingDescription;
import io.stored.router.Router;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ring on the management port: {@code GET /stored/ring} (epoch, members, owners of every
 * partition, pending owners of moving ones) and {@code GET /stored/locate/{namespace}/{key}} (the
 * partition of a key and its owners, primary first): "the router knows where a key resides". On the
 * monkey, {@code /stored/members}: {@code GET} lists the stores, {@code PUT
 * /stored/members/{name}?address=host:port} adds one, {@code DELETE /stored/members/{name}} makes
 * one leave (it is dropped from the ring once its partitions are handed over). And {@code GET
 * /q/openapi}, the data API's OpenAPI document.
 */
@ApplicationScoped
public class ManagementRoutes {
  static final String LOCATE = "/stored/locate/";
  static final String MEMBERS = "/stored/members/";
  static final String OPENAPI = "/q/openapi";
  private static final String OPENAPI_RESOURCE = "META-INF/openapi.yaml";

  private final Router router;
  private final ApiConfig api;
  private final Cluster cluster;
  private final AccessControl access;

  /** The OpenAPI document, read on its first request. */
  private volatile OpenApiDocument openApi;

  ManagementRoutes(Router router, ApiConfig api, Cluster cluster, AccessControl access) {
    this.router = router;
    this.api = api;
    this.cluster = cluster;
    this.access = access;
  }

  void register(@Observes ManagementInterface mi) {
    DroppedContent.armBy(mi.router());
    // With access control on, the ring and membership are for admins: a token with admin on
    // every namespace ("*=admin").
    mi.router().route("/stored/*").order(-1).handler(this::requireAdmin);
    mi.router().get("/stored/ring").handler(ctx -> json(ctx, RingDescription.of(currentRing())));
    mi.router().get(LOCATE + "*").handler(this::locate);
    mi.router().get("/stored/members").handler(ctx -> withMonkey(ctx, m -> json(ctx, m.stores())));
    mi.router().put(MEMBERS + "*").handler(this::addMember);
    mi.router().delete(MEMBERS + "*").handler(this::removeMember);
    mi.router().get(OPENAPI).handler(this::openApi);
  }

  /**
   * The data API's OpenAPI document: the static META-INF/openapi.yaml as it is, or as JSON for
   * {@code ?format=json} or a request that accepts JSON and not YAML. Read on first use, not at
   * start-up.
   */
  private void openApi(RoutingContext ctx) {
    String format = ctx.request().getParam("format");
    String accept = ctx.request().getHeader("Accept");
    boolean json =
        "json".equalsIgnoreCase(format)
            || (format == null
                && accept != null
                && accept.contains("application/json")
                && !accept.contains("yaml"));
    try {
      OpenApiDocument doc = openApiDocument();
      ctx.response()
          .putHeader("Content-Type", json ? "application/json" : "application/yaml;charset=UTF-8")
          .end(Buffer.buffer(json ? doc.json() : doc.yaml()));
    } catch (IOException e) {
      ctx.fail(e);
    }
  }

  private record OpenApiDocument(byte[] yaml, byte[] json) {}

  private OpenApiDocument openApiDocument() throws IOException {
    OpenApiDocument doc = openApi;
    if (doc == null) {
      byte[] yaml;
      try (InputStream in =
          ManagementRoutes.class.getClassLoader().getResourceAsStream(OPENAPI_RESOURCE)) {
        if (in == null) {
          throw new IOException(OPENAPI_RESOURCE + " is not in the application");
        }
        yaml = in.readAllBytes();
      }
      Object tree = new ObjectMapper(new YAMLFactory()).readValue(yaml, Object.class);
      doc = new OpenApiDocument(yaml, Problems.JSON.writeValueAsBytes(tree));
      openApi = doc;
    }
    return doc;
  }

  /** The monkey's ring on the monkey (it installs none itself), else this node's. */
  private Ring currentRing() {
    Monkey m = cluster.monkey();
    return m != null && m.ring() != null ? m.ring() : router.ring();
  }

  private void addMember(RoutingContext ctx) {
    withMonkey(
        ctx,
        m -> {
          String name = memberName(ctx);
          String address = ctx.request().getParam("address");
          if (address == null || address.lastIndexOf(':') <= 0) {
            throw ApiException.badRequest(
                "give the store's internal transport as ?address=host:port");
          }
          m.add(name, address);
          ctx.response().setStatusCode(202);
          json(ctx, Map.of("name", name, "address", address, "state", "joining"));
        });
  }

  private void removeMember(RoutingContext ctx) {
    withMonkey(
        ctx,
        m -> {
          String name = memberName(ctx);
          if (!m.remove(name)) {
            throw ApiException.notFound("the monkey does not know store " + name);
          }
          ctx.response().setStatusCode(202);
          json(ctx, Map.of("name", name, "state", "leaving"));
        });
  }

  private static String memberName(RoutingContext ctx) {
    String name = ctx.request().path().substring(MEMBERS.length());
    if (name.isEmpty() || name.contains("/") || name.length() > 253) {
      throw ApiException.badRequest("the path is /stored/members/{name}");
    }
    return name;
  }

  private void withMonkey(RoutingContext ctx, java.util.function.Consumer<Monkey> action) {
    try {
      Monkey m = cluster.monkey();
      if (m == null) {
        throw ApiException.notFound(
            "membership is managed by the monkey; this node does not run the monkey role");
      }
      action.accept(m);
    } catch (ApiException e) {
      Problems.send(ctx.response(), e);
    }
  }

  private void requireAdmin(RoutingContext ctx) {
    try {
      access.require(ctx.request(), "*", Tokens.Role.ADMIN);
      ctx.next();
    } catch (ApiException e) {
      Problems.send(ctx.response(), e);
    }
  }

  private void locate(RoutingContext ctx) {
    String raw = ctx.request().path();
    try {
      ItemPath path =
          ItemPath.parse(raw.substring(LOCATE.length() - 1), api.maxKeySize(), api.maxIdSize());
      if (path.depth() != 2) {
        throw ApiException.badRequest("locate takes /stored/locate/{namespace}/{key}");
      }
      Router.Location loc = router.locate(path.firstOfKey());
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("namespace", path.firstOfKey().namespace());
      body.put("key", path.firstOfKey().key());
      body.put("partition", loc.partition());
      body.put("epoch", loc.epoch());
      body.put("owners", loc.owners().stream().map(Member::name).toList());
      body.put("primary", loc.primary() == null ? null : loc.primary().name());
      json(ctx, body);
    } catch (ApiException e) {
      Problems.send(ctx.response(), e);
    }
  }

  private static void json(RoutingContext ctx, Object body) {
    try {
      ctx.response()
          .putHeader("Content-Type", "application/json")
          .end(Buffer.buffer(Problems.JSON.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      ctx.fail(e);
    }
  }
}
