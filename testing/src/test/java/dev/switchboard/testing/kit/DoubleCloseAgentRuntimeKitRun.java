package dev.switchboard.testing.kit;

import dev.switchboard.core.CloseReason;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;

/** A runtime whose sessions report their close twice. */
class DoubleCloseAgentRuntimeKitRun extends AgentRuntimeCompatibilityKit {
  @Override
  protected AgentRuntime createRuntime() {
    AgentRuntime echo =
        new EchoAgentRuntime(EnumSet.of(Capability.TEXT, Capability.AUDIO_STREAMING));
    return new AgentRuntime() {
      @Override
      public String name() {
        return "double-close";
      }

      @Override
      public java.util.Set<Capability> capabilities() {
        return echo.capabilities();
      }

      @Override
      public CompletableFuture<AgentSession> openSession(
          SessionOptions options, AgentSession.Listener listener) {
        AgentSession.Listener twice =
            new AgentSession.Listener() {
              @Override
              public void onClosed(CloseReason reason) {
                listener.onClosed(reason);
                listener.onClosed(reason);
              }

              @Override
              public void onResponseDone(String responseId) {
                listener.onResponseDone(responseId);
              }

              @Override
              public void onTranscript(dev.switchboard.core.agent.Transcript transcript) {
                listener.onTranscript(transcript);
              }
            };
        return echo.openSession(options, twice);
      }

      @Override
      public dev.switchboard.core.HealthStatus health() {
        return echo.health();
      }

      @Override
      public void close() {
        echo.close();
      }
    };
  }
}
