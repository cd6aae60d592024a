package dev.switchboard.testing.kit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting on futures in kits, with a timeout and the cause unwrapped. */
final class Futures {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Futures() {}

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new AssertionError("future failed", cause);
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Runs an operation that must fail, synchronously or through its future; returns the cause. */
  static Throwable failure(java.util.function.Supplier<? extends CompletableFuture<?>> operation) {
    CompletableFuture<?> future;
    try {
      future = operation.get();
    } catch (RuntimeException e) {
      return e;
    }
    try {
      future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("expected a failure, but the future did not complete", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    throw new AssertionError("expected a failure, but the operation succeeded");
  }
}
