package dev.switchboard.testing.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import com.twilio.security.RequestValidator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test vectors of protocols.md section 3.4, and the SDK's validator as a second opinion. */
class TwilioSignaturesTest {
  private static final String TOKEN = "12345";
  private static final String URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
  private static final String BODY = "{\"property\": \"value\", \"boolean\": true}";
  private static final String BODY_HASH =
      "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";

  private static Map<String, List<String>> params() {
    Map<String, List<String>> params = new LinkedHashMap<>();
    params.put("Digits", List.of("1234"));
    params.put("CallSid", List.of("CA1234567890ABCDE"));
    params.put("To", List.of("+18005551212"));
    params.put("Caller", List.of("+14158675309"));
    params.put("From", List.of("+14158675309"));
    return params;
  }

  private static Map<String, String> singleParams() {
    Map<String, String> single = new LinkedHashMap<>();
    params().forEach((name, values) -> single.put(name, values.get(0)));
    return single;
  }

  @Test
  void signingTheFormVectorGivesTheDocumentedSignature() {
    assertThat(TwilioSignatures.sign(TOKEN, URL, params()))
        .isEqualTo("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    assertThat(TwilioSignatures.signSingle(TOKEN, URL, singleParams()))
        .isEqualTo("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  }

  @Test
  void signingTheUrlWithAnExplicitDefaultPortGivesTheDocumentedSignatures() {
    assertThat(
            TwilioSignatures.sign(
                TOKEN, "https://mycompany.com:443/myapp.php?foo=1&bar=2", params()))
        .isEqualTo("kvajT1Ptam85bY51eRf/AJRuM3w=");
    assertThat(
            TwilioSignatures.sign(TOKEN, "http://mycompany.com:80/myapp.php?foo=1&bar=2", params()))
        .isEqualTo("0ZXoZLH/DfblKGATFgpif+LLRf4=");
  }

  @Test
  void signingTheUrlWithoutParametersGivesTheDocumentedSignature() {
    assertThat(TwilioSignatures.sign(TOKEN, URL, Map.of()))
        .isEqualTo("zYQTYrRWXE7LtzbG4PfP7/bkkGo=");
  }

  @Test
  void theJsonBodyVectorsHashAndSignAsDocumented() {
    assertThat(TwilioSignatures.bodySha256(BODY)).isEqualTo(BODY_HASH);
    assertThat(TwilioSignatures.sign(TOKEN, URL + "&bodySHA256=" + BODY_HASH, Map.of()))
        .isEqualTo("a9nBmqA0ju/hNViExpshrM61xv4=");
    assertThat(
            TwilioSignatures.sign(
                TOKEN, "https://mycompany.com/myapp.php?bodySHA256=" + BODY_HASH, Map.of()))
        .isEqualTo("y77kIzt2vzLz71DgmJGsen2scGs=");
  }

  @Test
  void validateAcceptsEitherPortFormAndRejectsOtherwise() {
    // Signed with :443, received without a port, and the other way round (section 3.2).
    assertThat(TwilioSignatures.validate(TOKEN, URL, params(), "kvajT1Ptam85bY51eRf/AJRuM3w="))
        .isTrue();
    assertThat(
            TwilioSignatures.validate(
                TOKEN,
                "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                params(),
                "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
        .isTrue();
    assertThat(
            TwilioSignatures.validate(
                TOKEN,
                "http://mycompany.com/myapp.php?foo=1&bar=2",
                params(),
                "0ZXoZLH/DfblKGATFgpif+LLRf4="))
        .isTrue();
    assertThat(TwilioSignatures.validate(TOKEN, URL, params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8X"))
        .isFalse();
    assertThat(TwilioSignatures.validate("54321", URL, params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
        .isFalse();
  }

  @Test
  void repeatedParametersAreSignedNameAndValueForEachValueInSortedOrder() {
    Map<String, List<String>> repeated =
        Map.of(
            "StatusCallbackEvent", List.of("ringing", "answered", "initiated"), "A", List.of("1"));
    Map<String, List<String>> sorted =
        Map.of(
            "A", List.of("1"), "StatusCallbackEvent", List.of("answered", "initiated", "ringing"));
    assertThat(TwilioSignatures.sign(TOKEN, URL, repeated))
        .isEqualTo(TwilioSignatures.sign(TOKEN, URL, sorted));
  }

  @Test
  void theSdkValidatorAcceptsWhatWeSignAndWeAcceptWhatItWouldAccept() {
    Map<String, String> params = singleParams();
    params.put("Body", "Grüße & <tags> = ✓");
    params.put("Empty", "");
    RequestValidator validator = new RequestValidator("a-different-token");
    for (String url :
        List.of(
            URL,
            "http://127.0.0.1:8080/twilio/status?call=1",
            "https://example.com/path%20with%20space")) {
      String signature = TwilioSignatures.signSingle("a-different-token", url, params);
      assertThat(validator.validate(url, params, signature)).as(url).isTrue();
      assertThat(
              TwilioSignatures.validate(
                  "a-different-token",
                  url,
                  params.entrySet().stream()
                      .collect(
                          java.util.stream.Collectors.toMap(
                              Map.Entry::getKey, e -> List.of(e.getValue()))),
                  signature))
          .as(url)
          .isTrue();
      assertThat(validator.validate(url, params, signature.replace('A', 'B') + "x"))
          .as(url)
          .isFalse();
    }
  }
}
