package io.stored.operator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Kubernetes objects a {@link StoredCluster} is made of, as pure functions of the resource: the
 * store StatefulSet and its headless Service, the endpoint Deployment and Service, the optional
 * Ingress, the ring ConfigMap, a PodDisruptionBudget, and the pods' ServiceAccount, Role and
 * RoleBinding. Each carries an owner reference to the resource, so deleting it deletes them.
 */
public final class ClusterResources {
  static final int HTTP_PORT = 8080;
  static final int MANAGEMENT_PORT = 9000;
  static final int TRANSPORT_PORT = 7000;
  static final String TRANSPORT_SECRET_KEY = "secret";
  static final int HTTPS_PORT = 8443;
  static final String AUTH_DIR = "/etc/stored/auth";
  static final String TLS_DIR = "/etc/stored/tls";
  static final String TRANSPORT_TLS_DIR = "/etc/stored/transport-tls";

  /** How long a store may take to hand its partitions over when its pod is deleted. */
  static final long TERMINATION_GRACE_SECONDS = 120;

  private final StoredCluster cluster;
  private final String name;
  private final String namespace;
  private final int storePods;

  public ClusterResources(StoredCluster cluster) {
    this(cluster, cluster.getSpec().getStores().getReplicas());
  }

  /**
   * @param storePods the store StatefulSet's replicas: the spec's, or more while the stores above
   *     it hand their partitions over before they are removed
   */
  public ClusterResources(StoredCluster cluster, int storePods) {
    this.cluster = cluster;
    this.name = cluster.getMetadata().getName();
    this.namespace = cluster.getMetadata().getNamespace();
    this.storePods = storePods;
  }

  /** Every object the cluster owns, in the order they are applied. */
  public List<HasMetadata> all() {
    List<HasMetadata> out = new ArrayList<>();
    out.add(serviceAccount());
    out.add(role());
    out.add(roleBinding());
    out.add(ringConfigMap());
    out.add(storeService());
    out.add(storeStatefulSet());
    out.add(podDisruptionBudget());
    out.add(endpointService());
    out.add(endpointDeployment());
    if (cluster.getSpec().getIngress().isEnabled()) {
      out.add(ingress());
    }
    if (cluster.getSpec().isNetworkPolicy()) {
      out.add(storeNetworkPolicy());
      out.add(endpointNetworkPolicy());
    }
    return out;
  }

  /** The optional objects the spec turned off: deleted if they exist (e.g. from before). */
  public List<HasMetadata> unwanted() {
    List<HasMetadata> out = new ArrayList<>();
    if (!cluster.getSpec().getIngress().isEnabled()) {
      out.add(new IngressBuilder().withMetadata(meta(name, "endpoint")).build());
    }
    if (!cluster.getSpec().isNetworkPolicy()) {
      out.add(new NetworkPolicyBuilder().withMetadata(meta(storeName(), "store")).build());
      out.add(new NetworkPolicyBuilder().withMetadata(meta(endpointName(), "endpoint")).build());
    }
    return out;
  }

  /**
   * The stores' internal transport only from this cluster's pods and the operator (in this
   * namespace); their management port (probes, metrics) from anywhere; nothing else (their HTTP
   * port serves no data API).
   */
  NetworkPolicy storeNetworkPolicy() {
    return new NetworkPolicyBuilder()
        .withMetadata(meta(storeName(), "store"))
        .withNewSpec()
        .withNewPodSelector()
        .withMatchLabels(selector("store"))
        .endPodSelector()
        .withPolicyTypes("Ingress")
        .addNewIngress()
        .addNewFrom()
        .withNewPodSelector()
        .withMatchLabels(
            Map.of("app.kubernetes.io/name", "stored", "app.kubernetes.io/instance", name))
        .endPodSelector()
        .endFrom()
        .addNewFrom()
        .withNewPodSelector()
        .withMatchLabels(Map.of("app.kubernetes.io/name", "stored-operator"))
        .endPodSelector()
        .endFrom()
        .withPorts(tcp(TRANSPORT_PORT))
        .endIngress()
        .addNewIngress()
        .withPorts(tcp(MANAGEMENT_PORT))
        .endIngress()
        .endSpec()
        .build();
  }

  private static NetworkPolicyPort tcp(int port) {
    return new NetworkPolicyPort(null, new IntOrString(port), "TCP");
  }

