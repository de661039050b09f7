package io.stored.operator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.Map;

/** What a {@link StoredCluster} should be. Every field has a default. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.replicationFactor <= self.stores.replicas",
    message = "replicationFactor must not exceed stores.replicas")
@ValidationRule(
    value = "!self.autoscaling.enabled || self.autoscaling.minStores <= self.autoscaling.maxStores",
    message = "autoscaling.minStores must not exceed autoscaling.maxStores")
public class StoredClusterSpec {
  /** Default image of every pod; the chart and manifests set the released one. */
  public static final String DEFAULT_IMAGE = "stored:0.1.0";

  @JsonPropertyDescription("The store pods, which hold the partitions (a StatefulSet).")
  @Default("{}")
  private Stores stores = new Stores();

  @JsonPropertyDescription(
      "The endpoint pods, which serve the HTTP data API and forward each request to its"
          + " partition's primary store (a Deployment and a Service).")
  @Default("{}")
  private Endpoints endpoints = new Endpoints();

  @JsonPropertyDescription(
      "Copies of every partition (a primary and replicationFactor - 1 backups), at most"
          + " stores.replicas. Default 2.")
  @Min(1)
  @Max(5)
  @Default("2")
  private int replicationFactor = 2;

  @JsonPropertyDescription(
      "Number of partitions the key space is hashed into. Fixed when the cluster is created:"
          + " changing it would move every item. Default 1024.")
  @Min(1)
  @Max(65536)
  @Default("1024")
  @ValidationRule(value = "self == oldSelf", message = "partitions cannot change after creation")
  private int partitions = 1024;

  @JsonPropertyDescription("Scaling the stores on memory use. Off by default.")
  @Default("{}")
  private Autoscaling autoscaling = new Autoscaling();

  @JsonPropertyDescription("An Ingress in front of the endpoint Service. Off by default.")
  @Default("{}")
  private Ingress ingress = new Ingress();

  @JsonPropertyDescription(
      "Bearer-token access control of the data API. Off (no authentication) when unset.")
  @Default("{}")
  private Auth auth = new Auth();

  @JsonPropertyDescription("TLS of the data API served by the endpoints. Plain HTTP when unset.")
  @Default("{}")
  private Tls tls = new Tls();

  @JsonPropertyDescription(
      "NetworkPolicies: the internal transport (7000) of the stores only from this cluster's"
          + " pods and the operator; the data API only on the endpoints. Default true.")
  @Default("true")
  private boolean networkPolicy = true;

  @JsonPropertyDescription("Container image of every Stored pod. Default " + DEFAULT_IMAGE + ".")
  @Default(DEFAULT_IMAGE)
  private String image = DEFAULT_IMAGE;

  public Auth getAuth() {
    return auth;
  }

  public void setAuth(Auth auth) {
    this.auth = auth;
  }

  public Tls getTls() {
    return tls;
  }

  public void setTls(Tls tls) {
    this.tls = tls;
  }

  public boolean isNetworkPolicy() {
    return networkPolicy;
  }

  public void setNetworkPolicy(boolean networkPolicy) {
    this.networkPolicy = networkPolicy;
  }

  public Stores getStores() {
    return stores;
  }

  public void setStores(Stores stores) {
    this.stores = stores;
  }

  public Endpoints getEndpoints() {
    return endpoints;
  }

  public void setEndpoints(Endpoints endpoints) {
    this.endpoints = endpoints;
  }

  public int getReplicationFactor() {
    return replicationFactor;
  }

  public void setReplicationFactor(int replicationFactor) {
    this.replicationFactor = replicationFactor;
  }

  public int getPartitions() {
    return partitions;
  }

  public void setPartitions(int partitions) {
    this.partitions = partitions;
  }

  public Autoscaling getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(Autoscaling autoscaling) {
    this.autoscaling = autoscaling;
  }

  public Ingress getIngress() {
    return ingress;
  }

  public void setIngress(Ingress ingress) {
    this.ingress = ingress;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  /** The store pods. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Stores {
    @JsonPropertyDescription(
        "Number of store pods. Scaling in hands the partitions of the highest ordinals over"
            + " before their pods are removed. Default 3.")
    @Min(1)
    @Max(1000)
    @Default("3")
    @SpecReplicas
    private int replicas = 3;

    @JsonPropertyDescription(
        "Memory each store may use for items (a Kubernetes quantity, e.g. 1Gi); the JVM heap"
            + " and the container's memory limit are sized from it. Default 1Gi.")
    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$")
    @Default("1Gi")
    private String maxMemory = "1Gi";

    @JsonPropertyDescription(
        "CPU and memory requests and limits of a store container. When unset, requests"
            + " are derived from maxMemory.")
    private ResourceRequirements resources;

    @JsonPropertyDescription(
        "Further Stored settings of every store pod, by property name, e.g. \"stored.store.eviction: lru\" or \"stored.cluster.tombstone-grace: 30s\". Only"
            + " stored.* properties; those the operator sets itself (roles, names, membership,"
            + " ports, secrets, partitions, replication factor, memory limit, drain timeout,"
            + " token file) are refused.")
    private Map<String, String> config;

    public int getReplicas() {
      return replicas;
    }

    public void setReplicas(int replicas) {
      this.replicas = replicas;
    }

    public String getMaxMemory() {
      return maxMemory;
    }

    public void setMaxMemory(String maxMemory) {
      this.maxMemory = maxMemory;
    }

    public ResourceRequirements getResources() {
      return resources;
    }

    public void setResources(ResourceRequirements resources) {
      this.resources = resources;
    }

    public Map<String, String> getConfig() {
      return config;
    }

    public void setConfig(Map<String, String> config) {
      this.config = config;
    }
  }

  /** The endpoint pods. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Endpoints {
    @JsonPropertyDescription("Number of endpoint pods. Default 2.")
    @Min(1)
    @Max(1000)
    @Default("2")
    private int replicas = 2;

    @JsonPropertyDescription("The Service in front of the endpoints.")
    @Default("{}")
    private Service service = new Service();

    @JsonPropertyDescription("CPU and memory requests and limits of an endpoint container.")
    private ResourceRequirements resources;

    @JsonPropertyDescription(
        "Further Stored settings of every endpoint pod, by property name, e.g. \"stored.cluster.request-timeout: 10s\". Only"
            + " stored.* properties; those the operator sets itself (roles, names, membership,"
            + " ports, secrets, partitions, replication factor, memory limit, drain timeout,"
            + " token file) are refused.")
    private Map<String, String> config;

    public int getReplicas() {
      return replicas;
    }

    public void setReplicas(int replicas) {
      this.replicas = replicas;
    }

    public Service getService() {
      return service;
    }

    public void setService(Service service) {
      this.service = service;
    }

    public ResourceRequirements getResources() {
      return resources;
    }

    public void setResources(ResourceRequirements resources) {
      this.resources = resources;
    }

    public Map<String, String> getConfig() {
      return config;
    }

    public void setConfig(Map<String, String> config) {
      this.config = config;
    }
  }

  /** The endpoint Service. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Service {
    @JsonPropertyDescription(
        "Service type: ClusterIP, NodePort or LoadBalancer. Default ClusterIP.")
    @Pattern("^(ClusterIP|NodePort|LoadBalancer)$")
    @Default("ClusterIP")
    private String type = "ClusterIP";

    public String getType() {
      return type;
    }

    public void setType(String type) {
      this.type = type;
    }
  }

  /** Store autoscaling on memory utilisation. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Autoscaling {
    @JsonPropertyDescription("Whether the operator scales the stores. Default false.")
    @Default("false")
    private boolean enabled;

    @JsonPropertyDescription("Fewest stores when autoscaling. Default 3.")
    @Min(1)
    @Default("3")
    private int minStores = 3;

    @JsonPropertyDescription("Most stores when autoscaling. Default 10.")
    @Min(1)
    @Default("10")
    private int maxStores = 10;

    @JsonPropertyDescription(
        "Memory use of the stores (percent of maxMemory, averaged) the autoscaler aims at."
            + " Default 70.")
    @Min(10)
    @Max(95)
    @Default("70")
    private int targetMemoryUtilization = 70;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public int getMinStores() {
      return minStores;
    }

    public void setMinStores(int minStores) {
      this.minStores = minStores;
    }

    public int getMaxStores() {
      return maxStores;
    }

    public void setMaxStores(int maxStores) {
      this.maxStores = maxStores;
    }

    public int getTargetMemoryUtilization() {
      return targetMemoryUtilization;
    }

    public void setTargetMemoryUtilization(int targetMemoryUtilization) {
      this.targetMemoryUtilization = targetMemoryUtilization;
    }
  }

  /** The optional Ingress. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!self.enabled || has(self.host)",
      message = "ingress.host is required when the ingress is enabled")
  public static class Ingress {
    @JsonPropertyDescription("Whether to create an Ingress. Default false.")
    @Default("false")
    private boolean enabled;

    @JsonPropertyDescription("Host name the Ingress serves (required when enabled).")
    private String host;

    @JsonPropertyDescription("IngressClass to use (e.g. nginx); the cluster default when unset.")
    private String className;

    @JsonPropertyDescription(
        "Name of a Secret with the TLS certificate and key for host; plain HTTP when unset.")
    private String tlsSecretName;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getHost() {
      return host;
    }

    public void setHost(String host) {
      this.host = host;
    }

    public String getClassName() {
      return className;
    }

    public void setClassName(String className) {
      this.className = className;
    }

    public String getTlsSecretName() {
      return tlsSecretName;
    }

    public void setTlsSecretName(String tlsSecretName) {
      this.tlsSecretName = tlsSecretName;
    }
  }

  /** Access control of the data API. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Auth {
    @JsonPropertyDescription(
        "Name of a Secret whose key 'tokens' is the tokens file (one '<token> <namespace>=<role>,...'"
            + " per line). The endpoints re-read it when the Secret changes. No authentication"
            + " when unset.")
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    private String tokensSecretName;

    public String getTokensSecretName() {
      return tokensSecretName;
    }

    public void setTokensSecretName(String tokensSecretName) {
      this.tokensSecretName = tokensSecretName;
    }
  }

  /** TLS of the data API and of the internal transport. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Tls {
    @JsonPropertyDescription(
        "Name of a kubernetes.io/tls Secret (tls.crt, tls.key), e.g. one cert-manager keeps"
            + " renewed: the endpoints serve HTTPS on 8443 (Service port 443) with it, reload it"
            + " when it changes, and serve no plain HTTP. Plain HTTP when unset.")
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    private String secretName;

    @JsonPropertyDescription(
        "Name of a Secret with tls.crt, tls.key and ca.crt (as cert-manager writes them) for"
            + " mutual TLS on the internal transport: stores, endpoints and the operator present"
            + " tls.crt and accept only certificates signed by ca.crt, and reload it when it"
            + " changes. The transport is plain TCP (authenticated by the cluster secret, not"
            + " encrypted) when unset.")
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    private String transportSecretName;

    public String getSecretName() {
      return secretName;
    }

    public void setSecretName(String secretName) {
      this.secretName = secretName;
    }

    public String getTransportSecretName() {
      return transportSecretName;
    }

    public void setTransportSecretName(String transportSecretName) {
      this.transportSecretName = transportSecretName;
    }
  }
}
