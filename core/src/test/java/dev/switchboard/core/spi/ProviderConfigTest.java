package dev.switchboard.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.ConfigurationException;
import dev.switchboard.core.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProviderConfigTest {
  private static final String SECRET_VALUE = "s3cr3t-Value-42";

  private static ProviderConfig config(String key, String value) {
    return ProviderConfig.builder().put(key, value).build();
  }

  @Nested
  class Sources {
    @Test
    void emptyHasNoKeys() {
      assertThat(ProviderConfig.empty().keys()).isEmpty();
      assertThat(ProviderConfig.empty()).isEqualTo(ProviderConfig.builder().build());
    }

    @Test
    void ofCopiesTheMap() {
      Map<String, String> values = new HashMap<>(Map.of("account-sid", "AC123"));

      ProviderConfig config = ProviderConfig.of(values);
      values.put("region", "ie1");

      assertThat(config.keys()).containsExactly("account-sid");
      assertThat(config.string("account-sid")).isEqualTo("AC123");
    }

    @Test
    void ofRejectsAMalformedKey() {
      assertThatThrownBy(() -> ProviderConfig.of(Map.of("Account_Sid", "AC123")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("'Account_Sid'");
    }

    @Test
    void fromEnvironmentTakesThePrefixedVariablesAndNormalisesTheirNames() {
      Map<String, String> environment =
          Map.of(
              "SWITCHBOARD_TWILIO_AUTH_TOKEN", SECRET_VALUE,
              "SWITCHBOARD_TWILIO_ACCOUNT_SID", "AC123",
              "SWITCHBOARD_TWILIO_MEDIA_PATH", "/media",
              "SWITCHBOARD_OPENAI_API_KEY", "sk-other",
              "PATH", "/usr/bin",
              "SWITCHBOARD_TWILIO_", "just the prefix");

      ProviderConfig config = ProviderConfig.fromEnvironment("SWITCHBOARD_TWILIO_", environment);

      assertThat(config.keys()).containsExactly("account-sid", "auth-token", "media-path");
      assertThat(config.string("account-sid")).isEqualTo("AC123");
      assertThat(config.secret("auth-token").reveal()).isEqualTo(SECRET_VALUE);
      assertThat(config.isSecret("auth-token")).isTrue();
      assertThat(config.toString()).doesNotContain(SECRET_VALUE);
    }

    @Test
    void fromEnvironmentRejectsAVariableThatMakesAMalformedKey() {
      Map<String, String> environment = Map.of("SWITCHBOARD_TWILIO_AUTH__TOKEN", SECRET_VALUE);

      assertThatThrownBy(() -> ProviderConfig.fromEnvironment("SWITCHBOARD_TWILIO_", environment))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("'auth--token'")
          .hasMessageNotContaining(SECRET_VALUE);
    }

    @Test
    void fromTheProcessEnvironmentTakesOnlyThePrefixedVariables() {
      ProviderConfig config =
          ProviderConfig.fromEnvironment("SWITCHBOARD_PROVIDER_CONFIG_TEST_NOTHING_HAS_THIS_");

      assertThat(config.keys()).isEmpty();
    }

    @Test
    void fromPropertiesStripsThePrefix() {
      Properties properties = new Properties();
      properties.setProperty("switchboard.twilio.auth-token", SECRET_VALUE);
      properties.setProperty("switchboard.twilio.media.path", "/media");
      properties.setProperty("switchboard.openai.api-key", "sk-other");
      properties.setProperty("switchboard.twilio.", "just the prefix");

      ProviderConfig config = ProviderConfig.fromProperties(properties, "switchboard.twilio.");

      assertThat(config.keys()).containsExactly("auth-token", "media.path");
      assertThat(config.string("media.path")).isEqualTo("/media");
      assertThat(config.isSecret("auth-token")).isTrue();
    }

    @Test
    void fromPropertiesWithAnEmptyPrefixTakesEveryProperty() {
      Properties properties = new Properties();
      properties.setProperty("region", "ie1");
      properties.setProperty("timeout", "5s");

      ProviderConfig config = ProviderConfig.fromProperties(properties, "");

      assertThat(config.keys()).containsExactly("region", "timeout");
    }

    @Test
    void fromPropertiesRejectsAPropertyThatMakesAMalformedKey() {
      Properties properties = new Properties();
      properties.setProperty("switchboard.twilio.authToken", "x");

      assertThatThrownBy(() -> ProviderConfig.fromProperties(properties, "switchboard.twilio."))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("'authToken'");
    }
  }

  @Nested
  class Keys {
    @ParameterizedTest
    @ValueSource(strings = {"auth-token", "media.path", "a", "region1", "twilio.edge-location.2"})
    void wellFormedKeysAreAccepted(String key) {
      assertThat(config(key, "v").has(key)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "",
          "Auth-Token",
          "auth_token",
          "auth token",
          "-auth",
          "auth-",
          ".auth",
          "auth..path",
          "auth--token",
          "auth-.token",
          "ä"
        })
    void malformedKeysAreRejectedNamingTheKeyAndTheRule(String key) {
      assertThatThrownBy(() -> ProviderConfig.builder().put(key, "v"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage(
              "malformed configuration key '"
                  + key
                  + "': use lower-case words joined by '-' or '.', e.g. 'auth-token'");
    }

    @Test
    void aSecretWithAMalformedKeyIsRejectedWithoutItsValue() {
      assertThatThrownBy(() -> ProviderConfig.builder().secret("Auth_Token", SECRET_VALUE))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageNotContaining(SECRET_VALUE);
    }

    @Test
    void nullKeysAndValuesAreRejected() {
      assertThatThrownBy(() -> ProviderConfig.builder().put(null, "v"))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("key");
      assertThatThrownBy(() -> ProviderConfig.builder().put("region", null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("value for key 'region'");
    }

    @Test
    void keysAreSortedAndHasTellsWhetherOneIsSet() {
      ProviderConfig config =
          ProviderConfig.builder().put("region", "ie1").put("account-sid", "AC1").build();

      assertThat(config.keys()).containsExactly("account-sid", "region");
      assertThat(config.has("region")).isTrue();
      assertThat(config.has("edge")).isFalse();
    }

    @Test
    void keysCannotBeModified() {
      ProviderConfig config = config("region", "ie1");

      assertThatThrownBy(() -> config.keys().add("other"))
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theBuilderCanBeReusedWithoutChangingWhatItBuilt() {
      ProviderConfig.Builder builder = ProviderConfig.builder().put("region", "ie1");
      ProviderConfig first = builder.build();

      builder.put("region", "us1").secret("password", SECRET_VALUE);

      assertThat(first.string("region")).isEqualTo("ie1");
      assertThat(first.has("password")).isFalse();
    }
  }

  @Nested
  class Strings {
    @Test
    void aRequiredStringIsTrimmed() {
      assertThat(config("region", "  ie1 ").string("region")).isEqualTo("ie1");
    }

    @Test
    void aMissingRequiredStringNamesTheKey() {
      assertThatThrownBy(() -> ProviderConfig.empty().string("account-sid"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("missing required configuration key 'account-sid'");
    }

    @Test
    void aBlankValueCountsAsMissing() {
      ProviderConfig config = config("region", "   ");

      assertThat(config.has("region")).isTrue();
      assertThat(config.optional("region")).isEmpty();
      assertThat(config.string("region", "us1")).isEqualTo("us1");
      assertThatThrownBy(() -> config.string("region"))
          .hasMessage("missing required configuration key 'region'");
    }

    @Test
    void aStringWithADefaultUsesTheValueWhenSet() {
      assertThat(config("region", "ie1").string("region", "us1")).isEqualTo("ie1");
      assertThat(ProviderConfig.empty().string("region", "us1")).isEqualTo("us1");
    }

    @Test
    void optionalIsTheTrimmedValueOrEmpty() {
      assertThat(config("region", " ie1 ").optional("region")).contains("ie1");
      assertThat(ProviderConfig.empty().optional("region")).isEmpty();
    }

    @Test
    void aNullKeyIsRejected() {
      assertThatThrownBy(() -> ProviderConfig.empty().optional(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("key");
    }
  }

  @Nested
  class Integers {
    @ParameterizedTest
    @CsvSource({"42, 42", "' 7 ', 7", "-3, -3", "0, 0", "2147483647, 2147483647"})
    void integersAreParsed(String value, int expected) {
      ProviderConfig config = config("max-calls", value);

      assertThat(config.integer("max-calls")).isEqualTo(expected);
      assertThat(config.integer("max-calls", 99)).isEqualTo(expected);
    }

    @Test
    void aMissingIntegerUsesTheDefaultOrNamesTheKey() {
      assertThat(ProviderConfig.empty().integer("max-calls", 99)).isEqualTo(99);
      assertThatThrownBy(() -> ProviderConfig.empty().integer("max-calls"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("missing required configuration key 'max-calls'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ten", "4.5", "2147483648", "1e3", "0x10"})
    void aMalformedIntegerNamesTheKeyAndTheValue(String value) {
      ProviderConfig config = config("max-calls", value);

      assertThatThrownBy(() -> config.integer("max-calls"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("configuration key 'max-calls' must be an integer, got '" + value + "'");
      assertThatThrownBy(() -> config.integer("max-calls", 1))
          .hasMessage("configuration key 'max-calls' must be an integer, got '" + value + "'");
    }
  }

  @Nested
  class Booleans {
    @ParameterizedTest
    @CsvSource({"true, true", "TRUE, true", "' True ', true", "false, false", "False, false"})
    void booleansAreParsedInAnyCase(String value, boolean expected) {
      assertThat(config("record-calls", value).bool("record-calls", !expected)).isEqualTo(expected);
    }

    @Test
    void aMissingBooleanUsesTheDefault() {
      assertThat(ProviderConfig.empty().bool("record-calls", true)).isTrue();
      assertThat(config("record-calls", " ").bool("record-calls", false)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "1", "on", "truee"})
    void anythingElseIsRejectedNamingTheKeyAndTheValue(String value) {
      assertThatThrownBy(() -> config("record-calls", value).bool("record-calls", false))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage(
              "configuration key 'record-calls' must be true or false, got '" + value + "'");
    }
  }

  @Nested
  class Durations {
    @ParameterizedTest
    @CsvSource({
      "500ms, PT0.5S",
      "5s, PT5S",
      "2m, PT2M",
      "1h, PT1H",
      "0s, PT0S",
      "'5 s', PT5S",
      "' 5s ', PT5S",
      "5S, PT5S",
      "250MS, PT0.25S",
      "PT5S, PT5S",
      "pt5s, PT5S",
      "PT1M30S, PT1M30S",
      "P1D, PT24H"
    })
    void durationsAreParsedInEveryAcceptedForm(String value, String expected) {
      ProviderConfig config = config("timeout", value);

      assertThat(config.duration("timeout")).isEqualTo(Duration.parse(expected));
      assertThat(config.duration("timeout", Duration.ZERO)).isEqualTo(Duration.parse(expected));
    }

    @Test
    void aMissingDurationUsesTheDefaultOrNamesTheKey() {
      assertThat(ProviderConfig.empty().duration("timeout", Duration.ofSeconds(10)))
          .isEqualTo(Duration.ofSeconds(10));
      assertThatThrownBy(() -> ProviderConfig.empty().duration("timeout"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("missing required configuration key 'timeout'");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "5",
          "5 sec",
          "five seconds",
          "1d",
          "s",
          "-5s",
          "1.5s",
          "PT",
          "99999999999999999999s",
          "9999999999999999h"
        })
    void aMalformedDurationNamesTheKeyAndTheValue(String value) {
      ProviderConfig config = config("timeout", value);

      assertThatThrownBy(() -> config.duration("timeout"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage(
              "configuration key 'timeout' must be a duration like 500ms, 5s, 2m or PT5S, got '"
                  + value
                  + "'");
      assertThatThrownBy(() -> config.duration("timeout", Duration.ZERO))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("'timeout'");
    }

    @Test
    void aNegativeDurationIsRejected() {
      assertThatThrownBy(() -> config("timeout", "PT-5S").duration("timeout"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage(
              "configuration key 'timeout' must be a duration that is not negative, got 'PT-5S'");
    }
  }

  @Nested
  class Uris {
    @Test
    void anAbsoluteUriIsParsed() {
      assertThat(config("public-url", "https://example.com/twilio").uri("public-url"))
          .isEqualTo(URI.create("https://example.com/twilio"));
      assertThat(config("public-url", " wss://example.com/media ").uri("public-url"))
          .isEqualTo(URI.create("wss://example.com/media"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/twilio", "example.com/twilio", "https://exa mple.com", "::"})
    void aRelativeOrMalformedUriNamesTheKeyAndTheValue(String value) {
      assertThatThrownBy(() -> config("public-url", value).uri("public-url"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage(
              "configuration key 'public-url' must be an absolute URI like"
                  + " https://example.com/path, got '"
                  + value
                  + "'");
    }

    @Test
    void aMissingUriNamesTheKey() {
      assertThatThrownBy(() -> ProviderConfig.empty().uri("public-url"))
          .hasMessage("missing required configuration key 'public-url'");
    }
  }

  @Nested
  class Secrets {
    @ParameterizedTest
    @ValueSource(
        strings = {"auth-token", "api-key", "client-secret", "password", "webhook.signing-key"})
    void keysNamedLikeSecretsAreSecret(String key) {
      assertThat(config(key, SECRET_VALUE).isSecret(key)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"account-sid", "region", "public-url"})
    void otherKeysAreNot(String key) {
      assertThat(config(key, "v").isSecret(key)).isFalse();
    }

    @Test
    void theBuilderMarksAnyKeySecret() {
      ProviderConfig config = ProviderConfig.builder().secret("account-sid", SECRET_VALUE).build();

      assertThat(config.isSecret("account-sid")).isTrue();
      assertThat(config.string("account-sid")).isEqualTo(SECRET_VALUE);
    }

    @Test
    void secretReturnsARedactingWrapper() {
      ProviderConfig config = config("auth-token", " " + SECRET_VALUE + " ");

      Secret secret = config.secret("auth-token");

      assertThat(secret.reveal()).isEqualTo(SECRET_VALUE);
      assertThat(secret).hasToString("****");
      assertThat(config.optionalSecret("auth-token")).contains(Secret.of(SECRET_VALUE));
    }

    @Test
    void aMissingSecretNamesTheKeyOrIsEmpty() {
      assertThatThrownBy(() -> ProviderConfig.empty().secret("auth-token"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("missing required configuration key 'auth-token'");
      assertThat(ProviderConfig.empty().optionalSecret("auth-token")).isEmpty();
      assertThat(config("auth-token", "  ").optionalSecret("auth-token")).isEmpty();
    }

    @Test
    void toStringRedactsSecretsByNameAndByBuilderButShowsTheRest() {
      ProviderConfig config =
          ProviderConfig.builder()
              .put("auth-token", SECRET_VALUE)
              .secret("account-sid", "AC-hidden")
              .put("region", "ie1")
              .build();

      assertThat(config)
          .hasToString("ProviderConfig{account-sid=****, auth-token=****, region=ie1}");
    }

    @Test
    void errorsAboutAKeyNamedLikeASecretNeverContainItsValue() {
      assertErrorsAreRedacted(config("api-key", SECRET_VALUE), "api-key");
    }

    @Test
    void errorsAboutAKeyMarkedSecretNeverContainItsValue() {
      assertErrorsAreRedacted(
          ProviderConfig.builder().secret("account-sid", SECRET_VALUE).build(), "account-sid");
    }

    @Test
    void anOverflowingSecretDurationIsRejectedWithoutItsValue() {
      String value = "99999999999999999999s";

      assertThatThrownBy(() -> config("signing-key", value).duration("signing-key"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage(
              "configuration key 'signing-key' must be a duration like 500ms, 5s, 2m or PT5S,"
                  + " got a value (redacted)");
    }

    private void assertErrorsAreRedacted(ProviderConfig config, String key) {
      List<ThrowingCallable> reads =
          List.of(
              () -> config.integer(key),
              () -> config.integer(key, 0),
              () -> config.bool(key, false),
              () -> config.duration(key),
              () -> config.duration(key, Duration.ZERO),
              () -> config.uri(key));
      for (ThrowingCallable read : reads) {
        assertThatThrownBy(read)
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith("configuration key '" + key + "' must be ")
            .hasMessageEndingWith(", got a value (redacted)")
            .hasMessageNotContaining(SECRET_VALUE);
      }
    }
  }

  @Nested
  class Merging {
    @Test
    void overridesWinAndTheOtherEntriesAreKept() {
      ProviderConfig base =
          ProviderConfig.builder().put("region", "us1").put("account-sid", "AC1").build();
      ProviderConfig overrides =
          ProviderConfig.builder().put("region", "ie1").put("edge", "dublin").build();

      ProviderConfig merged = base.merge(overrides);

      assertThat(merged.keys()).containsExactly("account-sid", "edge", "region");
      assertThat(merged.string("region")).isEqualTo("ie1");
      assertThat(merged.string("account-sid")).isEqualTo("AC1");
      assertThat(base.string("region")).isEqualTo("us1");
      assertThat(base.has("edge")).isFalse();
    }

    @Test
    void secretMarksOfBothSidesAreKept() {
      ProviderConfig base = ProviderConfig.builder().secret("account-sid", "AC1").build();
      ProviderConfig overrides = ProviderConfig.builder().secret("region", "ie1").build();

      ProviderConfig merged = base.merge(overrides);

      assertThat(merged.isSecret("account-sid")).isTrue();
      assertThat(merged.isSecret("region")).isTrue();
      assertThat(merged).hasToString("ProviderConfig{account-sid=****, region=****}");
    }

    @Test
    void aKeyMarkedSecretStaysSecretWhenAPlainValueOverridesIt() {
      ProviderConfig base = ProviderConfig.builder().secret("account-sid", "AC1").build();

      ProviderConfig merged = base.merge(config("account-sid", "AC2"));

      assertThat(merged.isSecret("account-sid")).isTrue();
      assertThat(merged.string("account-sid")).isEqualTo("AC2");
    }

    @Test
    void mergingWithEmptyChangesNothing() {
      ProviderConfig config = config("region", "ie1");

      assertThat(config.merge(ProviderConfig.empty())).isEqualTo(config);
      assertThat(ProviderConfig.empty().merge(config)).isEqualTo(config);
    }
  }

  @Nested
  class Equality {
    @Test
    void configsWithTheSameEntriesAreEqualWhateverTheirOrder() {
      Map<String, String> forwards = new LinkedHashMap<>();
      forwards.put("a", "1");
      forwards.put("b", "2");
      Map<String, String> backwards = new LinkedHashMap<>();
      backwards.put("b", "2");
      backwards.put("a", "1");

      ProviderConfig one = ProviderConfig.of(forwards);
      ProviderConfig other = ProviderConfig.of(backwards);

      assertThat(one).isEqualTo(other).hasSameHashCodeAs(other);
      assertThat(one.toString()).isEqualTo(other.toString());
    }

    @Test
    void aDifferentValueOrKeyMakesThemDifferent() {
      assertThat(config("a", "1")).isNotEqualTo(config("a", "2"));
      assertThat(config("a", "1")).isNotEqualTo(config("b", "1"));
      assertThat(config("a", "1")).isNotEqualTo("ProviderConfig{a=1}");
    }

    @Test
    void aSecretMarkMakesThemDifferent() {
      ProviderConfig plain = config("account-sid", "AC1");
      ProviderConfig secret = ProviderConfig.builder().secret("account-sid", "AC1").build();

      assertThat(plain).isNotEqualTo(secret);
    }
  }
}