  /** The endpoints: their data port and management port from anywhere, nothing else. */
  NetworkPolicy endpointNetworkPolicy() {
    return new NetworkPolicyBuilder()
        .withMetadata(meta(endpointName(), "endpoint"))
        .withNewSpec()
        .withNewPodSelector()
        .withMatchLabels(selector("endpoint"))
        .endPodSelector()
        .withPolicyTypes("Ingress")
        .addNewIngress()
        .withPorts(tcp(tls() ? HTTPS_PORT : HTTP_PORT), tcp(MANAGEMENT_PORT))
        .endIngress()
        .endSpec()
        .build();
  }

  /** How many store pods the StatefulSet has (see the constructor). */
  public int storePodCount() {
    return storePods;
  }

  public String namespace() {
    return namespace;
  }

  public String storeName() {
    return name + "-store";
  }

  public String endpointName() {
    return name + "-endpoint";
  }

  public String ringName() {
    return name + "-ring";
  }

  /** The Secret holding the cluster's internal-transport secret (created once, never rewritten). */
  public String transportSecretName() {
    return name + "-transport";
  }

  /** The transport Secret, with the given random secret (made by the operator when absent). */
  public Secret transportSecret(String secret) {
    return new SecretBuilder()
        .withMetadata(meta(transportSecretName(), "transport"))
        .withType("Opaque")
        .withData(
            Map.of(
                TRANSPORT_SECRET_KEY,
                java.util.Base64.getEncoder()
                    .encodeToString(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .build();
  }

  /** The ordinal of a store pod of this cluster, or -1 for any other name. */
  public int ordinalOf(String pod) {
    String prefix = storeName() + "-";
    if (!pod.startsWith(prefix)) {
      return -1;
    }
    try {
      return Integer.parseInt(pod.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The labels of every object and pod of this cluster, plus its component. */
  public Map<String, String> labels(String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "stored");
    labels.put("app.kubernetes.io/instance", name);
    labels.put("app.kubernetes.io/component", component);
    labels.put("app.kubernetes.io/managed-by", "stored-operator");
    return labels;
  }

  /** The selector of one component's pods. */
  public Map<String, String> selector(String component) {
    return Map.of(
        "app.kubernetes.io/instance", name,
        "app.kubernetes.io/component", component);
  }

  /** The store pods' selector as a label-selector string (the scale subresource's). */
  public String storeSelectorString() {
    return "app.kubernetes.io/instance=" + name + ",app.kubernetes.io/component=store";
  }

  ServiceAccount serviceAccount() {
    return new ServiceAccountBuilder().withMetadata(meta(name, "cluster")).build();
  }

  /** The pods may read the ring ConfigMap and the pods of their cluster. */
  Role role() {
    return new RoleBuilder()
        .withMetadata(meta(name, "cluster"))
        .addNewRule()
        .withApiGroups("")
        .withResources("configmaps")
        .withResourceNames(ringName())
        .withVerbs("get", "watch", "list")
        .endRule()
        .addNewRule()
        .withApiGroups("")
        .withResources("pods")
        .withVerbs("get", "watch", "list")
        .endRule()
        .build();
  }

  RoleBinding roleBinding() {
    return new RoleBindingBuilder()
        .withMetadata(meta(name, "cluster"))
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(name)
        .withNamespace(namespace)
        .endSubject()
        .build();
  }

  /**
   * The persisted ring ({@code ring.json}, written by the operator's monkey at every new epoch);
   * created empty.
   */
  ConfigMap ringConfigMap() {
    return new ConfigMapBuilder().withMetadata(meta(ringName(), "ring")).build();
  }

  Service storeService() {
    return new ServiceBuilder()
        .withMetadata(meta(storeName(), "store"))
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(selector("store"))
        .addNewPort()
        .withName("transport")
        .withPort(TRANSPORT_PORT)
        .withTargetPort(new IntOrString("transport"))
        .endPort()
        .addNewPort()
        .withName("http")
        .withPort(HTTP_PORT)
        .withTargetPort(new IntOrString("http"))
        .endPort()
        .endSpec()
        .build();
  }

  StatefulSet storeStatefulSet() {
    StoredClusterSpec spec = cluster.getSpec();
    long maxMemory =
        Quantity.getAmountInBytes(new Quantity(spec.getStores().getMaxMemory())).longValue();
    // The heap holds the items (accounted to maxMemory) plus the JVM's own working set.
    long heap = maxMemory + maxMemory / 2 + 256L * 1024 * 1024;
    // Outside the heap: metaspace, code, threads and Netty's buffers (a fixed part), and the
    // collector's tables, which grow with the heap (ParallelGC commits ~4 % of it: 323 MB for
    // 8 GiB by Native Memory Tracking), so a fixed margin would get a large store OOM-killed.
    long outside = 256L * 1024 * 1024 + heap / 16;
    ResourceRequirements resources =
        spec.getStores().getResources() != null
            ? spec.getStores().getResources()
            : new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("500m"))
                .addToRequests("memory", new Quantity(Long.toString(heap + outside / 2)))
                .addToLimits("memory", new Quantity(Long.toString(heap + outside)))
                .build();
    List<EnvVar> env = new ArrayList<>(commonEnv("store"));
    env.add(env("STORED_STORE_MAX_MEMORY", Long.toString(maxMemory)));
    // hand the partitions over within the pod's termination grace period
    env.add(env("STORED_CLUSTER_DRAIN_TIMEOUT", (TERMINATION_GRACE_SECONDS - 20) + "s"));
    addConfig(env, spec.getStores().getConfig());
    // A fixed heap, touched at start: a store fills its heap with data, so it pays every page's
    // first-touch fault once, before it is ready, and not inside the garbage collections of its
    // first state transfer (on a 2-core VM those faults made young pauses of 0.4-1 s).
    env.add(
        env(
            "JAVA_OPTS_APPEND",
            "-Xms"
                + heap / (1024 * 1024)
                + "m -Xmx"
                + heap / (1024 * 1024)
                + "m -XX:+AlwaysPreTouch"
                + transportTlsOptions()));
    PodSpec pod =
        podSpec(
            container("store", env, resources, true),
            storePods > 1 ? "store" : null,
            TERMINATION_GRACE_SECONDS);
    mountTransportTls(pod);
    return new StatefulSetBuilder()
        .withMetadata(meta(storeName(), "store"))
        .withNewSpec()
        .withServiceName(storeName())
        .withReplicas(storePods)
        .withPodManagementPolicy("Parallel")
        .withNewSelector()
        .withMatchLabels(selector("store"))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels("store"))
        .endMetadata()
        .withSpec(pod)
        .endTemplate()
        .endSpec()
        .build();
  }

  /** At most one store down at a time by voluntary disruption (a drain, an upgrade). */
  PodDisruptionBudget podDisruptionBudget() {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(storeName(), "store"))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(selector("store"))
        .endSelector()
        .endSpec()
        .build();
  }

  Service endpointService() {
    return new ServiceBuilder()
        .withMetadata(meta(name, "endpoint"))
        .withNewSpec()
        .withType(cluster.getSpec().getEndpoints().getService().getType())
        .withSelector(selector("endpoint"))
        .addNewPort()
        .withName(dataPortName())
        .withPort(tls() ? 443 : 80)
        .withTargetPort(new IntOrString(dataPortName()))
        .endPort()
        .endSpec()
        .build();
  }

  private boolean tls() {
    return cluster.getSpec().getTls().getSecretName() != null;
  }

  /** The endpoints' data port: "https" with TLS, else "http". */
  private String dataPortName() {
    return tls() ? "https" : "http";
  }

  /**
   * The system properties that give the node's TLS registry a {@code transport} configuration from
   * the mounted Secret (mutual TLS between nodes), or "" without one.
   */
  private String transportTlsOptions() {
    return cluster.getSpec().getTls().getTransportSecretName() == null
        ? ""
        : tlsRegistryOptions("transport", TRANSPORT_TLS_DIR, true);
  }

  /**
   * System properties for a named TLS registry configuration from a mounted Secret: {@code tls.crt}
   * and {@code tls.key}, with {@code trust} also {@code ca.crt}, re-read every minute. System
   * properties, not environment variables: a named configuration cannot be given as those.
   */
  private static String tlsRegistryOptions(String name, String dir, boolean trust) {
    String p = " -Dquarkus.tls." + name + ".";
    return p
        + "key-store.pem.0.cert="
        + dir
        + "/tls.crt"
        + p
        + "key-store.pem.0.key="
        + dir
        + "/tls.key"
        + (trust ? p + "trust-store.pem.certs=" + dir + "/ca.crt" : "")
        + p
        + "reload-period=1m";
  }

  private void mountTransportTls(PodSpec pod) {
    String secret = cluster.getSpec().getTls().getTransportSecretName();
    if (secret != null) {
      mountSecret(pod, "transport-tls", secret, TRANSPORT_TLS_DIR);
    }
  }

  /** Mounts a Secret read-only into the pod's (only) container. */
  private static void mountSecret(PodSpec pod, String volume, String secret, String path) {
    pod.getVolumes()
        .add(
            new VolumeBuilder()
                .withName(volume)
                .withNewSecret()
                .withSecretName(secret)
                .endSecret()
                .build());
    pod.getContainers()
        .get(0)
        .getVolumeMounts()
        .add(
            new VolumeMountBuilder()
                .withName(volume)
                .withMountPath(path)
                .withReadOnly(true)
                .build());
  }

  Deployment endpointDeployment() {
    StoredClusterSpec spec = cluster.getSpec();
    ResourceRequirements resources =
        spec.getEndpoints().getResources() != null
            ? spec.getEndpoints().getResources()
            : new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("250m"))
                .addToRequests("memory", new Quantity("256Mi"))
                .addToLimits("memory", new Quantity("512Mi"))
                .build();
    List<EnvVar> env = new ArrayList<>(commonEnv("endpoint"));
    String javaOpts = "-Xmx256m";
    String tokens = spec.getAuth().getTokensSecretName();
    String tls = spec.getTls().getSecretName();
    if (tokens != null) {
      env.add(env("STORED_AUTH_TOKENS_FILE", AUTH_DIR + "/tokens"));
    }
    if (tls != null) {
      javaOpts +=
          tlsRegistryOptions("data", TLS_DIR, false)
              + " -Dquarkus.http.tls-configuration-name=data"
              + " -Dquarkus.http.insecure-requests=disabled -Dquarkus.http.ssl-port="
              + HTTPS_PORT;
    }
    addConfig(env, spec.getEndpoints().getConfig());
    env.add(env("JAVA_OPTS_APPEND", javaOpts + transportTlsOptions()));
    Container container = container("endpoint", env, resources, false);
    PodSpec pod = podSpec(container, "endpoint", 30);
    mountTransportTls(pod);
    if (tokens != null) {
      mountSecret(pod, "auth", tokens, AUTH_DIR);
    }
    if (tls != null) {
      mountSecret(pod, "tls", tls, TLS_DIR);
      pod.getContainers()
          .get(0)
          .getPorts()
          .set(0, new ContainerPort(HTTPS_PORT, null, null, "https", "TCP"));
    }
    return new DeploymentBuilder()
        .withMetadata(meta(endpointName(), "endpoint"))
        .withNewSpec()
        .withReplicas(spec.getEndpoints().getReplicas())
        .withNewSelector()
        .withMatchLabels(selector("endpoint"))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels("endpoint"))
        .endMetadata()
        .withSpec(pod)
        .endTemplate()
        .endSpec()
        .build();
  }

