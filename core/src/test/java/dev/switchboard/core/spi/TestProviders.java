package dev.switchboard.core.spi;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.messaging.ConversationalBackend;
import dev.switchboard.core.voice.VoiceBackend;

/**
 * Providers for {@link ProviderCatalogTest}, registered by binary name ({@code
 * TestProviders$FakeVoiceBackendProvider}) in the test class path's {@code META-INF/services} or in
 * the service files a test writes for its own class loader.
 */
public final class TestProviders {
  private TestProviders() {}

  /** The voice provider "fake". */
  public static final class FakeVoiceBackendProvider implements VoiceBackendProvider {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public VoiceBackend create(ProviderConfig config) {
      return new FakeVoiceBackend(name(), config);
    }
  }

  /** The voice provider "alpha", registered after "fake" to show that names come out sorted. */
  public static final class AlphaVoiceBackendProvider implements VoiceBackendProvider {
    @Override
    public String name() {
      return "alpha";
    }

    @Override
    public VoiceBackend create(ProviderConfig config) {
      return new FakeVoiceBackend(name(), config);
    }
  }

  /** A second voice provider that calls itself "fake". */
  public static final class DuplicateFakeVoiceBackendProvider implements VoiceBackendProvider {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public VoiceBackend create(ProviderConfig config) {
      return new FakeVoiceBackend(name(), config);
    }
  }

  /** The agent provider "fake". */
  public static final class FakeAgentRuntimeProvider implements AgentRuntimeProvider {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public AgentRuntime create(ProviderConfig config) {
      return new FakeAgentRuntime(name(), config);
    }
  }

  /** A second agent provider that calls itself "fake". */
  public static final class DuplicateFakeAgentRuntimeProvider implements AgentRuntimeProvider {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public AgentRuntime create(ProviderConfig config) {
      return new FakeAgentRuntime(name(), config);
    }
  }

  /** The messaging provider "fake". */
  public static final class FakeConversationalBackendProvider
      implements ConversationalBackendProvider {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public ConversationalBackend create(ProviderConfig config) {
      return new FakeConversationalBackend(name(), config);
    }
  }

  /** Its constructor throws, as a provider whose static setup fails would. */
  public static final class ThrowingConstructorVoiceBackendProvider
      implements VoiceBackendProvider {
    public ThrowingConstructorVoiceBackendProvider() {
      throw new IllegalStateException("constructor exploded");
    }

    @Override
    public String name() {
      return "never";
    }

    @Override
    public VoiceBackend create(ProviderConfig config) {
      throw new AssertionError("never created");
    }
  }

  /** Its {@code name()} throws. */
  public static final class ThrowingNameVoiceBackendProvider implements VoiceBackendProvider {
    @Override
    public String name() {
      throw new IllegalStateException("name exploded");
    }

    @Override
    public VoiceBackend create(ProviderConfig config) {
      throw new AssertionError("never created");
    }
  }

  /** Its {@code name()} is blank. */
  public static final class BlankNameVoiceBackendProvider implements VoiceBackendProvider {
    @Override
    public String name() {
      return "  ";
    }

    @Override
    public VoiceBackend create(ProviderConfig config) {
      throw new AssertionError("never created");
    }
  }

  /** It has no public no-argument constructor. */
  public static final class NoDefaultConstructorVoiceBackendProvider
      implements VoiceBackendProvider {
    public NoDefaultConstructorVoiceBackendProvider(String unused) {}

    @Override
    public String name() {
      return "never";
    }

    @Override
    public VoiceBackend create(ProviderConfig config) {
      throw new AssertionError("never created");
    }
  }

  /** Registered as a voice provider, but it is not one. */
  public static final class NotAProvider {}

  /**
   * The voice provider "misbehaving": {@code create} fails the way the configuration key {@code
   * fail-with} says: {@code illegal-state}, {@code configuration}, {@code linkage} or {@code null}.
   */
  public static final class MisbehavingVoiceBackendProvider implements VoiceBackendProvider {
    /** What {@code create} throws for {@code fail-with=configuration}. */
    static final ConfigurationException CONFIGURATION_ERROR =
        new ConfigurationException("missing required configuration key 'account-sid'");

    @Override
    public String name() {
      return "misbehaving";
    }

    @Override
    public VoiceBackend create(ProviderConfig config) {
      switch (config.string("fail-with")) {
        case "illegal-state":
          throw new IllegalStateException("create exploded");
        case "configuration":
          throw CONFIGURATION_ERROR;
        case "linkage":
          throw new NoClassDefFoundError("com/twilio/Twilio");
        case "null":
          return null;
        default:
          return new FakeVoiceBackend(name(), config);
      }
    }
  }
}
