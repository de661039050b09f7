package io.stored.node;

import io.javaoperatorsdk.operator.Operator;
import io.stored.replication.ReplicaNode;
import io.stored.router.Router;
import io.stored.store.StoreNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when every role this process runs can do its work: a store once its engine runs and, in a
 * cluster, once it is in the ring and every partition it receives is in sync; an endpoint once the
 * ring names at least one store; the monkey once it has a ring (static members) or once the
 * operator runs with healthy informers (Kubernetes).
 */
@Readiness
@ApplicationScoped
public class NodeReadiness implements HealthCheck {
  private final NodeConfig node;
  private final StoreNode store;
  private final Router router;
  private final Cluster cluster;
  private final Instance<Operator> operator;

  NodeReadiness(
      NodeConfig node,
      StoreNode store,
      Router router,
      Cluster cluster,
      Instance<Operator> operator) {
    this.node = node;
    this.store = store;
    this.router = router;
    this.cluster = cluster;
    this.operator = operator;
  }

  @Override
  public HealthCheckResponse call() {
    String storeState = "none";
    boolean storeOk = true;
    if (node.roles().contains(Role.STORE)) {
      ReplicaNode replica = cluster.replica();
      if (!store.running() || replica == null) {
        storeOk = false;
        storeState = "not running";
      } else if (cluster.clustered() && !replica.inSync()) {
        storeOk = false;
        int pulling = replica.pulling();
        storeState = pulling > 0 ? "receiving " + pulling + " partitions" : "waiting for its ring";
      } else {
        storeState = "in sync";
      }
    }
    boolean endpointOk =
        !node.roles().contains(Role.ENDPOINT) || !router.ring().members().isEmpty();
    boolean monkeyOk =
        !node.roles().contains(Role.MONKEY)
            || (cluster.clustered()
                ? cluster.monkey() != null && cluster.monkey().ring() != null
                : operator.get().getRuntimeInfo().isStarted()
                    && operator.get().getRuntimeInfo().allEventSourcesAreHealthy());
    return HealthCheckResponse.named("stored")
        .status(storeOk && endpointOk && monkeyOk)
        .withData("roles", java.util.EnumSet.copyOf(node.roles()).toString().toLowerCase())
        .withData("store", storeState)
        .withData("ringEpoch", router.ring().epoch())
        .withData("ringMembers", router.ring().members().size())
        .build();
  }
}
