package io.stored.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import io.smallrye.certs.PemCertificateFiles;
import io.stored.testing.Certificates;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler against the fabric8 mock API server (CRUD mode) with the real CRD: the objects a
 * cluster is made of, scaling, invalid specs, an operator restart and what deletion relies on.
 */
@EnableKubernetesMockClient(crud = true)
class StoredClusterReconcilerTest {
  private static final String NS = "test";
  private static final Duration WAIT = Duration.ofSeconds(20);

  KubernetesClient client;
  private Operator operator;
  private StoredClusterReconciler reconciler;
  private ClusterMonkeys monkeys;

  /** The transport TLS the operator gave its last monkey. */
  private volatile SSLOptions monkeyTls;

  @BeforeEach
  void start() throws Exception {
    CrdTest.install(client);
    operator = startOperator();
  }

  @AfterEach
  void stop() {
    operator.stop();
    monkeys.close();
  }

  private Operator startOperator() {
    Operator o =
        new Operator(
            c ->
                c.withKubernetesClient(client)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(false));
    // no store pods run here: the monkeys find nobody to talk to (OperatorEndToEndTest has stores)
    if (monkeys != null) {
      monkeys.close();
    }
    monkeys =
        new ClusterMonkeys(
            (addressOf, key, tls) -> {
              monkeyTls = tls;
              return (to, m) ->
                  java.util.concurrent.CompletableFuture.failedFuture(
                      new java.net.ConnectException(to + " does not run here"));
            },
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            (key, ring) -> RingConfigMaps.publish(client, key, ring));
    reconciler = new StoredClusterReconciler(client, monkeys);
    o.register(reconciler, c -> c.settingNamespace(NS));
    o.start();
    return o;
  }

