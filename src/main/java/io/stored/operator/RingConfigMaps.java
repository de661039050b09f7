package io.stored.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.stored.ring.Ring;
import io.stored.ring.RingDescription;
import java.util.Map;

/**
 * Writes a cluster's ring into its ring ConfigMap ({@code <name>-ring}, key {@code ring.json}): the
 * persisted ring, readable with {@code kubectl get configmap <name>-ring -o yaml}. A JSON merge
 * patch, so it never conflicts with the reconciler's own writes of the object.
 */
public final class RingConfigMaps {
  static final String KEY = "ring.json";

  private RingConfigMaps() {}

  /** Publishes {@code ring} for the cluster {@code namespace/name}. */
  public static void publish(KubernetesClient client, String clusterKey, Ring ring) {
    int slash = clusterKey.indexOf('/');
    String namespace = clusterKey.substring(0, slash);
    String name = clusterKey.substring(slash + 1);
    String json = client.getKubernetesSerialization().asJson(RingDescription.of(ring));
    String patch =
        client
            .getKubernetesSerialization()
            .asJson(Map.of("data", Map.of(KEY, json, "epoch", Long.toString(ring.epoch()))));
    client
        .configMaps()
        .inNamespace(namespace)
        .withName(name + "-ring")
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }
}
