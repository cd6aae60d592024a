package dev.switchboard.testing.twilio;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes and checks Twilio's {@code X-Twilio-Signature} the way Twilio does, without the Twilio
 * SDK: the exact URL (query string included), then for a form POST every parameter name in ordinal
 * order immediately followed by its value (several values of one name in ordinal order), HMAC-SHA1
 * keyed with the auth token, standard Base64. {@link FakeTwilioApi} signs every webhook it sends
 * with {@link #sign}; tests can use {@link #validate} to check what an application receives.
 * Stateless and thread-safe.
 *
 * <pre>{@code
 * String signature = TwilioSignatures.sign(authToken, "https://example.com/voice?x=1",
 *     Map.of("CallSid", List.of("CA123"), "From", List.of("+14155550100")));
 * boolean ok = TwilioSignatures.validate(authToken, url, params, signature);
 * }</pre>
 *
 * <p>For JSON-body webhooks Twilio appends {@code bodySHA256=<hex>} to the URL and signs the URL
 * alone: {@code sign(token, url + "&bodySHA256=" + bodySha256(body), Map.of())}.
 */
public final class TwilioSignatures {
  /** The header Twilio puts the signature in. */
  public static final String HEADER = "X-Twilio-Signature";

  private TwilioSignatures() {}

  /**
   * Computes the signature of a request.
   *
   * @param authToken the account's auth token, the HMAC key
   * @param url the full URL the request is sent to, exactly as it will be requested (scheme, host,
   *     port if any, path, query string)
   * @param params the form parameters of a POST (empty for a GET or a JSON body); several values
   *     per name allowed
   * @return the Base64 signature, as sent in {@value #HEADER}
   */
  public static String sign(String authToken, String url, Map<String, List<String>> params) {
    Objects.requireNonNull(authToken, "authToken");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(params, "params");
    StringBuilder data = new StringBuilder(url);
    // TreeMap and List.sort use String.compareTo: ordinal order, as Java's Collections.sort does.
    for (Map.Entry<String, List<String>> entry : new TreeMap<>(params).entrySet()) {
      List<String> values = new ArrayList<>(entry.getValue());
      values.sort(null);
      for (String value : values) {
        data.append(entry.getKey()).append(value);
      }
    }
    return Base64.getEncoder().encodeToString(hmacSha1(authToken, data.toString()));
  }

  /**
   * Computes the signature of a form POST whose parameters each have one value.
   *
   * @param authToken the account's auth token
   * @param url the full URL, exactly as requested
   * @param params the form parameters
   * @return the Base64 signature
   */
  public static String signSingle(String authToken, String url, Map<String, String> params) {
    Objects.requireNonNull(params, "params");
    Map<String, List<String>> multi = new TreeMap<>();
    params.forEach((name, value) -> multi.put(name, List.of(value)));
    return sign(authToken, url, multi);
  }

  /**
   * Checks a signature as Twilio's own validators do, including their port quirk: the signature is
   * accepted if it matches the URL with its port removed or with the scheme's default port ({@code
   * 443}/{@code 80}) added, since Twilio is not consistent about which one it signs. Comparison is
   * constant-time.
   *
   * @param authToken the account's auth token
   * @param url the full URL the request was received on (public URL, raw query string)
   * @param params all form parameters received
   * @param signature the {@value #HEADER} value received
   * @return whether it matches
   */
  public static boolean validate(
      String authToken, String url, Map<String, List<String>> params, String signature) {
    Objects.requireNonNull(signature, "signature");
    byte[] received = signature.getBytes(StandardCharsets.UTF_8);
    for (String candidate : portVariants(url)) {
      byte[] expected = sign(authToken, candidate, params).getBytes(StandardCharsets.UTF_8);
      if (MessageDigest.isEqual(expected, received)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the lower-case hex SHA-256 of a body, as Twilio puts it in the {@code bodySHA256} query
   * parameter of JSON-body webhooks.
   *
   * @param body the raw body, encoded as UTF-8
   * @return 64 hex digits
   */
  public static String bodySha256(String body) {
    Objects.requireNonNull(body, "body");
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** The URL with its port removed and with the default port added (either may equal url). */
  private static List<String> portVariants(String url) {
    Objects.requireNonNull(url, "url");
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return List.of(url);
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      return List.of(url);
    }
    int defaultPort =
        switch (uri.getScheme().toLowerCase(java.util.Locale.ROOT)) {
          case "https", "wss" -> 443;
          case "http", "ws" -> 80;
          default -> -1;
        };
    String withoutPort = rebuild(uri, -1);
    String withPort = uri.getPort() != -1 ? url : rebuild(uri, defaultPort);
    return List.of(withoutPort, withPort);
  }

  /** Rebuilds a URL from its raw parts so nothing is decoded or re-encoded. */
  private static String rebuild(URI uri, int port) {
    StringBuilder out = new StringBuilder(uri.getScheme()).append("://");
    if (uri.getRawUserInfo() != null) {
      out.append(uri.getRawUserInfo()).append('@');
    }
    out.append(uri.getHost());
    if (port != -1) {
      out.append(':').append(port);
    }
    if (uri.getRawPath() != null) {
      out.append(uri.getRawPath());
    }
    if (uri.getRawQuery() != null) {
      out.append('?').append(uri.getRawQuery());
    }
    if (uri.getRawFragment() != null) {
      out.append('#').append(uri.getRawFragment());
    }
    return out.toString();
  }

  private static byte[] hmacSha1(String key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA1 is required of every JVM", e);
    }
  }
}
