package io.stored.node;

import io.stored.router.Router;
import io.stored.store.StoreNode;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when every role this process runs can do its work: a store once its engine runs, an
 * endpoint once the ring names at least one store.
 */
@Readiness
@ApplicationScoped
public class NodeReadiness implements HealthCheck {
  private final NodeConfig node;
  private final StoreNode store;
  private final Router router;

  NodeReadiness(NodeConfig node, StoreNode store, Router router) {
    this.node = node;
    this.store = store;
    this.router = router;
  }

  @Override
  public HealthCheckResponse call() {
    boolean storeOk = !node.roles().contains(Role.STORE) || store.running();
    boolean endpointOk =
        !node.roles().contains(Role.ENDPOINT) || !router.ring().members().isEmpty();
    return HealthCheckResponse.named("stored")
        .status(storeOk && endpointOk)
        .withData("roles", java.util.EnumSet.copyOf(node.roles()).toString().toLowerCase())
        .withData("store", storeOk ? "running" : "not running")
        .withData("ringEpoch", router.ring().epoch())
        .withData("ringMembers", router.ring().members().size())
        .build();
  }
}
