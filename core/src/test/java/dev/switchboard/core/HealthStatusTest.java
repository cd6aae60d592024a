package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.HealthStatus.Check;
import dev.switchboard.core.HealthStatus.State;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthStatusTest {

  @Test
  void theOverallStateIsTheWorstCheck() {
    assertThat(HealthStatus.of().state()).isEqualTo(State.HEALTHY);
    assertThat(HealthStatus.of(Check.healthy("a"), Check.degraded("b", "429")).state())
        .isEqualTo(State.DEGRADED);
    assertThat(HealthStatus.of(Check.unhealthy("a", "down"), Check.degraded("b", "slow")).state())
        .isEqualTo(State.UNHEALTHY);
  }

  @Test
  void aStateBetterThanItsChecksIsRejected() {
    assertThatThrownBy(() -> new HealthStatus(State.HEALTHY, List.of(Check.unhealthy("a", "x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hides a check in state UNHEALTHY");
  }

  @Test
  void withAddsACheckAndWorsensTheState() {
    HealthStatus status = HealthStatus.of(Check.healthy("credentials"));
    HealthStatus worse = status.with(Check.degraded("breaker", "half-open"));
    assertThat(worse.state()).isEqualTo(State.DEGRADED);
    assertThat(worse.checks()).extracting(Check::name).containsExactly("credentials", "breaker");
    assertThat(status.checks()).hasSize(1);
  }

  @Test
  void checksNeedANameAndTheListIsCopied() {
    assertThatThrownBy(() -> Check.healthy(" ")).hasMessageContaining("blank");
    List<Check> checks = new java.util.ArrayList<>(List.of(Check.healthy("a")));
    HealthStatus status = HealthStatus.of(checks);
    checks.add(Check.unhealthy("b", "x"));
    assertThat(status.checks()).hasSize(1);
  }
}
