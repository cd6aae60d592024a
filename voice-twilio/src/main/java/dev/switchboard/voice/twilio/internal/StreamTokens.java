package dev.switchboard.voice.twilio.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Not API. One-time, short-lived tokens that authenticate media streams: each TwiML that opens a
 * stream carries a fresh token in a {@code <Parameter>}; the stream's {@code start} must present
 * it, unused, unexpired, for the call it was issued for. Tokens are 32 random bytes (SecureRandom),
 * base64url without padding. A used token is remembered until it would have expired, so a replay is
 * told apart from a guess. Thread-safe.
 */
public final class StreamTokens {
  /** The outcome of presenting a token. */
  public enum Check {
    /** Valid: now used. */
    ACCEPTED,
    /** No token in the start message. */
    MISSING,
    /** Never issued (or long expired and forgotten). */
    UNKNOWN,
    /** Issued but expired. */
    EXPIRED,
    /** Already used by another stream. */
    REUSED,
    /** Issued for another call. */
    WRONG_CALL;

    /**
     * Returns a short reason for logs and close frames; never the token.
     *
     * @return the reason
     */
    public String reason() {
      return switch (this) {
        case ACCEPTED -> "accepted";
        case MISSING -> "stream token missing";
        case UNKNOWN -> "stream token unknown";
        case EXPIRED -> "stream token expired";
        case REUSED -> "stream token already used";
        case WRONG_CALL -> "stream token issued for another call";
      };
    }
  }

  private static final class Entry {
    @Nullable String callSid;
    final Instant expiresAt;
    boolean used;

    Entry(@Nullable String callSid, Instant expiresAt) {
      this.callSid = callSid;
      this.expiresAt = expiresAt;
    }
  }

  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final Duration ttl;
  private final Object lock = new Object();
  private final Map<String, Entry> tokens = new HashMap<>(); // guarded by lock

  /**
   * Creates a store.
   *
   * @param clock the clock expiry is measured with
   * @param ttl how long an issued token stays valid
   */
  public StreamTokens(Clock clock, Duration ttl) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
  }

  /**
   * Issues a token.
   *
   * @param callSid the call it is for, or null if not known yet (bind it later)
   * @return the token
   */
  public String issue(@Nullable String callSid) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Instant now = clock.instant();
    synchronized (lock) {
      purge(now);
      tokens.put(token, new Entry(callSid, now.plus(ttl)));
    }
    return token;
  }

  /**
   * Binds an unbound token to the call it was issued for, once the call's SID is known.
   *
   * @param token the token
   * @param callSid the call
   */
  public void bind(String token, String callSid) {
    synchronized (lock) {
      Entry e = tokens.get(token);
      if (e != null && e.callSid == null) {
        e.callSid = callSid;
      }
    }
  }

  /**
   * Forgets a token that will never be presented (its call could not be created).
   *
   * @param token the token
   */
  public void revoke(String token) {
    synchronized (lock) {
      tokens.remove(token);
    }
  }

  /**
   * Presents a token from a stream's {@code start}; an accepted token is used up.
   *
   * @param token the token, or null if the start carried none
   * @param callSid the call the stream belongs to
   * @return the outcome
   */
  public Check consume(@Nullable String token, String callSid) {
    if (token == null || token.isEmpty()) {
      return Check.MISSING;
    }
    Instant now = clock.instant();
    synchronized (lock) {
      Entry e = tokens.get(token);
      if (e == null) {
        return Check.UNKNOWN;
      }
      if (e.used) {
        return Check.REUSED;
      }
      if (!now.isBefore(e.expiresAt)) {
        return Check.EXPIRED;
      }
      if (e.callSid != null && !e.callSid.equals(callSid)) {
        return Check.WRONG_CALL;
      }
      e.used = true;
      e.callSid = callSid;
      return Check.ACCEPTED;
    }
  }

  /**
   * Returns how many tokens are remembered.
   *
   * @return the count
   */
  public int size() {
    synchronized (lock) {
      return tokens.size();
    }
  }

  // Expired tokens are kept one more TTL, so that a late replay still reads as expired/reused.
  private void purge(Instant now) {
    Instant cutoff = now.minus(ttl);
    for (Iterator<Entry> it = tokens.values().iterator(); it.hasNext(); ) {
      if (it.next().expiresAt.isBefore(cutoff)) {
        it.remove();
      }
    }
  }
}
