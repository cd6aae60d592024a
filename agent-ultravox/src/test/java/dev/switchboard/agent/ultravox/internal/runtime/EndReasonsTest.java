package dev.switchboard.agent.ultravox.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.CloseReason;
import org.junit.jupiter.api.Test;

/** How a direct session's close reason follows Ultravox's endReason, and the 400 fallback test. */
class EndReasonsTest {
  @Test
  void endReasonsMapToCloseCodes() {
    assertThat(DirectSession.reasonFor("hangup").code()).isEqualTo(CloseReason.Code.CALL_ENDED);
    assertThat(DirectSession.reasonFor("agent_hangup").code()).isEqualTo(CloseReason.Code.REMOTE);
    assertThat(DirectSession.reasonFor("timeout").code()).isEqualTo(CloseReason.Code.REMOTE);
    assertThat(DirectSession.reasonFor("unjoined").code()).isEqualTo(CloseReason.Code.ERROR);
    assertThat(DirectSession.reasonFor("system_error").code()).isEqualTo(CloseReason.Code.ERROR);
    assertThat(DirectSession.reasonFor("connection_error").code())
        .isEqualTo(CloseReason.Code.CONNECTION_LOST);
    assertThat(DirectSession.reasonFor(null).code()).isEqualTo(CloseReason.Code.REMOTE);
    assertThat(DirectSession.reasonFor("something_new").detail()).contains("something_new");
  }

  @Test
  void onlyAMessageNamingTheSampleRateTriggersTheFallback() {
    assertThat(UltravoxEngine.namesSampleRate("medium: serverWebSocket.inputSampleRate 8000"))
        .isTrue();
    assertThat(UltravoxEngine.namesSampleRate("Unsupported sample rate")).isTrue();
    assertThat(UltravoxEngine.namesSampleRate("systemPrompt: Not a valid string.")).isFalse();
    assertThat(UltravoxEngine.namesSampleRate(null)).isFalse();
  }
}
