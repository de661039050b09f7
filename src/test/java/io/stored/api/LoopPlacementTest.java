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
  void oneLoopTakesEverything() {
    LoopPlacement p = new LoopPlacement(1);
    assertThat(p.choose(5)).isZero();
    assertThat(p.choose(-1)).isZero();
    assertThatThrownBy(() -> new LoopPlacement(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
