package io.stored.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD shipped in {@code k8s/} and in the Helm chart is the one generated from the Java classes
 * at build time; regenerate with {@code ./mvnw process-classes} and copy it when this fails.
 */
class CrdTest {
  static final Path GENERATED =
      Path.of("target/classes/META-INF/fabric8/storedclusters.stored.io-v1.yml");

  /** Creates the real CRD in a (mock) API server, so the status subresource exists. */
  static void install(KubernetesClient client) throws Exception {
    try (java.io.InputStream crd = Files.newInputStream(GENERATED)) {
      client
          .resource(
              client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class))
          .create();
    }
  }

  @Test
  void shippedCrds_matchTheGeneratedOne() throws Exception {
    String generated = Files.readString(GENERATED);
    assertThat(Files.readString(Path.of("k8s/crd.yaml")))
        .as("k8s/crd.yaml: cp %s k8s/crd.yaml", GENERATED)
        .isEqualTo(generated);
    assertThat(Files.readString(Path.of("helm/stored/crds/storedclusters.stored.io.yaml")))
        .as("the chart's CRD: cp %s helm/stored/crds/storedclusters.stored.io.yaml", GENERATED)
        .isEqualTo(generated);
  }

  @Test
  void theCrd_hasTheScaleSubresource_validationRules_andPrinterColumns() throws Exception {
    String crd = Files.readString(GENERATED);
    assertThat(crd)
        .contains("specReplicasPath: \".spec.stores.replicas\"")
        .contains("statusReplicasPath: \".status.readyStores\"")
        .contains("labelSelectorPath: \".status.selector\"")
        .contains("rule: \"self == oldSelf\"")
        .contains("rule: \"self.replicationFactor <= self.stores.replicas\"")
        .contains("name: \"Ready\"", "name: \"Stores\"", "name: \"Epoch\"", "name: \"Age\"");
  }
}
