package io.stored.operator;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The checks the CRD schema makes, made again by the reconciler (a CRD may be installed without its
 * validation, or be older than the operator), with a message that names each field.
 */
final class SpecValidation {
  /** A Stored property name, as spec.*.config takes them. */
  private static final Pattern PROPERTY = Pattern.compile("stored\\.[a-z0-9]+([.-][a-z0-9]+)*");

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
    if (spec.getStores() != null) {
      configErrors("stores.config", spec.getStores().getConfig(), errors);
    }
    if (spec.getEndpoints() != null) {
      configErrors("endpoints.config", spec.getEndpoints().getConfig(), errors);
    }
    return errors;
  }

  /** Each setting must be a Stored property the operator does not set, with a value. */
  private static void configErrors(String field, Map<String, String> config, List<String> errors) {
    if (config == null) {
      return;
    }
    Map<String, String> byEnv = new HashMap<>();
    new TreeMap<>(config)
        .forEach(
            (property, value) -> {
              if (!PROPERTY.matcher(property).matches()) {
                errors.add(field + ": '" + property + "' is not a Stored property (stored.*)");
              } else if (ClusterResources.MANAGED_PROPERTIES.contains(property)) {
                errors.add(field + ": " + property + " is set by the operator");
              } else if (value == null) {
                errors.add(field + ": " + property + " has no value");
              } else {
                String other = byEnv.put(ClusterResources.envName(property), property);
                if (other != null) {
                  errors.add(field + ": " + other + " and " + property + " are the same setting");
                }
              }
            });
  }
}
