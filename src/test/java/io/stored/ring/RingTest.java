package io.stored.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stored.engine.ItemKey;
import io.stored.router.Router;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingTest {

  @Test
  void single_ownsEveryPartition() {
    Ring ring = Ring.single("local", "in-process", 16);
    assertThat(ring.epoch()).isEqualTo(1);
    for (int p = 0; p < 16; p++) {
      assertThat(ring.owners(p)).extracting(Member::name).containsExactly("local");
    }
    assertThat(ring.ownedBy("local")).isEqualTo(16);
  }

  @Test
  void empty_hasNoOwners() {
    Ring ring = Ring.empty(4);
    assertThat(ring.members()).isEmpty();
    assertThat(ring.owners(3)).isEmpty();
  }

  @Test
  void create_rejectsBrokenRings() {
    List<Member> two =
        List.of(new Member("a", "x", MemberState.ACTIVE), new Member("b", "y", MemberState.ACTIVE));
    assertThatThrownBy(() -> Ring.create(1, two, 2, 2, new int[][] {{0, 0}, {1}}))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> Ring.create(1, two, 2, 2, new int[][] {{0, 2}, {1}}))
        .hasMessageContaining("not a member");
    List<Member> three = new java.util.ArrayList<>(two);
    three.add(new Member("c", "z", MemberState.ACTIVE));
    assertThatThrownBy(() -> Ring.create(1, three, 2, 1, new int[][] {{0, 1, 2}, {1}}))
        .hasMessageContaining("owners");
    assertThatThrownBy(
            () -> Ring.create(1, three, 2, 1, new int[][] {{0}, {1}}, new int[][] {{1, 2}, {}}))
        .hasMessageContaining("pending");
    assertThatThrownBy(
            () -> Ring.create(1, three, 2, 2, new int[][] {{0}, {1}}, new int[][] {{0}, {}}))
        .hasMessageContaining("twice");
    assertThatThrownBy(
            () -> Ring.create(1, List.of(two.get(0), two.get(0)), 1, 1, new int[][] {{0}}))
        .hasMessageContaining("listed twice");
  }

  @Test
  void router_locatesByPartitionHash_andOnlyMovesForward() {
    Router router = new Router(Ring.empty(1024));
    ItemKey foo = ItemKey.of("default", "foo", "0");
    assertThat(router.locate(foo).primary()).isNull();

    assertThat(router.update(Ring.single("local", "in-process", 1024))).isTrue();
    Router.Location loc = router.locate(foo);
    assertThat(loc.partition()).isEqualTo(203);
    assertThat(loc.primary().name()).isEqualTo("local");
    assertThat(loc.epoch()).isEqualTo(1);

    assertThat(router.update(Ring.single("other", "in-process", 1024)))
        .as("same epoch is not newer")
        .isFalse();
    assertThat(router.locate(foo).primary().name()).isEqualTo("local");
    assertThatThrownBy(() -> router.update(Ring.single("x", "y", 512)))
        .hasMessageContaining("partition count");
  }

  @Test
  void description_roundTripsThroughJson_pendingOwnersIncluded() throws Exception {
    List<Member> ms =
        List.of(
            new Member("a", "h:1", MemberState.ACTIVE),
            new Member("b", "h:2", MemberState.JOINING),
            new Member("c", "h:3", MemberState.LEAVING));
    Ring ring =
        Ring.create(9, ms, 3, 2, new int[][] {{0, 2}, {2}, {}}, new int[][] {{1}, {}, {0, 1}});
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> back =
        json.readValue(json.writeValueAsString(RingDescription.of(ring)), java.util.Map.class);
    Ring parsed = RingDescription.parse(back);
    assertThat(parsed).usingRecursiveComparison().isEqualTo(ring);
    assertThatThrownBy(() -> RingDescription.parse(java.util.Map.of("epoch", 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
