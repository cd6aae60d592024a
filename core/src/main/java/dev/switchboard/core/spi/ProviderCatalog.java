package dev.switchboard.core.spi;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.messaging.ConversationalBackend;
import dev.switchboard.core.voice.VoiceBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers found on a class path: every {@link VoiceBackendProvider}, {@link
 * AgentRuntimeProvider} and {@link ConversationalBackendProvider} registered in {@code
 * META-INF/services}, by name. For hosts that choose their providers from configuration;
 * applications that know their providers build components with the providers' builders instead.
 *
 * <pre>{@code
 * ProviderCatalog catalog = ProviderCatalog.load();
 * Properties settings = ...;   // voice=twilio, twilio.account-sid=AC..., agent=ultravox, ...
 * VoiceBackend voice = catalog.voiceBackend(
 *     settings.getProperty("voice"), ProviderConfig.fromProperties(settings, "twilio."));
 * AgentRuntime agent = catalog.agentRuntime(
 *     settings.getProperty("agent"), ProviderConfig.fromProperties(settings, "ultravox."));
 * catalog.voiceBackendNames();   // e.g. [twilio]
 * }</pre>
 *
 * <p>Loading finds and instantiates the providers once. Two providers of one type with the same
 * name fail the load with a {@link ConfigurationException} naming both classes. A provider that
 * cannot be loaded (its class missing or not a provider, its constructor or {@code name()}
 * throwing, its name blank) does not hide the others: it is skipped, logged once at WARN, listed in
 * {@link #failures()} and mentioned when a name is not found. An unknown name fails with the names
 * that are available and, for the providers Switchboard publishes, the Maven artifact to add.
 *
 * <p>A catalog is an ordinary object, not a global registry: several can live in one JVM, each over
 * its own class loader. It is immutable after loading and thread-safe; each {@code create} call
 * returns a new, unstarted component owned by the caller.
 */
public final class ProviderCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderCatalog.class);

  // A pathological class path could keep failing; stop rather than loop.
  private static final int MAX_FAILURES_PER_TYPE = 100;

  private final Registry<VoiceBackendProvider, VoiceBackend> voice;
  private final Registry<AgentRuntimeProvider, AgentRuntime> agent;
  private final Registry<ConversationalBackendProvider, ConversationalBackend> messaging;
  private final List<String> failures;

  private ProviderCatalog(ClassLoader classLoader) {
    voice =
        Registry.load(
            "voice backend",
            VoiceBackendProvider.class,
            VoiceBackendProvider::name,
            VoiceBackendProvider::create,
            Map.of("twilio", "dev.switchboard:switchboard-voice-twilio"),
            classLoader);
    agent =
        Registry.load(
            "agent runtime",
            AgentRuntimeProvider.class,
            AgentRuntimeProvider::name,
            AgentRuntimeProvider::create,
            Map.of(
                "openai-realtime", "dev.switchboard:switchboard-agent-openai-realtime",
                "ultravox", "dev.switchboard:switchboard-agent-ultravox"),
            classLoader);
    messaging =
        Registry.load(
            "conversational backend",
            ConversationalBackendProvider.class,
            ConversationalBackendProvider::name,
            ConversationalBackendProvider::create,
            Map.of("twilio", "dev.switchboard:switchboard-messaging-twilio"),
            classLoader);
    List<String> duplicates = new ArrayList<>();
    duplicates.addAll(voice.duplicates);
    duplicates.addAll(agent.duplicates);
    duplicates.addAll(messaging.duplicates);
    if (!duplicates.isEmpty()) {
      throw new ConfigurationException(
          String.join("; ", duplicates)
              + "; provider names must be unique per type: remove one of the artifacts from the"
              + " class path");
    }
    List<String> all = new ArrayList<>();
    all.addAll(voice.failures);
    all.addAll(agent.failures);
    all.addAll(messaging.failures);
    failures = List.copyOf(all);
  }

  /**
   * Finds the providers visible to the current thread's context class loader, or to the class
   * loader that loaded Switchboard when the thread has none.
   *
   * @return the catalog
   * @throws ConfigurationException if two providers of one type have the same name
   */
  public static ProviderCatalog load() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = ProviderCatalog.class.getClassLoader();
    }
    return new ProviderCatalog(loader);
  }

  /**
   * Finds the providers visible to a class loader, e.g. a plugin's.
   *
   * @param classLoader where to look for {@code META-INF/services} entries and provider classes
   * @return the catalog
   * @throws ConfigurationException if two providers of one type have the same name
   */
  public static ProviderCatalog load(ClassLoader classLoader) {
    Objects.requireNonNull(classLoader, "classLoader");
    return new ProviderCatalog(classLoader);
  }

  /**
   * Creates a voice backend with the provider of that name.
   *
   * @param name the provider's name, e.g. {@code "twilio"}
   * @param config the provider's settings
   * @return a new, unstarted backend
   * @throws ConfigurationException if no provider has that name (listing the available ones), if
   *     the name is blank, or if the provider rejects the configuration or fails
   */
  public VoiceBackend voiceBackend(String name, ProviderConfig config) {
    return voice.create(name, config);
  }

  /**
   * Creates an agent runtime with the provider of that name.
   *
   * @param name the provider's name, e.g. {@code "openai-realtime"}
   * @param config the provider's settings
   * @return a new runtime
   * @throws ConfigurationException if no provider has that name (listing the available ones), if
   *     the name is blank, or if the provider rejects the configuration or fails
   */
  public AgentRuntime agentRuntime(String name, ProviderConfig config) {
    return agent.create(name, config);
  }

  /**
   * Creates a conversational (messaging) backend with the provider of that name.
   *
   * @param name the provider's name, e.g. {@code "twilio"}
   * @param config the provider's settings
   * @return a new, unstarted backend
   * @throws ConfigurationException if no provider has that name (listing the available ones), if
   *     the name is blank, or if the provider rejects the configuration or fails
   */
  public ConversationalBackend conversationalBackend(String name, ProviderConfig config) {
    return messaging.create(name, config);
  }

  /**
   * Returns the names of the voice backend providers found.
   *
   * @return the names, sorted
   */
  public Set<String> voiceBackendNames() {
    return voice.names();
  }

  /**
   * Returns the names of the agent runtime providers found.
   *
   * @return the names, sorted
   */
  public Set<String> agentRuntimeNames() {
    return agent.names();
  }

  /**
   * Returns the names of the conversational backend providers found.
   *
   * @return the names, sorted
   */
  public Set<String> conversationalBackendNames() {
    return messaging.names();
  }

  /**
   * Returns the providers that were registered but could not be loaded, one line each: the type,
   * the class when known, and what went wrong (no stack trace). A host that wants every registered
   * provider to work can fail its startup when this is not empty.
   *
   * @return the failures in the order they happened; empty when every provider loaded
   */
  public List<String> failures() {
    return failures;
  }

  /**
   * Returns the providers' names by type and the number of failures.
   *
   * @return e.g. {@code ProviderCatalog{voice=[twilio], agent=[openai-realtime, ultravox],
   *     messaging=[twilio], failures=0}}
   */
  @Override
  public String toString() {
    return "ProviderCatalog{voice="
        + voice.names()
        + ", agent="
        + agent.names()
        + ", messaging="
        + messaging.names()
        + ", failures="
        + failures.size()
        + "}";
  }

  /** The providers of one type. Immutable once loaded. */
  private static final class Registry<P, C> {
    private final String kind;
    private final BiFunction<P, ProviderConfig, @Nullable C> factory;
    private final Map<String, String> artifacts;
    private final Map<String, P> byName;
    private final Set<String> names;
    private final List<String> failures;
    private final List<String> duplicates;

    private Registry(
        String kind,
        BiFunction<P, ProviderConfig, @Nullable C> factory,
        Map<String, String> artifacts,
        Map<String, P> byName,
        List<String> failures,
        List<String> duplicates) {
      this.kind = kind;
      this.factory = factory;
      this.artifacts = artifacts;
      this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
      this.names = Collections.unmodifiableSet(new TreeSet<>(byName.keySet()));
      this.failures = List.copyOf(failures);
      this.duplicates = List.copyOf(duplicates);
    }

    static <P, C> Registry<P, C> load(
        String kind,
        Class<P> type,
        Function<P, @Nullable String> nameOf,
        BiFunction<P, ProviderConfig, @Nullable C> factory,
        Map<String, String> artifacts,
        ClassLoader classLoader) {
      Map<String, P> byName = new TreeMap<>();
      List<String> failures = new ArrayList<>();
      List<String> duplicates = new ArrayList<>();
      Iterator<P> providers = ServiceLoader.load(type, classLoader).iterator();
      while (true) {
        if (failures.size() >= MAX_FAILURES_PER_TYPE) {
          failures.add(
              fail(kind, "lookup gave up after " + MAX_FAILURES_PER_TYPE + " failures", null));
          break;
        }
        P provider;
        try {
          // Both calls can fail for one entry and then go on with the next: hasNext() when the
          // class is missing, not a subtype or fails to link, next() when the constructor throws.
          if (!providers.hasNext()) {
            break;
          }
          provider = providers.next();
        } catch (ServiceConfigurationError e) {
          failures.add(fail(kind, serviceError(e, type) + causeOf(e), e));
          continue;
        } catch (LinkageError e) {
          failures.add(fail(kind, "could not be loaded: " + describe(e), e));
          continue;
        }
        String className = provider.getClass().getName();
        String name;
        try {
          name = nameOf.apply(provider);
        } catch (RuntimeException | LinkageError e) {
          failures.add(fail(kind, className + ": name() threw " + describe(e), e));
          continue;
        }
        if (name == null || name.isBlank()) {
          failures.add(fail(kind, className + ": name() returned a blank name", null));
          continue;
        }
        P previous = byName.putIfAbsent(name, provider);
        if (previous != null) {
          duplicates.add(
              "two "
                  + kind
                  + " providers are named '"
                  + name
                  + "': "
                  + previous.getClass().getName()
                  + " and "
                  + className);
        }
      }
      return new Registry<>(kind, factory, artifacts, byName, failures, duplicates);
    }

    Set<String> names() {
      return names;
    }

    C create(String name, ProviderConfig config) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(config, "config");
      if (name.isBlank()) {
        throw new ConfigurationException(
            "the " + kind + " provider name is blank; available: " + names);
      }
      P provider = byName.get(name);
      if (provider == null) {
        throw unknown(name);
      }
      String described = kind + " provider '" + name + "' (" + provider.getClass().getName() + ")";
      C component;
      try {
        component = factory.apply(provider, config);
      } catch (SwitchboardException e) {
        throw e;
      } catch (RuntimeException | LinkageError e) {
        String hint =
            e instanceof LinkageError
                ? "; a library it needs may be missing from the class path"
                : "";
        throw new ConfigurationException(
            described + " failed to create a " + kind + ": " + describe(e) + hint, e);
      }
      if (component == null) {
        throw new ConfigurationException(described + " returned null instead of a " + kind);
      }
      return component;
    }

    private ConfigurationException unknown(String name) {
      StringBuilder message =
          new StringBuilder("no ")
              .append(kind)
              .append(" provider named '")
              .append(name)
              .append("'; available: ")
              .append(names);
      String artifact = artifacts.get(name);
      if (artifact != null) {
        message.append("; add ").append(artifact).append(" to the class path");
      }
      if (!failures.isEmpty()) {
        message
            .append("; ")
            .append(failures.size())
            .append(failures.size() == 1 ? " provider" : " providers")
            .append(" of this type failed to load: ")
            .append(failures);
      }
      return new ConfigurationException(message.toString());
    }

    private static String fail(String kind, String detail, @Nullable Throwable error) {
      String failure = kind + " provider " + detail;
      LOG.warn("Skipping a provider that could not be loaded: {}", failure);
      if (error != null) {
        LOG.debug("Stack trace of the provider failure above", error);
      }
      return failure;
    }

    // The JDK's messages read "<service>: Provider <class> not found" and the like: keep the part
    // after the service's name, and drop the word "Provider", which the failure already says.
    private static String serviceError(ServiceConfigurationError e, Class<?> type) {
      String message = e.getMessage();
      if (message == null) {
        return "could not be loaded";
      }
      String prefix = type.getName() + ": ";
      if (message.startsWith(prefix)) {
        message = message.substring(prefix.length());
      }
      return message.startsWith("Provider ") ? message.substring("Provider ".length()) : message;
    }

    private static String causeOf(Throwable e) {
      Throwable cause = e.getCause();
      return cause == null || cause == e ? "" : " (" + describe(cause) + ")";
    }

    private static String describe(Throwable e) {
      String message = e.getMessage();
      return message == null ? e.getClass().getName() : e.getClass().getName() + ": " + message;
    }
  }
}
