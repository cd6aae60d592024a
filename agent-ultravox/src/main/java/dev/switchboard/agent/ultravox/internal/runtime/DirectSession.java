package dev.switchboard.agent.ultravox.internal.runtime;

import dev.switchboard.agent.ultravox.model.Medium;
import dev.switchboard.agent.ultravox.model.UltravoxCall;
import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.ProviderException;
import dev.switchboard.core.SessionException;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.agent.ToolResult;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. A {@code TELEPHONY_DIRECT} session: an Ultravox call with the Twilio medium. Ultravox
 * terminates the phone's media at the join URL, so no audio passes through this session; it gives
 * the join URL, injects typed user messages over REST, hangs the call up on close, and learns that
 * the call ended from the {@code call.ended} webhook when the runtime has a webhook handler.
 * Thread-safe.
 */
final class DirectSession extends UltravoxSession {
  private static final Logger log = LoggerFactory.getLogger(DirectSession.class);

  /** How long a close waits for the hang-up request before reporting the session closed. */
  static final Duration CLOSE_BOUND = Duration.ofSeconds(2);

  private volatile @Nullable URI joinUrl;
  private volatile boolean callOver;
  private Runnable closeTimer = () -> {}; // guarded by lock

  DirectSession(UltravoxEngine engine, SessionOptions options, Listener listener) {
    super(engine, options, listener);
  }

  @Override
  CompletableFuture<AgentSession> open() {
    try {
      engine.blocking().execute(this::create);
    } catch (RejectedExecutionException e) {
      failOpen(new SessionException("the Ultravox runtime is closed", null, false));
    }
    return opened;
  }

  private void create() {
    UltravoxCall call;
    try {
      call = engine.createCall(CallRequests.build(engine.settings(), options, Medium.twilio()));
    } catch (SwitchboardException e) {
      log.warn("Ultravox refused a TELEPHONY_DIRECT call: {}", e.getMessage());
      failOpen(e);
      return;
    } catch (RuntimeException e) {
      failOpen(new SessionException("creating the Ultravox call failed: " + e, e, false));
      return;
    }
    id = call.callId();
    URI url = call.joinUrl();
    if (url == null) {
      failOpen(
          new ProviderException(
              UltravoxEngine.NAME,
              "Ultravox created call " + call.callId() + " without a joinUrl",
              0,
              null,
              null,
              false,
              null));
      hangUp(); // do not leave it waiting for a join that cannot come
      return;
    }
    joinUrl = url;
    engine.registerDirect(call.callId(), this);
    if (markOpen()) {
      log.info("Ultravox call {} created for call {} (Twilio medium)", id, options.callId());
    } else {
      // Closed while the call was being created: it must not wait for a phone.
      hangUp();
    }
  }

  @Override
  public AudioFormat inputFormat() {
    return AudioFormat.PCMU_8K; // Twilio's, though no audio passes through this session
  }

  @Override
  public AudioFormat outputFormat() {
    return AudioFormat.PCMU_8K;
  }

  @Override
  public Optional<URI> joinUrl() {
    return Optional.ofNullable(joinUrl);
  }

  /** Refuses: Ultravox receives the phone's audio itself. */
  @Override
  public boolean sendAudio(AudioChunk audio) {
    Objects.requireNonNull(audio, "audio");
    return false;
  }

