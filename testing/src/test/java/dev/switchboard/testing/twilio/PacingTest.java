package dev.switchboard.testing.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PacingTest {
  @Test
  void periodsFollowTheFactor() {
    assertThat(Pacing.REALTIME.framePeriod()).isEqualTo(Duration.ofMillis(20));
    assertThat(Pacing.accelerated(4).framePeriod()).isEqualTo(Duration.ofMillis(5));
    assertThat(Pacing.accelerated(0.5).framePeriod()).isEqualTo(Duration.ofMillis(40));
    assertThat(Pacing.MANUAL.isManual()).isTrue();
    assertThat(Pacing.MANUAL.framePeriod()).isZero();
    assertThat(Pacing.accelerated(1)).isSameAs(Pacing.REALTIME);
    assertThat(Pacing.accelerated(2)).isEqualTo(Pacing.accelerated(2.0));
  }

  @Test
  void acceleratedRejectsFactorsOutOfRange() {
    assertThatThrownBy(() -> Pacing.accelerated(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Pacing.accelerated(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Pacing.accelerated(Pacing.MAX_FACTOR * 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("factor");
  }
}
