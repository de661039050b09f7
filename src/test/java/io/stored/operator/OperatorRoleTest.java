package io.stored.operator;

import static org.hamcrest.Matchers.equalTo;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.stored.testing.Requests;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The packaged wiring of the operator: {@code stored.roles=monkey} without static members starts
 * the QOSDK operator (and nothing else), which reconciles a StoredCluster on the mock API server,
 * and reports ready once its informers run.
 */
@QuarkusTest
@TestProfile(OperatorRoleTest.MonkeyRole.class)
@WithKubernetesTestServer(crud = true, setup = OperatorRoleTest.InstallCrd.class)
class OperatorRoleTest {
  @Inject KubernetesClient client;

  public static class MonkeyRole implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("stored.roles", "monkey");
    }
  }

  /** The real CRD, before the operator starts (its informers need the resource). */
  public static class InstallCrd implements Consumer<KubernetesServer> {
    @Override
    public void accept(KubernetesServer server) {
      try {
        CrdTest.install(server.getClient());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void theMonkeyRole_runsTheOperator_whichReconcilesAStoredCluster() {
    String ns = client.getNamespace();
    StoredCluster c = new StoredCluster();
    c.setMetadata(new ObjectMetaBuilder().withName("wired").withNamespace(ns).build());
    c.setSpec(new StoredClusterSpec());
    client.resource(c).create();
    Awaitility.await("the operator creates the store StatefulSet")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client.resources(StatefulSet.class).inNamespace(ns).withName("wired-store").get()
                    != null);
    Awaitility.await("the StoredCluster has a status")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              StoredCluster got =
                  client.resources(StoredCluster.class).inNamespace(ns).withName("wired").get();
              return got.getStatus() != null && "Pending".equals(got.getStatus().getPhase());
            });
    Requests.management()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'stored' }.status", equalTo("UP"));
  }
}