  Ingress ingress() {
    StoredClusterSpec.Ingress in = cluster.getSpec().getIngress();
    IngressBuilder b =
        new IngressBuilder()
            .withMetadata(meta(name, "endpoint"))
            .withNewSpec()
            .withIngressClassName(in.getClassName())
            .addNewRule()
            .withHost(in.getHost())
            .withNewHttp()
            .addNewPath()
            .withPath("/")
            .withPathType("Prefix")
            .withNewBackend()
            .withNewService()
            .withName(name)
            .withNewPort()
            .withName(dataPortName())
            .endPort()
            .endService()
            .endBackend()
            .endPath()
            .endHttp()
            .endRule()
            .endSpec();
    if (tls()) {
      // the endpoints speak HTTPS only (annotation of the NGINX ingress controller)
      b.editMetadata()
          .addToAnnotations("nginx.ingress.kubernetes.io/backend-protocol", "HTTPS")
          .endMetadata();
    }
    if (in.getTlsSecretName() != null) {
      b.editSpec()
          .addNewTl()
          .withHosts(in.getHost())
          .withSecretName(in.getTlsSecretName())
          .endTl()
          .endSpec();
    }
    return b.build();
  }

  /**
   * The seeds endpoints and stores ask for the ring: the first stores (pod 0 always exists), so
   * that scaling does not change the pods' template.
   */
  String seeds() {
    int n = Math.min(3, cluster.getSpec().getStores().getReplicas());
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(',');
      }
      String pod = storeName() + "-" + i;
      b.append(pod)
          .append('=')
          .append(pod)
          .append('.')
          .append(storeName())
          .append('.')
          .append(namespace)
          .append(".svc:")
          .append(TRANSPORT_PORT);
    }
    return b.toString();
  }

  private List<EnvVar> commonEnv(String role) {
    StoredClusterSpec spec = cluster.getSpec();
    return List.of(
        env("STORED_ROLES", role),
        new EnvVarBuilder()
            .withName("STORED_NODE_NAME")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.name")
            .endFieldRef()
            .endValueFrom()
            .build(),
        env("STORED_CLUSTER_MEMBERS", seeds()),
        new EnvVarBuilder()
            .withName("STORED_CLUSTER_SECRET")
            .withNewValueFrom()
            .withNewSecretKeyRef()
            .withName(transportSecretName())
            .withKey(TRANSPORT_SECRET_KEY)
            .endSecretKeyRef()
            .endValueFrom()
            .build(),
        env("STORED_CLUSTER_PORT", Integer.toString(TRANSPORT_PORT)),
        env("STORED_CLUSTER_RING_CONFIG_MAP", ringName()),
        env("STORED_RING_PARTITIONS", Integer.toString(spec.getPartitions())),
        env("STORED_RING_REPLICATION_FACTOR", Integer.toString(spec.getReplicationFactor())));
  }

  private Container container(
      String role, List<EnvVar> env, ResourceRequirements resources, boolean transport) {
    ContainerBuilder c =
        new ContainerBuilder()
            .withName(role)
            .withImage(cluster.getSpec().getImage())
            .withEnv(env)
            .withResources(resources)
            .addNewPort()
            .withName("http")
            .withContainerPort(HTTP_PORT)
            .endPort()
            .addNewPort()
            .withName("management")
            .withContainerPort(MANAGEMENT_PORT)
            .endPort()
            // Liveness waits for the start-up probe: a store's JVM touches its whole heap before
            // it starts (-XX:+AlwaysPreTouch; 0.4-2.5 s per GiB on the bench VMs), and is
            // given 5 minutes.
            .withStartupProbe(probe("/q/health/started", 2, 150))
            .withReadinessProbe(probe("/q/health/ready", 2, 3))
            .withLivenessProbe(probe("/q/health/live", 10, 3))
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withReadOnlyRootFilesystem(true)
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext();
    if (transport) {
      c.addNewPort().withName("transport").withContainerPort(TRANSPORT_PORT).endPort();
    }
    return c.build();
  }

  private static Probe probe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString("management"))
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  /** A pod spec with the cluster's service account, preferring one pod per node. */
  private PodSpec podSpec(Container container, String spreadComponent, long graceSeconds) {
    PodSpecBuilder b =
        new PodSpecBuilder()
            .withServiceAccountName(name)
            .withTerminationGracePeriodSeconds(graceSeconds)
            .withContainers(container)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .addNewVolume()
            .withName("tmp")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume();
    b.editFirstContainer()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .endContainer();
    if (spreadComponent != null) {
      b.withNewAffinity()
          .withNewPodAntiAffinity()
          .addNewPreferredDuringSchedulingIgnoredDuringExecution()
          .withWeight(100)
          .withNewPodAffinityTerm()
          .withTopologyKey("kubernetes.io/hostname")
          .withNewLabelSelector()
          .withMatchLabels(selector(spreadComponent))
          .endLabelSelector()
          .endPodAffinityTerm()
          .endPreferredDuringSchedulingIgnoredDuringExecution()
          .endPodAntiAffinity()
          .endAffinity();
    }
    return b.build();
  }

  private ObjectMeta meta(String objectName, String component) {
    return new ObjectMetaBuilder()
        .withName(objectName)
        .withNamespace(namespace)
        .withLabels(labels(component))
        .withOwnerReferences(owner())
        .build();
  }

  private OwnerReference owner() {
    return new OwnerReferenceBuilder()
        .withApiVersion(cluster.getApiVersion())
        .withKind(cluster.getKind())
        .withName(name)
        .withUid(cluster.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /**
   * The Stored properties the operator sets on its pods (as environment variables): {@code
   * spec.stores.config} and {@code spec.endpoints.config} may not set them.
   */
  static final Set<String> MANAGED_PROPERTIES =
      Set.of(
          "stored.roles",
          "stored.node-name",
          "stored.cluster.members",
          "stored.cluster.secret",
          "stored.cluster.port",
          "stored.cluster.ring-config-map",
          "stored.ring.partitions",
          "stored.ring.replication-factor",
          "stored.store.max-memory",
          "stored.cluster.drain-timeout",
          "stored.auth.tokens-file");

  /** The environment variable that sets {@code property} (MicroProfile Config's rule). */
  static String envName(String property) {
    return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  /** The settings of {@code spec.*.config}, in property order (checked by SpecValidation). */
  private static void addConfig(List<EnvVar> env, Map<String, String> config) {
    if (config != null) {
      new TreeMap<>(config).forEach((k, v) -> env.add(env(envName(k), v)));
    }
  }

  private static EnvVar env(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }
}
