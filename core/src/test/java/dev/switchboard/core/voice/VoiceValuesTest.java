package dev.switchboard.core.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class VoiceValuesTest {

  @Test
  void callStatesOnlyMoveForward() {
    assertThat(CallState.QUEUED.canMoveTo(CallState.RINGING)).isTrue();
    assertThat(CallState.RINGING.canMoveTo(CallState.IN_PROGRESS)).isTrue();
    assertThat(CallState.IN_PROGRESS.canMoveTo(CallState.RINGING)).isFalse();
    assertThat(CallState.IN_PROGRESS.canMoveTo(CallState.COMPLETED)).isTrue();
    assertThat(CallState.COMPLETED.canMoveTo(CallState.FAILED)).isFalse();
    assertThat(CallState.RINGING.canMoveTo(CallState.RINGING)).isFalse();
    assertThat(CallState.BUSY.isTerminal()).isTrue();
    assertThat(CallState.IN_PROGRESS.isTerminal()).isFalse();
  }

  @Test
  void transferTargetsAreValidated() {
    assertThat(TransferTarget.phoneNumber("+14155550100").kind())
        .isEqualTo(TransferTarget.Kind.PHONE_NUMBER);
    assertThat(TransferTarget.sip("sip:desk@pbx.example.com").address())
        .isEqualTo("sip:desk@pbx.example.com");
    assertThatThrownBy(() -> TransferTarget.phoneNumber("4155550100"))
        .hasMessageContaining("E.164")
        .hasMessageContaining("4155550100");
    assertThatThrownBy(() -> TransferTarget.sip("http://x@y")).hasMessageContaining("SIP URI");
    assertThatThrownBy(() -> TransferTarget.sip("sip:nohost")).hasMessageContaining("SIP URI");
  }

  @Test
  void callRequestsAreBuiltAndValidated() {
    CallRequest request =
        CallRequest.builder("+14155550100")
            .from("+14155550199")
            .parameter("agent", "support")
            .timeout(Duration.ofSeconds(30))
            .answeringMachineDetection(true)
            .build();
    assertThat(request.fromNumber()).contains("+14155550199");
    assertThat(request.parameters()).containsEntry("agent", "support");
    assertThat(request.answeringMachineDetection()).isTrue();
    assertThatThrownBy(() -> CallRequest.builder(" ").build())
        .hasMessageContaining("to must not be blank");
    assertThatThrownBy(() -> CallRequest.builder("+1415").timeout(Duration.ZERO).build())
        .hasMessageContaining("timeout must be positive");
  }
}
