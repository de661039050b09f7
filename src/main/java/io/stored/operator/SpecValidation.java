package io.stored.operator;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks the CRD schema makes, made again by the reconciler (a CRD may be installed without its
 * validation, or be older than the operator), with a message that names each field.
 */
final class SpecValidation {
  private SpecValidation() {}

  /**
   * What is wrong with {@code spec}; empty when it is valid.
   *
   * @param existingPartitions the partition count the cluster was created with, or null
   */
  static List<String> errors(StoredClusterSpec spec, Integer existingPartitions) {
    List<String> errors = new ArrayList<>();
    if (spec == null) {
      errors.add("spec is missing");
      return errors;
    }
    int stores = spec.getStores() == null ? 0 : spec.getStores().getReplicas();
    if (spec.getStores() == null || stores < 1) {
      errors.add("stores.replicas must be at least 1");
    }
    if (spec.getReplicationFactor() < 1 || spec.getReplicationFactor() > 5) {
      errors.add("replicationFactor must be between 1 and 5, was " + spec.getReplicationFactor());
    } else if (spec.getReplicationFactor() > stores) {
      errors.add(
          "replicationFactor ("
              + spec.getReplicationFactor()
              + ") must not exceed stores.replicas ("
              + stores
              + ")");
    }
    if (spec.getPartitions() < 1 || spec.getPartitions() > 65536) {
      errors.add("partitions must be between 1 and 65536, was " + spec.getPartitions());
    }
    if (existingPartitions != null && existingPartitions != spec.getPartitions()) {
      errors.add(
          "partitions cannot change after creation (created with "
              + existingPartitions
              + ", now "
              + spec.getPartitions()
              + ")");
    }
    if (spec.getStores() != null) {
      try {
        if (Quantity.getAmountInBytes(new Quantity(spec.getStores().getMaxMemory())).signum()
            <= 0) {
          errors.add("stores.maxMemory must be positive");
        }
      } catch (RuntimeException e) {
        errors.add("stores.maxMemory is not a quantity: '" + spec.getStores().getMaxMemory() + "'");
      }
    }
    if (spec.getEndpoints() == null || spec.getEndpoints().getReplicas() < 1) {
      errors.add("endpoints.replicas must be at least 1");
    } else if (!List.of("ClusterIP", "NodePort", "LoadBalancer")
        .contains(spec.getEndpoints().getService().getType())) {
      errors.add(
          "endpoints.service.type must be ClusterIP, NodePort or LoadBalancer, was "
              + spec.getEndpoints().getService().getType());
    }
    StoredClusterSpec.Autoscaling a = spec.getAutoscaling();
    if (a != null && a.isEnabled() && a.getMinStores() > a.getMaxStores()) {
      errors.add("autoscaling.minStores must not exceed autoscaling.maxStores");
    }
    if (spec.getIngress() != null
        && spec.getIngress().isEnabled()
        && (spec.getIngress().getHost() == null || spec.getIngress().getHost().isBlank())) {
      errors.add("ingress.host is required when the ingress is enabled");
    }
    if (spec.getImage() == null || spec.getImage().isBlank()) {
      errors.add("image must be set");
    }
    return errors;
  }
}
