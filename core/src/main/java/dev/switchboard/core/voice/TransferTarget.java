package dev.switchboard.core.voice;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a cold transfer sends a call: a phone number in E.164 form or a SIP URI. Immutable.
 *
 * <pre>{@code
 * call.transfer(TransferTarget.phoneNumber("+14155550100"));
 * call.transfer(TransferTarget.sip("sip:support@pbx.example.com"));
 * }</pre>
 *
 * @param kind a phone number or a SIP URI
 * @param address the number ({@code +} and 2-15 digits) or the URI ({@code sip:} or {@code sips:})
 */
public record TransferTarget(Kind kind, String address) {
  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{1,14}");

  /** The kind of target. */
  public enum Kind {
    /** A phone number, E.164. */
    PHONE_NUMBER,
    /** A SIP URI. */
    SIP
  }

  /**
   * Validates the address against its kind.
   *
   * @throws IllegalArgumentException naming the bad address
   */
  public TransferTarget {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(address, "address");
    if (kind == Kind.PHONE_NUMBER && !E164.matcher(address).matches()) {
      throw new IllegalArgumentException(
          "transfer target must be an E.164 number like +14155550100, got '" + address + "'");
    }
    if (kind == Kind.SIP && !(address.startsWith("sip:") || address.startsWith("sips:"))
        || kind == Kind.SIP && address.indexOf('@') < 0) {
      throw new IllegalArgumentException(
          "transfer target must be a SIP URI like sip:user@host, got '" + address + "'");
    }
  }

  /**
   * Returns a phone-number target.
   *
   * @param e164 the number, e.g. {@code +14155550100}
   * @return the target
   */
  public static TransferTarget phoneNumber(String e164) {
    return new TransferTarget(Kind.PHONE_NUMBER, e164);
  }

  /**
   * Returns a SIP target.
   *
   * @param uri the URI, e.g. {@code sip:support@pbx.example.com}
   * @return the target
   */
  public static TransferTarget sip(String uri) {
    return new TransferTarget(Kind.SIP, uri);
  }
}
