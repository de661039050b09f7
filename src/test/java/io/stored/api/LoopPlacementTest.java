package io.stored.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoopPlacementTest {
  @Test
  void eachCpuHasItsOwnLoopWhileTheLoopsStayWithinTheSlack() {
    LoopPlacement p = new LoopPlacement(2);
    assertThat(p.choose(0)).isZero();
    assertThat(p.choose(1)).isEqualTo(1);
    assertThat(p.choose(2)).isZero();
    assertThat(p.choose(7)).isEqualTo(1);
    // one client thread's pool, all from CPU 0, stays together up to the slack
    for (int i = 0; i < LoopPlacement.SLACK; i++) {
      assertThat(p.choose(0)).isZero();
      p.opened(0);
    }
    assertThat(p.open(0)).isEqualTo(LoopPlacement.SLACK);
    assertThat(p.choose(0)).as("past the slack the least busy loop takes it").isEqualTo(1);
    p.opened(1);
    assertThat(p.choose(0)).isEqualTo(0);
    p.closed(0);
    p.closed(0);
    assertThat(p.choose(0)).isZero();
    assertThat(p.choose(1)).isEqualTo(1);
    assertThat(p.accepted(0)).isEqualTo(LoopPlacement.SLACK);
    assertThat(p.accepted(1)).isEqualTo(1);
  }

  @Test
  void aPoolThatAllComesFromOneCpuIsSpreadOnlyPastTheSlack() {
    // design.md's figure: one CPU brings 40 connections (one queue, or one thread's pool)
    LoopPlacement p = new LoopPlacement(2);
    for (int i = 0; i < 40; i++) {
      p.opened(p.choose(0));
    }
    assertThat(p.open(0)).isEqualTo(36);
    assertThat(p.open(1)).isEqualTo(4);
  }

  @Test
  void connectionsThatReportTheirCpu_fillOneLoopToTheSlack_thenEveryLoopHomeToItTakesTurns() {
    // two client threads connect one after the other from CPU 0 (or one NIC queue brings all)
    LoopPlacement p = new LoopPlacement(2);
    for (int i = 0; i < 64; i++) {
      int loop = p.choose(0);
      assertThat(loop).as("connection %d", i).isEqualTo(i < 32 ? 0 : 1);
      connect(p, loop, 0, 1);
    }
    for (int i = 0; i < 36; i++) {
      connect(p, p.choose(0), 0, 1);
    }
    assertThat(p.open(0)).isEqualTo(50);
    assertThat(p.open(1)).isEqualTo(50);
  }

  @Test
  void anUnknownCpuGoesToTheLeastBusyLoop() {
    LoopPlacement p = new LoopPlacement(3);
    p.opened(0);
    p.opened(2);
    assertThat(p.choose(-1)).isEqualTo(1);
    p.opened(1);
    p.opened(1);
    assertThat(p.choose(-1)).isZero();
  }

  @Test
  void whenClientThreadsTradeCpus_theLoopsFollowAndNothingIsAstray() {
    LoopPlacement p = new LoopPlacement(2);
    connect(p, 0, 0, 32); // placed by CPU: loop 0 serves CPU 0's thread, loop 1 CPU 1's
    connect(p, 1, 1, 32);
    for (int i = 0; i < 32; i++) { // the two client threads swap CPUs
      p.reported(0, 0, 1);
      p.reported(1, 1, 0);
    }
    assertThat(p.elsewhere(0, 1)).isEqualTo(-1);
    assertThat(p.elsewhere(1, 0)).isEqualTo(-1);
    p.closed(0); // one connection of each closes and its client reconnects
    p.reported(0, 1, -1);
    p.closed(1);
    p.reported(1, 0, -1);
    assertThat(p.choose(1)).as("to the loop its thread's connections are on").isZero();
    assertThat(p.choose(0)).isEqualTo(1);
  }

  @Test
  void aConnectionWhoseCpuIsAnotherLoopsHome_belongsThere() {
    // two client threads connected from CPU 0, so the slack split them 48/16; then one moved
    LoopPlacement p = new LoopPlacement(2);
    connect(p, 0, 0, 48);
    connect(p, 1, 0, 16);
    for (int i = 0; i < 16; i++) {
      p.reported(0, 0, 1); // the moved thread's connections on loop 0
      p.reported(1, 0, 1); // and all of loop 1's
    }
    assertThat(p.elsewhere(0, 1)).as("loop 0 is CPU 0's home, loop 1 CPU 1's").isEqualTo(1);
    assertThat(p.elsewhere(0, 0)).isEqualTo(-1);
    assertThat(p.elsewhere(1, 1)).isEqualTo(-1);
    for (int i = 0; i < 16; i++) { // each is asked to reconnect, and comes back from CPU 1
      p.closed(0);
      p.reported(0, 1, -1);
      int loop = p.choose(1);
      assertThat(loop).isEqualTo(1);
      connect(p, loop, 1, 1);
    }
    assertThat(p.open(0)).isEqualTo(32);
    assertThat(p.open(1)).isEqualTo(32);
    assertThat(p.elsewhere(0, 0)).isEqualTo(-1);
    assertThat(p.elsewhere(1, 1)).isEqualTo(-1);
  }

  @Test
  void nothingMovesToACpuNoLoopIsHomeTo_orToALoopPastTheSlack() {
    // a host whose network queues bring connections on four CPUs to two loops
    LoopPlacement p = new LoopPlacement(2);
    connect(p, 0, 0, 3);
    connect(p, 0, 2, 2);
    connect(p, 1, 1, 3);
    connect(p, 1, 3, 2);
    assertThat(p.elsewhere(0, 2)).isEqualTo(-1);
    assertThat(p.elsewhere(1, 3)).isEqualTo(-1);
    assertThat(p.elsewhere(0, 1)).as("CPU 1's home has room").isEqualTo(1);
    for (int i = 0; i < LoopPlacement.SLACK; i++) {
      p.opened(1);
    }
    assertThat(p.elsewhere(0, 1)).as("CPU 1's home is full").isEqualTo(-1);
  }

  @Test
  void aTieKeepsTheHomeALoopHad() {
    LoopPlacement p = new LoopPlacement(2);
    connect(p, 0, 0, 2);
    connect(p, 0, 1, 2);
    connect(p, 1, 1, 1);
    assertThat(p.elsewhere(0, 1)).as("loop 0 stays CPU 0's home at 2 to 2").isEqualTo(1);
    connect(p, 0, 1, 1);
    assertThat(p.elsewhere(0, 1)).as("now most of loop 0's report CPU 1").isEqualTo(-1);
    assertThat(p.elsewhere(0, 0)).isEqualTo(-1);
  }

  @Test
  void aLoopMovesAtMostSoManyConnectionsASecond() {
    LoopPlacement p = new LoopPlacement(2);
    long t = 5_000_000_000L;
    for (int i = 0; i < LoopPlacement.MOVES_PER_SECOND; i++) {
      assertThat(p.mayMove(0, t + i)).isTrue();
    }
    assertThat(p.mayMove(0, t + 999_999_999L)).isFalse();
    assertThat(p.mayMove(1, t)).as("each loop its own").isTrue();
    assertThat(p.mayMove(0, t + 1_000_000_000L)).as("a second later").isTrue();
  }

  /** {@code n} connections open on {@code loop}, reporting {@code cpu}. */
  private static void connect(LoopPlacement p, int loop, int cpu, int n) {
    for (int i = 0; i < n; i++) {
      p.opened(loop);
      p.reported(loop, -1, cpu);
    }
  }

  @Test
  void oneLoopTakesEverything() {
    LoopPlacement p = new LoopPlacement(1);
    assertThat(p.choose(5)).isZero();
    assertThat(p.choose(-1)).isZero();
    assertThatThrownBy(() -> new LoopPlacement(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
