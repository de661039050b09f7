package io.stored.operator;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Stored cluster on Kubernetes: stores, endpoints, replication, autoscaling and ingress. The
 * StoreMonkey operator reconciles it into a store StatefulSet, an endpoint Deployment, their
 * Services, a PodDisruptionBudget, the ring ConfigMap and the pods' RBAC.
 */
@Group(StoredCluster.GROUP)
@Version(StoredCluster.VERSION)
@Kind("StoredCluster")
@Plural("storedclusters")
@ShortNames("sc")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Stores",
    jsonPath = ".status.readyStores",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Epoch",
    jsonPath = ".status.ringEpoch",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class StoredCluster extends CustomResource<StoredClusterSpec, StoredClusterStatus>
    implements Namespaced {
  public static final String GROUP = "stored.io";
  public static final String VERSION = "v1alpha1";

  @Override
  protected StoredClusterSpec initSpec() {
    return new StoredClusterSpec();
  }
}
