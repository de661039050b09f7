package io.stored.node;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;
import java.util.Set;

/** What this process is. */
@ConfigMapping(prefix = "stored")
public interface NodeConfig {
  /**
   * Roles this process runs, comma separated: {@code endpoint}, {@code store}, {@code monkey}. The
   * default, {@code endpoint,store}, is the single-process Stored: one endpoint, one router and one
   * store owning every partition.
   */
  @WithDefault("endpoint,store")
  Set<Role> roles();

  /**
   * This node's stable name in the ring (the StatefulSet pod name on Kubernetes). Defaults to the
   * {@code HOSTNAME} environment variable, else {@code local}.
   */
  Optional<String> nodeName();

  /** The name this node uses in the ring. */
  default String memberName() {
    return nodeName()
        .or(() -> Optional.ofNullable(System.getenv("HOSTNAME")))
        .filter(s -> !s.isBlank())
        .orElse("local");
  }
}
