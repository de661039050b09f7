package io.stored.operator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed of a {@link StoredCluster}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StoredClusterStatus {
  @JsonPropertyDescription(
      "Summary: Pending (being created), Ready, Scaling (store count changing), Rebalancing"
          + " (partitions moving), Degraded (a store is down or not ready), Invalid (spec"
          + " rejected; see the Invalid condition).")
  private String phase;

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Ready, Scaling, Rebalancing, Degraded and Invalid, with reasons and transition times.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Store pods that are ready (in the ring and in sync).")
  @StatusReplicas
  private int readyStores;

  @JsonPropertyDescription("Label selector of the store pods (for the scale subresource).")
  @LabelSelector
  private String selector;

  @JsonPropertyDescription("Epoch of the ring the operator published last.")
  private long ringEpoch;

  @JsonPropertyDescription("Each store pod: its state in the ring, partitions and readiness.")
  private List<Member> members = new ArrayList<>();

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public int getReadyStores() {
    return readyStores;
  }

  public void setReadyStores(int readyStores) {
    this.readyStores = readyStores;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public long getRingEpoch() {
    return ringEpoch;
  }

  public void setRingEpoch(long ringEpoch) {
    this.ringEpoch = ringEpoch;
  }

  public List<Member> getMembers() {
    return members;
  }

  public void setMembers(List<Member> members) {
    this.members = members;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredClusterStatus s
        && Objects.equals(phase, s.phase)
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions)
        && readyStores == s.readyStores
        && Objects.equals(selector, s.selector)
        && ringEpoch == s.ringEpoch
        && Objects.equals(members, s.members);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, observedGeneration, readyStores, ringEpoch);
  }

  @Override
  public String toString() {
    return "{phase="
        + phase
        + ", generation="
        + observedGeneration
        + ", readyStores="
        + readyStores
        + ", ringEpoch="
        + ringEpoch
        + ", members="
        + members
        + ", conditions="
        + conditions
        + "}";
  }

  /** One store pod. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Member {
    @JsonPropertyDescription("Pod name (the store's stable name in the ring).")
    private String pod;

    @JsonPropertyDescription("State in the ring: joining, active, leaving, down, or absent.")
    private String state;

    @JsonPropertyDescription("Partitions it owns (as primary or backup).")
    private int partitions;

    @JsonPropertyDescription("Whether the pod is ready.")
    private boolean ready;

    public Member() {}

    public Member(String pod, String state, int partitions, boolean ready) {
      this.pod = pod;
      this.state = state;
      this.partitions = partitions;
      this.ready = ready;
    }

    public String getPod() {
      return pod;
    }

    public void setPod(String pod) {
      this.pod = pod;
    }

    public String getState() {
      return state;
    }

    public void setState(String state) {
      this.state = state;
    }

    public int getPartitions() {
      return partitions;
    }

    public void setPartitions(int partitions) {
      this.partitions = partitions;
    }

    public boolean isReady() {
      return ready;
    }

    public void setReady(boolean ready) {
      this.ready = ready;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Member m
          && Objects.equals(pod, m.pod)
          && Objects.equals(state, m.state)
          && partitions == m.partitions
          && ready == m.ready;
    }

    @Override
    public int hashCode() {
      return Objects.hash(pod, state, partitions, ready);
    }

    @Override
    public String toString() {
      return pod + ":" + state + ":" + partitions + (ready ? ":ready" : ":not-ready");
    }
  }
}
