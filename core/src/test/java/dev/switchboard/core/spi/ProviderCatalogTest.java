package dev.switchboard.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.agent.AgentRuntime;
import dev.switchboard.core.messaging.ConversationalBackend;
import dev.switchboard.core.spi.TestProviders.AlphaVoiceBackendProvider;
import dev.switchboard.core.spi.TestProviders.BlankNameVoiceBackendProvider;
import dev.switchboard.core.spi.TestProviders.DuplicateFakeAgentRuntimeProvider;
import dev.switchboard.core.spi.TestProviders.DuplicateFakeVoiceBackendProvider;
import dev.switchboard.core.spi.TestProviders.FakeAgentRuntimeProvider;
import dev.switchboard.core.spi.TestProviders.FakeConversationalBackendProvider;
import dev.switchboard.core.spi.TestProviders.FakeVoiceBackendProvider;
import dev.switchboard.core.spi.TestProviders.MisbehavingVoiceBackendProvider;
import dev.switchboard.core.spi.TestProviders.NoDefaultConstructorVoiceBackendProvider;
import dev.switchboard.core.spi.TestProviders.NotAProvider;
import dev.switchboard.core.spi.TestProviders.ThrowingConstructorVoiceBackendProvider;
import dev.switchboard.core.spi.TestProviders.ThrowingNameVoiceBackendProvider;
import dev.switchboard.core.voice.VoiceBackend;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProviderCatalogTest {
  private static final ProviderConfig CONFIG =
      ProviderConfig.builder().put("account-sid", "AC123").secret("auth-token", "s3cret").build();

  @TempDir Path tempDir;

  private final List<URLClassLoader> loaders = new ArrayList<>();

  @AfterEach
  void closeLoaders() throws IOException {
    for (URLClassLoader loader : loaders) {
      loader.close();
    }
  }

  @Nested
  class Discovery {
    @Test
    void loadFindsTheProvidersRegisteredOnTheClassPathForEveryType() {
      ProviderCatalog catalog = ProviderCatalog.load();

      assertThat(catalog.voiceBackendNames()).containsExactly("alpha", "fake");
      assertThat(catalog.agentRuntimeNames()).containsExactly("fake");
      assertThat(catalog.conversationalBackendNames()).containsExactly("fake");
      assertThat(catalog.failures()).isEmpty();
    }

    @Test
    void voiceBackendIsCreatedByTheProviderOfThatNameWithTheGivenConfig() {
      VoiceBackend voice = ProviderCatalog.load().voiceBackend("alpha", CONFIG);

      assertThat(voice).isInstanceOf(FakeVoiceBackend.class);
      assertThat(voice.name()).isEqualTo("alpha");
      assertThat(voice.configuration()).isSameAs(CONFIG);
    }

    @Test
    void agentRuntimeIsCreatedByTheProviderOfThatNameWithTheGivenConfig() {
      AgentRuntime agent = ProviderCatalog.load().agentRuntime("fake", CONFIG);

      assertThat(agent).isInstanceOf(FakeAgentRuntime.class);
      assertThat(agent.name()).isEqualTo("fake");
      assertThat(((FakeAgentRuntime) agent).config()).isSameAs(CONFIG);
    }

    @Test
    void conversationalBackendIsCreatedByTheProviderOfThatNameWithTheGivenConfig() {
      ConversationalBackend messaging =
          ProviderCatalog.load().conversationalBackend("fake", CONFIG);

      assertThat(messaging).isInstanceOf(FakeConversationalBackend.class);
      assertThat(messaging.name()).isEqualTo("fake");
      assertThat(messaging.configuration()).isSameAs(CONFIG);
    }

    @Test
    void everyCreateReturnsANewComponent() {
      ProviderCatalog catalog = ProviderCatalog.load();

      assertThat(catalog.voiceBackend("fake", CONFIG))
          .isNotSameAs(catalog.voiceBackend("fake", CONFIG));
    }

    @Test
    void namesAreSortedAndCannotBeModified() {
      ProviderCatalog catalog = ProviderCatalog.load();

      // The service file lists "fake" before "alpha".
      assertThat(catalog.voiceBackendNames()).containsExactly("alpha", "fake");
      assertThatThrownBy(() -> catalog.voiceBackendNames().add("other"))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> catalog.failures().add("other"))
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void oneNameMayBeUsedByProvidersOfDifferentTypes() {
      ProviderCatalog catalog = ProviderCatalog.load();

      assertThat(catalog.voiceBackendNames()).contains("fake");
      assertThat(catalog.agentRuntimeNames()).contains("fake");
      assertThat(catalog.conversationalBackendNames()).contains("fake");
    }

    @Test
    void toStringListsTheNamesOfEveryType() {
      assertThat(ProviderCatalog.load())
          .hasToString(
              "ProviderCatalog{voice=[alpha, fake], agent=[fake], messaging=[fake], failures=0}");
    }
  }

  @Nested
  class ClassLoaders {
    @Test
    void anExplicitClassLoaderFindsAProviderVisibleOnlyThroughIt() throws Exception {
      compile(
          Map.of(
              "isolated.IsolatedAgentRuntimeProvider",
              """
              package isolated;

              import dev.switchboard.core.agent.AgentRuntime;
              import dev.switchboard.core.spi.AgentRuntimeProvider;
              import dev.switchboard.core.spi.FakeAgentRuntime;
              import dev.switchboard.core.spi.ProviderConfig;

              public final class IsolatedAgentRuntimeProvider implements AgentRuntimeProvider {
                @Override
                public String name() {
                  return "isolated";
                }

                @Override
                public AgentRuntime create(ProviderConfig config) {
                  return new FakeAgentRuntime("isolated", config);
                }
              }
              """));
      ClassLoader loader =
          loaderServing(
              Map.of(AgentRuntimeProvider.class, List.of("isolated.IsolatedAgentRuntimeProvider")));
      assertThatThrownBy(
              () ->
                  Class.forName(
                      "isolated.IsolatedAgentRuntimeProvider",
                      false,
                      ProviderCatalogTest.class.getClassLoader()))
          .isInstanceOf(ClassNotFoundException.class);

      ProviderCatalog catalog = ProviderCatalog.load(loader);

      assertThat(catalog.agentRuntimeNames()).containsExactly("isolated");
      AgentRuntime agent = catalog.agentRuntime("isolated", CONFIG);
      assertThat(((FakeAgentRuntime) agent).config()).isSameAs(CONFIG);
      assertThat(ProviderCatalog.load().agentRuntimeNames()).doesNotContain("isolated");
    }

    @Test
    void catalogsOverDifferentClassLoadersAreIndependent() throws IOException {
      ProviderCatalog scenario =
          ProviderCatalog.load(
              loaderServing(
                  Map.of(
                      VoiceBackendProvider.class,
                      List.of(MisbehavingVoiceBackendProvider.class.getName()))));
      ProviderCatalog classPath = ProviderCatalog.load();

      assertThat(scenario.voiceBackendNames()).containsExactly("misbehaving");
      assertThat(scenario.agentRuntimeNames()).isEmpty();
      assertThat(classPath.voiceBackendNames()).containsExactly("alpha", "fake");
    }

    @Test
    void loadUsesTheThreadContextClassLoader() throws IOException {
      ClassLoader loader =
          loaderServing(
              Map.of(
                  VoiceBackendProvider.class,
                  List.of(MisbehavingVoiceBackendProvider.class.getName())));

      ProviderCatalog catalog = loadWithContextClassLoader(loader);

      assertThat(catalog.voiceBackendNames()).containsExactly("misbehaving");
    }

    @Test
    void loadFallsBackToTheCatalogsOwnClassLoaderWhenTheThreadHasNone() {
      ProviderCatalog catalog = loadWithContextClassLoader(null);

      assertThat(catalog.voiceBackendNames()).containsExactly("alpha", "fake");
    }

    @Test
    void loadRejectsANullClassLoader() {
      assertThatThrownBy(() -> ProviderCatalog.load(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("classLoader");
    }

    private ProviderCatalog loadWithContextClassLoader(ClassLoader loader) {
      Thread thread = Thread.currentThread();
      ClassLoader saved = thread.getContextClassLoader();
      thread.setContextClassLoader(loader);
      try {
        return ProviderCatalog.load();
      } finally {
        thread.setContextClassLoader(saved);
      }
    }
  }

  @Nested
  class DuplicateNames {
    @Test
    void twoVoiceProvidersWithOneNameFailTheLoadNamingTheNameAndBothClasses() throws IOException {
      ClassLoader loader =
          loaderServing(
              Map.of(
                  VoiceBackendProvider.class,
                  List.of(
                      FakeVoiceBackendProvider.class.getName(),
                      AlphaVoiceBackendProvider.class.getName(),
                      DuplicateFakeVoiceBackendProvider.class.getName())));

      assertThatThrownBy(() -> ProviderCatalog.load(loader))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("two voice backend providers are named 'fake'")
          .hasMessageContaining(FakeVoiceBackendProvider.class.getName())
          .hasMessageContaining(DuplicateFakeVoiceBackendProvider.class.getName())
          .hasMessageNotContaining(AlphaVoiceBackendProvider.class.getName());
    }

    @Test
    void twoAgentProvidersWithOneNameFailTheLoadToo() throws IOException {
      ClassLoader loader =
          loaderServing(
              Map.of(
                  AgentRuntimeProvider.class,
                  List.of(
                      FakeAgentRuntimeProvider.class.getName(),
                      DuplicateFakeAgentRuntimeProvider.class.getName())));

      assertThatThrownBy(() -> ProviderCatalog.load(loader))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("two agent runtime providers are named 'fake'")
          .hasMessageContaining(FakeAgentRuntimeProvider.class.getName())
          .hasMessageContaining(DuplicateFakeAgentRuntimeProvider.class.getName());
    }
  }

  @Nested
  class UnknownNames {
    @Test
    void anUnknownNameListsTheAvailableNamesOfThatType() {
      ProviderCatalog catalog = ProviderCatalog.load();

      assertThatThrownBy(() -> catalog.voiceBackend("nope", CONFIG))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("no voice backend provider named 'nope'; available: [alpha, fake]");
    }

    @ParameterizedTest
    @CsvSource({
      "voice, twilio, voice backend, dev.switchboard:switchboard-voice-twilio",
      "agent, openai-realtime, agent runtime, dev.switchboard:switchboard-agent-openai-realtime",
      "agent, ultravox, agent runtime, dev.switchboard:switchboard-agent-ultravox",
      "messaging, twilio, conversational backend, dev.switchboard:switchboard-messaging-twilio"
    })
    void aMissingProviderThatSwitchboardPublishesNamesItsArtifact(
        String type, String name, String kind, String artifact) {
      ProviderCatalog catalog = ProviderCatalog.load();

      assertThatThrownBy(() -> create(catalog, type, name))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageStartingWith("no " + kind + " provider named '" + name + "'; available: [")
          .hasMessageEndingWith("; add " + artifact + " to the class path");
    }

    @Test
    void theArtifactHintIsGivenOnlyForTheTypeThatPublishesTheName() {
      ProviderCatalog catalog = ProviderCatalog.load();

      assertThatThrownBy(() -> catalog.agentRuntime("twilio", CONFIG))
          .hasMessage("no agent runtime provider named 'twilio'; available: [fake]");
    }

    @Test
    void anEmptyCatalogSaysThatNothingIsAvailable() throws IOException {
      ProviderCatalog catalog = ProviderCatalog.load(loaderServing(Map.of()));

      assertThat(catalog.voiceBackendNames()).isEmpty();
      assertThatThrownBy(() -> catalog.voiceBackend("twilio", CONFIG))
          .hasMessage(
              "no voice backend provider named 'twilio'; available: []; add"
                  + " dev.switchboard:switchboard-voice-twilio to the class path");
    }

    private Object create(ProviderCatalog catalog, String type, String name) {
      return switch (type) {
        case "voice" -> catalog.voiceBackend(name, CONFIG);
        case "agent" -> catalog.agentRuntime(name, CONFIG);
        default -> catalog.conversationalBackend(name, CONFIG);
      };
    }
  }

  @Nested
  class BrokenProviders {
    @Test
    void aMissingProviderClassDoesNotHideTheOthersAndIsReported() throws IOException {
      ProviderCatalog catalog = catalogWithGoodVoiceProviderAnd("dev.switchboard.nope.Missing");

      assertThat(catalog.voiceBackendNames()).containsExactly("fake");
      assertThat(catalog.voiceBackend("fake", CONFIG)).isInstanceOf(FakeVoiceBackend.class);
      assertThat(catalog.failures())
          .singleElement()
          .isEqualTo("voice backend provider dev.switchboard.nope.Missing not found");
    }

    @Test
    void aClassThatIsNotAProviderDoesNotHideTheOthersAndIsReported() throws IOException {
      ProviderCatalog catalog = catalogWithGoodVoiceProviderAnd(NotAProvider.class.getName());

      assertThat(catalog.voiceBackendNames()).containsExactly("fake");
      assertThat(catalog.failures())
          .singleElement()
          .isEqualTo("voice backend provider " + NotAProvider.class.getName() + " not a subtype");
    }

    @Test
    void aThrowingConstructorDoesNotHideTheOthersAndIsReportedWithItsCause() throws IOException {
      ProviderCatalog catalog =
          catalogWithGoodVoiceProviderAnd(ThrowingConstructorVoiceBackendProvider.class.getName());

      assertThat(catalog.voiceBackendNames()).containsExactly("fake");
      assertThat(catalog.failures())
          .singleElement()
          .isEqualTo(
              "voice backend provider "
                  + ThrowingConstructorVoiceBackendProvider.class.getName()
                  + " could not be instantiated"
                  + " (java.lang.IllegalStateException: constructor exploded)");
    }

    @Test
    void aMissingNoArgumentConstructorDoesNotHideTheOthersAndIsReported() throws IOException {
      ProviderCatalog catalog =
          catalogWithGoodVoiceProviderAnd(NoDefaultConstructorVoiceBackendProvider.class.getName());

      assertThat(catalog.voiceBackendNames()).containsExactly("fake");
      assertThat(catalog.failures())
          .singleElement()
          .asString()
          .startsWith("voice backend provider ")
          .contains(NoDefaultConstructorVoiceBackendProvider.class.getName());
    }

    @Test
    void aThrowingNameDoesNotHideTheOthersAndIsReported() throws IOException {
      ProviderCatalog catalog =
          catalogWithGoodVoiceProviderAnd(ThrowingNameVoiceBackendProvider.class.getName());

      assertThat(catalog.voiceBackendNames()).containsExactly("fake");
      assertThat(catalog.failures())
          .singleElement()
          .isEqualTo(
              "voice backend provider "
                  + ThrowingNameVoiceBackendProvider.class.getName()
                  + ": name() threw java.lang.IllegalStateException: name exploded");
    }

    @Test
    void aBlankNameDoesNotHideTheOthersAndIsReported() throws IOException {
      ProviderCatalog catalog =
          catalogWithGoodVoiceProviderAnd(BlankNameVoiceBackendProvider.class.getName());

      assertThat(catalog.voiceBackendNames()).containsExactly("fake");
      assertThat(catalog.failures())
          .singleElement()
          .isEqualTo(
              "voice backend provider "
                  + BlankNameVoiceBackendProvider.class.getName()
                  + ": name() returned a blank name");
    }

    @Test
    void aProviderWhoseSuperclassIsMissingDoesNotHideTheOthersAndIsReported() throws Exception {
      compile(
          Map.of(
              "isolated.MissingBase",
              """
              package isolated;

              public abstract class MissingBase
                  implements dev.switchboard.core.spi.VoiceBackendProvider {}
              """,
              "isolated.OrphanVoiceBackendProvider",
              """
              package isolated;

              public final class OrphanVoiceBackendProvider extends MissingBase {
                @Override
                public String name() {
                  return "orphan";
                }

                @Override
                public dev.switchboard.core.voice.VoiceBackend create(
                    dev.switchboard.core.spi.ProviderConfig config) {
                  throw new AssertionError("never created");
                }
              }
              """));
      Files.delete(tempDir.resolve("isolated/MissingBase.class"));

      ProviderCatalog catalog =
          catalogWithGoodVoiceProviderAnd("isolated.OrphanVoiceBackendProvider");

      assertThat(catalog.voiceBackendNames()).containsExactly("fake");
      assertThat(catalog.failures())
          .singleElement()
          .isEqualTo(
              "voice backend provider could not be loaded:"
                  + " java.lang.NoClassDefFoundError: isolated/MissingBase");
    }

    @Test
    void everyBrokenProviderIsReportedOnceOnOneLine() throws IOException {
      ClassLoader loader =
          loaderServing(
              Map.of(
                  VoiceBackendProvider.class,
                  List.of(
                      "dev.switchboard.nope.Missing",
                      ThrowingConstructorVoiceBackendProvider.class.getName(),
                      FakeVoiceBackendProvider.class.getName(),
                      ThrowingNameVoiceBackendProvider.class.getName()),
                  AgentRuntimeProvider.class,
                  List.of(FakeVoiceBackendProvider.class.getName()),
                  ConversationalBackendProvider.class,
                  List.of(FakeConversationalBackendProvider.class.getName())));

      ProviderCatalog catalog = ProviderCatalog.load(loader);

      assertThat(catalog.voiceBackendNames()).containsExactly("fake");
      assertThat(catalog.conversationalBackendNames()).containsExactly("fake");
      assertThat(catalog.failures())
          .hasSize(4)
          .allSatisfy(failure -> assertThat(failure).doesNotContain("\n", "\tat "))
          .contains(
              "agent runtime provider "
                  + FakeVoiceBackendProvider.class.getName()
                  + " not a subtype");
      assertThat(catalog)
          .hasToString("ProviderCatalog{voice=[fake], agent=[], messaging=[fake], failures=4}");
    }

    @Test
    void anUnknownNameMentionsTheProvidersOfThatTypeThatFailedToLoad() throws IOException {
      ClassLoader loader =
          loaderServing(
              Map.of(
                  VoiceBackendProvider.class,
                  List.of(
                      FakeVoiceBackendProvider.class.getName(),
                      ThrowingConstructorVoiceBackendProvider.class.getName()),
                  AgentRuntimeProvider.class,
                  List.of("dev.switchboard.nope.MissingAgent")));
      ProviderCatalog catalog = ProviderCatalog.load(loader);

      assertThatThrownBy(() -> catalog.voiceBackend("twilio", CONFIG))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageStartingWith(
              "no voice backend provider named 'twilio'; available: [fake]; add"
                  + " dev.switchboard:switchboard-voice-twilio to the class path;"
                  + " 1 provider of this type failed to load: [voice backend provider "
                  + ThrowingConstructorVoiceBackendProvider.class.getName()
                  + " could not be instantiated")
          .hasMessageNotContaining("MissingAgent");
    }

    private ProviderCatalog catalogWithGoodVoiceProviderAnd(String brokenClassName)
        throws IOException {
      return ProviderCatalog.load(
          loaderServing(
              Map.of(
                  VoiceBackendProvider.class,
                  List.of(brokenClassName, FakeVoiceBackendProvider.class.getName()))));
    }
  }

  @Nested
  class Creation {
    private ProviderCatalog catalog;

    @BeforeEach
    void loadMisbehavingProvider() throws IOException {
      catalog =
          ProviderCatalog.load(
              loaderServing(
                  Map.of(
                      VoiceBackendProvider.class,
                      List.of(MisbehavingVoiceBackendProvider.class.getName()))));
    }

    @Test
    void aProvidersRuntimeExceptionIsWrappedInAConfigurationExceptionNamingTheProvider() {
      assertThatThrownBy(() -> catalog.voiceBackend("misbehaving", failWith("illegal-state")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage(
              "voice backend provider 'misbehaving' ("
                  + MisbehavingVoiceBackendProvider.class.getName()
                  + ") failed to create a voice backend:"
                  + " java.lang.IllegalStateException: create exploded")
          .cause()
          .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aProvidersSwitchboardExceptionPropagatesUnchanged() {
      assertThatThrownBy(() -> catalog.voiceBackend("misbehaving", failWith("configuration")))
          .isSameAs(MisbehavingVoiceBackendProvider.CONFIGURATION_ERROR);
    }

    @Test
    void aProvidersMissingLibraryIsWrappedWithAHint() {
      assertThatThrownBy(() -> catalog.voiceBackend("misbehaving", failWith("linkage")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("'misbehaving'")
          .hasMessageContaining("java.lang.NoClassDefFoundError: com/twilio/Twilio")
          .hasMessageEndingWith("a library it needs may be missing from the class path")
          .cause()
          .isInstanceOf(NoClassDefFoundError.class);
    }

    @Test
    void aProviderReturningNullIsAConfigurationException() {
      assertThatThrownBy(() -> catalog.voiceBackend("misbehaving", failWith("null")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("'misbehaving'")
          .hasMessageEndingWith("returned null instead of a voice backend");
    }

    @Test
    void aProviderThatSucceedsIsUnaffectedByTheWrapping() {
      assertThat(catalog.voiceBackend("misbehaving", failWith("nothing")).name())
          .isEqualTo("misbehaving");
    }

    private ProviderConfig failWith(String failure) {
      return ProviderConfig.builder().put("fail-with", failure).build();
    }
  }

  @Nested
  class Arguments {
    private final ProviderCatalog catalog = ProviderCatalog.load();

    @Test
    void aNullNameIsRejectedForEveryType() {
      assertThatThrownBy(() -> catalog.voiceBackend(null, CONFIG))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("name");
      assertThatThrownBy(() -> catalog.agentRuntime(null, CONFIG))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("name");
      assertThatThrownBy(() -> catalog.conversationalBackend(null, CONFIG))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("name");
    }

    @Test
    void aBlankNameIsRejectedListingTheAvailableNames() {
      assertThatThrownBy(() -> catalog.voiceBackend(" ", CONFIG))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("the voice backend provider name is blank; available: [alpha, fake]");
      assertThatThrownBy(() -> catalog.agentRuntime("", CONFIG))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("the agent runtime provider name is blank; available: [fake]");
      assertThatThrownBy(() -> catalog.conversationalBackend("\t", CONFIG))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("the conversational backend provider name is blank; available: [fake]");
    }

    @Test
    void aNullConfigIsRejected() {
      assertThatThrownBy(() -> catalog.voiceBackend("fake", null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("config");
    }

    @Test
    void namesAreMatchedExactly() {
      assertThatThrownBy(() -> catalog.voiceBackend("Fake", CONFIG))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageStartingWith("no voice backend provider named 'Fake'");
    }
  }

  /**
   * Returns a class loader that sees the test classes (and anything compiled into {@link #tempDir})
   * but, for {@code META-INF/services}, only the service files written here: each scenario gets its
   * own provider list.
   */
  private ClassLoader loaderServing(Map<Class<?>, List<String>> services) throws IOException {
    for (Map.Entry<Class<?>, List<String>> service : services.entrySet()) {
      Path file = tempDir.resolve("META-INF/services/" + service.getKey().getName());
      Files.createDirectories(file.getParent());
      Files.write(file, service.getValue(), StandardCharsets.UTF_8);
    }
    URLClassLoader loader =
        new URLClassLoader(
            new URL[] {tempDir.toUri().toURL()}, ProviderCatalogTest.class.getClassLoader()) {
          @Override
          public Enumeration<URL> getResources(String name) throws IOException {
            return name.startsWith("META-INF/services/")
                ? findResources(name)
                : super.getResources(name);
          }
        };
    loaders.add(loader);
    return loader;
  }

  /** Compiles sources (by class name) into {@link #tempDir}, against core and the test classes. */
  private void compile(Map<String, String> sources) throws IOException, URISyntaxException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("the tests need a JDK, not a JRE").isNotNull();
    List<String> arguments = new ArrayList<>();
    arguments.add("-d");
    arguments.add(tempDir.toString());
    arguments.add("-classpath");
    arguments.add(codeSource(ProviderCatalog.class) + File.pathSeparator + codeSource(getClass()));
    for (Map.Entry<String, String> source : sources.entrySet()) {
      Path file = tempDir.resolve("src/" + source.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue());
      arguments.add(file.toString());
    }
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int status =
        javac.run(
            null,
            null,
            new PrintStream(errors, true, StandardCharsets.UTF_8),
            arguments.toArray(String[]::new));
    assertThat(status).as(errors.toString(StandardCharsets.UTF_8)).isZero();
  }

  private static String codeSource(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }
}
