package io.stored.node;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.stored.api.Problems;
import io.stored.ring.Ring;
import io.stored.ring.RingDescription;
import java.util.Map;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Watches a cluster's ring ConfigMap (a fabric8 informer; Kubernetes mode) and hands every ring it
 * holds to {@code onRing}: the persisted ring the operator publishes, a second way for pods to
 * learn the ring besides the monkey's push and the stores.
 */
public final class RingWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RingWatcher.class);
  static final String KEY = "ring.json";

  private final SharedIndexInformer<ConfigMap> informer;

  public RingWatcher(
      KubernetesClient client, String namespace, String name, Consumer<Ring> onRing) {
    this.informer =
        client
            .configMaps()
            .inNamespace(namespace)
            .withName(name)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(ConfigMap cm) {
                    deliver(cm, onRing);
                  }

                  @Override
                  public void onUpdate(ConfigMap old, ConfigMap cm) {
                    deliver(cm, onRing);
                  }

                  @Override
                  public void onDelete(ConfigMap cm, boolean unknownFinalState) {}
                });
  }

  @SuppressWarnings("unchecked")
  private static void deliver(ConfigMap cm, Consumer<Ring> onRing) {
    String json = cm.getData() == null ? null : cm.getData().get(KEY);
    if (json == null) {
      return;
    }
    try {
      onRing.accept(RingDescription.parse(Problems.JSON.readValue(json, Map.class)));
    } catch (Exception e) {
      LOG.warnf(
          "ignoring ConfigMap %s: %s is not a ring (%s)",
          cm.getMetadata().getName(), KEY, e.getMessage());
    }
  }

  @Override
  public void close() {
    informer.close();
  }
}
