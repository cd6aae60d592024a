package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretTest {

  @Test
  void neverPrintsItsValue() {
    Secret secret = Secret.of("sk-live-123");
    assertThat(secret.toString()).isEqualTo("****");
    assertThat(String.valueOf(secret)).doesNotContain("sk-live");
    assertThat(new Holder(secret).toString()).doesNotContain("sk-live");
    assertThat(secret.reveal()).isEqualTo("sk-live-123");
  }

  @Test
  void comparesByValue() {
    assertThat(Secret.of("a").matches("a")).isTrue();
    assertThat(Secret.of("a").matches("b")).isFalse();
    assertThat(Secret.of("a")).isEqualTo(Secret.of("a")).isNotEqualTo(Secret.of("ab"));
  }

  @Test
  void mustNotBeEmpty() {
    assertThatThrownBy(() -> Secret.of("")).hasMessageContaining("must not be empty");
  }

  private record Holder(Secret token) {}
}
