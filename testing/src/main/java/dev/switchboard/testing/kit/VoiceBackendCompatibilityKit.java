package dev.switchboard.testing.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.ConnectionState;
import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallRequest;
import dev.switchboard.core.voice.VoiceBackend;
import dev.switchboard.testing.RecordingCallListener;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link VoiceBackend} keeps. Extend it in the provider's tests, return a new
 * backend wired to fakes from {@link #createBackend()}, and override the hooks for what the backend
 * can do.
 *
 * <pre>{@code
 * class TwilioVoiceBackendTest extends VoiceBackendCompatibilityKit {
 *   @Override protected VoiceBackend createBackend() { return backendAgainst(fakeTwilio); }
 *   @Override protected Optional<CallRequest> outboundCallRequest() {
 *     return Optional.of(CallRequest.builder("+14155550100").build());
 *   }
 * }
 * }</pre>
 */
public abstract class VoiceBackendCompatibilityKit {
  /** The backend under test: created before each test, stopped after it. */
  protected VoiceBackend backend;

  /** Creates the kit. */
  protected VoiceBackendCompatibilityKit() {}

  /**
   * Creates a new, unstarted backend wired to fakes.
   *
   * @return the backend
   */
  protected abstract VoiceBackend createBackend();

  /**
   * Capability hook: a request for an outbound call the backend's fakes accept, or empty if the
   * backend cannot place calls.
   *
   * @return the request
   */
  protected Optional<CallRequest> outboundCallRequest() {
    return Optional.empty();
  }

  /**
   * Capability hook: a configuration change the backend accepts while running, or empty if none.
   *
   * @return the change
   */
  protected Optional<ProviderConfig> acceptedReconfiguration() {
    return Optional.empty();
  }

  @BeforeEach
  void createTheBackend() {
    backend = createBackend();
  }

  @AfterEach
  void stopTheBackend() {
    Futures.await(backend.stop(Duration.ZERO));
  }

  /** Start, stop, state and health. */
  @Nested
  class Lifecycle {
    @Test
    void aNewBackendIsStoppedAndNamed() {
      assertThat(backend.connectionState()).isEqualTo(ConnectionState.STOPPED);
      assertThat(backend.name()).matches("[a-z0-9-]+");
    }

    @Test
    void startMakesItServeAndIsIdempotent() {
      backend.start();
      backend.start();
      assertThat(backend.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    }

    @Test
    void stopEndsServingAndIsIdempotent() {
      backend.start();
      Futures.await(backend.stop(Duration.ofSeconds(1)));
      Futures.await(backend.stop(Duration.ofSeconds(1)));
      assertThat(backend.connectionState()).isEqualTo(ConnectionState.STOPPED);
    }

    @Test
    void healthNamesItsChecks() {
      backend.start();
      assertThat(backend.health().checks()).isNotEmpty();
    }
  }

  /** Reading and changing the configuration. */
  @Nested
  class Configuration {
    @Test
    void theConfigurationNeverPrintsASecret() {
      ProviderConfig config = backend.configuration();
      for (String key : config.keys()) {
        if (config.isSecret(key)) {
          assertThat(config.toString()).doesNotContain(config.string(key));
        }
      }
    }

    @Test
    void anUnknownKeyIsRejectedAndNothingChanges() {
      backend.start();
      ProviderConfig before = backend.configuration();
      assertThatThrownBy(
              () -> backend.reconfigure(ProviderConfig.of(java.util.Map.of("no-such-key", "x"))))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("no-such-key");
      assertThat(backend.configuration()).isEqualTo(before);
    }

    @Test
    void anAcceptedChangeIsApplied() {
      Optional<ProviderConfig> change = acceptedReconfiguration();
      assumeTrue(change.isPresent(), "the backend declares no setting that changes while running");
      backend.start();
      backend.reconfigure(change.get());
      for (String key : change.get().keys()) {
        assertThat(backend.configuration().optional(key)).isEqualTo(change.get().optional(key));
      }
    }
  }

  /** Finding, placing and tracking calls. */
  @Nested
  class Calls {
    @Test
    void anUnknownCallIsNotFound() {
      backend.start();
      assertThat(backend.call("CA00000000000000000000000000000000")).isEmpty();
      assertThat(backend.calls()).isEmpty();
      assertThat(backend.activeCallCount()).isZero();
    }

    @Test
    void aStoppedBackendPlacesNoCall() {
      CallRequest request =
          outboundCallRequest().orElse(CallRequest.builder("+14155550100").build());
      Throwable failure = Futures.failure(() -> backend.placeCall(request));
      assertThat(failure).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anOutboundCallIsTrackedAndReported() {
      Optional<CallRequest> request = outboundCallRequest();
      assumeTrue(request.isPresent(), "the backend does not place outbound calls");
      RecordingCallListener events = new RecordingCallListener();
      backend.addListener(events);
      backend.start();
      Call call = Futures.await(backend.placeCall(request.get()));
      assertThat(backend.call(call.id())).isPresent();
      assertThat(call.to()).isEqualTo(request.get().to());
      events.await(CallEvent.StateChanged.class, e -> e.callId().equals(call.id()));
    }

    @Test
    void aRemovedListenerHearsNothingMore() {
      Optional<CallRequest> request = outboundCallRequest();
      assumeTrue(request.isPresent(), "the backend does not place outbound calls");
      RecordingCallListener removed = new RecordingCallListener();
      RecordingCallListener kept = new RecordingCallListener();
      backend.addListener(removed);
      backend.addListener(kept);
      backend.removeListener(removed);
      backend.start();
      Call call = Futures.await(backend.placeCall(request.get()));
      kept.await(CallEvent.StateChanged.class, e -> e.callId().equals(call.id()));
      assertThat(removed.all()).isEmpty();
    }
  }
}
