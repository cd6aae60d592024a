package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PublicUrlResolverTest {
  private static Function<String, Optional<String>> headers(String... pairs) {
    Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return name -> Optional.ofNullable(map.get(name));
  }

  @Test
  void withoutConfigurationTheHostHeaderAndLocalSchemeAreUsed() {
    PublicUrlResolver resolver = PublicUrlResolver.builder().build();
    assertThat(resolver.resolve("http", "/voice?a=b%20c", headers("Host", "localhost:8080")))
        .isEqualTo(URI.create("http://localhost:8080/voice?a=b%20c"));
  }

  @Test
  void forwardedHeadersAreIgnoredUnlessTrusted() {
    var h =
        headers(
            "Host",
            "10.0.0.5:8080",
            "X-Forwarded-Proto",
            "https",
            "X-Forwarded-Host",
            "voice.example.com");
    assertThat(PublicUrlResolver.builder().build().resolve("http", "/voice", h))
        .isEqualTo(URI.create("http://10.0.0.5:8080/voice"));
    assertThat(
            PublicUrlResolver.builder()
                .trustForwardedHeaders(true)
                .build()
                .resolve("http", "/voice", h))
        .isEqualTo(URI.create("https://voice.example.com/voice"));
  }

  @Test
  void theFirstOfSeveralForwardedValuesWins() {
    var h =
        headers(
            "X-Forwarded-Proto",
            "https, http",
            "X-Forwarded-Host",
            "a.example.com, proxy.internal");
    assertThat(
            PublicUrlResolver.builder()
                .trustForwardedHeaders(true)
                .build()
                .resolve("http", "/x", h))
        .isEqualTo(URI.create("https://a.example.com/x"));
  }

  @Test
  void aConfiguredBaseUrlWinsAndItsPathIsPrefixed() {
    PublicUrlResolver resolver =
        PublicUrlResolver.builder()
            .baseUrl(URI.create("https://abc.ngrok.app/switchboard/"))
            .trustForwardedHeaders(true)
            .build();
    assertThat(
            resolver.resolve(
                "http", "/voice?x=1", headers("Host", "localhost", "X-Forwarded-Host", "other")))
        .isEqualTo(URI.create("https://abc.ngrok.app/switchboard/voice?x=1"));
  }

  @Test
  void badInputIsRejectedByName() {
    assertThatThrownBy(() -> PublicUrlResolver.builder().baseUrl(URI.create("ftp://x/")))
        .hasMessageContaining("absolute http(s) URL");
    assertThatThrownBy(() -> PublicUrlResolver.builder().build().resolve("http", "/x", headers()))
        .hasMessageContaining("no Host header");
    assertThatThrownBy(
            () -> PublicUrlResolver.builder().build().resolve("http", "x", headers("Host", "h")))
        .hasMessageContaining("must start with '/'");
  }

  @Test
  void webSocketUpgradesGetWsOrWssSchemes() {
    PublicUrlResolver resolver =
        PublicUrlResolver.builder().baseUrl(URI.create("https://voice.example.com")).build();
    assertThat(resolver.resolveWebSocket("http", "/media", headers("Host", "localhost")))
        .isEqualTo(URI.create("wss://voice.example.com/media"));
    assertThat(
            PublicUrlResolver.builder()
                .build()
                .resolveWebSocket("http", "/media?x=1", headers("Host", "localhost:8081")))
        .isEqualTo(URI.create("ws://localhost:8081/media?x=1"));
  }
}