  @Test
  void create_makesEveryOwnedObject_withTheRightFields() {
    StoredCluster demo = create("demo", spec -> {});
    StatefulSet sts = await(StatefulSet.class, "demo-store");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getServiceName()).isEqualTo("demo-store");
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    var pod = sts.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("demo");
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(120L);
    assertThat(
            pod.getAffinity()
                .getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution())
        .hasSize(1);
    var container = pod.getContainers().get(0);
    assertThat(container.getImage()).isEqualTo(StoredClusterSpec.DEFAULT_IMAGE);
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
    assertThat(
            container.getStartupProbe().getPeriodSeconds()
                * container.getStartupProbe().getFailureThreshold())
        .isEqualTo(300);
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(env(container.getEnv()))
        .containsEntry("STORED_ROLES", "store")
        .containsEntry("STORED_RING_PARTITIONS", "1024")
        .containsEntry("STORED_RING_REPLICATION_FACTOR", "2")
        .containsEntry("STORED_STORE_MAX_MEMORY", Long.toString(1L << 30))
        // 1 GiB of items: a fixed heap of 1.5 GiB + 256 MiB, touched when the JVM starts
        .containsEntry("JAVA_OPTS_APPEND", "-Xms1792m -Xmx1792m -XX:+AlwaysPreTouch")
        .containsEntry(
            "STORED_CLUSTER_MEMBERS",
            "demo-store-0=demo-store-0.demo-store.test.svc:7000,"
                + "demo-store-1=demo-store-1.demo-store.test.svc:7000,"
                + "demo-store-2=demo-store-2.demo-store.test.svc:7000");
    assertThat(container.getResources().getLimits()).containsKey("memory");
    // every pod proves the cluster's transport secret, a random one made for this cluster
    Secret transport = await(Secret.class, "demo-transport");
    String secret =
        new String(
            java.util.Base64.getDecoder().decode(transport.getData().get("secret")),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(secret).hasSizeGreaterThanOrEqualTo(32);
    assertThat(container.getEnv())
        .filteredOn(e -> e.getName().equals("STORED_CLUSTER_SECRET"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getValue()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("demo-transport");
              assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("secret");
            });

    Service headless = await(Service.class, "demo-store");
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    Service service = await(Service.class, "demo");
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(80);
    Deployment endpoints = await(Deployment.class, "demo-endpoint");
    assertThat(endpoints.getSpec().getReplicas()).isEqualTo(2);
    assertThat(env(endpoints.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()))
        .containsEntry("STORED_ROLES", "endpoint");
    assertThat(endpoints.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .extracting(io.fabric8.kubernetes.api.model.EnvVar::getName)
        .contains("STORED_CLUSTER_SECRET");
    PodDisruptionBudget pdb = await(PodDisruptionBudget.class, "demo-store");
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    await(ConfigMap.class, "demo-ring");
    await(ServiceAccount.class, "demo");
    Role role = await(Role.class, "demo");
    assertThat(role.getRules().get(0).getResourceNames()).containsExactly("demo-ring");
    assertThat(role.getRules())
        .allSatisfy(
            r -> assertThat(r.getVerbs()).doesNotContain("create", "update", "delete", "patch"));
    assertThat(await(RoleBinding.class, "demo").getSubjects().get(0).getName()).isEqualTo("demo");
    assertThat(client.resources(Ingress.class).inNamespace(NS).withName("demo").get()).isNull();

    String uid = demo.getMetadata().getUid();
    for (HasMetadata o : List.of(sts, headless, service, endpoints, pdb, role, transport)) {
      assertThat(o.getMetadata().getOwnerReferences())
          .as("%s %s is deleted with the cluster", o.getKind(), o.getMetadata().getName())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.getUid()).isEqualTo(uid);
                assertThat(r.getKind()).isEqualTo("StoredCluster");
                assertThat(r.getController()).isTrue();
              });
    }

    StoredClusterStatus status = awaitStatus("demo", s -> "Pending".equals(s.getPhase()));
    assertThat(status.getSelector())
        .isEqualTo("app.kubernetes.io/instance=demo,app.kubernetes.io/component=store");
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Invalid").getStatus()).isEqualTo("False");
    assertThat(status.getObservedGeneration()).isEqualTo(demo.getMetadata().getGeneration());
  }

  @Test
  void podsReady_makeTheClusterReady_andScaling3To5To3_followsTheSpec() {
    create("demo", spec -> {});
    await(StatefulSet.class, "demo-store");
    podsReady("demo", 3, 2);
    StoredClusterStatus ready = awaitStatus("demo", s -> "Ready".equals(s.getPhase()));
    assertThat(ready.getReadyStores()).isEqualTo(3);
    assertThat(condition(ready, "Ready").getStatus()).isEqualTo("True");
    String readySince = condition(ready, "Ready").getLastTransitionTime();

    scaleTo("demo", 5);
    Awaitility.await()
        .atMost(WAIT)
        .until(() -> get(StatefulSet.class, "demo-store").getSpec().getReplicas() == 5);
    StoredClusterStatus scaling = awaitStatus("demo", s -> "Scaling".equals(s.getPhase()));
    assertThat(condition(scaling, "Scaling").getStatus()).isEqualTo("True");
    podsReady("demo", 5, 2);
    StoredClusterStatus five =
        awaitStatus("demo", s -> "Ready".equals(s.getPhase()) && s.getReadyStores() == 5);
    assertThat(condition(five, "Scaling").getStatus()).isEqualTo("False");

    scaleTo("demo", 3);
    Awaitility.await()
        .atMost(WAIT)
        .until(() -> get(StatefulSet.class, "demo-store").getSpec().getReplicas() == 3);
    podsReady("demo", 3, 2);
    StoredClusterStatus three =
        awaitStatus("demo", s -> "Ready".equals(s.getPhase()) && s.getReadyStores() == 3);
    assertThat(condition(three, "Ready").getLastTransitionTime()).isNotNull();
    assertThat(readySince).isNotNull();
  }

  @Test
  void aStoreNotReady_afterTheClusterWasReady_isDegraded() {
    create("demo", spec -> {});
    await(StatefulSet.class, "demo-store");
    podsReady("demo", 3, 2);
    awaitStatus("demo", s -> "Ready".equals(s.getPhase()));
    podsReady("demo", 2, 2);
    StoredClusterStatus degraded = awaitStatus("demo", s -> "Degraded".equals(s.getPhase()));
    assertThat(condition(degraded, "Degraded").getStatus()).isEqualTo("True");
    assertThat(condition(degraded, "Degraded").getMessage()).isEqualTo("1 stores not ready");
  }

  @Test
  void ingress_whenEnabled_routesToTheEndpointService() {
    create(
        "web",
        spec -> {
          spec.getIngress().setEnabled(true);
          spec.getIngress().setHost("stored.example.com");
          spec.getIngress().setClassName("nginx");
          spec.getIngress().setTlsSecretName("stored-tls");
        });
    Ingress ingress = await(Ingress.class, "web");
    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("stored.example.com");
    assertThat(
            ingress
                .getSpec()
                .getRules()
                .get(0)
                .getHttp()
                .getPaths()
                .get(0)
                .getBackend()
                .getService()
                .getName())
        .isEqualTo("web");
    assertThat(ingress.getSpec().getTls().get(0).getSecretName()).isEqualTo("stored-tls");
  }

  @Test
  void authAndTls_areWiredIntoTheEndpoints_fromTheirSecrets() {
    create(
        "sec",
        spec -> {
          spec.getAuth().setTokensSecretName("sec-tokens");
          spec.getTls().setSecretName("sec-cert");
        });
    Deployment endpoints = await(Deployment.class, "sec-endpoint");
    var pod = endpoints.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    assertThat(env(container.getEnv()))
        .containsEntry("STORED_AUTH_TOKENS_FILE", "/etc/stored/auth/tokens");
    assertThat(env(container.getEnv()).get("JAVA_OPTS_APPEND"))
        .contains("-Dquarkus.tls.data.key-store.pem.0.cert=/etc/stored/tls/tls.crt")
        .contains("-Dquarkus.tls.data.key-store.pem.0.key=/etc/stored/tls/tls.key")
        .contains("-Dquarkus.http.tls-configuration-name=data")
        .contains("-Dquarkus.http.insecure-requests=disabled");
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactlyInAnyOrder("sec-tokens", "sec-cert");
    assertThat(container.getVolumeMounts())
        .filteredOn(m -> m.getMountPath().startsWith("/etc/stored/"))
        .allSatisfy(m -> assertThat(m.getReadOnly()).isTrue())
        .hasSize(2);
    assertThat(container.getPorts())
        .extracting(p -> p.getName() + ":" + p.getContainerPort())
        .contains("https:8443")
        .doesNotContain("http:8080");
    Service service = await(Service.class, "sec");
    assertThat(service.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort()).isEqualTo(443);
              assertThat(p.getTargetPort().getStrVal()).isEqualTo("https");
            });
    // the stores serve no data API: neither secret is mounted there
    StatefulSet stores = await(StatefulSet.class, "sec-store");
    assertThat(stores.getSpec().getTemplate().getSpec().getVolumes())
        .noneMatch(v -> v.getSecret() != null);
  }

  @Test
  void transportTls_isMountedOnEveryNode_andTheOperatorWaitsForItsSecret() {
    create("mtls", spec -> spec.getTls().setTransportSecretName("mtls-transport-tls"));
    // without the Secret (cert-manager has not issued it yet) nothing starts
    StoredCluster waiting =
        Awaitility.await("an error status")
            .atMost(WAIT)
            .until(() -> get(StoredCluster.class, "mtls"), c -> reconciler.reconciliations() > 0);
    assertThat(waiting).isNotNull();
    assertThat(get(StatefulSet.class, "mtls-store")).isNull();

    PemCertificateFiles pem = Certificates.generate(Path.of("target", "operator-tls"), "transport");
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("mtls-transport-tls")
                .withNamespace(NS)
                .endMetadata()
                .addToData("tls.crt", base64(pem.certFile()))
                .addToData("tls.key", base64(pem.keyFile()))
                .addToData("ca.crt", base64(pem.certFile()))
                .build())
        .create();
    for (var pod :
        List.of(
            await(StatefulSet.class, "mtls-store").getSpec().getTemplate().getSpec(),
            await(Deployment.class, "mtls-endpoint").getSpec().getTemplate().getSpec())) {
      assertThat(pod.getVolumes())
          .filteredOn(v -> v.getSecret() != null)
          .extracting(v -> v.getSecret().getSecretName())
          .containsExactly("mtls-transport-tls");
      var container = pod.getContainers().get(0);
      assertThat(container.getVolumeMounts())
          .filteredOn(m -> m.getMountPath().startsWith("/etc/stored/"))
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.getMountPath()).isEqualTo("/etc/stored/transport-tls");
                assertThat(m.getReadOnly()).isTrue();
              });
      assertThat(env(container.getEnv()).get("JAVA_OPTS_APPEND"))
          .contains(
              "-Dquarkus.tls.transport.key-store.pem.0.cert=/etc/stored/transport-tls/tls.crt",
              "-Dquarkus.tls.transport.key-store.pem.0.key=/etc/stored/transport-tls/tls.key",
              "-Dquarkus.tls.transport.trust-store.pem.certs=/etc/stored/transport-tls/ca.crt");
    }
    // the operator's own monkey talks to the stores with the same certificate
    assertThat(monkeyTls).isNotNull();
    assertThat(((PemKeyCertOptions) monkeyTls.getKeyCertOptions()).getCertValue())
        .isEqualTo(Buffer.buffer(readAll(pem.certFile())));
  }

  private static String base64(Path file) {
    return Base64.getEncoder().encodeToString(readAll(file));
  }

  private static byte[] readAll(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void networkPolicies_letOnlyTheClustersPodsReachTheStores_andGoWhenTurnedOff() {
    create("np", spec -> {});
    NetworkPolicy stores = await(NetworkPolicy.class, "np-store");
    assertThat(stores.getSpec().getPodSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/component", "store");
    var transport =
        stores.getSpec().getIngress().stream()
            .filter(r -> r.getPorts().get(0).getPort().getIntVal() == 7000)
            .findFirst()
            .orElseThrow();
    assertThat(transport.getFrom())
        .extracting(f -> f.getPodSelector().getMatchLabels())
        .containsExactlyInAnyOrder(
            Map.of("app.kubernetes.io/name", "stored", "app.kubernetes.io/instance", "np"),
            Map.of("app.kubernetes.io/name", "stored-operator"));
    assertThat(stores.getSpec().getIngress())
        .flatExtracting(r -> r.getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .containsExactlyInAnyOrder(7000, 9000)
        .doesNotContain(8080);
    NetworkPolicy endpoints = await(NetworkPolicy.class, "np-endpoint");
    assertThat(endpoints.getSpec().getIngress())
        .flatExtracting(r -> r.getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .containsExactlyInAnyOrder(8080, 9000);

    editSpec("np", spec -> spec.setNetworkPolicy(false));
    Awaitility.await()
        .atMost(WAIT)
        .until(
            () ->
                client.resources(NetworkPolicy.class).inNamespace(NS).withName("np-store").get()
                        == null
                    && client
                            .resources(NetworkPolicy.class)
                            .inNamespace(NS)
                            .withName("np-endpoint")
                            .get()
                        == null);
  }

  @Test
  void anInvalidSpec_isRefusedWithAnInvalidCondition_andCreatesNothing() {
    create(
        "bad",
        spec -> {
          spec.getStores().setReplicas(2);
          spec.setReplicationFactor(3);
        });
    StoredClusterStatus status = awaitStatus("bad", s -> "Invalid".equals(s.getPhase()));
    Condition invalid = condition(status, "Invalid");
    assertThat(invalid.getStatus()).isEqualTo("True");
    assertThat(invalid.getMessage())
        .contains("replicationFactor (3) must not exceed stores.replicas (2)");
    assertThat(get(StatefulSet.class, "bad-store")).isNull();
  }

  @Test
  void changingPartitions_afterCreation_isInvalid_andTheStoresAreLeftAlone() {
    create("demo", spec -> {});
    StatefulSet before = await(StatefulSet.class, "demo-store");
    editSpec("demo", spec -> spec.setPartitions(2048));
    StoredClusterStatus status = awaitStatus("demo", s -> "Invalid".equals(s.getPhase()));
    assertThat(condition(status, "Invalid").getMessage())
        .contains("partitions cannot change after creation (created with 1024, now 2048)");
    assertThat(get(StatefulSet.class, "demo-store").getMetadata().getResourceVersion())
        .isEqualTo(before.getMetadata().getResourceVersion());
  }

  @Test
  void aPassInterruptedByTheOperatorStopping_writesNoErrorStatus_whileARealFailureDoes() {
    StoredCluster cluster = new StoredCluster();
    cluster.getMetadata().setName("demo");
    cluster.getMetadata().setNamespace(NS);
    Exception interrupted =
        new io.fabric8.kubernetes.client.KubernetesClientException(
            "Operation: [get] failed.", new java.io.InterruptedIOException());
    assertThat(reconciler.updateErrorStatus(cluster, null, interrupted).getResource()).isEmpty();
    StoredCluster failed =
        reconciler
            .updateErrorStatus(cluster, null, new IllegalStateException("the API server said no"))
            .getResource()
            .orElseThrow();
    assertThat(condition(failed.getStatus(), "Ready").getReason()).isEqualTo("ReconcileError");
    assertThat(condition(failed.getStatus(), "Ready").getMessage())
        .isEqualTo("the API server said no");
  }

  @Test
  void anOperatorRestart_changesNothing() {
    create("demo", spec -> {});
    awaitStatus("demo", s -> "Pending".equals(s.getPhase()));
    await(Deployment.class, "demo-endpoint");
    operator.stop();
    // what the stopped operator left: the new one must rewrite neither objects nor status
    Map<String, String> versions = new java.util.HashMap<>();
    for (HasMetadata o : owned("demo")) {
      versions.put(
          o.getKind() + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion());
    }
    StoredCluster before = get(StoredCluster.class, "demo");
    String statusVersion = before.getMetadata().getResourceVersion();
    operator = startOperator();
    // the new operator reconciles the existing cluster: it must rewrite neither objects nor status
    Awaitility.await().atMost(WAIT).until(() -> reconciler.reconciliations() >= 1);
    for (HasMetadata o : owned("demo")) {
      assertThat(o.getMetadata().getResourceVersion())
          .as(o.getKind() + "/" + o.getMetadata().getName())
          .isEqualTo(versions.get(o.getKind() + "/" + o.getMetadata().getName()));
    }
    StoredCluster after = get(StoredCluster.class, "demo");
    assertThat(after.getMetadata().getResourceVersion())
        .as("status before %s, after %s", before.getStatus(), after.getStatus())
        .isEqualTo(statusVersion);
  }

  @Test
  void deletingTheCluster_stopsItsMonkey_andTheResourceGoes() {
    create("demo", spec -> {});
    awaitStatus("demo", s -> "Pending".equals(s.getPhase()));
    assertThat(monkeys.existing("test/demo")).isNotNull();
    assertThat(get(StoredCluster.class, "demo").getMetadata().getFinalizers())
        .as("the operator holds the resource until its monkey is stopped")
        .isNotEmpty();
    client.resources(StoredCluster.class).inNamespace(NS).withName("demo").delete();
    Awaitility.await("demo is gone")
        .atMost(WAIT)
        .until(() -> get(StoredCluster.class, "demo") == null);
    assertThat(monkeys.existing("test/demo")).isNull();
    // the owned objects carry owner references (asserted above): a real API server's garbage
    // collector deletes them; the mock server has none
  }

  private List<HasMetadata> owned(String name) {
    return List.of(
        get(StatefulSet.class, name + "-store"),
        get(Service.class, name + "-store"),
        get(Service.class, name),
        get(Deployment.class, name + "-endpoint"),
        get(PodDisruptionBudget.class, name + "-store"),
        get(ConfigMap.class, name + "-ring"),
        get(Role.class, name),
        get(NetworkPolicy.class, name + "-store"),
        get(NetworkPolicy.class, name + "-endpoint"),
        get(Secret.class, name + "-transport"));
  }

  private StoredCluster create(String name, java.util.function.Consumer<StoredClusterSpec> edit) {
    StoredCluster c = new StoredCluster();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    c.setSpec(new StoredClusterSpec());
    edit.accept(c.getSpec());
    return client.resource(c).create();
  }

  private void scaleTo(String name, int stores) {
    editSpec(name, spec -> spec.getStores().setReplicas(stores));
  }

  /**
   * Changes the resource's spec as a user would. The operator may patch the status between the read
   * and the write of an edit (409 Conflict); a user's kubectl would read again and retry.
   */
  private void editSpec(String name, java.util.function.Consumer<StoredClusterSpec> change) {
    Awaitility.await(name + " edited")
        .atMost(WAIT)
        .ignoreExceptionsMatching(
            e -> e instanceof KubernetesClientException k && k.getCode() == 409)
        .until(
            () -> {
              client
                  .resources(StoredCluster.class)
                  .inNamespace(NS)
                  .withName(name)
                  .edit(
                      c -> {
                        change.accept(c.getSpec());
                        return c;
                      });
              return true;
            });
  }

  /** What the kubelet and the StatefulSet controller would report. */
  private void podsReady(String name, int stores, int endpoints) {
    StatefulSet sts = await(StatefulSet.class, name + "-store");
    sts.setStatus(
        new StatefulSetStatusBuilder()
            .withReplicas(sts.getSpec().getReplicas())
            .withReadyReplicas(stores)
            .build());
    client.resource(sts).updateStatus();
    Deployment d = await(Deployment.class, name + "-endpoint");
    d.setStatus(
        new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
            .withReplicas(endpoints)
            .withReadyReplicas(endpoints)
            .build());
    client.resource(d).updateStatus();
  }

  private StoredClusterStatus awaitStatus(
      String name, java.util.function.Predicate<StoredClusterStatus> until) {
    StoredClusterStatus[] seen = {null};
    Awaitility.await(name + " status")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              StoredCluster c = get(StoredCluster.class, name);
              seen[0] = c == null ? null : c.getStatus();
              return seen[0] != null && until.test(seen[0]);
            });
    return seen[0];
  }

  private <T extends HasMetadata> T await(Class<T> type, String name) {
    return Awaitility.await(type.getSimpleName() + " " + name)
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get(type, name), o -> o != null);
  }

  private <T extends HasMetadata> T get(Class<T> type, String name) {
    return client.resources(type).inNamespace(NS).withName(name).get();
  }

  private static Condition condition(StoredClusterStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  private static Map<String, String> env(List<EnvVar> env) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    env.forEach(e -> out.put(e.getName(), e.getValue()));
    return out;
  }
}
