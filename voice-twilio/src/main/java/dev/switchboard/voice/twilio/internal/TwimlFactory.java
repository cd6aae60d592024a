package dev.switchboard.voice.twilio.internal;

import com.twilio.twiml.TwiMLException;
import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Connect;
import com.twilio.twiml.voice.Dial;
import com.twilio.twiml.voice.Hangup;
import com.twilio.twiml.voice.Number;
import com.twilio.twiml.voice.Parameter;
import com.twilio.twiml.voice.Play;
import com.twilio.twiml.voice.Reject;
import com.twilio.twiml.voice.Say;
import com.twilio.twiml.voice.Sip;
import com.twilio.twiml.voice.Stream;
import dev.switchboard.core.voice.TransferTarget;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Not API. The TwiML documents the backend answers and sends, built with twilio-java's builders
 * (never by hand, so values are always escaped). Stateless.
 */
public final class TwimlFactory {
  /** The {@code <Parameter>} name that carries a stream's one-time token. */
  public static final String TOKEN_PARAMETER = "switchboard_token";

  /** Twilio's limit for inline TwiML in a call create or update. */
  public static final int MAX_INLINE_TWIML = 4000;

  private TwimlFactory() {}

  /**
   * Where and how a call's media streams: the URL, an optional token, custom parameters, and the
   * stream status callback.
   *
   * @param url the {@code wss://} URL (no query string)
   * @param token the one-time token, or null for an external endpoint
   * @param parameters custom parameters, in order
   * @param statusCallback the stream status callback URL, or null
   */
  public record StreamTarget(
      String url,
      @Nullable String token,
      Map<String, String> parameters,
      @Nullable String statusCallback) {
    /** Copies the parameters. */
    public StreamTarget {
      parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }

    /**
     * Returns the same target with another token.
     *
     * @param newToken the token
     * @return the target
     */
    public StreamTarget withToken(@Nullable String newToken) {
      return new StreamTarget(url, newToken, parameters, statusCallback);
    }
  }

  /**
   * {@code <Response><Connect><Stream ...><Parameter .../></Stream></Connect></Response>}.
   *
   * @param target the stream
   * @return the document
   */
  public static String connectStream(StreamTarget target) {
    return toXml(new VoiceResponse.Builder().connect(connect(target)).build());
  }

  /**
   * {@code <Response><Play digits="..."/><Connect><Stream .../></Connect></Response>}: plays DTMF
   * tones, then streams again.
   *
   * @param digits the tones
   * @param target the new stream
   * @return the document
   */
  public static String playDigitsThenStream(String digits, StreamTarget target) {
    return toXml(
        new VoiceResponse.Builder()
            .play(new Play.Builder().digits(digits).build())
            .connect(connect(target))
            .build());
  }

  /**
   * {@code <Response><Dial><Number>..</Number></Dial></Response>} or with {@code <Sip>}.
   *
   * @param target where to
   * @return the document
   */
  public static String dial(TransferTarget target) {
    Dial.Builder dial = new Dial.Builder();
    if (target.kind() == TransferTarget.Kind.SIP) {
      dial.sip(new Sip.Builder(target.address()).build());
    } else {
      dial.number(new Number.Builder(target.address()).build());
    }
    return toXml(new VoiceResponse.Builder().dial(dial.build()).build());
  }

  /**
   * {@code <Response><Reject/></Response>}.
   *
   * @return the document
   */
  public static String reject() {
    return toXml(new VoiceResponse.Builder().reject(new Reject.Builder().build()).build());
  }

  /**
   * {@code <Response><Say>message</Say><Hangup/></Response>}.
   *
   * @param message what to say
   * @return the document
   */
  public static String sayAndHangUp(String message) {
    return toXml(
        new VoiceResponse.Builder()
            .say(new Say.Builder(message).build())
            .hangup(new Hangup.Builder().build())
            .build());
  }

  /**
   * Fails when a document is too long to send inline.
   *
   * @param twiml the document
   * @param what what it is for, for the message
   * @throws IllegalArgumentException if over {@link #MAX_INLINE_TWIML} characters
   */
  public static void requireInlineSize(String twiml, String what) {
    if (twiml.length() > MAX_INLINE_TWIML) {
      throw new IllegalArgumentException(
          what
              + " needs "
              + twiml.length()
              + " characters of TwiML but Twilio accepts at most "
              + MAX_INLINE_TWIML
              + " inline: pass fewer or shorter stream parameters");
    }
  }

  private static Connect connect(StreamTarget target) {
    Stream.Builder stream = new Stream.Builder().url(target.url());
    if (target.statusCallback() != null) {
      stream.statusCallback(target.statusCallback());
      stream.statusCallbackMethod(Stream.StatusCallbackMethod.POST);
    }
    if (target.token() != null) {
      stream.parameter(new Parameter.Builder().name(TOKEN_PARAMETER).value(target.token()).build());
    }
    target
        .parameters()
        .forEach((k, v) -> stream.parameter(new Parameter.Builder().name(k).value(v).build()));
    return new Connect.Builder().stream(stream.build()).build();
  }

  private static String toXml(VoiceResponse response) {
    try {
      return response.toXml();
    } catch (TwiMLException e) {
      throw new IllegalStateException("could not write TwiML: " + e.getMessage(), e);
    }
  }
}
