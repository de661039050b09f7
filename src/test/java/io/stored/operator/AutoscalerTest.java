package io.stored.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AutoscalerTest {
  private static final long GB = 1L << 30;
  private static final long AFTER = Autoscaler.SCALE_IN_AFTER.toMillis();

  @Test
  void aboveTheTarget_addsOneStore_upToMax() {
    assertThat(Autoscaler.decide(3, 3, 10, 70, (long) (2.4 * GB), 3 * GB, -1, 0)).isEqualTo(4);
    assertThat(Autoscaler.decide(10, 3, 10, 70, 10 * GB, 10 * GB, -1, 0)).isEqualTo(10);
  }

  @Test
  void belowTheTarget_removesOneOnlyAfterItStayedLow_andNotBelowMin() {
    long used = (long) (1.0 * GB); // 4 stores of 1 GB at 25 %: 3 would be at 33 %, under 60 %
    assertThat(Autoscaler.lowEnoughToRemoveOne(4, 70, used, 4 * GB)).isTrue();
    assertThat(Autoscaler.decide(4, 3, 10, 70, used, 4 * GB, 1000, 1000 + AFTER - 1)).isEqualTo(4);
    assertThat(Autoscaler.decide(4, 3, 10, 70, used, 4 * GB, 1000, 1000 + AFTER)).isEqualTo(3);
    assertThat(Autoscaler.decide(3, 3, 10, 70, used, 3 * GB, 0, 10 * AFTER)).isEqualTo(3);
  }

  @Test
  void nearTheTarget_staysPut_hysteresis() {
    // 4 stores at 50 %: removing one would put 3 at 67 %, not 10 points under 70: stay
    long used = 2 * GB;
    assertThat(Autoscaler.lowEnoughToRemoveOne(4, 70, used, 4 * GB)).isFalse();
    assertThat(Autoscaler.decide(4, 3, 10, 70, used, 4 * GB, 0, 10 * AFTER)).isEqualTo(4);
  }

  @Test
  void outsideTheBounds_isBroughtBack_andUnknownCapacityChangesNothing() {
    assertThat(Autoscaler.decide(2, 3, 10, 70, 0, 2 * GB, -1, 0)).isEqualTo(3);
    assertThat(Autoscaler.decide(12, 3, 10, 70, 0, 12 * GB, -1, 0)).isEqualTo(10);
    assertThat(Autoscaler.decide(5, 3, 10, 70, 0, 0, -1, 0)).isEqualTo(5);
  }
}
