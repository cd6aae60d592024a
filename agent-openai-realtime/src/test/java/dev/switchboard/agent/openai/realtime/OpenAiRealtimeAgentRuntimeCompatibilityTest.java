package dev.switchboard.agent.openai.realtime;

import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.testing.kit.AgentRuntimeCompatibilityKit;
import dev.switchboard.testing.openai.FakeOpenAiRealtimeServer;
import dev.switchboard.testing.openai.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The agent compatibility kit, against the fake OpenAI Realtime server. */
class OpenAiRealtimeAgentRuntimeCompatibilityTest extends AgentRuntimeCompatibilityKit {
  private static FakeOpenAiRealtimeServer fake;

  @BeforeAll
  static void startFake() {
    fake =
        FakeOpenAiRealtimeServer.builder()
            .apiKey("sk-test")
            .fallbackReply(Reply.text("Hello, this is the test agent."))
            .pace(20)
            .build();
    fake.start();
  }

  @AfterAll
  static void stopFake() {
    fake.close();
  }

  @Override
  protected AgentRuntime createRuntime() {
    return OpenAiRealtimeAgentRuntime.builder().apiKey("sk-test").baseUrl(fake.baseUrl()).build();
  }
}
