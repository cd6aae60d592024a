package dev.switchboard.testing.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.ToolResult;
import dev.switchboard.testing.RecordingAgentListener;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every {@link AgentRuntime} keeps. Extend it in the runtime's tests, return a new
 * runtime wired to fakes from {@link #createRuntime()}, and override {@link #options(Capability)}
 * if sessions need more than the defaults.
 *
 * <pre>{@code
 * class OpenAiRealtimeAgentRuntimeTest extends AgentRuntimeCompatibilityKit {
 *   @Override protected AgentRuntime createRuntime() { return runtimeAgainst(fakeServer); }
 * }
 * }</pre>
 */
public abstract class AgentRuntimeCompatibilityKit {
  /** The runtime under test: created before each test, closed after it. */
  protected AgentRuntime runtime;

  /** Creates the kit. */
  protected AgentRuntimeCompatibilityKit() {}

  /**
   * Creates a new runtime wired to fakes.
   *
   * @return the runtime
   */
  protected abstract AgentRuntime createRuntime();

  /**
   * Returns the options the kit opens sessions with in a mode.
   *
   * @param mode a capability the runtime declares
   * @return the options
   */
  protected SessionOptions options(Capability mode) {
    return SessionOptions.builder(mode).instructions("You are a test agent.").build();
  }

  @BeforeEach
  void createTheRuntime() {
    runtime = createRuntime();
  }

  @AfterEach
  void closeTheRuntime() {
    runtime.close();
  }

  private AgentSession open(Capability mode, RecordingAgentListener listener) {
    assumeTrue(runtime.capabilities().contains(mode), "the runtime does not declare " + mode);
    return Futures.await(runtime.openSession(options(mode), listener));
  }

  /** What the runtime declares. */
  @Nested
  class Capabilities {
    @Test
    void itIsNamedAndDeclaresWhatItCanDo() {
      assertThat(runtime.name()).matches("[a-z0-9-]+");
      assertThat(runtime.capabilities()).isNotEmpty();
      assertThat(runtime.health()).isNotNull();
    }

    @Test
    void aModeItDoesNotDeclareIsRefused() {
      Set<Capability> missing = EnumSet.complementOf(EnumSet.copyOf(runtime.capabilities()));
      assumeTrue(!missing.isEmpty(), "the runtime declares every capability");
      Capability mode = missing.iterator().next();
      Throwable failure =
          Futures.failure(() -> runtime.openSession(options(mode), new RecordingAgentListener()));
      assertThat(failure)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(mode.name());
    }
  }

  /** Opening and closing sessions. */
  @Nested
  class Sessions {
    @ParameterizedTest
    @EnumSource(Capability.class)
    void aSessionClosesExactlyOnceAndRefusesSendsAfterwards(Capability mode) {
      RecordingAgentListener listener = new RecordingAgentListener();
      AgentSession session = open(mode, listener);
      assertThat(session.isOpen()).isTrue();
      assertThat(session.mode()).isEqualTo(mode);
      Futures.await(session.close());
      Futures.await(session.close());
      listener.awaitClosed();
      assertThat(session.isOpen()).isFalse();
      assertThat(session.sendText("hello?")).isFalse();
      assertThat(session.sendToolResult(ToolResult.success("call-1", "{}"))).isFalse();
      if (mode == Capability.AUDIO_STREAMING) {
        assertThat(session.sendAudio(AudioChunk.wrap(session.inputFormat(), new byte[0])))
            .isFalse();
      }
      assertThat(listener.closeCount()).isEqualTo(1);
      listener.assertContractKept();
    }

    @Test
    void closingTheRuntimeClosesItsSessions() {
      Capability mode = runtime.capabilities().iterator().next();
      RecordingAgentListener listener = new RecordingAgentListener();
      AgentSession session = open(mode, listener);
      runtime.close();
      listener.awaitClosed();
      assertThat(session.isOpen()).isFalse();
      listener.assertContractKept();
    }

    @Test
    void aTelephonyDirectSessionGivesAJoinUrl() {
      RecordingAgentListener listener = new RecordingAgentListener();
      AgentSession session = open(Capability.TELEPHONY_DIRECT, listener);
      assertThat(session.joinUrl()).isPresent();
    }
  }

  /** Turn-based text. */
  @Nested
  class Text {
    @Test
    void aMessageGetsAResponse() {
      RecordingAgentListener listener = new RecordingAgentListener();
      AgentSession session = open(Capability.TEXT, listener);
      assertThat(session.sendText("Hello, who am I talking to?")).isTrue();
      listener.awaitResponseDone();
      Futures.await(session.close());
      listener.awaitClosed();
      listener.assertContractKept();
    }
  }

  /** How long the kit waits for sessions. */
  protected static final Duration TIMEOUT = Futures.TIMEOUT;
}
