package io.stored.ring;

import static io.stored.common.Checks.requireArgument;

/**
 * A store in the ring.
 *
 * @param name stable identity (the StatefulSet pod name on Kubernetes), never an IP
 * @param address where other nodes reach it ({@code host:port} of the internal transport)
 * @param state its membership state
 */
public record Member(String name, String address, MemberState state) {
  public Member {
    requireArgument(name != null && !name.isBlank(), "member name must not be blank");
    requireArgument(address != null, "member %s: address must be set", name);
    requireArgument(state != null, "member %s: state must be set", name);
  }
}
