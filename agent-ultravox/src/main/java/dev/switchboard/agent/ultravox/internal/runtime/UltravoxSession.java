package dev.switchboard.agent.ultravox.internal.runtime;

import dev.switchboard.core.CloseReason;
import dev.switchboard.core.SessionException;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Capability;
import dev.switchboard.core.agent.SessionOptions;
import dev.switchboard.core.internal.SerialExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. What both kinds of session share: the state machine (opening, open, closing, closed),
 * the open and closed futures, and delivery of listener callbacks one at a time, in order, never
 * under the lock, with {@code onClosed} exactly once and last. Thread-safe.
 */
abstract class UltravoxSession implements AgentSession {
  private static final Logger log = LoggerFactory.getLogger(UltravoxSession.class);

  /** The states of a session. */
  enum State {
    OPENING,
    OPEN,
    CLOSING,
    CLOSED
  }

  final UltravoxEngine engine;
  final SessionOptions options;
  final Object lock = new Object();
  final CompletableFuture<AgentSession> opened = new CompletableFuture<>();
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Listener listener;
  private final SerialExecutor events = new SerialExecutor(Runnable::run);

  State state = State.OPENING; // guarded by lock
  private boolean listenerOpen; // guarded by lock: the listener has been handed the session
  private volatile boolean terminalDelivered; // touched only by serial tasks
  volatile String id = "pending";

  UltravoxSession(UltravoxEngine engine, SessionOptions options, Listener listener) {
    this.engine = engine;
    this.options = options;
    this.listener = listener;
  }

  /** Starts opening; the future completes when the session is usable. */
  abstract CompletableFuture<AgentSession> open();

  @Override
  public final String id() {
    return id;
  }

  @Override
  public final Capability mode() {
    return options.mode();
  }

  @Override
  public boolean isOpen() {
    synchronized (lock) {
      return state == State.OPEN;
    }
  }

  final boolean stateIs(State s) {
    synchronized (lock) {
      return state == s;
    }
  }

  /** Marks the session open and hands it to the caller of {@code openSession}. */
  final boolean markOpen() {
    synchronized (lock) {
      if (state != State.OPENING) {
        return false;
      }
      state = State.OPEN;
      listenerOpen = true;
    }
    events.execute(() -> opened.complete(this));
    return true;
  }

  /** Fails the opening: the caller of {@code openSession} gets the error, the listener nothing. */
  final void failOpen(SwitchboardException e) {
    synchronized (lock) {
      if (state != State.OPENING) {
        return;
      }
    }
    opened.completeExceptionally(e);
    finish(CloseReason.of(CloseReason.Code.REJECTED, String.valueOf(e.getMessage())));
  }

  /**
   * Ends the session once: releases what the subclass holds, tells the listener (if it was handed
   * the session) and completes the closed future.
   */
  final void finish(CloseReason reason) {
    boolean tell;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CLOSED;
      tell = listenerOpen;
    }
    released();
    engine.remove(this);
    if (!opened.isDone()) {
      opened.completeExceptionally(
          new SessionException("session " + id + " closed before it opened", null, true));
    }
    events.execute(
        () -> {
          if (tell && !terminalDelivered) {
            terminalDelivered = true;
            log.debug("Ultravox session {} closed: {} {}", id, reason.code(), reason.detail());
            try {
              listener.onClosed(reason);
            } catch (RuntimeException e) {
              log.warn("listener of Ultravox session {} failed in onClosed", id, e);
            }
          }
          closed.complete(null);
        });
  }

  /** Releases timers and sockets when the session ends; called once, never under the lock. */
  abstract void released();

  /** Delivers a callback unless the session has already told the listener it closed. */
  final void deliver(Consumer<Listener> callback) {
    events.execute(
        () -> {
          if (terminalDelivered) {
            return;
          }
          try {
            callback.accept(listener);
          } catch (RuntimeException e) {
            log.warn("listener of Ultravox session {} failed", id, e);
          }
        });
  }

  /** Runs a task after the callbacks delivered so far, in order with them. */
  final void afterDelivered(Runnable task) {
    events.execute(task);
  }

  static @Nullable String nullIfBlank(@Nullable String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
