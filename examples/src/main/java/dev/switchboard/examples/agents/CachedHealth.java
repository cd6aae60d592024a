package dev.switchboard.examples.agents;

import dev.switchboard.core.HealthStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A health supplier that asks its source at most once per time-to-live: {@code GET /health} is
 * cheap to call often, the Ultravox check it wraps is a real request. Concurrent askers share one
 * check. A source that throws is not cached (the server reports it UNHEALTHY). Thread-safe. Not
 * API.
 */
final class CachedHealth implements Supplier<HealthStatus> {
  private final Supplier<HealthStatus> source;
  private final Duration ttl;
  private final Clock clock;
  private final Object lock = new Object();
  private @Nullable HealthStatus cached; // guarded by lock
  private Instant expires = Instant.MIN; // guarded by lock

  CachedHealth(Supplier<HealthStatus> source, Duration ttl, Clock clock) {
    this.source = source;
    this.ttl = ttl;
    this.clock = clock;
  }

  @Override
  public HealthStatus get() {
    synchronized (lock) {
      Instant now = clock.instant();
      HealthStatus current = cached;
      if (current != null && now.isBefore(expires)) {
        return current;
      }
      HealthStatus fresh = source.get();
      cached = fresh;
      expires = now.plus(ttl);
      return fresh;
    }
  }
}
