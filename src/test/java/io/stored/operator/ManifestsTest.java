package io.stored.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offline schema validation (npm kubernetes-models, installed by {@code .ci/run}) of everything we
 * ship or create: the rendered chart with every option on, {@code k8s/*.yaml}, and the objects the
 * operator makes for a cluster with an Ingress. Skipped where node or the models are missing.
 */
class ManifestsTest {
  private static final Path MODULES = Path.of(".tools/node/node_modules");

  @Test
  void everyManifest_isValidAgainstTheKubernetesSchemas(@TempDir Path dir) throws Exception {
    assumeTrue(
        Files.isDirectory(MODULES.resolve("kubernetes-models")),
        "kubernetes-models is not installed (.ci/run installs it)");
    Path chart = dir.resolve("chart.yaml");
    Files.writeString(
        chart,
        Charts.template(
            Map.of(
                "cluster.enabled", "true",
                "networkPolicy.enabled", "true"),
            true));
    StoredCluster c = new StoredCluster();
    c.setMetadata(
        new ObjectMetaBuilder().withName("demo").withNamespace("ns").withUid("u1").build());
    c.setSpec(new StoredClusterSpec());
    c.getSpec().getIngress().setEnabled(true);
    c.getSpec().getAuth().setTokensSecretName("demo-tokens");
    c.getSpec().getTls().setSecretName("demo-tls");
    c.getSpec().getIngress().setHost("stored.example.com");
    c.getSpec().getIngress().setTlsSecretName("tls");
    KubernetesSerialization yaml = new KubernetesSerialization();
    StringBuilder owned = new StringBuilder();
    ClusterResources resources = new ClusterResources(c);
    for (HasMetadata o : resources.all()) {
      owned.append(yaml.asYaml(o)).append("\n");
    }
    owned.append(yaml.asYaml(resources.transportSecret("a-transport-secret-0123456789")));
    Path operatorObjects = dir.resolve("owned.yaml");
    Files.writeString(operatorObjects, owned.toString());

    for (Path file :
        List.of(chart, operatorObjects, Path.of("k8s/operator.yaml"), Path.of("k8s/crd.yaml"))) {
      List<String> cmd =
          new ArrayList<>(List.of("node", "src/test/node/validate-k8s.js", file.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("NODE_PATH", MODULES.toAbsolutePath().toString());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor()).as("%s:%n%s", file, out).isZero();
      assertThat(out).as(file.toString()).contains("OK ").doesNotContain("INVALID");
    }
  }
}
