package io.stored.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.vertx.http.ManagementInterface;
import io.stored.api.ApiConfig;
import io.stored.api.ApiException;
import io.stored.api.ItemPath;
import io.stored.api.Problems;
import io.stored.ring.Member;
import io.stored.ring.Ring;
import io.stored.router.Router;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ring on the management port: {@code GET /stored/ring} (epoch, members, owners of every
 * partition) and {@code GET /stored/locate/{namespace}/{key}} (the partition of a key and its
 * owners, primary first): "the router knows where a key resides".
 */
@ApplicationScoped
public class ManagementRoutes {
  static final String LOCATE = "/stored/locate/";

  private final Router router;
  private final ApiConfig api;

  ManagementRoutes(Router router, ApiConfig api) {
    this.router = router;
    this.api = api;
  }

  void register(@Observes ManagementInterface mi) {
    mi.router().get("/stored/ring").handler(ctx -> json(ctx, ring(router.ring())));
    mi.router().get(LOCATE + "*").handler(this::locate);
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

  static Map<String, Object> ring(Ring ring) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("epoch", ring.epoch());
    body.put("partitions", ring.partitions());
    body.put("replicationFactor", ring.replicationFactor());
    List<Map<String, Object>> members = new ArrayList<>();
    for (Member m : ring.members()) {
      Map<String, Object> mm = new LinkedHashMap<>();
      mm.put("name", m.name());
      mm.put("address", m.address());
      mm.put("state", m.state().name().toLowerCase());
      mm.put("partitions", ring.ownedBy(m.name()));
      members.add(mm);
    }
    body.put("members", members);
    List<List<String>> owners = new ArrayList<>(ring.partitions());
    for (int p = 0; p < ring.partitions(); p++) {
      owners.add(ring.owners(p).stream().map(Member::name).toList());
    }
    body.put("owners", owners);
    return body;
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
