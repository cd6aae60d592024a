package dev.switchboard.agent.ultravox;

import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.testing.kit.AgentRuntimeCompatibilityKit;
import dev.switchboard.testing.ultravox.AgentReply;
import dev.switchboard.testing.ultravox.FakeUltravox;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The agent compatibility kit, against FakeUltravox (both modes, TEXT refused). */
class UltravoxAgentRuntimeCompatibilityTest extends AgentRuntimeCompatibilityKit {
  private static FakeUltravox fake;

  @BeforeAll
  static void startFake() {
    fake =
        FakeUltravox.builder()
            .greeting(AgentReply.say("Hello, this is the test agent.", Duration.ofMillis(400)))
            .build();
    fake.start();
  }

  @AfterAll
  static void stopFake() {
    fake.close();
  }

  @Override
  protected AgentRuntime createRuntime() {
    return UltravoxAgentRuntime.builder().apiKey(fake.apiKey()).baseUrl(fake.baseUrl()).build();
  }
}