  /** Sends a {@code user_text_message} to the live call over REST, asynchronously. */
  @Override
  public boolean sendText(String text) {
    Objects.requireNonNull(text, "text");
    if (!isOpen()) {
      return false;
    }
    try {
      engine
          .blocking()
          .execute(
              () -> {
                try {
                  engine
                      .settings()
                      .client()
                      .sendDataMessage(id, Map.of("type", "user_text_message", "text", text));
                } catch (SwitchboardException e) {
                  log.warn("Ultravox call {}: a text message was refused: {}", id, e.getMessage());
                  deliver(l -> l.onError(e));
                }
              });
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /**
   * Refuses: tool invocations of a Twilio-medium call do not reach this session (use a data
   * connection or server tools).
   */
  @Override
  public boolean sendToolResult(ToolResult result) {
    Objects.requireNonNull(result, "result");
    return false;
  }

  /** Nothing to do: Ultravox tracks playback itself. */
  @Override
  public boolean truncate(String itemId, Duration heard) {
    Objects.requireNonNull(itemId, "itemId");
    Objects.requireNonNull(heard, "heard");
    return isOpen();
  }

  /** Nothing to do: Ultravox handles interruptions itself. */
  @Override
  public boolean cancelResponse() {
    return isOpen();
  }

  @Override
  public CompletableFuture<Void> close() {
    State was;
    synchronized (lock) {
      was = state;
      if (was == State.OPEN) {
        state = State.CLOSING;
      }
    }
    switch (was) {
      case OPENING ->
          failOpen(
              new SessionException("session was closed before its call was created", null, true));
      case OPEN -> {
        if (callOver) {
          finish(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
          break;
        }
        Runnable bound =
            engine.schedule(
                CLOSE_BOUND,
                () ->
                    finish(
                        CloseReason.of(
                            CloseReason.Code.NORMAL,
                            "closed (Ultravox did not answer the hang-up within "
                                + CLOSE_BOUND.toSeconds()
                                + " s)")));
        synchronized (lock) {
          closeTimer = bound;
        }
        try {
          engine
              .blocking()
              .execute(
                  () -> {
                    hangUp();
                    finish(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
                  });
        } catch (RejectedExecutionException e) {
          finish(CloseReason.of(CloseReason.Code.NORMAL, "closed"));
        }
      }
      default -> {}
    }
    return closed;
  }

  /** Asks Ultravox to end the call; a 422 means it is already over. Blocking. */
  private void hangUp() {
    if (callOver) {
      return;
    }
    try {
      engine.settings().client().sendDataMessage(id, Map.of("type", "hang_up"));
      log.debug("Ultravox call {} asked to hang up", id);
    } catch (ProviderException e) {
      if (e.httpStatus() == 422) {
        log.debug("Ultravox call {} was already over", id);
      } else {
        log.warn("Ultravox call {}: hanging up failed: {}", id, e.getMessage());
      }
    } catch (RuntimeException e) {
      log.warn("Ultravox call {}: hanging up failed", id, e);
    }
  }

  /**
   * The {@code call.ended} webhook arrived for this session's call: the session ends.
   *
   * @param endReason Ultravox's {@code endReason}, or null
   */
  void callEnded(@Nullable String endReason) {
    callOver = true;
    log.info("Ultravox call {} ended ({})", id, endReason);
    finish(reasonFor(endReason));
  }

  /** Maps Ultravox's {@code endReason} to why the session closed. */
  static CloseReason reasonFor(@Nullable String endReason) {
    String r = endReason == null ? "" : endReason;
    return switch (r) {
      case "hangup" -> CloseReason.of(CloseReason.Code.CALL_ENDED, "the call ended (hangup)");
      case "agent_hangup" -> CloseReason.of(CloseReason.Code.REMOTE, "the agent hung up");
      case "timeout" ->
          CloseReason.of(CloseReason.Code.REMOTE, "the call reached its maximum duration");
      case "unjoined" ->
          CloseReason.of(CloseReason.Code.ERROR, "nobody joined the call before its join timeout");
      case "connection_error" ->
          CloseReason.of(CloseReason.Code.CONNECTION_LOST, "Ultravox lost the call's connection");
      case "system_error" ->
          CloseReason.of(CloseReason.Code.ERROR, "Ultravox failed (system_error)");
      default -> CloseReason.of(CloseReason.Code.REMOTE, "the call ended (" + r + ")");
    };
  }

  @Override
  void released() {
    Runnable timer;
    synchronized (lock) {
      timer = closeTimer;
      closeTimer = () -> {};
    }
    timer.run();
  }

  @Override
  public String toString() {
    return "UltravoxDirectSession[" + id + "]";
  }
}
