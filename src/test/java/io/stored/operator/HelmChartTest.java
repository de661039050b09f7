package io.stored.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart, linted ({@code --strict}) and rendered with a real Helm: the binary {@code
 * .ci/run} installs under {@code .tools/helm/helm} (or {@code $HELM}) when present, else Helm
 * embedded by helm-java. Asserts the operator Deployment, least-privilege RBAC that matches {@code
 * k8s/operator.yaml}, the optional StoredCluster, and that bad values are refused by the schema.
 */
class HelmChartTest {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  @Test
  void lintStrict_passes_withDefaultsAndWithEveryOptionOn() throws Exception {
    lint(Map.of());
    lint(
        Map.of(
            "cluster.enabled", "true",
            "serviceMonitor.enabled", "true",
            "networkPolicy.enabled", "true"));
  }

  @Test
  void theOperatorDeployment_runsTheMonkeyRole_nonRoot_withProbes() throws Exception {
    List<HasMetadata> objects = template(Map.of());
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .containsExactly("ServiceAccount", "Role", "RoleBinding", "Deployment");
    Deployment d = one(objects, Deployment.class);
    assertThat(d.getMetadata().getName()).isEqualTo("demo-stored-operator");
    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("demo-stored-operator");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container c = pod.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("stored:0.1.0");
    assertThat(c.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("STORED_ROLES");
              assertThat(e.getValue()).isEqualTo("monkey");
            });
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getResources().getLimits()).containsKey("memory");
  }

  @Test
  void rbac_isNamespaceScoped_leastPrivilege_andTheSameAsK8sOperatorYaml() throws Exception {
    List<HasMetadata> objects = template(Map.of());
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .doesNotContain("ClusterRole", "ClusterRoleBinding");
    Role role = one(objects, Role.class);
    for (PolicyRule r : role.getRules()) {
      assertThat(r.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate");
      assertThat(r.getResources()).doesNotContain("*");
      assertThat(r.getApiGroups()).doesNotContain("*");
    }
    assertThat(rules(role, "pods")).containsExactly("get", "list", "watch");
    // Secrets: only the transport Secrets it makes and reads by name; never listed or watched.
    assertThat(rules(role, "secrets")).containsExactly("get", "create");
    RoleBinding binding = one(objects, RoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects().get(0).getNamespace()).isEqualTo("stored");

    Role shipped =
        parse(Files.readString(Path.of("k8s/operator.yaml"))).stream()
            .filter(Role.class::isInstance)
            .map(Role.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(shipped.getRules()).isEqualTo(role.getRules());
  }

  @Test
  void clusterEnabled_createsAStoredCluster_withTheChartsImage() throws Exception {
    List<HasMetadata> objects =
        template(Map.of("cluster.enabled", "true", "cluster.spec.stores.replicas", "5"));
    GenericKubernetesResource cluster =
        objects.stream()
            .filter(o -> o.getKind().equals("StoredCluster"))
            .map(GenericKubernetesResource.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(cluster.getApiVersion()).isEqualTo("stored.io/v1alpha1");
    Map<String, Object> spec = cluster.get("spec");
    assertThat(spec).containsEntry("image", "stored:0.1.0").containsEntry("replicationFactor", 2);
    assertThat(cluster.<Object>get("spec", "stores", "replicas")).isEqualTo(5);
  }

  @Test
  void badValues_areRefusedByTheSchema() {
    assertThatThrownBy(() -> template(Map.of("image.pullPolicy", "Sometimes")))
        .hasMessageContaining("pullPolicy");
    assertThatThrownBy(() -> template(Map.of("cluster.spec.replicationFactor", "9")))
        .hasMessageContaining("replicationFactor");
  }

  private static List<String> rules(Role role, String resource) {
    return role.getRules().stream()
        .filter(r -> r.getResources().contains(resource))
        .findFirst()
        .orElseThrow()
        .getVerbs();
  }

  private static <T> T one(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
  }

  @Test
  @SuppressWarnings("unchecked")
  void productionValues_turnOnAuthTlsAndNetworkPolicies() throws Exception {
    Path production = Path.of("helm/stored/values-production.yaml");
    Charts.lint(Map.of(), production);
    String yaml = Charts.template(Map.of(), false, production);
    Map<String, Object> cluster = documentOfKind(yaml, "StoredCluster");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) cluster.get("spec");
    assertThat(spec)
        .containsEntry("auth", Map.of("tokensSecretName", "stored-tokens"))
        .containsEntry(
            "tls",
            Map.of("secretName", "stored-tls", "transportSecretName", "stored-transport-tls"))
        .containsEntry("networkPolicy", true);
    // cert-manager: the cluster's own CA, and both certificates signed by it
    assertThat(documentsOfKind(yaml, "Issuer"))
        .extracting(i -> name(i) + "=" + ((Map<?, ?>) i.get("spec")).keySet())
        .containsExactlyInAnyOrder("stored-selfsigned=[selfSigned]", "stored-ca=[ca]");
    Map<String, Map<String, Object>> certificates = new java.util.TreeMap<>();
    documentsOfKind(yaml, "Certificate").forEach(c -> certificates.put(name(c), spec(c)));
    assertThat(certificates).containsOnlyKeys("stored-ca", "stored-tls", "stored-transport-tls");
    assertThat(certificates.get("stored-ca")).containsEntry("isCA", true);
    assertThat(certificates.get("stored-tls"))
        .containsEntry("secretName", "stored-tls")
        .containsEntry("issuerRef", Map.of("kind", "Issuer", "name", "stored-ca"));
    assertThat(certificates.get("stored-transport-tls"))
        .containsEntry("secretName", "stored-transport-tls")
        .containsEntry("issuerRef", Map.of("kind", "Issuer", "name", "stored-ca"));
    assertThat((List<Object>) certificates.get("stored-transport-tls").get("usages"))
        .contains("server auth", "client auth");
    assertThat(documentOfKind(yaml, "NetworkPolicy")).isNotNull();
    // the StoredCluster passes the CRD's own schema: the operator would accept it
    StoredCluster typed =
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
            new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(cluster),
            StoredCluster.class);
    assertThat(SpecValidation.errors(typed.getSpec(), null)).isEmpty();
  }

  private static Map<String, Object> documentOfKind(String yaml, String kind) {
    List<Map<String, Object>> all = documentsOfKind(yaml, kind);
    assertThat(all).as("rendered %s", kind).isNotEmpty();
    return all.get(0);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> documentsOfKind(String yaml, String kind) {
    List<Map<String, Object>> out = new java.util.ArrayList<>();
    for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(yaml)) {
      if (doc instanceof Map<?, ?> m && kind.equals(m.get("kind"))) {
        out.add((Map<String, Object>) m);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(Map<String, Object> document) {
    return (Map<String, Object>) document.get("spec");
  }

  private static String name(Map<String, Object> document) {
    return (String) ((Map<?, ?>) document.get("metadata")).get("name");
  }

  private static void lint(Map<String, String> values) throws Exception {
    Charts.lint(values);
  }

  private static List<HasMetadata> template(Map<String, String> values) throws Exception {
    return parse(Charts.template(values, false));
  }

  private static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        out.add(YAML.unmarshal(doc, HasMetadata.class));
      }
    }
    return out;
  }
}
